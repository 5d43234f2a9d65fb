// PHLO runs started through the runner API per second: a real server on
// SQLite, a flow Start (api_request) → Send SMS to the phone named in the
// payload, the sandbox carrier delivering to 100 virtual phones with its
// default timing (sent +100 ms, delivered +500 ms, real clock). Run:
//   npm run bench:phlo        (BENCH_SECONDS=8 by default)
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
const origin = server.match[1];
const base = `${origin}/v1/Account/${authId}`;
const call = async (p: string, init: { method?: string; json?: unknown } = {}) => {
  const res = await fetch(base + p, { method: init.method ?? (init.json ? 'POST' : 'GET'), headers, body: init.json ? JSON.stringify(init.json) : undefined });
  if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
  return res.json();
};

const [pick] = (await call('/PhoneNumber/?country_iso=US&services=sms&limit=1')).objects;
await call(`/PhoneNumber/${pick.number}/`, { json: {} });
await call('/Sandbox/Credit/', { json: { amount: '1000000' } });
const flow = await call('/Phlo/', {
  json: {
    name: 'bench_notify',
    nodes: [
      { name: 'Start', node_type: 'start', config: { payload: { to: '' } }, transitions: { api_request: 'Notify' } },
      { name: 'Notify', node_type: 'send_sms', config: { from: pick.number, to: '{{Start.http.params.to}}', text: 'Your order {{Start.http.params.order}} shipped' } },
    ],
  },
});
const phones = Array.from({ length: 100 }, (_, i) => String(14155570000 + i));
const delivered = async (): Promise<number> => (await call('/Message/?message_state=delivered&limit=1')).meta.total_count;
const runs = async (): Promise<number> => (await call(`/Phlo/${flow.phlo_id}/Run/?limit=1`)).meta.total_count;

let n = 0;
const runOpts = {
  url: `${origin}/v1/account/${authId}/phlo/${flow.phlo_id}`,
  method: 'POST' as const,
  headers,
  requests: [{ setupRequest: (req: object) => ({ ...req, body: JSON.stringify({ to: phones[n % phones.length], order: String(n++) }) }) }],
};

console.log(`bench/phlo: ${seconds}s, 32 connections, SQLite, Start → Send SMS, sandbox carrier (sent +100 ms, delivered +500 ms), ${os.cpus().length} cores\n`);
await load({ ...runOpts, duration: 1 }); // warm-up
await waitFor(delivered, await runs());

const before = await runs();
const cpu0 = cpuSeconds(server.child.pid!);
const t0 = performance.now();
const r = await load({ ...runOpts, duration: seconds });
const started = (await runs()) - before;
const doneAt = await waitFor(delivered, before + started);
const cpu = (cpuSeconds(server.child.pid!) - cpu0) / ((doneAt - t0) / 1000);

console.log(`runs started (201)        ${fmt(started / seconds).padStart(8)} runs/s   p99 ${fmt(r.p99, 1)} ms   errors ${r.errors + r.non2xx}`);
console.log(`texts delivered           ${fmt(started / ((doneAt - t0) / 1000)).padStart(8)} msg/s   (${fmt(started)} runs, last text delivered ${fmt((doneAt - t0) / 1000 - seconds, 2)} s after the load stopped)`);
console.log(`server CPU over the run   ${fmt(cpu * 100).padStart(8)} %`);

server.child.kill('SIGTERM');
await new Promise((resolve) => server.child.once('exit', resolve));
fs.rmSync(dataDir, { recursive: true, force: true });

/** Poll until `count()` reaches `target`; returns when that was seen. */
async function waitFor(count: () => Promise<number>, target: number): Promise<number> {
  for (;;) {
    if ((await count()) >= target) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
