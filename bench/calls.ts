// Voice engine benchmarks against real server processes on SQLite, with a
// local answer server receiving every webhook. Run:
//   npm run bench:calls      (BENCH_SECONDS=10; BENCH_ONLY=throughput|held|many runs one part)
//
// 1. Throughput: sandbox calls placed through POST /Call/ as fast as the
//    server takes them (each: ring 1 s, answer_url → <Speak>, end of XML →
//    hangup_url), counted as they complete; real clock.
// 2. Held calls, a ladder of 1,000, 5,000 and 10,000 (BENCH_LADDER, or
//    BENCH_CALLS for one rung), each on a fresh server, clock scaled ×20:
//    set-up (answered and held: <Speak> then a long <Wait>), live heap per
//    call, CPU while held for 60 s of platform time, then tear-down (DELETE
//    /Call/, a hangup_url each). Per-call set-up and tear-down times side by
//    side, so a cost growing with the number of calls shows as a rising
//    column.
// 3. Other "many at once" paths, each small against large: DELETE /Call/ of
//    one subaccount alone and among ten, and conferences of 100 and 1,000
//    members in all ended by DELETE /Conference/.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { RealClock } from '../src/clock/clock.ts';
import { resolveConfig } from '../src/config.ts';
import { newAccountAuthId } from '../src/ids.ts';
import { createServices } from '../src/services.ts';
import { openStore } from '../src/store/db.ts';
import { cpuSeconds, fmt } from './lib.ts';
import { startServer, type BenchServer } from './server.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const ladder = (process.env.BENCH_CALLS ?? process.env.BENCH_LADDER ?? '1000,5000,10000').split(',').map(Number);
/** Calls allowed in progress during the throughput run (back-pressure for the load generator). */
const MAX_IN_FLIGHT = 1500;
const API_CONCURRENCY = 24;

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/** The customer's server: answers /answer/<name> with `xml[name]`, counts hangups per /hangup/<tag>. */
async function customer(xml: Record<string, string>) {
  const hangups: number[] = [];
  const tagged = new Map<string, number>();
  let answers = 0;
  const waiters: Array<{ n: number; tag?: string; resolve: () => void }> = [];
  const count = (tag?: string) => (tag === undefined ? hangups.length : (tagged.get(tag) ?? 0));
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const [, kind, name] = req.url!.split('/');
      if (kind === 'answer') {
        answers++;
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(xml[name!]);
        return;
      }
      if (kind === 'hangup') {
        hangups.push(performance.now());
        tagged.set(name!, count(name) + 1);
        for (const w of [...waiters]) if (count(w.tag) >= w.n) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
      }
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** What each answer URL returns (more can be added while it runs). */
    xml,
    hangups,
    answers: () => answers,
    /** Resolves once `n` hangups have arrived (of calls tagged `tag`, when given). */
    hangupsReach: (n: number, tag?: string) => (count(tag) >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, tag, resolve }))),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

type Customer = Awaited<ReturnType<typeof customer>>;
type Api = BenchServer['api'];

const makeCall = (origin: string, i: number, answer = 'default', tag = 'all') => ({
  from: '14155550123',
  to: `1415555${String(1000 + (i % 9000)).padStart(4, '0')}`,
  answer_url: `${origin}/answer/${answer}`,
  hangup_url: `${origin}/hangup/${tag}`,
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Place `n` calls 100 at a time and wait until all are answered; seconds taken. */
async function placeAll(api: Api, app: Customer, n: number, answer: string, tag: string): Promise<number> {
  const answered0 = app.answers();
  const t0 = performance.now();
  for (let i = 0; i < n; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, n - i) }, (_, k) => api('POST', '/Call/', makeCall(app.origin, i + k, answer, tag))));
  }
  while (app.answers() < answered0 + n) await pause(20);
  return (performance.now() - t0) / 1000;
}

/** Seconds from `start` until `n` hangups tagged `tag` have arrived. */
async function timeHangups(app: Customer, start: () => Promise<unknown>, n: number, tag?: string): Promise<number> {
  const t0 = performance.now();
  await start();
  await app.hangupsReach(n, tag);
  return (performance.now() - t0) / 1000;
}

/** Wall seconds and CPU seconds (of the server, or of this process) of one step. */
interface Cost {
  s: number;
  cpu: number;
}

async function costOf(cpu: () => number, step: () => Promise<number>): Promise<Cost> {
  const c0 = cpu();
  const s = await step();
  return { s, cpu: cpu() - c0 };
}

/** One line of a small-against-large check: per-unit wall and CPU time, and (for the large one) the ratios to the small one. */
function costLine(label: string, c: Cost, n: number, unit: string, base?: { cost: Cost; n: number }): string {
  const per = (x: number, k: number) => (x * 1000) / k;
  const ratios = base ? `  ratio per ${unit} ${fmt(per(c.s, n) / per(base.cost.s, base.n), 2)}× (CPU ${fmt(per(c.cpu, n) / per(base.cost.cpu, base.n), 2)}×)` : '';
  return `  ${label.padEnd(30)} ${fmt(c.s, 2).padStart(6)} s  (${fmt(per(c.s, n), 2)} ms/${unit}, CPU ${fmt(per(c.cpu, n), 2)} ms/${unit})${ratios}`;
}

const HOLD = '<Response><Speak>Please hold.</Speak><Wait length="3600"/></Response>';
/** A server whose calls run on a clock scaled ×20, and a customer answering `xml`. */
async function scaledServer(xml: Record<string, string>) {
  return { app: await customer(xml), server: await startServer({ SWITCHBOARD_CLOCK: 'scaled', SWITCHBOARD_TIME_SCALE: '20' }) };
}

console.log(`bench/calls: ${os.cpus().length} cores, SQLite, LOG_LEVEL=${process.env.LOG_LEVEL ?? 'info'}\n`);

const only = process.env.BENCH_ONLY; // 'throughput', 'held' or 'many'

// ---- 1. throughput ---------------------------------------------------------------
if (only === undefined || only === 'throughput') {
  const app = await customer({ default: '<Response><Speak>Hello, thank you for calling.</Speak></Response>' });
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

// ---- 2. held calls, 1,000 to 10,000 ----------------------------------------------
interface Rung {
  n: number;
  setupS: number;
  /** Server CPU seconds: on a shared machine, what a step costs apart from how much of a core the server got. */
  setupCpu: number;
  heapKiB: number;
  rssKiB: number;
  holdCpu: number;
  stillLive: number;
  teardownS: number;
  teardownCpu: number;
}

async function held(n: number): Promise<Rung> {
  const { app, server } = await scaledServer({ default: HOLD });
  // Warm up every code path once, then measure the baseline.
  await server.api('POST', '/Call/', makeCall(app.origin, 0));
  await server.api('DELETE', '/Call/');
  await app.hangupsReach(1);
  const rss0 = rssBytes(server.pid);
  const heap0 = await server.heapAfterGc();

  const c0 = cpuSeconds(server.pid);
  const setupS = await server.profiled(`held-setup-${n}`, () => placeAll(server.api, app, n, 'default', 'all'));
  const setupCpu = cpuSeconds(server.pid) - c0;
  // Hold them for 60 s of platform time (3 s of wall time at ×20).
  const cpu0 = cpuSeconds(server.pid);
  const h0 = performance.now();
  await pause(60_000 / 20);
  const holdCpu = (cpuSeconds(server.pid) - cpu0) / ((performance.now() - h0) / 1000);
  const rss1 = rssBytes(server.pid);
  const heap1 = await server.heapAfterGc();
  const stillLive = ((await server.api('GET', '/Call/?status=live')).calls as string[]).length;

  const c1 = cpuSeconds(server.pid);
  const teardownS = await server.profiled(`held-teardown-${n}`, () => timeHangups(app, () => server.api('DELETE', '/Call/'), n + 1));
  const teardownCpu = cpuSeconds(server.pid) - c1;
  await server.stop();
  await app.close();
  return { n, setupS, setupCpu, teardownCpu, heapKiB: (heap1 - heap0) / n / 1024, rssKiB: (rss1 - rss0) / n / 1024, holdCpu, stillLive, teardownS };
}

if (only === undefined || only === 'held') {
  console.log('held calls (clock ×20; each call: <Speak>, then <Wait length="3600">; a fresh server per row):');
  console.log('           set-up                       held                                        tear-down');
  console.log('   calls        s  ms/call  CPU ms/call   heap KiB/call  RSS KiB/call  CPU  live after 60 s        s  ms/call  CPU ms/call  calls/s');
  const rungs: Rung[] = [];
  for (const n of ladder) {
    const r = await held(n);
    rungs.push(r);
    const perCall = (x: number) => fmt((x * 1000) / r.n, 2);
    console.log(
      [
        fmt(r.n).padStart(8),
        fmt(r.setupS, 1).padStart(8),
        perCall(r.setupS).padStart(8),
        perCall(r.setupCpu).padStart(12),
        fmt(r.heapKiB, 1).padStart(15),
        fmt(r.rssKiB, 1).padStart(13),
        `${fmt(r.holdCpu * 100, 1)}%`.padStart(5),
        fmt(r.stillLive).padStart(16),
        fmt(r.teardownS, 1).padStart(8),
        perCall(r.teardownS).padStart(8),
        perCall(r.teardownCpu).padStart(12),
        fmt(r.n / r.teardownS).padStart(8),
      ].join(' '),
    );
  }
  if (rungs.length > 1) {
    const [a, z] = [rungs[0]!, rungs.at(-1)!];
    const per = (s: number, n: number) => s / n;
    console.log(`  per-call set-up   at ${fmt(z.n)} / at ${fmt(a.n)}: ${fmt(per(z.setupS, z.n) / per(a.setupS, a.n), 2)}×`);
    console.log(`  per-call tear-down at ${fmt(z.n)} / at ${fmt(a.n)}: ${fmt(per(z.teardownS, z.n) / per(a.teardownS, a.n), 2)}×  (target ≤ 1.5); CPU per call ${fmt(per(z.teardownCpu, z.n) / per(a.teardownCpu, a.n), 2)}×`);
  }
  console.log('  targets at 10,000: answered and held in < 10 s at < 12 KiB live heap each; hung up in < 15 s (≥ 700/s)\n');
}

// ---- 3. other "many at once" paths ----------------------------------------------
if (only === undefined || only === 'many') {
  const SUBACCOUNTS = 10;
  const PER_ACCOUNT = 500;
  const { app, server } = await scaledServer({ default: HOLD });
  const subs = await Promise.all(
    Array.from({ length: SUBACCOUNTS }, async (_, i) => {
      const r = await server.api('POST', '/Subaccount/', { name: `tenant ${i}`, enabled: true });
      return server.client({ authId: r.auth_id as string, authToken: r.auth_token as string });
    }),
  );
  // One subaccount's calls hung up alone, then the same while nine others hold theirs.
  // Each tear-down starts once set-up has settled (the calls have spoken and wait), as in the held test.
  const SETTLE_MS = 3_000;
  await placeAll(subs[0]!, app, PER_ACCOUNT, 'default', 's0');
  await pause(SETTLE_MS);
  const serverCpu = () => cpuSeconds(server.pid);
  const alone = await costOf(serverCpu, () => timeHangups(app, () => subs[0]!('DELETE', '/Call/'), PER_ACCOUNT, 's0'));
  await Promise.all(subs.map((api, i) => placeAll(api, app, PER_ACCOUNT, 'default', `s${i}`)));
  await pause(SETTLE_MS);
  const among = await costOf(serverCpu, () => timeHangups(app, () => subs[0]!('DELETE', '/Call/'), 2 * PER_ACCOUNT, 's0'));
  await timeHangups(app, () => server.api('DELETE', '/Call/'), (SUBACCOUNTS + 1) * PER_ACCOUNT);
  console.log(`DELETE /Call/ of one subaccount (${fmt(PER_ACCOUNT)} calls; clock ×20):`);
  console.log(costLine('alone', alone, PER_ACCOUNT, 'call'));
  console.log(costLine(`among ${SUBACCOUNTS} (${fmt(SUBACCOUNTS * PER_ACCOUNT)} live)`, among, PER_ACCOUNT, 'call', { cost: alone, n: PER_ACCOUNT }));

  // Conferences hold at most 20 members (the XML's maxMembers), so 1,000 members ending at once are 50 full conferences.
  const MEMBERS = 20;
  const conferenceEnd = async (members: number): Promise<Cost> => {
    const rooms = members / MEMBERS;
    const tag = `conf${members}`;
    for (let r = 0; r < rooms; r++) {
      app.xml[`${tag}-${r}`] = `<Response><Conference>${tag}-${r}</Conference></Response>`;
    }
    const answered0 = app.answers();
    for (let r = 0; r < rooms; r++) {
      await Promise.all(Array.from({ length: MEMBERS }, (_, k) => server.api('POST', '/Call/', makeCall(app.origin, r * MEMBERS + k, `${tag}-${r}`, tag))));
    }
    while (app.answers() < answered0 + members) await pause(20);
    while (((await server.api('GET', '/Conference/')).conferences as string[]).length < rooms) await pause(50);
    await pause(SETTLE_MS);
    return costOf(serverCpu, () => timeHangups(app, () => server.api('DELETE', '/Conference/'), members, tag));
  };
  const small = await conferenceEnd(100);
  const big = await conferenceEnd(1000);
  console.log(`conferences ended by DELETE /Conference/ (${MEMBERS} members each, a hangup_url per member):`);
  console.log(costLine('100 members (5 rooms)', small, 100, 'member'));
  console.log(costLine('1,000 members (50 rooms)', big, 1000, 'member', { cost: small, n: 100 }));
  await server.stop();

  const ownCpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  // The durable webhook queue with callbacks pending (written while it was stopped, as a restart finds them), in this process.
  const pendingCallbacks = async (n: number): Promise<Cost> => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-queue-'));
    const store = await openStore({ dataDir });
    const { webhooks } = createServices(resolveConfig({}, { dataDir }), store, new RealClock());
    const tag = `queue${n}`;
    const accountId = newAccountAuthId();
    await Promise.all(
      Array.from({ length: n }, (_, i) => webhooks.enqueue({ url: `${app.origin}/hangup/${tag}`, method: 'POST', params: { CallUUID: String(i) }, authToken: 'bench', accountId, kind: 'hangup' })),
    );
    // CPU of this process: the queue, and the customer server receiving.
    const s = await costOf(ownCpu, () => timeHangups(app, () => webhooks.start(), n, tag));
    await webhooks.stop();
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    return s;
  };
  const few = await pendingCallbacks(1_000);
  const many = await pendingCallbacks(10_000);
  console.log('webhook queue, callbacks pending at start-up, all to one route (10 at a time):');
  console.log(costLine('1,000 pending', few, 1_000, 'callback'));
  console.log(costLine('10,000 pending', many, 10_000, 'callback', { cost: few, n: 1_000 }));
  await app.close();
}
