// The XML interpreter on a virtual clock: verbs, their timing and what the
// far end heard, without a server or HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, MS_PER_CHAR } from './harness.ts';

const PHONE = '14155550100';

test('an answered call speaks its answer document and hangs up at its end', async () => {
  const h = harness({ 'http://app/answer': '<Response><Speak>Hello there</Speak></Response>' });
  const call = h.call(PHONE);
  await h.settle();
  const t = h.leg(call.uuid).transcript();
  assert.deepEqual(
    t.map((e) => e.type),
    ['answered', 'speak', 'hangup'],
  );
  const speak = t[1] as { text: string; duration_ms: number; at_ms: number };
  assert.equal(speak.text, 'Hello there');
  assert.equal(speak.duration_ms, 'Hello there'.length * MS_PER_CHAR);
  assert.equal(speak.at_ms, 1000, 'rings for a second, then answers and speaks at once');
  assert.equal(h.ended[0]!.causeName, 'End Of XML Instructions');
  assert.equal(h.ended[0]!.source, 'Plivo');
  const hangup = h.requests.find((r) => r.kind === 'hangup')!;
  assert.equal(hangup.params.HangupCauseCode, '4010');
  assert.equal(hangup.params.CallStatus, 'completed');
  assert.equal(hangup.params.Duration, '1');
});
