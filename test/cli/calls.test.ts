// `switchboard credentials | call | logs | tail` against a running server, as a
// developer uses them from a terminal.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSwitchboard, type Switchboard } from 'switchboard/testing';
import { startIvr } from '../../examples/ivr/app.mjs';
import { leash, spawnChild } from '../helpers/children.ts';
import { within } from '../helpers/until.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/switchboard.mjs');
let sb: Switchboard;
let ivr: Awaited<ReturnType<typeof startIvr>>;
let env: NodeJS.ProcessEnv;
// Never spawnSync: the server runs in this process and must keep answering.
const cli = (...args: string[]) =>
  promisify(execFile)(...leash(process.execPath, [BIN, ...args]), { encoding: 'utf8', env }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
before(async () => {
  [sb, ivr] = await Promise.all([startSwitchboard({ clock: 'virtual' }), startIvr()]);
  env = { ...process.env, SWITCHBOARD_URL: sb.url, SWITCHBOARD_AUTH_ID: sb.authId, SWITCHBOARD_AUTH_TOKEN: sb.authToken };
});
after(async () => Promise.all([sb?.stop(), ivr?.close()]));

test('credentials prints env lines', async () => {
  const r = await cli('credentials');
  assert.equal(r.stdout, `SWITCHBOARD_URL=${sb.url}\nSWITCHBOARD_AUTH_ID=${sb.authId}\nSWITCHBOARD_AUTH_TOKEN=${sb.authToken}\n`);
});

test('call shows what the phone hears as it hears it and hangs up when told; logs shows the timeline', async () => {
  const number = await sb.sandbox.number({ answerUrl: `${ivr.url}/answer` });
  const child = spawnChild(process.execPath, [BIN, 'call', '14155550100', number], { env });
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
    if (/Welcome to Acme/.test(out) && child.stdin.writable) child.stdin.end('hangup\n');
  });
  const code = await within(new Promise((resolve) => child.on('exit', resolve)), () => `the call command to hang up and exit\n${out}`);
  assert.equal(code, 0);
  assert.match(out, /calling \d+ from 14155550100 \(call ([0-9a-f-]{36})\)/);
  assert.match(out, /speak "Welcome to Acme\. Press 1 for sales, press 2 for support\."/);
  assert.match(out, /call ended; its timeline: switchboard logs [0-9a-f-]{36}/);
  const callUuid = /\(call ([0-9a-f-]{36})\)/.exec(out)![1]!;
  const logs = await cli('logs', callUuid);
  assert.match(logs.stdout, new RegExp(`webhook\\s+answer POST ${ivr.url}/answer → 200`));
});

test('a refused request is one readable line and exit code 1', async () => {
  const r = await cli('logs', 'no-such-call');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^switchboard logs: GET \/Call\/no-such-call\/Log\/\?limit=20&offset=0 → 404: /);
});

test('tail prints the live stream: call states, webhooks with status, XML errors', async () => {
  const child = spawnChild(process.execPath, [BIN, 'tail', '--types', 'call'], { env });
  let out = '';
  let err = '';
  const ready = new Promise<void>((resolve) => child.stderr.on('data', (c) => ((err += c), /tailing/.test(err) && resolve())));
  const saw = new Promise<void>((resolve) => child.stdout.on('data', (c) => ((out += c), /hangup POST/.test(out) && resolve())));
  try {
    await within(ready, () => `tail to say it is tailing\n${err}`);
    const call = await sb.sandbox.call({ from: '14155550104', to: await sb.sandbox.number({ answerUrl: `${ivr.url}/answer` }) });
    await call.hears('welcome');
    await call.hangup();
    await call.ended();
    await within(saw, () => `the hangup webhook in tail's output\n${out}`);
    assert.match(out, new RegExp(`${call.callUuid.slice(0, 8)}\\s+state\\s+`));
    assert.match(out, new RegExp(`webhook\\s+answer POST ${ivr.url}/answer → 200`));
  } finally {
    child.kill();
  }
});
