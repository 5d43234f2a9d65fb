import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle, TimerGroup, VirtualClock } from '../../src/clock/clock.ts';

test('virtual clock fires timers in order and only when advanced', async () => {
  const clock = new VirtualClock(0);
  const fired: string[] = [];
  clock.after(300, () => fired.push('c'));
  clock.after(100, () => fired.push('a'));
  const cancelled = clock.after(150, () => fired.push('x'));
  clock.after(100, () => fired.push('b'));
  cancelled.cancel();
  await clock.advance(99);
  assert.deepEqual(fired, []);
  await clock.advance(1);
  assert.deepEqual(fired, ['a', 'b']);
  await clock.advance(1000);
  assert.deepEqual(fired, ['a', 'b', 'c']);
  assert.equal(clock.now(), 1100);
});

test('work started by a timer can schedule the next one inside the same advance', async () => {
  const clock = new VirtualClock(0);
  const times: number[] = [];
  const tick = async () => {
    times.push(clock.now());
    await Promise.resolve();
    if (times.length < 5) clock.after(1000, tick);
  };
  clock.after(1000, tick);
  await clock.runUntilIdle();
  assert.deepEqual(times, [1000, 2000, 3000, 4000, 5000]);
  assert.equal(clock.pending(), 0);
});

test('sleep resolves on platform time', async () => {
  const clock = new VirtualClock(0);
  let done = false;
  void clock.sleep(60_000).then(() => (done = true));
  await clock.advance(59_999);
  assert.equal(done, false);
  await clock.advance(1);
  assert.equal(done, true);
});

test('time does not move past tracked work until it is done', async () => {
  const clock = new VirtualClock(0);
  const fired: number[] = [];
  clock.after(1000, () => fired.push(clock.now()));
  let release!: () => void;
  // Work in flight (an HTTP request, say) that will schedule a timer at +100 ms when it completes.
  void clock.track(new Promise<void>((r) => (release = r))).then(() => clock.after(100, () => fired.push(clock.now())));
  const advancing = clock.advance(2000);
  for (let i = 0; i < 5; i++) await settle();
  assert.deepEqual(fired, [], 'the clock waits for the work');
  assert.equal(clock.busy(), 1);
  release();
  await advancing;
  assert.deepEqual(fired, [100, 1000]);
});

test('tracked work that waits on the clock (a retry pause) does not hold it meanwhile', async () => {
  const clock = new VirtualClock(0);
  const done = clock.track(async () => {
    await Promise.resolve();
    await clock.sleep(1000);
    return clock.now();
  });
  await clock.advance(5000);
  assert.equal(await done, 1000);
  assert.equal(clock.busy(), 0);
});

test('a timer group counts its waiting timers; runWhile and runUntil stop on conditions', async () => {
  const clock = new VirtualClock(0);
  const calls = new TimerGroup(clock);
  clock.after(10_000, () => {}); // not a call's timer: runWhile ignores it
  const t = calls.after(500, () => {});
  calls.after(300, () => {});
  assert.equal(calls.pending(), 2);
  t.cancel();
  assert.equal(calls.pending(), 1);
  await clock.runWhile(() => calls.pending() > 0, 60_000);
  assert.equal(clock.now(), 300);
  assert.equal(clock.pending(), 1);

  let flag = false;
  clock.after(200, () => (flag = true));
  assert.equal(await clock.runUntil(() => flag, clock.now() + 1000), true);
  assert.equal(clock.now(), 500);
  assert.equal(await clock.runUntil(() => false, clock.now() + 1000), false);
  assert.equal(clock.now(), 1500, 'the clock stands at the deadline');
});

test('thousands of cancelled timers do not accumulate', async () => {
  const clock = new VirtualClock(0);
  for (let i = 0; i < 50_000; i++) clock.after(3600_000 + i, () => {}).cancel();
  assert.equal(clock.pending(), 0);
  assert.equal(clock.nextDue(), undefined);
});
