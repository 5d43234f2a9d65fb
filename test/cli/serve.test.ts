// `switchboard serve` as a new user runs it: generated credentials printed
// once and reused, flags over env, clean shutdown on SIGTERM.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const spawned: ChildProcess[] = [];
// A failed assertion must not leave a server running (it would keep the test process alive).
after(() => spawned.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

function serve(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/switchboard.mjs'), 'serve', ...args], {
    cwd: ROOT,
    env: { ...process.env, SWITCHBOARD_AUTH_ID: '', SWITCHBOARD_AUTH_TOKEN: '', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c;
      const m = /"url":"(http:[^"]+)"[^\n]*"msg":"switchboard listening"/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  spawned.push(child);
  return { child, listening, exited, stderr: () => err, stdout: () => out };
}

test('first start generates, prints and keeps credentials; restart reuses them without printing', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-cli-'));
  try {
    const first = serve(['--port', '0', '--data-dir', dataDir]);
    const url = await first.listening;
    const printed = /SWITCHBOARD_AUTH_ID=(MA[A-Z0-9]{18})\s+SWITCHBOARD_AUTH_TOKEN=([A-Za-z0-9]{40})/.exec(first.stderr());
    assert.ok(printed, 'credentials printed on first start');
    const [, authId, authToken] = printed!;
    const auth = { authorization: 'Basic ' + Buffer.from(`${authId}:${authToken}`).toString('base64') };
    assert.equal((await fetch(`${url}/v1/Account/${authId}/`, { headers: auth })).status, 200);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);

    const second = serve(['--port', '0', '--data-dir', dataDir]);
    const url2 = await second.listening;
    assert.doesNotMatch(second.stderr(), /SWITCHBOARD_AUTH_TOKEN=/);
    assert.equal((await fetch(`${url2}/v1/Account/${authId}/`, { headers: auth })).status, 200);
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0);
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
    assert.equal(await s.exited, 0);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a bad setting stops start-up with a message saying what to fix', async () => {
  const s = serve(['--port', '0', '--clock', 'warp']);
  await assert.rejects(s.listening, /SWITCHBOARD_CLOCK must be one of real, scaled, virtual/);
  assert.equal(await s.exited, 2);
});

test('the SIP driver is refused with a clear message, not replaced by the sandbox', async () => {
  // A fresh data directory: the checkout's own data/ may hold a database of another branch's migrations.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-cli-'));
  try {
    const s = serve(['--port', '0', '--data-dir', dataDir, '--telephony', 'sip']);
    await assert.rejects(s.listening, /SIP driver is not part of this build/);
    assert.equal(await s.exited, 2);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SIGTERM lets an in-flight request finish before exiting', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-cli-'));
  try {
    const s = serve(['--port', '0', '--data-dir', dataDir]);
    const url = await s.listening;
    const creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8'));
    const auth = { authorization: 'Basic ' + Buffer.from(`${creds.authId}:${creds.authToken}`).toString('base64') };
    // Start a request and signal as soon as its headers are on the wire.
    const inFlight = fetch(`${url}/v1/Account/${creds.authId}/Subaccount/`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'late' }),
    });
    s.child.kill('SIGTERM');
    const res = await inFlight.catch((e: Error) => e);
    // The request either completed, or arrived once closing had begun and was
    // refused whole (503, or the connection closed) — never a half-written answer.
    if (!(res instanceof Error)) assert.ok([201, 503].includes(res.status), `status ${res.status}`);
    assert.equal(await s.exited, 0);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
