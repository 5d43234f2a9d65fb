// Requests/s and p99 of the API against a running server on SQLite, beside
// a bare Fastify route doing the same SQLite read (the floor). Run:
//   npm run bench:api            (BENCH_SECONDS=8 by default)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newAccountAuthId, newAuthToken } from '../src/ids.ts';
import { cpuSeconds, fmt, load, ROOT, spawnUntil } from './lib.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = 4;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-'));
const authId = newAccountAuthId();
const authToken = newAuthToken();
const authorization = 'Basic ' + Buffer.from(`${authId}:${authToken}`).toString('base64');

const server = await spawnUntil(
  [path.join(ROOT, 'bin/switchboard.mjs'), 'serve', '--port', '0', '--data-dir', dataDir],
  /"url":"(http:[^"]+)"[^\n]*"msg":"switchboard listening"/,
  { SWITCHBOARD_AUTH_ID: authId, SWITCHBOARD_AUTH_TOKEN: authToken, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', DATABASE_URL: '' },
);
const base = server.match[1];
const created = await fetch(`${base}/v1/Account/${authId}/Application/`, {
  method: 'POST',
  headers: { authorization, 'content-type': 'application/json' },
  body: JSON.stringify({ app_name: 'bench', answer_url: 'https://example.com/answer' }),
}).then((r) => r.json() as Promise<{ app_id: string }>);

const floor = await spawnUntil(['--import', 'tsx', path.join(ROOT, 'bench/floor-server.ts'), path.join(dataDir, 'switchboard.db')], /"port":(\d+)/);
const floorUrl = `http://127.0.0.1:${floor.match[1]}`;

interface Target {
  name: string;
  pid: number;
  opts: Parameters<typeof load>[0];
}

/** Rate, p99 (worst round) and server CPU share of each target over `rounds` alternating rounds. */
async function measure(targets: Target[], rounds: number) {
  for (const t of targets) await load({ ...t.opts, duration: 1 }); // warm-up: JIT, statement cache, keep-alive sockets
  const totals = targets.map(() => ({ requests: 0, p99: 0, cpu: 0, errors: 0 }));
  const slice = seconds / rounds;
  for (let round = 0; round < rounds; round++) {
    for (const [i, t] of targets.entries()) {
      const cpu0 = cpuSeconds(t.pid);
      const r = await load({ ...t.opts, duration: slice });
      const sum = totals[i]!;
      sum.cpu += cpuSeconds(t.pid) - cpu0;
      sum.requests += r.rps * slice;
      sum.p99 = Math.max(sum.p99, r.p99);
      sum.errors += r.errors + r.non2xx;
    }
  }
  return targets.map((t, i) => {
    const sum = totals[i]!;
    const rps = sum.requests / seconds;
    console.log(`${t.name.padEnd(44)} ${fmt(rps).padStart(8)} req/s   p99 ${fmt(sum.p99, 1).padStart(6)} ms   server CPU ${fmt((sum.cpu / seconds) * 100).padStart(3)}%   errors ${sum.errors}`);
    return rps;
  });
}

console.log(`bench/api: ${seconds}s per target, 32 connections, SQLite, ${os.cpus().length} cores`);
console.log(`the floor and GET alternate in ${ROUNDS} rounds, so a host that slows down for a while slows both alike\n`);
const [floorGet, ourGet] = await measure(
  [
    { name: 'floor: bare Fastify + same SQLite read', pid: floor.child.pid!, opts: { url: `${floorUrl}/app/${created.app_id}` } },
    { name: 'GET  /v1/Account/{id}/Application/{app_id}/', pid: server.child.pid!, opts: { url: `${base}/v1/Account/${authId}/Application/${created.app_id}/`, headers: { authorization } } },
  ],
  ROUNDS,
);
const [ourPost] = await measure(
  [
    {
      name: 'POST /v1/Account/{id}/Application/',
      pid: server.child.pid!,
      opts: {
        url: `${base}/v1/Account/${authId}/Application/`,
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ app_name: 'bench-post', answer_url: 'https://example.com/answer' }),
      },
    },
  ],
  1,
);

console.log(`\nGET  rate / floor rate: ${fmt((ourGet! / floorGet!) * 100)}%  (target ≥ 60%)`);
console.log(`POST rate / floor rate: ${fmt((ourPost! / floorGet!) * 100)}%`);

server.child.kill('SIGTERM');
floor.child.kill('SIGTERM');
await new Promise((r) => server.child.once('exit', r));
fs.rmSync(dataDir, { recursive: true, force: true });
