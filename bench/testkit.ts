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

const RUNS = 20;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

interface Cost {
  wall: number;
  cpu: number;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, Cost]> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return [value, { wall: performance.now() - t, cpu: (used.user + used.system) / 1000 }];
}

const medianCost = (costs: Cost[]) => `${ms(median(costs.map((c) => c.wall)))} wall, ${ms(median(costs.map((c) => c.cpu)))} CPU`;

/**
 * The first start in a fresh process, as each test file pays it under node --test: a plain
 * node process (this bench runs under tsx, whose hooks would slow every import) that
 * imports the kit, starts a server and reports its wall and CPU time.
 */
function firstStartInFreshProcess(): Cost {
  const script = `
    const cpu = process.cpuUsage(), t = performance.now();
    const { startSwitchboard } = await import('switchboard/testing');
    const sb = await startSwitchboard({ clock: 'virtual' });
    const used = process.cpuUsage(cpu);
    console.log(JSON.stringify({ wall: performance.now() - t, cpu: (used.user + used.system) / 1000 }));
    await sb.stop();`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: import.meta.dirname, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as Cost;
}

const firstStarts = [0, 1, 2].map(() => firstStartInFreshProcess());
const ivr = await startIvr();
const starts: Cost[] = [];
for (let i = 0; i < RUNS; i++) {
  const [sb, cost] = await timed(() => startSwitchboard({ clock: 'virtual' }));
  starts.push(cost);
  await sb.stop();
}

const sb: Switchboard = await startSwitchboard({ clock: 'virtual' });
const setups: Cost[] = [];
const walks: Cost[] = [];
const platform: number[] = [];
// One warm-up call loads the speech synthesizer (paid once per process).
const walk = async (number: string, me: Awaited<ReturnType<Switchboard['account']>>) => {
  const call = await me.sandbox.call({ from: '14155550100', to: number });
  await call.hears('press 2 for support');
  await call.press('2');
  await call.hears('support will call you back', { timeoutMs: 60_000 });
  return call.ended();
};
const [, warm] = await timed(async () => {
  const me = await sb.account();
  return walk(await me.sandbox.number({ answerUrl: `${ivr.url}/answer` }), me);
});
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
console.log(`kit start-up, first in a process (median of 3 processes): ${medianCost(firstStarts)}`);
console.log(`kit start-up, later (median of ${RUNS}):                     ${medianCost(starts)}  (target < 500 ms)`);
console.log(`first call of the process (loads the speech synthesizer): ${ms(warm.wall)} wall, ${ms(warm.cpu)} CPU`);
console.log(`per-test set-up (subaccount + number, median of ${RUNS}):     ${medianCost(setups)}`);
console.log(`IVR test (median of ${RUNS}):                                 ${medianCost(walks)} for ${(median(platform) / 1000).toFixed(1)} s of platform time  (target < 100 ms)`);
console.log(`${AT_ONCE} IVR tests at once, own subaccounts (median of ${rounds.length} rounds): ${medianCost(rounds)} per round`);
