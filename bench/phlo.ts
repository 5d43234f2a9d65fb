// Two measures of PHLO runs:
// 1. Runs started through the runner API per second: a real server on
//    SQLite, a flow Start (api_request) → Send SMS to the phone named in the
//    payload, the sandbox carrier delivering to 100 virtual phones with its
//    default timing (sent +100 ms, delivered +500 ms, real clock).
// 2. Memory per run of IVR runs held at a get_input node: the platform's
//    services in this process (SQLite, virtual clock), BENCH_IVR_RUNS
//    (2,000) virtual phones calling a number attached to the flow, silent,
//    all of them waiting for keys at once.
// Run:
//   npm run bench:phlo        (BENCH_SECONDS=8 by default; BENCH_PROFILE=dir writes the server's CPU profile there)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VirtualClock } from '../src/clock/clock.ts';
import { resolveConfig } from '../src/config.ts';
import { newAccountAuthId, newAuthToken } from '../src/ids.ts';
import { createServices } from '../src/services.ts';
import { openStore } from '../src/store/db.ts';
import { cpuSeconds, fmt, load, startSmsServer } from './lib.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const server = await startSmsServer(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []);
const { origin, authId, headers, call } = server;
const pick = { number: server.number };
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
const cpu0 = cpuSeconds(server.pid);
const t0 = performance.now();
const r = await load({ ...runOpts, duration: seconds });
const started = (await runs()) - before;
const doneAt = await waitFor(delivered, before + started);
const cpuUsed = cpuSeconds(server.pid) - cpu0;
const cpu = cpuUsed / ((doneAt - t0) / 1000);

console.log(`runs started (201)        ${fmt(started / seconds).padStart(8)} runs/s   p99 ${fmt(r.p99, 1)} ms   errors ${r.errors + r.non2xx}`);
console.log(`texts delivered           ${fmt(started / ((doneAt - t0) / 1000)).padStart(8)} msg/s   (${fmt(started)} runs, last text delivered ${fmt((doneAt - t0) / 1000 - seconds, 2)} s after the load stopped)`);
console.log(`server CPU over the run   ${fmt(cpu * 100).padStart(8)} %`);
// What a loaded machine hides: the server's own CPU time per run, and the rate that makes on a core of its own.
console.log(`server CPU per run        ${fmt((cpuUsed * 1000) / started, 2).padStart(8)} ms     (${fmt(started / cpuUsed)} runs per CPU-second)`);

await server.stop();

await ivrMemory(Number(process.env.BENCH_IVR_RUNS ?? 2000));
console.log(`\nload average ${os.loadavg().map((l) => fmt(l, 1)).join(' ')}`);

/**
 * Heap and array buffers per run while `count` IVR runs wait at a
 * get_input node: each run holds its inbound call, the call's leg on the
 * sandbox carrier (the phone's ear shares the cached prompt audio), its
 * program, its stored row and its trace.
 */
async function ivrMemory(count: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench:phlo does)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-ivr-'));
  const store = await openStore({ dataDir: dir });
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 15));
  const services = createServices(resolveConfig({}, { dataDir: dir }), store, clock);
  const id = newAccountAuthId();
  await services.accounts.createMain({ authId: id, authToken: newAuthToken() }, 'IVR bench');
  await services.numbers.seedPool();
  const scope = { accountId: id, subaccountId: null, callerId: id };
  const [{ number }] = (await services.numbers.search(scope, { country_iso: 'US', limit: 1, offset: 0 })).objects;
  await services.numbers.buy(scope, number, {});
  const flow = await services.phlos.create(scope, {
    name: 'bench_ivr',
    nodes: [
      { name: 'Start', node_type: 'start', transitions: { incoming_call: 'Account' } },
      { name: 'Account', node_type: 'get_input', config: { prompt: { type: 'speak', text: 'Please enter your account number, then press hash.' }, input_timeout: 60 }, transitions: { successful_input: 'Thanks' } },
      { name: 'Thanks', node_type: 'play_audio', config: { prompt: { type: 'speak', text: 'Thank you.' } } },
    ],
  });
  await services.numbers.update(scope, number, { object_type: 'phlo', object_id: flow.row.phlo_id });
  const sandbox = services.sandbox!.calls;
  const waiting = async () =>
    Number((await store.db.selectFrom('phlo_runs').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'running').executeTakeFirstOrThrow()).n);
  /** Calls from `n` fresh phones, and time enough for every prompt to have played: all wait for keys. */
  const callIn = async (n: number, from: number) => {
    for (let i = 0; i < n; i++) await sandbox.placeCall(scope, { from: String(14155600000 + from + i), to: number });
    for (let s = 0; s < 10; s++) await sandbox.advance({ ms: 1000 });
  };
  const heap = () => {
    gc();
    const m = process.memoryUsage();
    return { heap: m.heapUsed, buffers: m.arrayBuffers + m.external };
  };

  // Warm-up: the prompt's speech is synthesized and cached, code paths compiled; then those calls time out.
  await callIn(50, 0);
  await sandbox.advance({ ms: 120_000 });
  if ((await waiting()) !== 0) throw new Error('warm-up runs did not end');
  const before = heap();
  const t0 = performance.now();
  await callIn(count, 1000);
  const held = await waiting();
  const after = heap();
  const perRun = (k: 'heap' | 'buffers') => (after[k] - before[k]) / held / 1024;
  console.log(`\nIVR runs held at get_input (in-process, SQLite, virtual clock, phones silent)`);
  console.log(`runs waiting for keys     ${fmt(held).padStart(8)}         (${fmt(count)} calls placed, set up in ${fmt((performance.now() - t0) / 1000, 1)} s)`);
  console.log(`memory per run            ${fmt(perRun('heap') + perRun('buffers'), 1).padStart(8)} KiB    (heap ${fmt(perRun('heap'), 1)} KiB, buffers ${fmt(perRun('buffers'), 1)} KiB; target < 30 KiB)`);

  await sandbox.advance({ ms: 120_000 });
  await services.voice.close();
  await services.rooms.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Poll until `count()` reaches `target`; returns when that was seen. */
async function waitFor(count: () => Promise<number>, target: number): Promise<number> {
  for (;;) {
    if ((await count()) >= target) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
