// The redirect hop limit on a virtual clock: documents that move on at once
// (a Redirect to itself, documents redirecting to each other) end the call
// after MAX_INSTANT_HOPS, with a log entry; a loop that plays or waits for
// the caller between fetches is left alone (hold music, polling a queue).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from '../harness.ts';
import { INSTANT_HOP_MS, MAX_INSTANT_HOPS } from '../../../src/voice/interpreter/program.ts';

const PHONE = '14155550100';
const ANSWER = 'http://app/answer';
const doc = (body: string) => `<Response>${body}</Response>`;

test('a Redirect to itself ends the call after the hop limit, with Error Reaching Redirect URL and a log entry', async () => {
  const h = harness({ [ANSWER]: doc(`<Redirect>${ANSWER}</Redirect>`) });
  const call = h.call(PHONE);
  await h.settle();
  // The answer fetch plus MAX_INSTANT_HOPS redirects; the next one is never requested.
  assert.equal(h.requests.filter((r) => r.url === ANSWER).length, 1 + MAX_INSTANT_HOPS);
  const ended = h.ended.find((e) => e.uuid === call.uuid)!;
  assert.equal(ended.causeCode, 7014);
  assert.equal(ended.source, 'Error');
  const entry = h.logs.find((l) => l.callUuid === call.uuid && l.kind === 'error' && /redirect loop/.test(l.message));
  assert.ok(entry, 'the call log says why');
  assert.equal((entry.data as { url: string }).url, ANSWER);
});

test('documents that redirect to each other count as one loop; a Play of nothing does not wait', async () => {
  const h = harness({
    [ANSWER]: doc('<Redirect>http://app/b</Redirect>'),
    'http://app/b': doc('<Play>http://media/missing.mp3</Play><Redirect method="GET">http://app/answer</Redirect>'),
  });
  const call = h.call(PHONE);
  await h.settle();
  assert.equal(h.requests.filter((r) => r.kind === 'redirect').length, MAX_INSTANT_HOPS);
  assert.equal(h.ended.find((e) => e.uuid === call.uuid)!.causeCode, 7014);
});

test('a loop that waits for the caller between fetches runs until the caller leaves', async () => {
  // Hold music: play, then ask the server again (a queue position check).
  const h = harness({ [ANSWER]: doc(`<Wait length="${INSTANT_HOP_MS / 1000 + 1}"/><Redirect>${ANSWER}</Redirect>`) });
  h.phones.set(PHONE, { behaviour: 'answer', ring_seconds: 1, script: [{ after_ms: 60_000, action: 'hangup' }] });
  const call = h.call(PHONE);
  await h.settle();
  const ended = h.ended.find((e) => e.uuid === call.uuid)!;
  assert.equal(ended.causeCode, 4000, 'the caller hung up');
  assert.ok(h.requests.filter((r) => r.url === ANSWER).length > MAX_INSTANT_HOPS + 1);
});
