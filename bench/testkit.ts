// `npm run bench:testkit`: what a developer's test run pays for the testing
// kit (switchboard/testing) — start-up (the first in a process, which loads
// the server's modules, and a later one), per-test set-up (a fresh
// subaccount and a rented number) and the wall time of a test walking a
// 60-second IVR on the virtual clock. Medians of 20.
import { performance } from 'node:perf_hooks';
import { startSwitchboard, type Switchboard } from 'switchboard/testing';
import { startIvr } from '../examples/ivr/app.mjs';

const RUNS = 20;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const value = await fn();
  return [value, performance.now() - t];
}

const ivr = await startIvr();
const [first, firstStart] = await timed(() => startSwitchboard({ clock: 'virtual' }));
await first.stop();
const starts: number[] = [];
for (let i = 0; i < 5; i++) {
  const [sb, t] = await timed(() => startSwitchboard({ clock: 'virtual' }));
  starts.push(t);
  await sb.stop();
}

const sb: Switchboard = await startSwitchboard({ clock: 'virtual' });
const setups: number[] = [];
const walks: number[] = [];
const platform: number[] = [];
// One warm-up call loads the speech synthesizer (paid once per process).
const walk = async (number: string, me: Awaited<ReturnType<Switchboard['account']>>) => {
  const call = await me.sandbox.call({ from: '14155550100', to: number });
  await call.hears('press 2 for support');
  await call.press('2');
  await call.hears('support will call you back', { timeoutMs: 60_000 });
  return call.ended();
};
const [warm, warmT] = await timed(async () => {
  const me = await sb.account();
  return walk(await me.sandbox.number({ answerUrl: `${ivr.url}/answer` }), me);
});
void warm;
for (let i = 0; i < RUNS; i++) {
  const [[me, number], setup] = await timed(async () => {
    const me = await sb.account();
    return [me, await me.sandbox.number({ answerUrl: `${ivr.url}/answer` })] as const;
  });
  setups.push(setup);
  const before = (await sb.clock.read()).now;
  const [t, wall] = await timed(() => walk(number, me));
  if (t.state !== 'completed') throw new Error(`the IVR call ended as ${t.state}`);
  walks.push(wall);
  platform.push((await sb.clock.read()).now - before);
}
await sb.stop();
await ivr.close();

console.log(`kit start-up, first in the process (loads the server):   ${ms(firstStart)}`);
console.log(`kit start-up, later (median of ${starts.length}):                      ${ms(median(starts))}  (target < 500 ms)`);
console.log(`first call of the process (loads the speech synthesizer): ${ms(warmT)}`);
console.log(`per-test set-up (subaccount + number, median of ${RUNS}):     ${ms(median(setups))}`);
console.log(`IVR test wall time (median of ${RUNS}):                       ${ms(median(walks))} for ${(median(platform) / 1000).toFixed(1)} s of platform time  (target < 100 ms)`);
