// The processes a test file starts die with it however it is killed: the
// runner's per-file timeout sends it SIGTERM (which skips 'exit' handlers),
// and a cancelled CI job or the kernel short of memory may SIGKILL it. A
// server left behind would hold its ports and CPU through the next files and
// runs. leash-fixture.ts plays the test file: it starts a real server process
// and a native program through the helpers, then hangs until killed.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { leashMissing, spawnChild } from './children.ts';
import { until, within } from './until.ts';
import { running } from '../sdk/kit/leash.mjs';

const FIXTURE = path.join(import.meta.dirname, 'leash-fixture.ts');
const ROOT = path.join(import.meta.dirname, '../..');

interface Started {
  file: number;
  server: number;
  native: number;
  url: string;
}

const seen: Started[] = [];
// Should a case fail, it leaves nothing behind either (checked by command line: a pid may be reused).
after(() => {
  for (const { server, native } of seen) {
    for (const pid of [server, native]) {
      const cmdline = running(pid) ? fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
      if (/switchboard\.mjs|sleep/.test(cmdline)) process.kill(pid, 'SIGKILL');
    }
  }
});

/** The fixture started as a test file is, once it has said what it started. */
async function startFile(): Promise<Started> {
  const file = spawnChild(process.execPath, ['--import', 'tsx', FIXTURE], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  file.stderr.on('data', (c) => (out += c));
  const line = new Promise<string>((resolve, reject) => {
    file.stdout.on('data', (c) => ((out += c), out.includes('\n') && resolve(out)));
    file.once('exit', (code) => reject(new Error(`the fixture exited with ${code} before starting its processes:\n${out}`)));
  });
  const started = JSON.parse(await within(line, () => `the fixture to start its server and program\n${out}`)) as Started;
  seen.push(started);
  return started;
}

describe('what a test file starts dies with it', { skip: leashMissing, concurrency: true }, () => {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    test(`killed by ${signal} (${signal === 'SIGTERM' ? "the runner's per-file timeout" : 'a cancelled job'}): its server and its SIPp-like native program die too`, async () => {
      const started = await startFile();
      assert.ok(running(started.server) && running(started.native), 'the fixture started a server and a native program');
      process.kill(started.file, signal);
      await until(() => !running(started.file), `the fixture (pid ${started.file}) to die of ${signal}`);
      await until(() => !running(started.server) && !running(started.native), `its server (pid ${started.server}) and native program (pid ${started.native}) to die with it`);
      await assert.rejects(fetch(started.url), 'nothing answers on the server port any more');
    });
  }
});

/** The processes below `pid`, children first. */
function descendants(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = tasks.flatMap((tid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  return children.flatMap((child) => [child, ...descendants(child)]);
}

const cmdline = (pid: number): string => (running(pid) ? fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ') : '');

describe('a stopped `npm test` goes on nowhere', { skip: leashMissing }, () => {
  test("SIGTERM to npm ends the shell of its script (`sh -c`, which does not pass it on): scripts/test.mjs, the runner, the test file and the file's processes die too", async () => {
    // What `npm test` starts for its script; npm passes the SIGTERM it gets to this shell only.
    // (Without this file's NODE_TEST_CONTEXT: with it, that run's runner would take itself for a test file.)
    const env = { ...process.env, NODE_TEST_CONTEXT: undefined };
    const shell = spawnChild('sh', ['-c', `"${process.execPath}" scripts/test.mjs ${FIXTURE}`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    shell.stdout.on('data', (c) => (out += c));
    shell.stderr.on('data', (c) => (out += c));
    let below: number[] = [];
    try {
      // The fixture (a test file the runner started) has started its server and a native program: the whole tree is up.
      await until(() => (below = descendants(shell.pid!)).some((pid) => /^sleep 600/.test(cmdline(pid))), () => `the run's test file to start its processes\n${out}`);
      assert.match(cmdline(below[0]), /scripts\/test\.mjs/, 'the shell runs scripts/test.mjs');
      shell.kill('SIGTERM');
      await until(() => below.every((pid) => !running(pid)), () => `scripts/test.mjs and everything below it to die with the shell; left: ${below.filter(running).map((pid) => `${pid} ${cmdline(pid)}`).join('; ')}`);
    } finally {
      for (const pid of below) if (/node|sleep|flock|setpriv/.test(cmdline(pid))) process.kill(pid, 'SIGKILL');
    }
  });
});
