// Credit held for calls in progress, on a virtual clock: the engine holds a
// call's first billing increment before it starts and each next one a
// second before it begins; a call its owner can no longer pay for ends with
// 1010 Canceled (Out Of Credits) and its hangup callback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/errors.ts';
import type { CreditPort } from '../../../src/voice/engine/ports.ts';
import { dialOut, harness, PLATFORM_NUMBER } from '../harness.ts';

const PHONE = '14155550100';
const ANSWER = 'http://app/answer';
const doc = (body: string) => `<Response>${body}</Response>`;

/**
 * A wallet of `increments` billing increments; counts what each call holds.
 * `h.call` dials straight into the engine (no Call API, which holds the first
 * increment before placing a call), so a call the wallet has not seen counts
 * as holding its first.
 */
function wallet(increments: number) {
  let left = increments;
  const held = new Map<string, number>();
  const port: CreditPort = {
    incrementMs: 60_000,
    async hold(_owner, calls) {
      const priced = calls.filter((c) => c.rate);
      if (priced.length > left) throw new ApiError(400, 'insufficient credit');
      left -= priced.length;
      for (const c of priced) held.set(c.uuid, 1);
    },
    async extend(_owner, uuid) {
      if (left === 0) return false;
      left--;
      held.set(uuid, (held.get(uuid) ?? 1) + 1);
      return true;
    },
    async release(uuid) {
      held.delete(uuid);
    },
  };
  return { port, held };
}

test('a call holds each next increment before it begins and ends out of credits when none is left', async () => {
  const credit = wallet(3);
  const h = harness({ [ANSWER]: doc('<Wait length="3600"/>') }, { credit: credit.port });
  const call = h.call(PHONE);
  await h.settle();
  const ended = h.ended.find((e) => e.uuid === call.uuid)!;
  assert.equal(ended.causeCode, 1010);
  assert.equal(ended.causeName, 'Canceled (Out Of Credits)');
  assert.equal(ended.source, 'Plivo');
  // Four increments held (its first and three more): it ends a second before the fifth would begin, so it bills four.
  assert.equal(ended.endedAt - ended.answeredAt!, 4 * 60_000 - 1000);
  assert.equal(ended.durationS, 239);
  assert.equal(credit.held.get(call.uuid), 4);
  const hangup = h.requests.find((r) => r.kind === 'hangup' && r.params.CallUUID === call.uuid)!;
  assert.equal(hangup.params.HangupCauseCode, '1010');
  assert.equal(hangup.params.HangupCauseName, 'Canceled (Out Of Credits)');
  assert.equal(hangup.params.HangupSource, 'Plivo');
  assert.ok(h.logs.some((l) => l.callUuid === call.uuid && /ran out of credit/.test(l.message)));
});

test('a call that ends before its next increment holds nothing more', async () => {
  const credit = wallet(10);
  const h = harness({ [ANSWER]: doc('<Wait length="90"/>') }, { credit: credit.port });
  const call = h.call(PHONE);
  await h.settle();
  assert.equal(h.ended.find((e) => e.uuid === call.uuid)!.causeCode, 4010);
  assert.equal(credit.held.get(call.uuid), 2, 'the first increment, and the second from 59 s');
});

test('a leg the owner cannot pay for is never dialled: Dial reports it, the caller goes on', async () => {
  // Nothing left beyond the caller's own first increment: the Dial's B-leg cannot be paid for.
  const credit = wallet(0);
  const h = harness(
    {
      [ANSWER]: doc('<Dial action="http://app/dialled"><Number>14155550199</Number></Dial>'),
      'http://app/dialled': (p) => doc(`<Speak>Dial ended ${p.DialStatus}</Speak>`),
    },
    { credit: credit.port },
  );
  const call = h.call(PHONE);
  await h.settle();
  const b = h.ended.find((e) => e.to === '14155550199')!;
  assert.equal(b.causeCode, 1010);
  assert.equal(b.answeredAt, undefined);
  assert.equal(h.carrier.find(b.uuid), undefined, 'the network never saw the leg');
  assert.ok(h.requests.some((r) => r.url === 'http://app/dialled'), 'the Dial action ran');
  assert.equal(h.ended.find((e) => e.uuid === call.uuid)!.causeCode, 4010);
});

test('an inbound call its owner cannot pay for ends out of credits without running its application', async () => {
  const credit = wallet(0);
  const h = harness({ [ANSWER]: doc('<Speak>Welcome</Speak>') }, { credit: credit.port, app: { answerUrl: ANSWER, answerMethod: 'POST', hangupUrl: 'http://app/hangup', hangupMethod: 'POST', fallbackUrl: '', fallbackMethod: 'POST' } });
  const leg = h.callIn('14155557777', PLATFORM_NUMBER);
  await h.settle();
  const ended = h.ended.find((e) => e.uuid === leg.uuid)!;
  assert.equal(ended.causeCode, 1010);
  assert.equal(h.requests.some((r) => r.url === ANSWER), false);
  assert.equal(h.requests.find((r) => r.kind === 'hangup')!.params.HangupCauseCode, '1010');
});

test('a call tells its record whether it can hold credit: a priced call releases its hold when billed, an unpriced one has none to release', async () => {
  const h = harness({ [ANSWER]: doc('<Speak>Hello</Speak>') });
  const priced = h.call(PHONE);
  // No rate (an unpriced destination or number): it holds nothing, so its charge releases nothing.
  const unpriced = dialOut(h.engine, '14155550101', { answer: { url: ANSWER, method: 'POST' } }, undefined);
  await h.settle();
  assert.equal(h.ended.find((e) => e.uuid === priced.uuid)!.holdsCredit, true);
  assert.equal(h.ended.find((e) => e.uuid === unpriced.uuid)!.holdsCredit, false);
});
