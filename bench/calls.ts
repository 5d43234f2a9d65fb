// Voice engine benchmarks against real server processes on SQLite, with a
// local answer server receiving every webhook. Run:
//   npm run bench:calls      (BENCH_SECONDS=10, BENCH_CALLS=2000 by default)
//
// 1. Throughput: sandbox calls placed through POST /Call/ as fast as the
//    server takes them (each: ring 1 s, answer_url → <Speak>, end of XML →
//    hangup_url), counted as they complete; real clock.
// 2. Concurrency: BENCH_CALLS calls answered and held (<Speak> then a long
//    <Wait>) for 60 s of platform time on a clock scaled ×20; memory per held
//    call from the server's resident set, CPU share while they are held.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { cpuSeconds, fmt } from './lib.ts';
import { startServer } from './server.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const heldCalls = Number(process.env.BENCH_CALLS ?? 2000);
/** Calls allowed in progress during the throughput run (back-pressure for the load generator). */
const MAX_IN_FLIGHT = 1500;
const API_CONCURRENCY = 24;

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/** The customer's server: answers with XML, counts hangups. */
async function customer(answerXml: string) {
  const hangups: number[] = [];
  let answers = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/answer') {
        answers++;
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(answerXml);
        return;
      }
      if (req.url === '/hangup') {
        hangups.push(performance.now());
        for (const w of [...waiters]) if (hangups.length >= w.n) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
      }
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hangups,
    answers: () => answers,
    /** Resolves once `n` hangups have arrived. */
    hangupsReach: (n: number) => (hangups.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const makeCall = (origin: string, i: number) => ({
  from: '14155550123',
  to: `1415555${String(1000 + (i % 9000)).padStart(4, '0')}`,
  answer_url: `${origin}/answer`,
  hangup_url: `${origin}/hangup`,
});

console.log(`bench/calls: ${os.cpus().length} cores, SQLite, LOG_LEVEL=${process.env.LOG_LEVEL ?? 'info'}\n`);

const only = process.env.BENCH_ONLY; // 'throughput' or 'held'

// ---- 1. throughput ---------------------------------------------------------------
if (only !== 'held') {
  const app = await customer('<Response><Speak>Hello, thank you for calling.</Speak></Response>');
  const server = await startServer({ SWITCHBOARD_CLOCK: 'real' });
  let fired = 0;
  const fire = async () => {
    const i = fired++;
    await server.api('POST', '/Call/', makeCall(app.origin, i));
  };
  // Warm-up: JIT, prompt cache, keep-alive sockets.
  await Promise.all(Array.from({ length: 50 }, fire));
  await app.hangupsReach(50);

  const t0 = performance.now();
  const cpu0 = cpuSeconds(server.pid);
  const end = t0 + seconds * 1000;
  const doneBefore = app.hangups.length;
  const worker = async () => {
    while (performance.now() < end) {
      if (fired - app.hangups.length > MAX_IN_FLIGHT) await app.hangupsReach(fired - MAX_IN_FLIGHT);
      else await fire();
    }
  };
  await Promise.all(Array.from({ length: API_CONCURRENCY }, worker));
  const placedDuring = fired - 50;
  await app.hangupsReach(fired);
  const t1 = performance.now();
  const cpu = (cpuSeconds(server.pid) - cpu0) / ((t1 - t0) / 1000);
  const inWindow = app.hangups.filter((t) => t >= t0 && t <= end).length;
  const completed = app.hangups.length - doneBefore;
  console.log('throughput (real clock; each call rings 1 s, answers, speaks ~2 s, ends):');
  console.log(`  calls placed                    ${fmt(placedDuring)} in ${seconds} s  (${fmt(placedDuring / seconds)} /s)`);
  console.log(`  calls completed during the load ${fmt(inWindow / seconds, 1)} /s   (target ≥ 200)`);
  console.log(`  all ${fmt(completed)} completed after    ${fmt((t1 - t0) / 1000, 1)} s  (${fmt(completed / ((t1 - t0) / 1000), 1)} /s overall)`);
  console.log(`  server CPU share                ${fmt(cpu * 100)}%  (of one core)\n`);
  await server.stop();
  await app.close();
}

// ---- 2. concurrent held calls ---------------------------------------------------
if (only !== 'throughput') {
  const app = await customer('<Response><Speak>Please hold.</Speak><Wait length="3600"/></Response>');
  const server = await startServer({ SWITCHBOARD_CLOCK: 'scaled', SWITCHBOARD_TIME_SCALE: '20' });
  // Warm up every code path once, then measure the baseline.
  await server.api('POST', '/Call/', makeCall(app.origin, 0));
  await server.api('DELETE', '/Call/');
  await app.hangupsReach(1);
  const rss0 = rssBytes(server.pid);
  const heap0 = await server.heapAfterGc();

  const answered0 = app.answers();
  const t0 = performance.now();
  for (let i = 0; i < heldCalls; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, heldCalls - i) }, (_, k) => server.api('POST', '/Call/', makeCall(app.origin, i + k + 1))));
  }
  while (app.answers() < answered0 + heldCalls) await new Promise((r) => setTimeout(r, 50));
  const live = (await server.api('GET', '/Call/?status=live')).calls as string[];
  const setupS = (performance.now() - t0) / 1000;

  // Hold them for 60 s of platform time (3 s of wall time at ×20).
  const cpu0 = cpuSeconds(server.pid);
  const h0 = performance.now();
  await new Promise((r) => setTimeout(r, 60_000 / 20));
  const holdCpu = (cpuSeconds(server.pid) - cpu0) / ((performance.now() - h0) / 1000);
  const rss1 = rssBytes(server.pid);
  const heap1 = await server.heapAfterGc();
  const stillLive = ((await server.api('GET', '/Call/?status=live')).calls as string[]).length;

  const e0 = performance.now();
  await server.api('DELETE', '/Call/');
  await app.hangupsReach(heldCalls + 1);
  const endS = (performance.now() - e0) / 1000;

  console.log(`concurrency (clock ×20; each call: <Speak>, then <Wait length="3600">):`);
  console.log(`  ${fmt(heldCalls)} calls answered and live   ${fmt(live.length)} after ${fmt(setupS, 1)} s; ${fmt(stillLive)} still live after 60 s of platform time`);
  console.log(`  memory per held call            ${fmt((heap1 - heap0) / heldCalls / 1024, 1)} KiB of live heap after a full GC (${fmt(heap0 / 2 ** 20, 1)} → ${fmt(heap1 / 2 ** 20, 1)} MiB; target < 20 KiB)`);
  console.log(`                                  ${fmt((rss1 - rss0) / heldCalls / 1024, 1)} KiB of resident set, garbage of the set-up burst included (${fmt(rss0 / 2 ** 20)} → ${fmt(rss1 / 2 ** 20)} MiB)`);
  console.log(`  server CPU share while held     ${fmt(holdCpu * 100, 1)}%`);
  console.log(`  hang up all, hangup_url each    ${fmt(endS, 1)} s`);
  await server.stop();
  await app.close();
}
