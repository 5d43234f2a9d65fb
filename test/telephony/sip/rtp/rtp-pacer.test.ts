// The worker's pacing on an injected clock: each due step once, in order; a starved worker catches up a little, then skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CATCH_UP, Pacer } from '../../../../src/telephony/sip/rtp/rtp-pacer.ts';
import { PHASE_MS } from '../../../../src/telephony/sip/rtp/rtp-time.ts';

/** Steps of 20 ms, catching up at most 5, on a clock the test sets. */
function paced(t0 = 1000) {
  let now = t0;
  const ran: number[] = [];
  const pacer = new Pacer(() => now, t0, (n) => ran.push(n), 5, 20);
  return { pacer, ran, at: (t: number) => (now = t) };
}

test('each step runs once when its time has come; the wait is until the next one', () => {
  const { pacer, ran, at } = paced();
  assert.equal(pacer.run(), 20);
  assert.deepEqual(ran, [0]);
  at(1019.5);
  assert.equal(pacer.run(), 0.5);
  assert.deepEqual(ran, [0]);
  at(1021);
  assert.equal(pacer.run(), 19);
  assert.deepEqual(ran, [0, 1]);
});

test('a late timer runs the overdue steps back to back', () => {
  const { pacer, ran, at } = paced();
  pacer.run();
  at(1000 + 3 * 20 + 7);
  assert.equal(pacer.run(), 13);
  assert.deepEqual(ran, [0, 1, 2, 3]);
  assert.equal(pacer.skipped, 0);
});

test('a worker far behind runs the last few steps and skips the rest', () => {
  const { pacer, ran, at } = paced();
  pacer.run();
  at(1000 + 50 * 20);
  pacer.run();
  assert.deepEqual(ran, [0, 46, 47, 48, 49, 50]);
  assert.equal(pacer.skipped, 45);
});

test('by default a worker catches up 100 ms of steps', () => {
  assert.equal(MAX_CATCH_UP * PHASE_MS, 100);
});
