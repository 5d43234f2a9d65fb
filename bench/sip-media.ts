// SIP media (RTP) benchmark. Run:
//   npm run bench:sip-media      (BENCH_SECONDS=10 per step by default;
//   BENCH_LEGS=1000,1200 picks the steps, BENCH_FLOOR=0 skips the bare-socket runs,
//   BENCH_HEAR=1 posts every leg's heard audio to the main thread,
//   BENCH_IO=epoll or dgram picks the workers' sockets for an A/B;
//   SWITCHBOARD_RTP_REALTIME as for the server: the workers take real-time
//   priority themselves where allowed — root or CAP_SYS_NICE or `ulimit -r 10` —
//   run it without `chrt`)
//
// N legs on the real media workers (one per core), in pairs over loopback:
// each leg sends G.711 audio to its partner and plays out what the partner
// sends, so every leg has audio both ways and every packet is a real UDP
// datagram. Legs are opened as the SIP driver opens them: each worker runs
// line analysis on what its legs hear and posts its findings to the main
// thread, and the audio itself only for legs something listens to (a
// recording, a bridge …; BENCH_HEAR=1: all of them, as before). The
// workers measure each RTP packet's lateness after its tick's time; the
// receiving sessions count packets lost (by sequence number) and frames the
// jitter buffer had to conceal. N grows until the p99 lateness reaches
// 5 ms, a packet is lost or the cores saturate. Each N is also run as bare
// UDP sockets doing the same sends and receives with no RTP work (the
// floor, bench/udp-floor-worker.mjs): what a leg costs above it is ours.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { RealClock } from '../src/clock/clock.ts';
import { renderTone } from '../src/media/tones.ts';
import { rtpRealtimeOf } from '../src/config.ts';
import { RtpMedia, type MediaSession } from '../src/telephony/sip/rtp/rtp-media.ts';
import { PHASE_MS } from '../src/telephony/sip/rtp/rtp-time.ts';
import { loadBatchedUdp } from '../src/telephony/sip/rtp/rtp-udp-batch.ts';
import { type SocketIo, type WorkerScheduling, type WorkerStats } from '../src/telephony/sip/rtp/rtp-protocol.ts';
import type { NegotiatedMedia } from '../src/telephony/sip/sip-sdp.ts';
import { fmt } from './lib.ts';
import { latenessPercentile, stepFigures } from './rtp-figures.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const LADDER = (process.env.BENCH_LEGS ?? '500,1000,1200,1400,1600,1800,2000,2500,3000').split(',').map(Number);
const WITH_FLOOR = process.env.BENCH_FLOOR !== '0';
/**
 * BENCH_IO=epoll: the batched-UDP addon without io_uring; BENCH_IO=dgram:
 * node:dgram even where the addon is built (the A/Bs). BENCH_IO=io_uring
 * (or nothing): what RtpMedia picks by itself.
 */
const IO = process.env.BENCH_IO === 'dgram' || process.env.BENCH_IO === 'epoll' ? process.env.BENCH_IO : 'auto';
/** What RtpMedia will pick, for the floor's sockets to match. */
function socketsUsed(): SocketIo {
  const batched = loadBatchedUdp();
  if (IO === 'dgram' || !('addon' in batched)) return 'dgram';
  return IO === 'epoll' || batched.addon.uringUnavailable() !== null ? 'epoll' : 'io_uring';
}
const IO_USED = socketsUsed();
if (process.env.BENCH_IO && process.env.BENCH_IO !== IO_USED) throw new Error(`BENCH_IO=${process.env.BENCH_IO}, but the workers would use ${IO_USED}`);
const HEAR = process.env.BENCH_HEAR === '1';
/** The workers' real-time priority, as the server takes it (SWITCHBOARD_RTP_REALTIME, default auto). */
const REALTIME = rtpRealtimeOf(process.env.SWITCHBOARD_RTP_REALTIME || 'auto');
/** After warm-up, how long to wait at most for every worker's guard to have made it real-time. */
const REALTIME_WAIT_MS = 10_000;
const MAX_LATENESS_MS = 5;
const SATURATED = 0.95;
const WARM_UP_MS = 3000;
const cores = availableParallelism();
const clock = new RealClock();
/** CPU time of the main thread so far (ms): the kernel's schedstat for it, in ns. */
const mainThreadCpuMs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
/** Ten seconds of a two-tone hold sound: one shared array, as a prompt cache would hand it to every leg. */
const PROMPT = renderTone([440, 480], 0.2, 10_000, false);
/**
 * Each leg's first prompt is the hold sound's last 0.1–10 s, so the legs'
 * queues run out spread over 10 s as the calls of a real host's do (they
 * started at different times), not all in the same turn of the main thread.
 */
const OPENERS = Array.from({ length: 100 }, (_, k) => PROMPT.subarray((k * PROMPT.length) / 100));
/** How often the bench looks for legs to top up (ms). */
const TOP_UP_EVERY_MS = 100;

const toward = (s: MediaSession): NegotiatedMedia => ({
  remote: { address: '127.0.0.1', port: s.port, rtcpAddress: '127.0.0.1', rtcpPort: s.port + 1 },
  codecs: [{ name: 'PCMU', payloadType: 0 }],
  telephoneEvent: 101,
  direction: 'sendrecv',
});

function sum(stats: WorkerStats[]) {
  const t = { sent: 0, received: 0, lost: 0, concealed: 0, late: 0, skipped: 0, maxJitterMs: 0, demotions: 0 };
  for (const s of stats) {
    t.sent += s.totals.packetsSent;
    t.received += s.totals.packetsReceived;
    t.lost += s.totals.packetsLost;
    t.concealed += s.totals.concealed;
    t.late += s.totals.late;
    t.skipped += s.skippedTicks;
    t.demotions += s.demotions;
    t.maxJitterMs = Math.max(t.maxJitterMs, s.totals.maxJitterMs);
  }
  return t;
}

async function step(n: number) {
  const media = await RtpMedia.start({ ports: { min: 20000, max: 39999 }, clock, bindAddress: '127.0.0.1', io: IO, realtime: REALTIME, log: pino({ level: 'warn' }, pino.destination(2)) });
  if (media.sockets !== IO_USED) throw new Error(`the workers use ${media.sockets}, expected ${IO_USED}`);
  let heardRuns = 0;
  const listener = { audio: () => void heardRuns++, sound: () => {}, tone: () => {}, dtmf: () => {}, lost: (r: string) => console.error(`lost: ${r}`) };
  const legs: MediaSession[] = [];
  for (let i = 0; i < n; i++) legs.push(await media.open(listener, { analyse: true }));
  if (HEAR) for (const leg of legs) leg.hearAudio(true);
  for (let i = 0; i < n; i += 2) {
    legs[i]!.configure(toward(legs[i + 1]!));
    legs[i + 1]!.configure(toward(legs[i]!));
  }
  // Keep every leg's queue a few seconds ahead, the way a looping <Play> would.
  legs.forEach((leg, i) => leg.send({ samples: OPENERS[i % OPENERS.length]! }));
  const topUp = () => {
    for (const leg of legs) if (leg.playingUntil - clock.now() < 4000) leg.send({ samples: PROMPT });
  };
  const feeder = setInterval(topUp, TOP_UP_EVERY_MS);
  await new Promise((r) => setTimeout(r, WARM_UP_MS));
  const waitedMs = await untilRealtime(media);
  const before = sum(await media.stats(true));
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  const t0 = performance.now();
  heardRuns = 0;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const stats = await media.stats();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const mainMs = mainThreadCpuMs() - main0;
  loop.disable();
  clearInterval(feeder);
  const after = sum(stats);
  const steps = stepFigures(stats);
  for (const leg of legs) leg.close();
  await media.close();
  return {
    p50: latenessPercentile(stats, 0.5),
    p99: latenessPercentile(stats, 0.99),
    p999: latenessPercentile(stats, 0.999),
    sentPerSecond: ((after.sent - before.sent) * 1000) / wall,
    lost: after.lost - before.lost,
    concealed: after.concealed - before.concealed,
    skipped: after.skipped - before.skipped,
    maxJitterMs: after.maxJitterMs,
    cpu: (cpu.user + cpu.system) / 1000 / wall / cores,
    heardPerSecond: (heardRuns * 1000) / wall,
    /** The main thread's CPU per leg per tick (µs). */
    mainPerTick: (mainMs * 1000) / ((n * wall) / 20),
    mainP99: loop.percentile(99) / 1e6,
    ...steps,
    demotions: after.demotions - before.demotions,
    realtime: stats.filter((s) => s.realtime).length,
    waitedMs,
    scheduling: media.scheduling,
  };
}

/** Workers that take real-time priority themselves do so once warmed up: wait until all have (at most REALTIME_WAIT_MS); how long it took. */
async function untilRealtime(media: RtpMedia): Promise<number> {
  if (media.scheduling?.kind !== 'guarded') return 0;
  const t0 = performance.now();
  while (performance.now() - t0 < REALTIME_WAIT_MS && !(await media.stats()).every((s) => s.realtime)) await new Promise((r) => setTimeout(r, 100));
  return performance.now() - t0;
}

function schedulingText(s: WorkerScheduling | null): string {
  if (!s) return 'unknown';
  if (s.kind === 'guarded') return `each takes real-time priority itself (SCHED_RR ${s.priority}) once warmed up, while it takes under 90 % of its core; the rest of the process at normal priority`;
  if (s.kind === 'inherited') return `the whole process at real-time priority ${s.priority} (started under chrt)`;
  return s.reason ? `normal priority: real-time refused (${s.reason}; run as root, with CAP_SYS_NICE or \`ulimit -r 10\`)` : 'normal priority (SWITCHBOARD_RTP_REALTIME=off)';
}

/** The same traffic from bare sockets in `cores` workers: process CPU share and packets sent/received per second. */
async function floor(n: number) {
  // Above the ports the tests bind (RTP 40000–45399; their SIP ports are picked free), so a test run beside the bench cannot take one.
  const base = 51000;
  const ports = Array.from({ length: n }, (_, j) => base + 2 * j);
  const partnerOf = Object.fromEntries(ports.map((p, j) => [p, ports[j ^ 1]!]));
  const workers = Array.from({ length: cores }, (_, w) => {
    const mine = ports.filter((_, j) => j % cores === w);
    return new Worker(new URL('./udp-floor-worker.mjs', import.meta.url), { workerData: { ports: mine, partnerOf, seconds, io: IO_USED } });
  });
  await Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const done = workers.map((w) => new Promise<{ sent: number; received: number }>((r) => w.once('message', r)));
  for (const w of workers) w.postMessage('go');
  const counts = await Promise.all(done);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await Promise.all(workers.map((w) => w.terminate()));
  const sent = counts.reduce((a, c) => a + c.sent, 0);
  const received = counts.reduce((a, c) => a + c.received, 0);
  return { cpu: (cpu.user + cpu.system) / 1000 / wall / cores, lost: sent - received };
}

/** CPU time per leg per 20 ms tick (µs), from a share of all cores. */
const perLegTick = (cpuShare: number, legs: number) => (cpuShare * cores * 1e6) / (legs * 50);

async function main() {
  console.log(`${cores} media workers (one per core), legs in pairs over loopback, ${seconds} s per step after ${WARM_UP_MS / 1000} s of warm-up; load average ${loadavg()[0]!.toFixed(1)}`);
  const socketsText = { io_uring: 'batched UDP through io_uring, native/rtp-udp', epoll: 'batched UDP through epoll, native/rtp-udp', dgram: 'node:dgram' }[IO_USED];
  console.log(`sockets (workers and floor): ${socketsText}${process.env.BENCH_IO ? ` (BENCH_IO=${process.env.BENCH_IO})` : ''}`);
  console.log(
    `CPU is the whole process (workers and main thread); µs/tick is CPU per leg per 20 ms tick; floor: the same traffic from bare sockets; ours: µs/tick above the floor; main µs: the main thread's share of µs/tick; heard audio posted to the main thread: ${HEAR ? 'every leg' : 'none (line analysis findings only)'}`,
  );
  console.log(
    `fill: a step's work against its ${PHASE_MS} ms (p50, p99 of the workers' steps with work); late steps: steps that started more than 1 ms after their time (‰); RT: workers at real-time priority at the end, and how often a guard took it back during the step`,
  );
  const cols = ['legs', 'per core', 'pkts/s', 'p50 ms', 'p99 ms', 'p99.9', 'lost', 'concealed', 'skipped', 'jitter', 'CPU', 'µs/tick', 'floor', 'µs/tick', 'ours', 'main µs', 'main p99', 'fill p50', 'fill p99', 'late ‰', 'RT'];
  let said = false;
  type Passed = { n: number; p99: number; cpu: number; perTick: number; floor: number | null };
  let best: Passed | null = null;
  /** One measured step of `n` legs: its row printed; its figures when it met the targets, else null. */
  const measure = async (n: number): Promise<Passed | null> => {
    const r = await step(n);
    const f = WITH_FLOOR ? await floor(n) : null;
    const perTick = perLegTick(r.cpu, n);
    const floorPerTick = f ? perLegTick(f.cpu, n) : null;
    const row = [
      String(n),
      fmt(n / cores),
      fmt(r.sentPerSecond),
      fmt(r.p50, 1),
      fmt(r.p99, 1),
      fmt(r.p999, 1),
      String(r.lost),
      String(r.concealed),
      String(r.skipped),
      `${fmt(r.maxJitterMs, 1)} ms`,
      `${fmt(r.cpu * 100)}%`,
      fmt(perTick, 1),
      f ? `${fmt(f.cpu * 100)}%` : '-',
      floorPerTick === null ? '-' : fmt(floorPerTick, 1),
      floorPerTick === null ? '-' : fmt(perTick - floorPerTick, 1),
      fmt(r.mainPerTick, 2),
      `${fmt(r.mainP99, 1)} ms`,
      `${fmt(r.fill50 * 100)}%`,
      `${fmt(r.fill99 * 100)}%`,
      fmt((r.lateSteps * 1000) / Math.max(1, r.steps), 1),
      `${r.realtime}/${cores}${r.demotions ? ` −${r.demotions}` : ''}`,
    ];
    if (!said) {
      said = true;
      const waited = r.waitedMs > 0 ? ` (waited ${fmt(r.waitedMs / 1000, 1)} s after warm-up for every worker to be real-time)` : '';
      console.log(`workers' scheduling: ${schedulingText(r.scheduling)}${waited}`);
      console.log(cols.map((c) => c.padStart(9)).join(' '));
    }
    console.log(row.map((c) => c.padStart(9)).join(' '));
    if (r.p99 >= MAX_LATENESS_MS || r.lost > 0 || r.cpu >= SATURATED) return null;
    return { n, p99: r.p99, cpu: r.cpu, perTick, floor: floorPerTick };
  };
  // A step that misses the targets is measured once more before the ladder stops: on a shared machine one
  // neighbour's burst can spoil a step's tail.
  for (const n of LADDER) {
    const passed = (await measure(n)) ?? (await measure(n));
    if (!passed) break;
    best = passed;
  }
  console.log(`\nload average at the end ${loadavg()[0]!.toFixed(1)}`);
  if (!best) return console.log(`sustained: none (target: p99 < ${MAX_LATENESS_MS} ms, 0 lost, ≥ 1,000 legs per core)`);
  const floorText = best.floor === null ? '' : ` (bare sockets ${fmt(best.floor, 1)})`;
  console.log(
    `sustained: ${fmt(best.n / cores)} legs per core (${best.n} legs on ${cores} cores) with audio both ways at p99 ${fmt(best.p99, 1)} ms, no loss; ` +
      `${fmt(best.perTick, 1)} µs CPU per leg per tick${floorText}, ${fmt(best.cpu * 100)}% of the cores (target: p99 < ${MAX_LATENESS_MS} ms, 0 lost, ≥ 1,000 legs per core)`,
  );
}

await main();
