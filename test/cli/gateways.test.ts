// `switchboard gateways list|test` as an operator runs them: the file as the
// driver reads it, and an OPTIONS ping per gateway (one answering, one not).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSocket } from 'node:dgram';
import { RealClock } from '../../src/clock/clock.ts';
import { SipStack } from '../../src/telephony/sip/sip-stack.ts';
import { NetSipTransport } from '../../src/telephony/sip/transport/sip-transport.ts';
import { leash } from '../helpers/children.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(...leash(process.execPath, [path.join(ROOT, 'bin/switchboard.mjs'), ...args]), { cwd: ROOT, env: { ...process.env, SWITCHBOARD_SIP_PUBLIC_ADDRESS: '127.0.0.1' } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('gateways list prints the file; gateways test pings each with OPTIONS and fails when one does not answer', async () => {
  const clock = new RealClock();
  const gateway = new SipStack({ clock, publicAddress: '127.0.0.1' });
  const transport = await NetSipTransport.listen({ host: '127.0.0.1', port: 0, clock }, gateway.receive, gateway.transportError);
  gateway.attach(transport);
  // A port nobody answers on.
  const silent = createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateways-cli-'));
  const file = path.join(dir, 'gateways.json');
  fs.writeFileSync(
    file,
    JSON.stringify([
      { name: 'up', address: `127.0.0.1:${transport.local.port}`, prefixes: ['1'], priority: 1, max_calls: 10, username: 'u', password: 'p' },
      { name: 'down', address: `127.0.0.1:${silent.address().port}` },
    ]),
  );
  try {
    const list = await cli(['gateways', 'list', '--file', file]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^up\\tudp:127\\.0\\.0\\.1:${transport.local.port}\\t1\\t1\\t10\\tdigest$`, 'm'));
    assert.match(list.stdout, /^down\t.*\t\*\t0\t-\t-$/m);

    const one = await cli(['gateways', 'test', 'up', '--file', file]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^up\t200 OK\t\d+ ms$/m);

    const all = await cli(['gateways', 'test', '--file', file, '--timeout', '500']);
    assert.equal(all.code, 1);
    assert.match(all.stdout, /^down\tno answer within 500 ms$/m);

    const unknown = await cli(['gateways', 'test', 'nope', '--file', file]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no gateway named nope/);
  } finally {
    await gateway.close();
    silent.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
