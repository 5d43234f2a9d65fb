// `npm test`: every *.test.ts under test/ with node's test runner. The
// PostgreSQL half runs when TEST_DATABASE_URL (or the local default) answers;
// otherwise it is skipped and the reason is printed here and by each test.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
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

const files = find(path.join(root, 'test'))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();
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
const result = queued
  ? spawnSync(...leash('flock', [lock, command, ...commandArgs], 'TERM'), { stdio: 'inherit', env, cwd: root })
  : spawnSync(command, commandArgs, { stdio: 'inherit', env, cwd: root });
process.exit(result.status ?? 1);
