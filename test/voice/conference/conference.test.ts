// <Conference> in-process on a virtual clock: waiting for the moderator with
// wait music, enter beeps, ending on a moderator's exit, hangupOnStar,
// digitsMatch and maxMembers; a live-call Play to a member (mix).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { harness, type Doc } from '../harness.ts';
import { Conferences } from '../../../src/voice/conference/conferences.ts';
import { conferenceRunner } from '../../../src/voice/verbs/conference.ts';
import { PendingWork } from '../../../src/voice/rooms/kit.ts';
import { RoomNotifier } from '../../../src/voice/rooms/notify.ts';
import { MixTicker } from '../../../src/voice/rooms/ticker.ts';
import type { WebhookRequest } from '../../../src/webhooks/types.ts';
import { CallMedia } from '../../../src/voice/calls/call-media.ts';

const A = '14155550401';
const B = '14155550402';
const C = '14155550403';

function rooms(docs: Record<string, Doc>) {
  const h = harness(docs);
  const queued: WebhookRequest[] = [];
  const notifier = new RoomNotifier(h.engine, { fetch: async () => ({ ok: true, attempts: 1 }), fetchWithFallback: async () => ({ ok: true, attempts: 1 }), enqueue: async (r) => void queued.push(r) }, pino({ level: 'silent' }));
  // No recordings in these tests.
  const conferences = new Conferences({ engine: h.engine, ctx: undefined as never, recordings: undefined as never, ticker: new MixTicker(h.engine.clock), notifier, log: pino({ level: 'silent' }), pending: new PendingWork() });
  h.engine.verbs.register('Conference', conferenceRunner(conferences));
  const dial = (to: string, answer: string) => h.call(to, { answer: { url: answer, method: 'POST' } });
  return { h, conferences, dial };
}

const say = (after_ms: number, text: string) => ({ action: 'say' as const, text, after_ms });

test('members wait with wait music until the moderator comes; the moderator leaving ends the conference', async () => {
  const { h, dial } = rooms({
    'http://app/member': '<Response><Conference startConferenceOnEnter="false" waitSound="http://app/wait">Room</Conference><Speak>Conference over</Speak></Response>',
    'http://app/wait': '<Response><Play>http://media/wait.mp3</Play></Response>',
    'http://app/host': '<Response><Conference endConferenceOnExit="true" enterSound="beep:1">Room</Conference></Response>',
  });
  h.phones.set(B, { behaviour: 'answer', ring_seconds: 3, script: [say(500, 'welcome everyone'), { action: 'hangup', after_ms: 4000 }] });
  const a = dial(A, 'http://app/member');
  dial(B, 'http://app/host');
  await h.settle();
  const heard = h.leg(a.uuid).transcript();
  const types = heard.map((e) => e.type);
  assert.ok(heard.some((e) => e.type === 'play' && e.url === 'http://media/wait.mp3'), 'wait music while alone');
  assert.ok(types.includes('beep'), "the host's enter beep");
  assert.ok(heard.some((e) => e.type === 'speak' && e.text === 'welcome everyone'), 'the host is heard once the conference starts');
  assert.equal(heard.filter((e) => e.type === 'speak').at(-1)!.text, 'Conference over', 'the member goes on with its XML when the host leaves');
});

test('hangupOnStar leaves, digitsMatch reports, relayDTMF passes keys on, maxMembers turns callers away', async () => {
  const { h, dial } = rooms({
    'http://app/answer': '<Response><Conference maxMembers="2" hangupOnStar="true" digitsMatch="42" callbackUrl="http://app/events" action="http://app/left">Small</Conference><Speak>Not in the room</Speak></Response>',
    'http://app/left': '<Response><Speak>You left</Speak></Response>',
  });
  h.phones.set(A, { behaviour: 'answer', ring_seconds: 1, script: [{ action: 'dtmf', digits: '42', after_ms: 1000 }, { action: 'dtmf', digits: '*', after_ms: 2000 }] });
  h.phones.set(B, { behaviour: 'answer', ring_seconds: 1, script: [{ action: 'hangup', after_ms: 6000 }] });
  h.phones.set(C, { behaviour: 'answer', ring_seconds: 2, script: [] });
  const a = dial(A, 'http://app/answer');
  const b = dial(B, 'http://app/answer');
  const c = dial(C, 'http://app/answer');
  await h.settle();
  const events = h.requests.filter((r) => r.url === 'http://app/events');
  const digits = events.find((r) => r.params.ConferenceAction === 'digits')!;
  assert.equal(digits.params.ConferenceDigitsMatch, '42');
  assert.equal(digits.params.CallUUID, a.uuid);
  assert.ok(h.leg(b.uuid).transcript().some((e) => e.type === 'dtmf_heard' && e.digits === '42'), 'keys are relayed to the others');
  const left = h.requests.find((r) => r.url === 'http://app/left' && r.params.CallUUID === a.uuid)!;
  assert.equal(left.params.ConferenceName, 'Small');
  assert.ok(h.leg(a.uuid).transcript().some((e) => e.type === 'speak' && e.text === 'You left'));
  assert.deepEqual(h.leg(c.uuid).transcript().filter((e) => e.type === 'speak').map((e) => e.text), ['Not in the room'], 'a third caller finds the room full');
});

test('a live-call Play to a member: the room is heard over it (mix), or not at all until it ends (mix=false)', async () => {
  const { h, dial } = rooms({ 'http://app/answer': '<Response><Conference>Shop</Conference></Response>' });
  h.phones.set(A, { behaviour: 'answer', ring_seconds: 1, script: [] });
  h.phones.set(B, { behaviour: 'answer', ring_seconds: 1, script: [] });
  const a = dial(A, 'http://app/answer');
  const b = dial(B, 'http://app/answer');
  await h.clock.advance(3000);
  const media = new CallMedia(h.engine);
  const member = h.leg(a.uuid);
  const heardSpeech = () => member.transcript().filter((e) => e.type === 'speak');

  await media.play(a, { urls: ['http://media/hold.wav'], mix: false });
  await h.clock.advance(200);
  await h.leg(b.uuid).say('quiet please');
  await h.clock.advance(2000);
  assert.deepEqual(heardSpeech(), [], 'not heard while the file plays, nor after it');

  const start = h.clock.now() - member.startedAt;
  await media.play(a, { urls: ['http://media/hold.wav'] });
  await h.clock.advance(200);
  await h.leg(b.uuid).say('can you hear me');
  await h.clock.advance(2000);
  const plays = member.transcript().filter((e) => e.type === 'play' && e.at_ms >= start);
  assert.deepEqual(plays.map((e) => [e.at_ms, 'duration_ms' in e && e.duration_ms]), [[start, 1000]], 'the file plays whole, on time');
  const [speech] = heardSpeech();
  assert.equal(speech?.text, 'can you hear me');
  assert.ok(speech.at_ms >= start + 200 && speech.at_ms < start + 300, `heard as it was said (${speech.at_ms - start} ms into the file)`);
});
