// The engine over the sandbox carrier's loop-back, on a virtual clock: a
// call the platform places to its own number is two calls, the caller's
// (outbound) and the number's (inbound), whose progress, audio and ending
// follow each other at exact platform times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, MS_PER_CHAR, PLATFORM_NUMBER } from './harness.ts';
import { MAX_LOOP_HOPS } from '../../src/telephony/sim/carrier.ts';
import type { TranscriptEvent } from '../../src/telephony/sim/transcript.ts';

const SHOP = 'http://app/shop';
const APP = { answerUrl: SHOP, answerMethod: 'POST' as const, hangupUrl: 'http://app/shop-hangup', hangupMethod: 'POST' as const, fallbackUrl: '', fallbackMethod: 'POST' as const };
const doc = (body: string) => `<Response>${body}</Response>`;
const said = (t: TranscriptEvent[]) => t.flatMap((e) => (e.type === 'said' ? [`${e.text}@${e.at_ms}`] : []));
const spoken = (t: TranscriptEvent[]) => t.flatMap((e) => (e.type === 'speak' ? [`${e.text}@${e.at_ms}`] : []));

test("the number's application answers at once: both calls are answered together and hear each other from then", async () => {
  const h = harness(
    {
      [SHOP]: doc('<Speak>Welcome</Speak><Wait length="2"/><Hangup/>'),
      'http://app/answer': doc('<Speak>Hi there</Speak><Wait length="60"/>'),
    },
    { app: APP },
  );
  const out = h.call(PLATFORM_NUMBER);
  await h.settle();
  const ended = (direction: string) => h.ended.find((e) => e.direction === direction)!;
  const caller = ended('outbound');
  const shop = ended('inbound');
  assert.equal(caller.uuid, out.uuid);
  assert.equal(shop.from, out.from);
  assert.equal(shop.to, PLATFORM_NUMBER);
  assert.equal(caller.answeredAt, shop.answeredAt);
  assert.equal(caller.endedAt, shop.endedAt);
  assert.equal(caller.causeName, 'Normal Hangup');
  assert.equal(caller.source, 'Callee');
  assert.equal(shop.source, 'Answer XML');

  const tOut = h.leg(out.uuid).transcript();
  const tIn = h.leg(shop.uuid).transcript();
  assert.deepEqual(spoken(tOut), ['Hi there@0']);
  assert.deepEqual(said(tOut), ['Welcome@0']);
  assert.deepEqual(spoken(tIn), ['Welcome@0']);
  assert.deepEqual(said(tIn), ['Hi there@0']);
  assert.equal(caller.durationS, Math.ceil(('Welcome'.length * MS_PER_CHAR + 2000) / 1000));
  const answer = h.requests.find((r) => r.url === SHOP)!;
  assert.equal(answer.params.Direction, 'inbound');
  assert.equal(answer.params.From, out.from);
});

test('early media reaches the caller, and the caller giving up while it rings cancels the inbound call', async () => {
  const h = harness({ [SHOP]: doc('<PreAnswer><Speak>Please hold</Speak><Wait length="60"/></PreAnswer><Speak>Hello</Speak>') }, { app: APP });
  const out = h.call(PLATFORM_NUMBER, { ringTimeoutS: 10 });
  await h.settle();
  const caller = h.ended.find((e) => e.uuid === out.uuid)!;
  const shop = h.ended.find((e) => e.direction === 'inbound')!;
  assert.equal(caller.causeName, 'Ring Timeout Reached');
  assert.equal(caller.answeredAt, undefined);
  assert.equal(shop.causeName, 'Canceled');
  assert.equal(shop.source, 'Caller');
  assert.equal(shop.endedAt, caller.endedAt);
  assert.deepEqual(said(h.leg(out.uuid).transcript()), ['Please hold@0']);
  assert.equal(
    h.requests.some((r) => r.url === 'http://app/answer'),
    false,
    "the caller's application never runs",
  );
});

test('a number whose application dials itself comes back in at most MAX_LOOP_HOPS times; the next pass finds it unreachable', async () => {
  const h = harness({ [SHOP]: doc(`<Dial><Number>${PLATFORM_NUMBER}</Number></Dial>`) }, { app: APP });
  const first = h.callIn('14155550100', PLATFORM_NUMBER);
  await h.settle();
  const inbound = h.ended.filter((e) => e.direction === 'inbound');
  const outbound = h.ended.filter((e) => e.direction === 'outbound');
  assert.equal(inbound.length, 1 + MAX_LOOP_HOPS, 'the first call and every pass');
  assert.equal(outbound.length, MAX_LOOP_HOPS + 1, 'every pass, and the one refused');
  assert.deepEqual(
    outbound.filter((e) => e.causeName === 'Destination Out Of Service').map((e) => e.answeredAt),
    [undefined],
  );
  assert.ok(h.ended.some((e) => e.uuid === first.uuid));
  assert.equal(h.engine.live().next().done, true, 'every call ended');
});
