// Conference mixing benchmark, in one process (one core). Run:
//   npm run bench:conference      (BENCH_SECONDS=3 per step by default)
//
// Answered calls of the voice engine on the sandbox carrier and the real
// clock are put in mixing rooms (the plane <Conference> and
// <MultiPartyCall> use), every member talking all the time (a long run of
// noise fed as its far end's audio). The shared 20 ms ticker mixes every
// room: each member hears the sum of the others, sent to its leg as a frame.
// Lateness is how late each tick's frames left (the tick fired late, or
// mixing took long); ms/tick is the process's CPU time per tick (mixing and
// handing the frames to the sandbox legs). Two ladders, each until the p99 lateness reaches 5 ms
// or the process saturates its core (a failing step is measured twice):
//   1. one conference of N members;
//   2. K conferences of 3 members in parallel.
import { benchEngine, dialBenchCall } from './engine.ts';
import { RealClock } from '../src/clock/clock.ts';
import type { Call } from '../src/voice/engine/call.ts';
import { MixRoom } from '../src/voice/rooms/room.ts';
import { MixTicker } from '../src/voice/rooms/ticker.ts';
import { fmt } from './lib.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const MAX_LATENESS_MS = 5;
const SATURATED = 0.95;
const WARM_UP_MS = 500;
/** Between steps (after a full collection, run with --expose-gc), so one step's garbage is not collected during the next. */
const SETTLE_MS = 1000;
const BIG = [10, 25, 50, 100, 150, 200, 300, 400, 600, 800, 1000];
const PARALLEL = [25, 50, 100, 200, 300, 400, 500, 600, 800, 1000];

/** What every member says: a minute of noise at speech level, shared (runs are read-only). */
const NOISE = (() => {
  const out = new Int16Array(8000 * 60);
  let seed = 7;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = ((seed >> 8) % 4000) - 2000;
  }
  return out;
})();

/** The real clock read to the microsecond: ticks are late by fractions of a millisecond. */
class PreciseClock extends RealClock {
  override now(): number {
    return performance.timeOrigin + performance.now();
  }
}

/** `n` answered calls on a fresh engine, running no XML. */
async function answeredCalls(n: number) {
  const clock = new PreciseClock();
  const engine = benchEngine({ clock, ringSeconds: 0, speech: async () => new Int16Array(0), audioFile: async () => new Int16Array(0) });
  const calls: Call[] = [];
  for (let i = 0; i < n; i++) calls.push(dialBenchCall(engine, i, { connect: () => {} }));
  while (calls.some((c) => !c.isAnswered)) await new Promise((r) => setTimeout(r, 20));
  return { engine, calls, clock };
}

/** Rooms of `sizes` members, everyone talking, mixed for `ms`: lateness of every tick. */
async function mix(sizes: number[], ms: number) {
  const { engine, calls, clock } = await answeredCalls(sizes.reduce((a, b) => a + b, 0));
  const lateness: number[] = [];
  const ticker = new MixTicker(clock, (late) => lateness.push(late));
  let next = 0;
  for (const size of sizes) {
    const room = new MixRoom(ticker, clock);
    for (let i = 0; i < size; i++) {
      const call = calls[next++]!;
      room.add(call);
      // The far end talks: its audio arrives as a driver delivers it.
      call.audio(call.leg!, { samples: NOISE }, clock.now());
    }
  }
  // Warm up (first ticks, code paths compiled), then measure.
  await new Promise((r) => setTimeout(r, WARM_UP_MS));
  lateness.length = 0;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  ticker.stop();
  await engine.close();
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const sorted = Float64Array.from(lateness).sort();
  const n = sorted.length;
  const at = (q: number) => sorted[Math.min(n - 1, Math.floor(q * n))]!;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { ticks: n, p50: at(0.5), p99: at(0.99), max: sorted[n - 1]!, cpu: cpuMs / wall, msPerTick: cpuMs / Math.max(1, n) };
}

async function ladder(title: string, unit: string, steps: number[], sizes: (step: number) => number[]) {
  console.log(`\n${title}`);
  console.log(`${unit.padStart(8)} ${'members'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'CPU'.padStart(6)} ${'ms/tick'.padStart(8)}`);
  let best = 0;
  let bestCpu = 0;
  for (const step of steps) {
    const rooms = sizes(step);
    let r = await mix(rooms, seconds * 1000);
    // A shared machine has hiccups: a step that fails is measured once more before the ladder stops.
    if (r.p99 >= MAX_LATENESS_MS) r = await mix(rooms, seconds * 1000);
    const members = rooms.reduce((a, b) => a + b, 0);
    console.log(`${String(step).padStart(8)} ${String(members).padStart(8)} ${fmt(r.p50, 2).padStart(8)} ${fmt(r.p99, 2).padStart(8)} ${fmt(r.max, 1).padStart(8)} ${`${fmt(r.cpu * 100)}%`.padStart(6)} ${fmt(r.msPerTick, 2).padStart(8)}`);
    if (r.p99 >= MAX_LATENESS_MS || r.cpu >= SATURATED) break;
    best = step;
    bestCpu = r.cpu;
  }
  return { best, bestCpu };
}

async function main() {
  const big = await ladder('One conference, everyone talking', 'members', BIG, (n) => [n]);
  const par = await ladder('3-party conferences in parallel, everyone talking', 'rooms', PARALLEL, (k) => Array.from({ length: k }, () => 3));
  console.log(`\nlargest conference: ${big.best} members with p99 frame lateness < ${MAX_LATENESS_MS} ms (the process at ${fmt(big.bestCpu * 100)}% of one core)`);
  console.log(`parallel 3-party conferences: ${par.best} (${par.best * 3} members) with p99 frame lateness < ${MAX_LATENESS_MS} ms (the process at ${fmt(par.bestCpu * 100)}% of one core)`);
}

await main();
