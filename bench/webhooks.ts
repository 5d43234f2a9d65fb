// One slow application must not slow the others on the same host. Run:
//   npm run bench:webhooks      (BENCH_SLOW_MS=30000 by default)
//
// A real server (SQLite, real clock) and one customer server on one port
// serving two applications: a healthy one whose answer URL answers at once
// and a slow one whose answer URL answers after BENCH_SLOW_MS. Virtual
// phones answer without ringing, so a call's set-up time is the time from
// POST /Call/ to its answer webhook arriving. Measures the healthy calls'
// set-up p50/p99 alone, then again while 20 slow calls wait on the same
// host, and prints the p99 ratio (target ≤ 1.5).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fmt } from './lib.ts';
import { startServer, type BenchServer } from './server.ts';

const slowMs = Number(process.env.BENCH_SLOW_MS ?? 30_000);
const HEALTHY = 50;
const SLOW = 20;
const ROUNDS = 3;
const XML = '<Response><Hangup/></Response>';

/** The customer's server: when each answer webhook arrived, by CallUUID; slow answers held open. */
async function customer() {
  const arrived = new Map<string, number>();
  let slowArrived = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const at = performance.now();
      const uuid = new URLSearchParams(body).get('CallUUID') ?? '';
      if (req.url === '/slow') {
        slowArrived++;
        const t = setTimeout(() => res.writeHead(200, { 'content-type': 'application/xml' }).end(XML), slowMs);
        res.on('close', () => clearTimeout(t));
        return;
      }
      if (req.url === '/answer') arrived.set(uuid, at);
      res.writeHead(200, { 'content-type': 'application/xml' }).end(req.url === '/answer' ? XML : '');
    });
  });
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrived,
    slowArrived: () => slowArrived,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

type Customer = Awaited<ReturnType<typeof customer>>;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function call(server: BenchServer, app: Customer, path: string, to: string): Promise<string> {
  const r = await server.api('POST', '/Call/', { from: '14155550123', to, answer_url: `${app.origin}${path}`, hangup_url: `${app.origin}/hangup` });
  return r.request_uuid as string;
}

/** Set-up times (ms) of `HEALTHY` calls placed at once. */
async function healthyRound(server: BenchServer, app: Customer, round: number): Promise<number[]> {
  const times = await Promise.all(
    Array.from({ length: HEALTHY }, async (_, i) => {
      const t0 = performance.now();
      const uuid = await call(server, app, '/answer', phone(round * HEALTHY + i));
      while (!app.arrived.has(uuid)) await pause(2);
      return app.arrived.get(uuid)! - t0;
    }),
  );
  return times.sort((a, b) => a - b);
}

const phone = (i: number) => `1415556${String(i % 10_000).padStart(4, '0')}`;
/** Rounds 0 (warm-up) to 2 × ROUNDS use the phones before this one. */
const FIRST_SLOW_PHONE = HEALTHY * (2 * ROUNDS + 1);

function report(label: string, rounds: number[][]): number {
  const all = rounds.flat().sort((a, b) => a - b);
  const p99s = rounds.map((r) => percentile(r, 99));
  console.log(`  ${label.padEnd(36)} p50 ${fmt(percentile(all, 50), 1).padStart(7)} ms   p99 ${fmt(percentile(all, 99), 1).padStart(7)} ms   (p99 per round: ${p99s.map((p) => fmt(p, 0)).join(', ')} ms)`);
  return percentile(all, 99);
}

console.log(`bench/webhooks: ${HEALTHY} healthy calls per round, ${SLOW} slow calls answering after ${fmt(slowMs / 1000, 1)} s, one customer host\n`);
const app = await customer();
const server = await startServer({ SWITCHBOARD_CLOCK: 'real' });
// Virtual phones answer at once: set-up time is then webhook time.
for (let i = 0; i < FIRST_SLOW_PHONE + SLOW; i++) await server.api('POST', '/Sandbox/Phone/', { number: phone(i), ring_seconds: 0 });
await healthyRound(server, app, 0); // warm-up: JIT, keep-alive sockets

// Alternate rounds without and with slow calls waiting, so machine drift lands on both sides.
const alone: number[][] = [];
const beside: number[][] = [];
let slowPlaced = 0;
for (let round = 0; round < ROUNDS; round++) {
  alone.push(await healthyRound(server, app, 1 + round * 2));
  if (slowPlaced === 0) {
    await Promise.all(Array.from({ length: SLOW }, (_, i) => call(server, app, '/slow', phone(FIRST_SLOW_PHONE + i))));
    slowPlaced = SLOW;
    while (app.slowArrived() < Math.min(SLOW, 10)) await pause(10);
  }
  beside.push(await healthyRound(server, app, 2 + round * 2));
}

console.log('healthy calls: POST /Call/ → answer webhook received');
const p99Alone = report('alone', alone);
const p99Beside = report(`beside ${SLOW} slow calls on the host`, beside);
console.log(`  slow answer requests reaching the host meanwhile: ${app.slowArrived()} of ${SLOW} (a route has 10 slots)`);
console.log(`\n  p99 ratio (beside / alone)          ${fmt(p99Beside / p99Alone, 2)}   (target ≤ 1.5)`);
await server.stop();
await app.close();
