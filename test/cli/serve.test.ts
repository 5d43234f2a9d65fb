// `switchboard serve` as a new user runs it: generated credentials printed
// once and reused, flags over env, clean shutdown on SIGTERM.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freeSipPort } from '../helpers/ports.ts';
import { spawnChild } from '../helpers/children.ts';
import { within } from '../helpers/until.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const spawned: ChildProcess[] = [];
// A failed assertion must not leave a server running (it would keep the test process alive).
after(() => spawned.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

function serve(args: string[], env: Record<string, string> = {}) {
  const child = spawnChild(process.execPath, [path.join(ROOT, 'bin/switchboard.mjs'), 'serve', ...args], {
    cwd: ROOT,
    env: { ...process.env, SWITCHBOARD_AUTH_ID: '', SWITCHBOARD_AUTH_TOKEN: '', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const listening = within(
    new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        out += c;
        const m = /"url":"(http:[^"]+)"[^\n]*"msg":"switchboard listening"/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    }),
    () => `the server's "listening" line (or its exit)\n${out}${err}`,
  );
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  /** Its exit code, once it has exited. */
  const exited = () => within(exit, () => `the server to exit\n${out}${err}`);
  spawned.push(child);
  /** Resolves once stdout shows `re` (each chunk of output looks again). */
  const printed = (re: RegExp) =>
    within(new Promise<void>((resolve) => {
      const look = () => {
        if (!re.test(out)) return;
        child.stdout.off('data', look);
        resolve();
      };
      child.stdout.on('data', look);
      look();
    }), `${re} in the server's output`);
  return { child, listening, exited, printed, stderr: () => err, stdout: () => out };
}

test('first start generates, prints and keeps credentials; restart reuses them without printing', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-cli-'));
  try {
    const first = serve(['--port', '0', '--data-dir', dataDir]);
    const url = await first.listening;
    const printed = /SWITCHBOARD_AUTH_ID=(MA[A-Z0-9]{18})\s+SWITCHBOARD_AUTH_TOKEN=([A-Za-z0-9]{40})/.exec(first.stderr());
    assert.ok(printed, 'credentials printed on first start');
    assert.ok(first.stdout().includes(`"console":"${url}/console/"`), 'the web console\'s address is in the start line');
    const [, authId, authToken] = printed!;
    const auth = { authorization: 'Basic ' + Buffer.from(`${authId}:${authToken}`).toString('base64') };
    assert.equal((await fetch(`${url}/v1/Account/${authId}/`, { headers: auth })).status, 200);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited(), 0);

    const second = serve(['--port', '0', '--data-dir', dataDir]);
    const url2 = await second.listening;
    assert.doesNotMatch(second.stderr(), /SWITCHBOARD_AUTH_TOKEN=/);
    assert.equal((await fetch(`${url2}/v1/Account/${authId}/`, { headers: auth })).status, 200);
    second.child.kill('SIGINT');
    assert.equal(await second.exited(), 0);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('flags win over environment variables', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-cli-'));
  try {
    const s = serve(['--port', '0', '--data-dir', dataDir, '--clock', 'virtual'], { PORT: '1', SWITCHBOARD_CLOCK: 'real', SWITCHBOARD_DATA_DIR: '/nonexistent/never' });
    const url = await s.listening;
    assert.notEqual(new URL(url).port, '1');
    assert.match(s.stdout(), /"clock":"virtual"/);
    assert.ok(fs.existsSync(path.join(dataDir, 'switchboard.db')));
    s.child.kill('SIGTERM');
    assert.equal(await s.exited(), 0);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a bad setting stops start-up with a message saying what to fix', async () => {
  const s = serve(['--port', '0', '--clock', 'warp']);
  await assert.rejects(s.listening, /SWITCHBOARD_CLOCK must be one of real, scaled, virtual/);
  assert.equal(await s.exited(), 2);
});

test('a port another program holds stops start-up naming the setting, for HTTP and for SIP', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-cli-'));
  const held = http.createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', () => resolve()));
  const heldUdp = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => heldUdp.bind(0, '127.0.0.1', () => resolve()));
  try {
    const { port } = held.address() as { port: number };
    const web = serve(['--port', String(port), '--data-dir', dataDir]);
    await assert.rejects(web.listening, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} \\(PORT or --port, HOST or --host\\): another program is using it`));
    assert.equal(await web.exited(), 2);
    const sipPort = heldUdp.address().port;
    const sip = serve(['--port', '0', '--data-dir', dataDir, '--telephony', 'sip'], { SWITCHBOARD_SIP_LISTEN: `127.0.0.1:${sipPort}`, SWITCHBOARD_RTP_PORTS: '44600-44699' });
    await assert.rejects(sip.listening, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${sipPort} \\(SWITCHBOARD_SIP_LISTEN\\): another program is using it`));
    assert.equal(await sip.exited(), 2);
  } finally {
    held.close();
    heldUdp.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('--telephony sip serves SIP on SWITCHBOARD_SIP_LISTEN (OPTIONS answered) and stops cleanly; a broken gateways file stops start-up', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-cli-'));
  const sipPort = await freeSipPort();
  try {
    const env = { SWITCHBOARD_SIP_LISTEN: `127.0.0.1:${sipPort}`, SWITCHBOARD_RTP_PORTS: '44600-44699' };
    const s = serve(['--port', '0', '--data-dir', dataDir, '--telephony', 'sip'], env);
    await s.listening;
    assert.match(s.stdout(), /"msg":"sip driver listening"/);
    const socket = dgram.createSocket('udp4');
    const answer = new Promise<string>((resolve) => socket.once('message', (m) => resolve(m.toString())));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const options = [
      `OPTIONS sip:127.0.0.1:${sipPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${socket.address().port};branch=z9hG4bK-serve-1;rport`,
      'Max-Forwards: 70',
      'From: <sip:probe@127.0.0.1>;tag=p1',
      `To: <sip:127.0.0.1:${sipPort}>`,
      'Call-ID: serve-options-1',
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    socket.send(options, sipPort, '127.0.0.1');
    assert.match(await answer, /^SIP\/2\.0 200 /);
    socket.close();
    s.child.kill('SIGTERM');
    assert.equal(await s.exited(), 0);

    const gateways = path.join(dataDir, 'gateways.json');
    fs.writeFileSync(gateways, JSON.stringify([{ name: 'trunk', address: 'sip.example.com', prefixes: ['1x'] }]));
    const bad = serve(['--port', '0', '--data-dir', dataDir, '--telephony', 'sip'], { ...env, SWITCHBOARD_SIP_GATEWAYS: gateways });
    await assert.rejects(bad.listening, /gateways file .* is invalid at \/0\/prefixes\/0/);
    assert.equal(await bad.exited(), 2);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SIGTERM lets an in-flight request finish with its real answer before exiting', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-cli-'));
  try {
    const s = serve(['--port', '0', '--data-dir', dataDir]);
    const url = await s.listening;
    const creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8'));
    const auth = { authorization: 'Basic ' + Buffer.from(`${creds.authId}:${creds.authToken}`).toString('base64') };
    const body = JSON.stringify({ name: 'late' });
    // The request's headers go first, asking to continue: the server's "100 Continue" proves it has the request in hand.
    const req = http.request(`${url}/v1/Account/${creds.authId}/Subaccount/`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
    });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
    });
    await new Promise((resolve) => req.once('continue', resolve));
    s.child.kill('SIGTERM');
    // Closing has begun (it starts in the same turn as this line) before the request's body is even sent.
    await s.printed(/"msg":"shutting down: finishing in-flight requests"/);
    req.end(body);
    const res = await answered;
    assert.equal(res.status, 201, res.body);
    const created = JSON.parse(res.body) as { message: string; auth_id: string; auth_token: string };
    assert.equal(created.message, 'created');
    assert.match(created.auth_id, /^SA[A-Z0-9]{18}$/);
    assert.match(created.auth_token, /^[A-Za-z0-9]{40}$/);
    assert.equal(await s.exited(), 0);

    // It was stored, not just answered: the next start has it.
    const again = serve(['--port', '0', '--data-dir', dataDir]);
    const url2 = await again.listening;
    const got = await fetch(`${url2}/v1/Account/${creds.authId}/Subaccount/${created.auth_id}/`, { headers: auth });
    assert.equal(got.status, 200);
    assert.equal(((await got.json()) as { name: string }).name, 'late');
    again.child.kill('SIGTERM');
    assert.equal(await again.exited(), 0);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
