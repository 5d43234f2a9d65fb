import { test } from 'node:test';
import assert from 'node:assert/strict';
import { perDomain, TimerGroup } from '../../src/clock/clock.ts';
import { ClockDomains, createClock, domainCrossing, domainHere, inDomainOf, virtualClockOf } from '../../src/clock/domains.ts';

const A = { subaccountId: 'SAAAAAAAAAAAAAAAAAAA' };
const B = { subaccountId: 'SABBBBBBBBBBBBBBBBBB' };
const ROOT = { subaccountId: null };

test('each subaccount keeps its own time: advancing one fires only its timers', async () => {
  const clock = new ClockDomains(1_000);
  const fired: string[] = [];
  clock.run(A, () => clock.after(500, () => fired.push(`a at ${clock.now()}`)));
  clock.run(B, () => clock.after(500, () => fired.push(`b at ${clock.now()}`)));
  clock.after(500, () => fired.push(`root at ${clock.now()}`));

  await clock.run(A, () => clock.virtual().advance(600));
  assert.deepEqual(fired, ['a at 1500']);
  assert.equal(clock.run(A, () => clock.now()), 1_600);
  assert.equal(clock.run(B, () => clock.now()), 1_000);
  assert.equal(clock.now(), 1_000);

  await clock.virtual().advance(500);
  await clock.run(B, () => clock.virtual().advance(500));
  assert.deepEqual(fired, ['a at 1500', 'root at 1500', 'b at 1500']);
});

test('a timer runs in the domain that set it, and so does what it starts', async () => {
  const clock = new ClockDomains(0);
  const seen: Array<string | null | undefined> = [];
  clock.run(A, () =>
    clock.after(10, () => {
      seen.push(domainHere(clock)?.subaccountId);
      void Promise.resolve().then(() => seen.push(domainHere(clock)?.subaccountId));
    }),
  );
  await clock.run(A, () => clock.virtual().advance(10));
  assert.deepEqual(seen, [A.subaccountId, A.subaccountId]);
});

test('a new domain starts at the root domain\'s time', async () => {
  const clock = new ClockDomains(0);
  await clock.virtual().advance(5_000);
  assert.equal(clock.run(A, () => clock.now()), 5_000);
});

test('per-domain state and timer groups count each domain apart', async () => {
  const clock = new ClockDomains(0);
  const timers = new TimerGroup(clock);
  const made = perDomain(clock, () => ({ n: 0 }));
  clock.run(A, () => {
    made.here().n++;
    timers.after(100, () => {});
  });
  assert.equal(clock.run(A, () => timers.pending()), 1);
  assert.equal(clock.run(B, () => timers.pending()), 0);
  assert.equal(timers.pending(), 0);
  assert.equal(clock.run(A, () => made.here().n), 1);
  assert.equal(made.here().n, 0);
  assert.equal([...made.all()].length, 2);
  await clock.run(A, () => clock.virtual().advance(100));
  assert.equal(clock.run(A, () => timers.pending()), 0);
});

test('acting for another domain is a crossing that names both; the same domain is not', () => {
  const clock = new ClockDomains(0);
  assert.equal(domainCrossing(clock, ROOT), undefined);
  assert.equal(clock.run(A, () => domainCrossing(clock, A)), undefined);
  assert.equal(domainCrossing(clock, A), `the main account and subaccount ${A.subaccountId} each keep their own virtual time, and this would join them`);
  assert.match(clock.run(A, () => domainCrossing(clock, B)) ?? '', new RegExp(`subaccount ${A.subaccountId} and subaccount ${B.subaccountId}`));
});

test('real and scaled clocks keep one domain: the helpers change nothing', () => {
  for (const clock of [createClock('real'), createClock('scaled', 10)]) {
    assert.equal(virtualClockOf(clock), undefined);
    assert.equal(domainCrossing(clock, A), undefined);
    assert.equal(domainHere(clock), undefined);
    assert.equal(inDomainOf(clock, A, () => 7), 7);
    const one = perDomain(clock, () => ({}));
    assert.equal(inDomainOf(clock, A, () => one.here()), one.here());
  }
  assert.ok(createClock('virtual') instanceof ClockDomains);
  // Beside the SIP driver, whose network legs belong to no account: one virtual clock.
  assert.ok(!(createClock('virtual', 1, false) instanceof ClockDomains));
  assert.ok(virtualClockOf(createClock('virtual', 1, false)));
});
