// The calls-per-second limit on a virtual clock: at most `cps` calls dialled
// in any second, the rest in order as they fit; hung-up queued calls skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimerGroup, VirtualClock } from '../../../src/clock/clock.ts';
import type { Call } from '../../../src/voice/engine/call.ts';
import { Pacer } from '../../../src/voice/calls/pacer.ts';

const T0 = Date.UTC(2026, 0, 1);

function setup(cps: number) {
  const clock = new VirtualClock(T0);
  const dialled: Array<[string, number]> = [];
  const pacer = new Pacer(new TimerGroup(clock), cps, (call) => dialled.push([(call as unknown as { uuid: string }).uuid, clock.now() - T0]));
  const call = (uuid: string) => ({ uuid, status: 'queued' }) as unknown as Call;
  return { clock, dialled, pacer, call };
}

test('2 per second: five at once go 2 now, 2 a second later, 1 after that, in order', async () => {
  const { clock, dialled, pacer, call } = setup(2);
  assert.deepEqual(['a', 'b', 'c', 'd', 'e'].map((u) => pacer.submit('acct', call(u))), [true, true, false, false, false]);
  await clock.runUntilIdle();
  assert.deepEqual(dialled, [['a', 0], ['b', 0], ['c', 1000], ['d', 1000], ['e', 2000]]);
});

test('no second ever holds more than the limit, whenever the calls come', async () => {
  const { clock, dialled, pacer, call } = setup(2);
  pacer.submit('acct', call('a'));
  await clock.advance(600);
  pacer.submit('acct', call('b'));
  assert.equal(pacer.submit('acct', call('c')), false, 'a and b are in the last second');
  await clock.runUntilIdle();
  assert.deepEqual(dialled, [['a', 0], ['b', 600], ['c', 1000]]);
});

test('accounts are paced apart; a queued call hung up meanwhile is skipped; fractions stretch the window', async () => {
  const { clock, dialled, pacer, call } = setup(0.5);
  const hungUp = { uuid: 'x', status: 'completed' } as unknown as Call;
  assert.equal(pacer.submit('one', call('a')), true);
  assert.equal(pacer.submit('two', call('b')), true);
  assert.equal(pacer.submit('one', hungUp), false);
  assert.equal(pacer.submit('one', call('c')), false);
  await clock.runUntilIdle();
  assert.deepEqual(dialled, [['a', 0], ['b', 0], ['c', 2000]]);
});
