// Messages accepted and delivered per second: a real server on SQLite, the
// sandbox carrier delivering to 100 virtual phones with its default timing
// (sent after 100 ms, delivered 500 ms later, on the real clock). Run:
//   npm run bench:messages       (BENCH_SECONDS=8 by default)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newAccountAuthId, newAuthToken } from '../src/ids.ts';
import { cpuSeconds, fmt, load, ROOT, spawnUntil } from './lib.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-'));
const authId = newAccountAuthId();
const authToken = newAuthToken();
const headers = { authorization: 'Basic ' + Buffer.from(`${authId}:${authToken}`).toString('base64'), 'content-type': 'application/json' };

const server = await spawnUntil(
  [path.join(ROOT, 'bin/switchboard.mjs'), 'serve', '--port', '0', '--data-dir', dataDir],
  /"url":"(http:[^"]+)"[^\n]*"msg":"switchboard listening"/,
  { SWITCHBOARD_AUTH_ID: authId, SWITCHBOARD_AUTH_TOKEN: authToken, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', DATABASE_URL: '', SWITCHBOARD_CLOCK: 'real' },
);
const base = `${server.match[1]}/v1/Account/${authId}`;
const call = async (p: string, init: { method?: string; json?: unknown } = {}) => {
  const res = await fetch(base + p, { method: init.method ?? (init.json ? 'POST' : 'GET'), headers, body: init.json ? JSON.stringify(init.json) : undefined });
  if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
  return res.json();
};

const [pick] = (await call('/PhoneNumber/?country_iso=US&services=sms&limit=1')).objects;
await call(`/PhoneNumber/${pick.number}/`, { json: {} });
await call('/Sandbox/Credit/', { json: { amount: '1000000' } });
const phones = Array.from({ length: 100 }, (_, i) => String(14155570000 + i));
const delivered = async (): Promise<number> => (await call('/Message/?message_state=delivered&limit=1')).meta.total_count;
const all = async (): Promise<number> => (await call('/Message/?limit=1')).meta.total_count;

let n = 0;
const sendOpts = {
  url: `${base}/Message/`,
  method: 'POST' as const,
  headers,
  requests: [{ setupRequest: (req: object) => ({ ...req, body: JSON.stringify({ src: pick.number, dst: phones[n++ % phones.length], text: 'Your code is 123456' }) }) }],
};

console.log(`bench/messages: ${seconds}s, 32 connections, SQLite, sandbox carrier (sent +100 ms, delivered +500 ms), ${os.cpus().length} cores\n`);
await load({ ...sendOpts, duration: 1 }); // warm-up: JIT, statement cache, keep-alive sockets
await waitUntilDelivered(await all());

const before = await all();
const cpu0 = cpuSeconds(server.child.pid!);
const t0 = performance.now();
const r = await load({ ...sendOpts, duration: seconds });
const accepted = (await all()) - before;
const doneAt = await waitUntilDelivered(before + accepted);
const cpu = (cpuSeconds(server.child.pid!) - cpu0) / ((doneAt - t0) / 1000);

console.log(`POST /Message/ accepted   ${fmt(accepted / seconds).padStart(8)} msg/s   p99 ${fmt(r.p99, 1)} ms   errors ${r.errors + r.non2xx}`);
console.log(`delivered to inboxes      ${fmt(accepted / ((doneAt - t0) / 1000)).padStart(8)} msg/s   (${fmt(accepted)} messages, last delivered ${fmt((doneAt - t0) / 1000 - seconds, 2)} s after the load stopped)`);
console.log(`server CPU over the run   ${fmt(cpu * 100).padStart(8)} %`);

server.child.kill('SIGTERM');
await new Promise((resolve) => server.child.once('exit', resolve));
fs.rmSync(dataDir, { recursive: true, force: true });

/** Poll until `target` messages are delivered; returns when that was seen. */
async function waitUntilDelivered(target: number): Promise<number> {
  for (;;) {
    if ((await delivered()) >= target) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
