// `npm test`: every *.test.ts under test/ with node's test runner. The
// PostgreSQL half runs when TEST_DATABASE_URL (or the local default) answers;
// otherwise it is skipped and the reason is printed here and by each test.
// Arguments pick files: those whose path contains one of them, and any file
// named by its path.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { leash } from './leash.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const filter = process.argv.slice(2);

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? find(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

const env = { ...process.env };
if (!env.TEST_DATABASE_URL) {
  const url = 'postgres://switchboard:switchboard@127.0.0.1:5432/switchboard_test';
  const ping = spawnSync(process.execPath, [path.join(root, 'scripts/pg-ping.mjs'), url], { encoding: 'utf8' });
  if (ping.status === 0) env.TEST_DATABASE_URL = url;
  else {
    env.SWITCHBOARD_PG_SKIP_REASON = `no PostgreSQL reachable (${(ping.stderr || '').trim() || 'connection failed'}); run scripts/ensure-postgres.sh or set TEST_DATABASE_URL`;
  }
}
console.log(env.TEST_DATABASE_URL ? `PostgreSQL tests: ${env.TEST_DATABASE_URL}` : `PostgreSQL tests SKIPPED: ${env.SWITCHBOARD_PG_SKIP_REASON}`);

const named = filter.filter((x) => existsSync(x) && statSync(x).isFile()).map((x) => path.resolve(x));
const files = [...new Set([...find(path.join(root, 'test')).filter((f) => filter.length === 0 || filter.some((x) => f.includes(x))), ...named])].sort();
// (The runner given no file would look for tests all over the checkout.)
if (files.length === 0) {
  console.error(`no test file matches ${filter.join(' ')}`);
  process.exit(1);
}
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', `--test-reporter=${path.join(root, 'scripts/test-times.mjs')}`, '--test-reporter-destination=stdout'];
const args = ['--import', 'tsx', '--test', ...reporters, '--test-concurrency=2', '--test-timeout=180000', ...files];
// Full runs from several checkouts on one machine queue behind each other
// (flock from util-linux, when present) instead of starving each other's
// servers of CPU; a run of a few files never waits.
const lock = path.join(os.tmpdir(), 'switchboard-full-test.lock');
const queued = filter.length === 0 && spawnSync('flock', ['--version']).status === 0;
if (queued) console.log(`waiting for other full test runs on this machine (lock ${lock})…`);
// The runner (and flock) get SIGTERM when this script dies, however it is
// stopped, and the runner then stops its test files, whose processes die with
// them (test/helpers/children.ts): a stopped `npm test` goes on nowhere.
const [command, commandArgs] = leash(process.execPath, args, 'TERM');
const runner = queued ? spawn(...leash('flock', [lock, command, ...commandArgs], 'TERM'), { stdio: 'inherit', env, cwd: root }) : spawn(command, commandArgs, { stdio: 'inherit', env, cwd: root });
runner.once('exit', (code) => process.exit(code ?? 1));
// And this script dies with its own parent: `npm test` runs it under `sh -c`,
// and a SIGTERM to npm ends that shell without passing it on. Orphaned, this
// process is adopted by another: it then stops the runner (itself, where the
// leash above is missing) and exits.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid === parent) return;
  runner.kill('SIGTERM');
  process.exit(1);
}, 500).unref();
