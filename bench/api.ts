// Requests/s and p99 of the API against a running server on SQLite, beside
// a bare Fastify route doing the same SQLite read (the floor). Run:
//   npm run bench:api            (BENCH_SECONDS=8 by default)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newAccountAuthId, newAuthToken } from '../src/ids.ts';
import { cpuSeconds, fmt, load, ROOT, spawnUntil } from './lib.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
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

async function measure(name: string, pid: number, opts: Parameters<typeof load>[0]) {
  await load({ ...opts, duration: 1 }); // warm-up: JIT, statement cache, keep-alive sockets
  const cpu0 = cpuSeconds(pid);
  const r = await load({ ...opts, duration: seconds });
  const cpu = (cpuSeconds(pid) - cpu0) / seconds;
  console.log(`${name.padEnd(44)} ${fmt(r.rps).padStart(8)} req/s   p99 ${fmt(r.p99, 1).padStart(6)} ms   server CPU ${fmt(cpu * 100).padStart(3)}%   errors ${r.errors + r.non2xx}`);
  return r;
}

console.log(`bench/api: ${seconds}s per run, 32 connections, SQLite, ${os.cpus().length} cores\n`);
const floorGet = await measure('floor: bare Fastify + same SQLite read', floor.child.pid!, { url: `${floorUrl}/app/${created.app_id}` });
const ourGet = await measure('GET  /v1/Account/{id}/Application/{app_id}/', server.child.pid!, {
  url: `${base}/v1/Account/${authId}/Application/${created.app_id}/`,
  headers: { authorization },
});
const ourPost = await measure('POST /v1/Account/{id}/Application/', server.child.pid!, {
  url: `${base}/v1/Account/${authId}/Application/`,
  method: 'POST',
  headers: { authorization, 'content-type': 'application/json' },
  body: JSON.stringify({ app_name: 'bench-post', answer_url: 'https://example.com/answer' }),
});

console.log(`\nGET  rate / floor rate: ${fmt((ourGet.rps / floorGet.rps) * 100)}%  (target ≥ 60%)`);
console.log(`POST rate / floor rate: ${fmt((ourPost.rps / floorGet.rps) * 100)}%`);

server.child.kill('SIGTERM');
floor.child.kill('SIGTERM');
await new Promise((r) => server.child.once('exit', r));
fs.rmSync(dataDir, { recursive: true, force: true });
