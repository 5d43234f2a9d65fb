// The worker's pacing on an injected clock: each due step once, in order; a starved worker catches up a little, then skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CATCH_UP, Pacer } from '../../../../src/telephony/sip/rtp/rtp-pacer.ts';
import { phaseFor } from '../../../../src/telephony/sip/rtp/rtp-media.ts';
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

test('steps with nothing to do are slept through, half the catch-up limit at most, and none counts as skipped', () => {
  let now = 1000;
  const ran: number[] = [];
  const pacer = new Pacer(() => now, 1000, (n) => ran.push(n), 10, 20);
  const busy = (n: number) => n % 4 === 0;
  pacer.run();
  assert.equal(pacer.untilBusy(busy), 4 * 20, 'steps 1-3 have nothing to do: step 4 is next');
  assert.equal(pacer.untilBusy(() => false), 6 * 20, 'an idle worker still wakes every half catch-up limit (5 steps after the next)');
  now = 1000 + 4 * 20;
  pacer.run();
  assert.deepEqual(ran, [0, 1, 2, 3, 4], 'the steps slept through run (as no-ops) when the busy one is due');
  assert.equal(pacer.skipped, 0);
});

test('a new session ticks in the fullest phase with room: few calls wake a worker for one step in four', () => {
  assert.equal(phaseFor([0, 0, 0, 0]), 0);
  assert.equal(phaseFor([5, 0, 0, 0]), 0);
  assert.equal(phaseFor([32, 3, 0, 0]), 1);
  assert.equal(phaseFor([0, 7, 31, 0]), 2);
  assert.equal(phaseFor([32, 40, 33, 32]), 0, 'all full: the emptiest');
});
