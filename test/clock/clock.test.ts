import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/clock/clock.ts';

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
