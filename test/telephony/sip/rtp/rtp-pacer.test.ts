// The worker's pacing on an injected clock: each due step once, in order; a starved worker catches up a little, then skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GROUP_BUDGET_MS, MAX_CATCH_UP, Pacer, StepGroups } from '../../../../src/telephony/sip/rtp/rtp-pacer.ts';
import { phaseFor } from '../../../../src/telephony/sip/rtp/rtp-media.ts';
import { PHASE_MS, PHASES } from '../../../../src/telephony/sip/rtp/rtp-time.ts';

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

test('steps a group takes run early in the wake-up of the first due one, never a session twice', () => {
  let now = 1000;
  const ran: number[] = [];
  const pacer = new Pacer(() => now, 1000, (n) => ran.push(n), 20, PHASE_MS);
  assert.equal(pacer.run((first) => first + 3), 4 * PHASE_MS, 'steps 0-3 ran at step 0: step 4 is next');
  assert.deepEqual(ran, [0, 1, 2, 3]);
  now = 1000 + 4 * PHASE_MS - 0.5;
  assert.equal(pacer.run(() => 100), 0.5, 'no step due yet: nothing runs early');
  assert.deepEqual(ran, [0, 1, 2, 3]);
  now = 1000 + 5 * PHASE_MS + 1;
  pacer.run(() => 100);
  assert.deepEqual(ran, [0, 1, 2, 3, 4, 5, 6, 7], 'at most a tick of phases from the first due step, however far the group is asked');
  now = 1000 + 8 * PHASE_MS;
  pacer.run((first) => first);
  assert.deepEqual(ran.slice(8), [8], 'a group of one: the due step alone');
});

test('phases are grouped by what their sessions cost: all four, halves, or each alone', () => {
  const groups = new StepGroups(5);
  groups.tickMs = 0.01;
  const load = (counts: number[]) => (m: number) => counts[m % PHASES]!;
  assert.equal(groups.end(8, load([100, 100, 100, 100])), 11, '4 ms of work in all: one wake-up a tick');
  assert.equal(groups.end(9, load([100, 100, 100, 100])), 11, 'woken later in the group (its first phases idle): to the same end');
  assert.equal(groups.end(8, load([150, 150, 150, 150])), 9, '6 ms: phases 0-1 …');
  assert.equal(groups.end(10, load([150, 150, 150, 150])), 11, '… and 2-3');
  assert.equal(groups.end(10, load([150, 150, 300, 0])), 11, 'halves are sized on their own');
  assert.equal(groups.end(8, load([300, 250, 0, 0])), 8, 'a half over the budget: each step alone');
  assert.equal(groups.end(5, load([10, 600, 10, 10])), 5, 'one big phase keeps its half apart');
  assert.equal(groups.end(6, load([10, 600, 10, 10])), 7, '… not the other half');
});

test("the groups' estimate of a session tick follows the measured wake-ups, not the ones too small to say", () => {
  const groups = new StepGroups();
  const first = groups.tickMs;
  groups.measured(8, 5);
  assert.equal(groups.tickMs, first, 'fewer than 16 ticks: not counted');
  for (let i = 0; i < 200; i++) groups.measured(400, 4);
  assert.ok(Math.abs(groups.tickMs - 0.01) < 0.0005, `converges on 10 µs a tick (${groups.tickMs})`);
  assert.equal(GROUP_BUDGET_MS, PHASE_MS, "a group's work is at most one step's time");
});
