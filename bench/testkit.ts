// `npm run bench:testkit`: what a developer's test run pays for the testing
// kit (switchboard/testing) — start-up (the first in a fresh process, which
// loads the server's modules, and a later one), per-test set-up (a fresh
// subaccount and a rented number) and the wall time of a test walking a
// 60-second IVR on the virtual clock. Medians of 20. The server runs in this
// process, so the CPU figures (process.cpuUsage, user + system) are the
// server's and the kit's together: the cost on a machine shared with others,
// where wall time depends on the load. Then tests at once: 4 subaccounts
// (each with its own virtual time) walking the IVR together, per round.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { startSwitchboard, type Switchboard } from 'switchboard/testing';
import { startIvr } from '../examples/ivr/app.mjs';
import { mainThreadCpuMs } from './thread-cpu.mjs';

const RUNS = 20;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

interface Cost {
  wall: number;
  /** The process's CPU: every thread (the speech synthesizer's worker too). */
  cpu: number;
  /** The main thread's CPU alone (10 ms ticks; NaN off Linux). */
  mainCpu: number;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, Cost]> {
  const cpu = process.cpuUsage();
  const main = mainThreadCpuMs();
  const t = performance.now();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return [value, { wall: performance.now() - t, cpu: (used.user + used.system) / 1000, mainCpu: mainThreadCpuMs() - main }];
}

const medianCost = (costs: Cost[]) => `${ms(median(costs.map((c) => c.wall)))} wall, ${ms(median(costs.map((c) => c.cpu)))} CPU`;
/** With the main thread's share: for figures of seconds (its clock ticks are 10 ms). */
const withMainThread = (costs: Cost[]) => `${medianCost(costs)} (main thread ${ms(median(costs.map((c) => c.mainCpu)))})`;

interface FreshProcess {
  start: Cost;
  firstTest: Cost;
}

/**
 * The first start in a fresh process, as each test file pays it under node --test, and the
 * first test after it (set-up and the IVR walk): a plain node process (this bench runs under
 * tsx, whose hooks would slow every import). The kit warms the speech synthesizer on a
 * worker thread meanwhile: the process's CPU counts it, the main thread's does not.
 */
function freshProcess(): FreshProcess {
  // CommonJS eval (no --input-type): worker threads inherit the process's flags.
  const script = `(async () => {
    const { mainThreadCpuMs } = await import('./thread-cpu.mjs');
    const timed = async (fn) => {
      const cpu = process.cpuUsage(), main = mainThreadCpuMs(), t = performance.now();
      const value = await fn();
      const used = process.cpuUsage(cpu);
      return [value, { wall: performance.now() - t, cpu: (used.user + used.system) / 1000, mainCpu: mainThreadCpuMs() - main }];
    };
    const [sb, start] = await timed(async () => (await import('switchboard/testing')).startSwitchboard({ clock: 'virtual' }));
    const { startIvr } = await import('../examples/ivr/app.mjs');
    const ivr = await startIvr();
    const [, firstTest] = await timed(async () => {
      const me = await sb.account();
      const call = await me.sandbox.call({ from: '14155550100', to: await me.sandbox.number({ answerUrl: ivr.url + '/answer' }) });
      await call.hears('press 2 for support');
      await call.press('2');
      await call.hears('support will call you back', { timeoutMs: 60_000 });
      return call.ended();
    });
    console.log(JSON.stringify({ start, firstTest }));
    await sb.stop();
    await ivr.close();
  })()`;
  const out = execFileSync(process.execPath, ['-e', script], { cwd: import.meta.dirname, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as FreshProcess;
}

const fresh = [0, 1, 2].map(() => freshProcess());
const ivr = await startIvr();
const walk = async (number: string, me: Awaited<ReturnType<Switchboard['account']>>) => {
  const call = await me.sandbox.call({ from: '14155550100', to: number });
  await call.hears('press 2 for support');
  await call.press('2');
  await call.hears('support will call you back', { timeoutMs: 60_000 });
  return call.ended();
};
const sb: Switchboard = await startSwitchboard({ clock: 'virtual' });
// One call first: lazily compiled route schemas, JIT, the synthesizer's first sentences.
const first = await sb.account();
await walk(await first.sandbox.number({ answerUrl: `${ivr.url}/answer` }), first);

const starts: Cost[] = [];
for (let i = 0; i < RUNS; i++) {
  const [later, cost] = await timed(() => startSwitchboard({ clock: 'virtual' }));
  starts.push(cost);
  await later.stop();
}

const setups: Cost[] = [];
const walks: Cost[] = [];
const platform: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const [[me, number], setup] = await timed(async () => {
    const me = await sb.account();
    return [me, await me.sandbox.number({ answerUrl: `${ivr.url}/answer` })] as const;
  });
  setups.push(setup);
  const before = (await me.clock.read()).now;
  const [t, cost] = await timed(() => walk(number, me));
  if (t.state !== 'completed') throw new Error(`the IVR call ended as ${t.state}`);
  walks.push(cost);
  platform.push((await me.clock.read()).now - before);
}

const AT_ONCE = 4;
const tests = await Promise.all(
  Array.from({ length: AT_ONCE }, async () => {
    const me = await sb.account();
    return { me, number: await me.sandbox.number({ answerUrl: `${ivr.url}/answer` }) };
  }),
);
const rounds: Cost[] = [];
for (let i = 0; i < 5; i++) {
  const [ts, cost] = await timed(() => Promise.all(tests.map((x) => walk(x.number, x.me))));
  if (ts.some((t) => t.state !== 'completed')) throw new Error('an IVR call run beside others did not complete');
  rounds.push(cost);
}
await sb.stop();
await ivr.close();

console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (${os.cpus().length} cores)`);
console.log(`kit start-up, first in a process (median of 3 processes): ${withMainThread(fresh.map((f) => f.start))}`);
console.log(`first test of a process, right after it:                  ${withMainThread(fresh.map((f) => f.firstTest))}`);
console.log(`kit start-up, later (median of ${RUNS}):                     ${medianCost(starts)}  (target < 500 ms)`);
console.log(`per-test set-up (subaccount + number, median of ${RUNS}):     ${medianCost(setups)}`);
console.log(`IVR test (median of ${RUNS}):                                 ${medianCost(walks)} for ${(median(platform) / 1000).toFixed(1)} s of platform time  (target < 100 ms)`);
console.log(`${AT_ONCE} IVR tests at once, own subaccounts (median of ${rounds.length} rounds): ${medianCost(rounds)} per round`);
