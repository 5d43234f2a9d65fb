// When a media worker runs at real-time priority, on virtual clocks: normal
// while it warms up and for a quiet period whenever it took more than 90 %
// of its core at real time, the quiet period doubling after each relapse —
// so a worker with more work than its core can never starve V8's compile
// threads and the rest of the process for long. No test here needs
// real-time priority: the thread calls are recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { RealtimeGuard, startScheduling, loadThreadPriority, GUARD, type GuardOptions, type ThreadPriorityCalls } from '../../../../src/telephony/sip/rtp/rtp-priority.ts';
import { StepMeter, STEP_BUCKET_MS } from '../../../../src/telephony/sip/rtp/rtp-pacer.ts';

/** Warm-up 2 s, windows of 200 ms, down after 2 windows above 90 % of the core without keeping up, for 1 s (doubling up to 8 s). */
const OPTS: GuardOptions = { warmUpMs: 2000, windowMs: 200, high: 0.9, overloadedWindows: 2, quietMs: 1000, maxQuietMs: 8000 };

/** A guard on virtual clocks: `work(ms, share, late)` runs steps every 5 ms for `ms`, the thread on the CPU for `share` of the time, each step starting late or not (late when it needs all of its core). */
function guarded(opts = OPTS, refuse: string | null = null) {
  const calls: boolean[] = [];
  let now = 10_000;
  let cpu = 0;
  const guard = new RealtimeGuard(
    (realtime) => {
      calls.push(realtime);
      return realtime ? refuse : null;
    },
    () => cpu,
    opts,
  );
  const work = (ms: number, share: number, late = share >= 1) => {
    const changes: { at: number; realtime: boolean; share: number }[] = [];
    for (let t = 0; t < ms; t += 5) {
      now += 5;
      cpu += 5 * share;
      const change = guard.ran(now, 1, late ? 1 : 0);
      if (change) changes.push({ at: now - 10_000, ...change });
    }
    return changes;
  };
  /** Work at `share` until the guard changes the priority (within 10 virtual minutes). */
  const until = (share: number) => {
    for (let t = 0; t < 600_000; t += 5) {
      const [change] = work(5, share);
      if (change) return change;
    }
    assert.fail(`no change of priority in 10 minutes at ${share * 100} % of the core`);
  };
  return { guard, calls, work, until, idle: (ms: number) => void (now += ms) };
}

test('a worker warms up at normal priority for 2 s from its first work, then goes real-time', () => {
  const { guard, calls, work, idle } = guarded();
  idle(60_000);
  assert.deepEqual(work(2000, 0.5), [], 'an idle worker does not warm up: the first 2 s of work stay at normal priority');
  assert.equal(guard.realtime, false);
  assert.deepEqual(work(5, 0.5), [{ at: 62_005, realtime: true, share: -1 }]);
  assert.deepEqual(calls, [true]);
  assert.deepEqual(work(60_000, 0.88), [], 'and stays there while it takes at most 90 % of its core');
});

test('a real-time worker that takes more than 90 % of its core (over a window) and still starts most steps late goes back to normal priority', () => {
  const { guard, calls, work } = guarded();
  work(2005, 0.5);
  assert.deepEqual(work(1000, 0.95, false), [], 'at 95 % but keeping up: stays');
  assert.deepEqual(work(1000, 0.85, true), [], 'late at 85 % (others hold its core): stays');
  assert.deepEqual(work(200, 0.95, true), [], 'one such window: stays');
  assert.deepEqual(work(200, 0.5), [], 'it was a burst');
  const [down] = work(600, 0.95, true);
  assert.equal(down!.realtime, false);
  assert.equal(down!.at, 2005 + 2400 + 400, 'at the end of the second such window in a row');
  assert.ok(Math.abs(down!.share - 0.95) < 1e-9);
  assert.deepEqual(calls, [true, false]);
  assert.equal(guard.demotions, 1);
});

test('the catch-up just after going real-time does not, nor a short burst averaged over its window, nor a worker held off its core: only the CPU it takes counts', () => {
  const { guard, work, idle } = guarded();
  work(2005, 0.5);
  assert.deepEqual(work(200, 1), [], 'catching up what it fell behind at normal priority');
  work(195, 0.5);
  assert.deepEqual(work(20, 1), [], 'a 20 ms GC pause in a window at 50 %: 55 %');
  assert.deepEqual(work(180, 0.5), []);
  idle(50);
  assert.deepEqual(work(200, 0.7), [], 'held off for 50 ms, it catches up at 70 %');
  assert.equal(guard.realtime, true);
});

test('back to real time after the quiet period, twice as long after each relapse, up to its limit; a long good stretch resets it', () => {
  const { guard, work, until } = guarded();
  work(2005, 0.5);
  /** Overloaded until demoted, then (still overloaded: its share at normal priority is not measured) until real-time again: how long that took. */
  const relapse = () => {
    const down = until(1);
    assert.equal(down.realtime, false);
    const up = until(1);
    assert.equal(up.realtime, true);
    return up.at - down.at;
  };
  assert.equal(relapse(), 2000, 'the first fall came within 8 s of going real-time: a relapse');
  assert.equal(relapse(), 4000);
  assert.equal(relapse(), 8000);
  assert.equal(relapse(), 8000, 'capped at maxQuietMs');
  work(8000, 0.5);
  assert.equal(relapse(), 1000, 'a fall long after going back starts again from quietMs');
  assert.equal(guard.demotions, 5);
});

test('a worker that needs more than its core (V8 not done compiling) takes it at most one window per quiet period', () => {
  const { guard, work } = guarded();
  work(2005, 0.5);
  // Calls arrive while V8 still runs the worker in baseline code: it would take all of its core, for a minute.
  const changes = work(60_000, 1);
  assert.deepEqual(
    changes.map((c) => c.at),
    [2605, 4605, 5205, 9205, 9805, 17_805, 18_405, 26_405, 27_005, 35_005, 35_605, 43_605, 44_205, 52_205, 52_805, 60_805, 61_405],
    'three windows at real time (catching up, then two measured), then 2, 4, 8, 8 … s at normal priority',
  );
  const realtimeMs = changes.reduce((ms, c, i) => (c.realtime ? ms + changes[i + 1]!.at - c.at : ms), 2605 - 2005);
  assert.equal(realtimeMs, 9 * 600, 'at real time for 5.4 s of the minute');
  assert.equal(guard.demotions, 9);
});

test('where the system refuses real-time priority the guard stays at normal priority and asks no more', () => {
  const { guard, calls, work } = guarded(OPTS, 'sched_setscheduler EPERM: Operation not permitted');
  assert.deepEqual(work(10_000, 0.5), []);
  assert.deepEqual(calls, [true]);
  assert.equal(guard.refused, 'sched_setscheduler EPERM: Operation not permitted');
  assert.equal(guard.realtime, false);
});

test('the defaults: 2 s of warm-up, windows of a second, down after 3 s above 90 % of the core without keeping up, for 1 s, at most a minute', () => {
  assert.deepEqual(GUARD, { warmUpMs: 2000, windowMs: 1000, high: 0.9, overloadedWindows: 3, quietMs: 1000, maxQuietMs: 60_000 });
});

/** Thread calls that record what was asked; `priority` is the thread's real-time priority now. */
function thread(priority = 0, refuse: string | null = null) {
  const asked: number[] = [];
  const calls: ThreadPriorityCalls = {
    threadPriority: () => priority,
    threadCpuMs: () => 0,
    setThreadPriority: (p) => {
      asked.push(p);
      if (p > 0 && refuse) return refuse;
      priority = p;
      return null;
    },
  };
  return { calls, asked, now: () => priority };
}

test('at start a worker asked for real time checks that it may, then warms up at normal priority under its guard', () => {
  const t = thread();
  const { scheduling, guard } = startScheduling(10, t.calls, OPTS);
  assert.deepEqual(scheduling, { kind: 'guarded', priority: 10 });
  assert.deepEqual(t.asked, [10, 0]);
  assert.equal(t.now(), 0);
  guard!.ran(1000, 1, 0);
  assert.equal(t.now(), 0);
  guard!.ran(3000, 1, 0);
  assert.equal(t.now(), 10, 'real-time after warm-up, at the priority asked');
});

test('refused (no CAP_SYS_NICE, no RLIMIT_RTPRIO: a container), a worker runs at normal priority and says why', () => {
  const t = thread(0, 'sched_setscheduler EPERM: Operation not permitted');
  const { scheduling, guard } = startScheduling(10, t.calls, OPTS);
  assert.deepEqual(scheduling, { kind: 'normal', reason: 'sched_setscheduler EPERM: Operation not permitted' });
  assert.equal(guard, null);
});

test('a process started at real-time priority (chrt) keeps it: the worker leaves its scheduling alone', () => {
  const t = thread(10);
  assert.deepEqual(startScheduling(10, t.calls, OPTS).scheduling, { kind: 'inherited', priority: 10 });
  assert.deepEqual(startScheduling(0, t.calls, OPTS).scheduling, { kind: 'inherited', priority: 10 });
  assert.deepEqual(t.asked, []);
});

test('not asked (SWITCHBOARD_RTP_REALTIME=off), or without the addon, a worker runs at normal priority', () => {
  const t = thread();
  assert.deepEqual(startScheduling(0, t.calls, OPTS), { scheduling: { kind: 'normal', reason: null }, guard: null });
  assert.deepEqual(t.asked, []);
  assert.deepEqual(startScheduling(10, { reason: 'native/rtp-udp is not built' }, OPTS).scheduling, { kind: 'normal', reason: 'native/rtp-udp is not built' });
  assert.deepEqual(startScheduling(0, { reason: 'native/rtp-udp is not built' }, OPTS).scheduling, { kind: 'normal', reason: null });
});

test('a step meter counts steps with work, the late ones, and each step by its share of the run', () => {
  const meter = new StepMeter();
  meter.record(1, 0, 3.05);
  meter.record(3, 2, 12);
  const s = meter.snapshot(true);
  assert.equal(s.steps, 4);
  assert.equal(s.late, 2);
  assert.equal(s.work[Math.floor(3.05 / STEP_BUCKET_MS)], 1);
  assert.equal(s.work[Math.floor(4 / STEP_BUCKET_MS)], 3, 'a run of 3 steps in 12 ms: 4 ms each');
  assert.equal(meter.snapshot(false).steps, 0, 'reset');
});

const native = loadThreadPriority();
test('the addon sets the calling thread only: a worker thread at real time leaves the main thread at normal priority', { skip: 'reason' in native && native.reason }, async () => {
  const calls = native as ThreadPriorityCalls;
  if (calls.threadPriority() > 0) return; // the tests themselves run under chrt: nothing to tell apart
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const addon = require(workerData);
    const refused = addon.setThreadPriority(10);
    parentPort.postMessage({ refused, inWorker: addon.threadPriority() });
    addon.setThreadPriority(0);`;
  const worker = new Worker(code, { eval: true, workerData: new URL('../../../../native/rtp-udp/build/Release/rtp_udp.node', import.meta.url).pathname });
  const seen = await new Promise<{ refused: string | null; inWorker: number }>((resolve) => worker.once('message', resolve));
  await worker.terminate();
  assert.equal(calls.threadPriority(), 0, 'the main thread stays at normal priority');
  if (seen.refused !== null) {
    assert.match(seen.refused, /^sched_setscheduler EPERM/);
    assert.equal(seen.inWorker, 0);
  } else assert.equal(seen.inWorker, 10);
  assert.throws(() => calls.setThreadPriority(100), RangeError);
});
