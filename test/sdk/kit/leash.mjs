// A server the kit runs as a child process (`process: 'child'`, the default
// under jest) dies with the test process that started it, however that one
// ends: a runner killing a worker that timed out sends SIGTERM or SIGKILL,
// which skip 'exit' hooks. A server left behind holds its port, its database
// and CPU for every later run.
//
// Plain JavaScript, run three ways: imported by test/sdk/testing-leash.test.ts
// (node:test, this checkout; test/helpers/children.test.ts takes `running`); `node leash.mjs` by scripts/newcomer-test.sh on
// the packed package installed into an app (exits 1 on a server left behind);
// and `node leash.mjs parent`, the test process that check kills. Linux only
// (it finds processes in /proc).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const LIMIT_MS = 60_000;

/** Running (a zombie waiting to be reaped has already let go of its ports and memory). */
export function running(pid) {
  try {
    return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Polls `cond` every 20 ms until it holds or `LIMIT_MS` passed; says whether it held. */
async function eventually(cond) {
  const deadline = Date.now() + LIMIT_MS;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/**
 * Starts a test process (this file, `parent`) that starts a child-mode server,
 * kills it with `signal` once the server listens, and says what became of the
 * server: `{ parent, server, url, gone, answers }`. A server still running
 * after `LIMIT_MS` is killed here, so a failing check leaves nothing behind.
 * `env` is the test process's environment (PATH without setpriv shows the
 * fallback).
 */
export async function killTestProcess({ signal = 'SIGKILL', env = process.env } = {}) {
  const parent = spawn(process.execPath, [SELF, 'parent'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const started = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the test process did not start its server within ${LIMIT_MS / 1000} s:\n${out}`)), LIMIT_MS);
    parent.stdout.on('data', (c) => {
      out += c;
      if (out.includes('\n')) clearTimeout(timer), resolve(JSON.parse(out));
    });
    parent.once('exit', (code) => (clearTimeout(timer), reject(new Error(`the test process exited (${code}) before its server listened:\n${out}`))));
  });
  if (!running(started.server)) throw new Error(`no server process ${started.server} while its test process runs`);
  process.kill(started.parent, signal);
  const gone = await eventually(() => !running(started.server));
  if (!gone && /switchboard/.test(fs.readFileSync(`/proc/${started.server}/cmdline`, 'utf8'))) process.kill(started.server, 'SIGKILL');
  const answers = await fetch(started.url).then(
    () => true,
    () => false,
  );
  return { ...started, gone, answers };
}

/** The test process: starts a child-mode server, prints its own and the server's pid, then waits to be killed. */
async function parentRole() {
  const { startSwitchboard } = await import('switchboard/testing');
  const sb = await startSwitchboard({ process: 'child' });
  // Spawned from this (main) thread: its only child process.
  const [server] = fs.readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  process.stdout.write(`${JSON.stringify({ parent: process.pid, server, url: sb.url })}\n`);
  // Should the check itself die first, this process ends with its stdin (and its server with it).
  process.stdin.on('end', () => process.exit(1)).resume();
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === 'parent') await parentRole();
  else {
    const result = await killTestProcess();
    const ok = result.gone && !result.answers;
    console.log(ok ? `kit leash: the server (pid ${result.server}) died with its test process` : `kit leash: the server (pid ${result.server}) outlived its SIGKILLed test process (killed now)`);
    process.exit(ok ? 0 : 1);
  }
}
