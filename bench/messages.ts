// Messages accepted and delivered per second: a real server on SQLite, the
// sandbox carrier delivering to 100 virtual phones with its default timing
// (sent after 100 ms, delivered 500 ms later, on the real clock). Run:
//   npm run bench:messages       (BENCH_SECONDS=8 by default)
import os from 'node:os';
import { cpuSeconds, fmt, load, startSmsServer } from './lib.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const server = await startSmsServer();
const { base, headers, call } = server;
const phones = Array.from({ length: 100 }, (_, i) => String(14155570000 + i));
const delivered = async (): Promise<number> => (await call('/Message/?message_state=delivered&limit=1')).meta.total_count;
const all = async (): Promise<number> => (await call('/Message/?limit=1')).meta.total_count;

let n = 0;
const sendOpts = {
  url: `${base}/Message/`,
  method: 'POST' as const,
  headers,
  requests: [{ setupRequest: (req: object) => ({ ...req, body: JSON.stringify({ src: server.number, dst: phones[n++ % phones.length], text: 'Your code is 123456' }) }) }],
};

console.log(`bench/messages: ${seconds}s, 32 connections, SQLite, sandbox carrier (sent +100 ms, delivered +500 ms), ${os.cpus().length} cores\n`);
await load({ ...sendOpts, duration: 1 }); // warm-up: JIT, statement cache, keep-alive sockets
await waitUntilDelivered(await all());

const before = await all();
const cpu0 = cpuSeconds(server.pid);
const t0 = performance.now();
const r = await load({ ...sendOpts, duration: seconds });
const accepted = (await all()) - before;
const doneAt = await waitUntilDelivered(before + accepted);
const cpu = (cpuSeconds(server.pid) - cpu0) / ((doneAt - t0) / 1000);

console.log(`POST /Message/ accepted   ${fmt(accepted / seconds).padStart(8)} msg/s   p99 ${fmt(r.p99, 1)} ms   errors ${r.errors + r.non2xx}`);
console.log(`delivered to inboxes      ${fmt(accepted / ((doneAt - t0) / 1000)).padStart(8)} msg/s   (${fmt(accepted)} messages, last delivered ${fmt((doneAt - t0) / 1000 - seconds, 2)} s after the load stopped)`);
console.log(`server CPU over the run   ${fmt(cpu * 100).padStart(8)} %`);

await server.stop();

/** Poll until `target` messages are delivered; returns when that was seen. */
async function waitUntilDelivered(target: number): Promise<number> {
  for (;;) {
    if ((await delivered()) >= target) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
