// <Dial> in-process on a virtual clock: forking, bridging audio both ways,
// the action and callback parameters and the B-legs' records.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from '../harness.ts';

const CALLER = '14155550100';
const AGENT = '14155550200';
const OTHER = '14155550300';

const say = (after_ms: number, text: string) => ({ action: 'say' as const, text, after_ms });
const hangup = (after_ms: number) => ({ action: 'hangup' as const, after_ms });

test('the caller and the dialled agent hear each other; the agent hanging up sends DialStatus to action', async () => {
  const h = harness({
    'http://app/answer': `<Response><Dial action="http://app/dialed" callbackUrl="http://app/events"><Number>${AGENT}</Number></Dial></Response>`,
    'http://app/dialed': '<Response><Speak>Goodbye</Speak></Response>',
  });
  h.phones.set(CALLER, { behaviour: 'answer', ring_seconds: 1, script: [say(2500, 'hi agent')] });
  h.phones.set(AGENT, { behaviour: 'answer', ring_seconds: 1, script: [say(300, 'hello caller'), hangup(4000)] });
  const a = h.call(CALLER);
  await h.settle();

  const b = h.ended.find((c) => c.to === AGENT)!;
  assert.equal(b.parentCallUuid, a.uuid, "the B-leg's record names the caller's call");
  assert.equal(b.direction, 'outbound');
  const heardByA = h.leg(a.uuid).transcript();
  const heardByB = h.leg(b.uuid).transcript();
  assert.ok(heardByA.some((e) => e.type === 'tone' && e.name === 'ringback'), 'the caller hears ring-back while it rings');
  assert.ok(heardByA.some((e) => e.type === 'speak' && e.text === 'hello caller'), 'the caller hears the agent');
  assert.ok(heardByB.some((e) => e.type === 'speak' && e.text === 'hi agent'), 'the agent hears the caller');
  assert.ok(heardByA.some((e) => e.type === 'speak' && e.text === 'Goodbye'), 'the action document runs after the Dial');

  const action = h.requests.find((r) => r.url === 'http://app/dialed')!;
  assert.equal(action.params.DialStatus, 'completed');
  assert.equal(action.params.DialALegUUID, a.uuid);
  assert.equal(action.params.DialBLegUUID, b.uuid);
  assert.equal(action.params.DialRingStatus, 'true');
  assert.equal(action.params.DialHangupCause, 'NORMAL_CLEARING');
  const events = h.requests.filter((r) => r.url === 'http://app/events').map((r) => r.params.DialAction);
  assert.deepEqual(events, ['answer', 'connected', 'hangup']);
});

test('parallel forking: the first to answer wins and the others are cancelled', async () => {
  const h = harness({ 'http://app/answer': `<Response><Dial><Number>${AGENT}</Number><Number>${OTHER}</Number></Dial></Response>` });
  h.phones.set(AGENT, { behaviour: 'answer', ring_seconds: 5, script: [] });
  h.phones.set(OTHER, { behaviour: 'answer', ring_seconds: 2, script: [say(100, 'it is me'), hangup(2000)] });
  const a = h.call(CALLER);
  await h.settle();
  const other = h.ended.find((c) => c.to === OTHER)!;
  const agent = h.ended.find((c) => c.to === AGENT)!;
  assert.equal(other.state, 'ANSWER');
  assert.equal(agent.state, 'CANCEL', 'the slower phone stops ringing');
  assert.equal(agent.parentCallUuid, a.uuid);
  assert.ok(h.leg(a.uuid).transcript().some((e) => e.type === 'speak' && e.text === 'it is me'));
});

test('nobody answers: busy, then no-answer on timeout; the next verb runs without an action', async () => {
  const h = harness({
    'http://app/answer': `<Response><Dial action="http://app/dialed" redirect="false"><Number>${AGENT}</Number></Dial><Dial timeout="3"><Number>${OTHER}</Number></Dial><Speak>Nobody is there</Speak></Response>`,
  });
  h.phones.set(AGENT, { behaviour: 'busy', ring_seconds: 1, script: [] });
  h.phones.set(OTHER, { behaviour: 'no_answer', ring_seconds: 30, script: [] });
  const a = h.call(CALLER);
  await h.settle();
  const action = h.requests.find((r) => r.url === 'http://app/dialed')!;
  assert.equal(action.params.DialStatus, 'busy');
  assert.equal(action.params.DialBLegUUID, '');
  assert.equal(action.params.DialRingStatus, 'false');
  const other = h.ended.find((c) => c.to === OTHER)!;
  assert.equal(other.causeName, 'Ring Timeout Reached');
  assert.ok(h.leg(a.uuid).transcript().some((e) => e.type === 'speak' && e.text === 'Nobody is there'));
});

// The same with keys signalled (RFC 4733) and sent as tones in the audio.
for (const keys of ['rfc4733', 'inband'] as const) {
  describe(`keys sent ${keys}`, () => {
    test('confirmKey: an agent who does not press it is dropped, the one who does is connected', async () => {
      const h = harness(
        {
          'http://app/answer': `<Response><Dial confirmSound="http://app/confirm" confirmKey="5" confirmTimeout="4" dialMusic="http://app/music" action="http://app/dialed"><Number>${AGENT}</Number><Number>${OTHER}</Number></Dial></Response>`,
          'http://app/confirm': '<Response><Speak>Press 5 to take the call</Speak><Dial><Number>1</Number></Dial></Response>',
          'http://app/music': '<Response><Play>http://media/hold.mp3</Play></Response>',
        },
        { dtmfMode: keys },
      );
      h.phones.set(AGENT, { behaviour: 'answer', ring_seconds: 1, script: [] });
      h.phones.set(OTHER, { behaviour: 'answer', ring_seconds: 2, script: [{ action: 'dtmf', digits: '5', on_hear: 'press 5' }, say(500, 'agent two'), hangup(1000)] });
      const a = h.call(CALLER);
      await h.settle();
      const agent = h.ended.find((c) => c.to === AGENT)!;
      const other = h.ended.find((c) => c.to === OTHER)!;
      assert.equal(agent.state, 'ANSWER');
      assert.equal(agent.source, 'Plivo', 'the agent who never confirmed is hung up by the platform');
      assert.ok(h.leg(agent.uuid).transcript().some((e) => e.type === 'speak' && e.text === 'Press 5 to take the call'));
      const heardByA = h.leg(a.uuid).transcript();
      assert.ok(heardByA.some((e) => e.type === 'play' && e.url === 'http://media/hold.mp3'), 'dialMusic plays while it rings');
      assert.ok(heardByA.some((e) => e.type === 'speak' && e.text === 'agent two'));
      assert.equal(h.requests.find((r) => r.url === 'http://app/dialed')!.params.DialBLegUUID, other.uuid);
      assert.equal(h.requests.find((r) => r.url === 'http://app/confirm')!.params.CallUUID, agent.uuid, 'confirmSound is fetched for the called leg');
    });

    test('hangupOnStar ends the bridge and the caller goes on; timeLimit cuts the called party off', async () => {
      const h = harness(
        { 'http://app/answer': `<Response><Dial hangupOnStar="true"><Number>${AGENT}</Number></Dial><Dial timeLimit="3"><Number>${OTHER}</Number></Dial><Speak>Done</Speak></Response>` },
        { dtmfMode: keys },
      );
      h.phones.set(CALLER, { behaviour: 'answer', ring_seconds: 1, script: [{ action: 'dtmf', digits: '*', after_ms: 3000 }] });
      const a = h.call(CALLER);
      // A bridged call waits on no timer of its own: run the clock to the time limit.
      await h.clock.runUntilIdle(60_000);
      const agent = h.ended.find((c) => c.to === AGENT)!;
      const other = h.ended.find((c) => c.to === OTHER)!;
      assert.equal(agent.source, 'Caller');
      assert.equal(other.causeName, 'Scheduled Hangup');
      assert.equal(other.durationS, 3);
      assert.ok(h.leg(a.uuid).transcript().some((e) => e.type === 'speak' && e.text === 'Done'));
    });

    test('keys pressed during the bridge reach the other party once: signalled keys are sent on, tones cross with the audio', async () => {
      const h = harness(
        { 'http://app/answer': `<Response><Dial digitsMatch="12" callbackUrl="http://app/events"><Number>${AGENT}</Number></Dial></Response>` },
        { dtmfMode: keys },
      );
      h.phones.set(CALLER, { behaviour: 'answer', ring_seconds: 1, script: [{ action: 'dtmf', digits: '12', after_ms: 3000 }, hangup(2000)] });
      const a = h.call(CALLER);
      await h.settle();
      const agent = h.ended.find((c) => c.to === AGENT)!;
      assert.deepEqual(h.leg(agent.uuid).transcript().filter((e) => e.type === 'dtmf_heard').map((e) => e.digits), ['12']);
      const digits = h.requests.filter((r) => r.url === 'http://app/events' && r.params.DialAction === 'digits');
      assert.deepEqual(digits.map((r) => [r.params.DialDigitsMatch, r.params.DialDigitsPressedBy]), [['12', 'ALeg']]);
      assert.equal(h.leg(a.uuid).state, 'ended');
    });
  });
}

test('the caller hanging up releases the called party and still reports to action', async () => {
  const h = harness({ 'http://app/answer': `<Response><Dial action="http://app/dialed"><Number>${AGENT}</Number></Dial></Response>` });
  h.phones.set(CALLER, { behaviour: 'answer', ring_seconds: 1, script: [hangup(4000)] });
  h.call(CALLER);
  await h.settle();
  const agent = h.ended.find((c) => c.to === AGENT)!;
  assert.equal(agent.source, 'Caller');
  const action = h.requests.find((r) => r.url === 'http://app/dialed')!;
  assert.equal(action.params.DialStatus, 'completed');
  assert.equal(action.params.CallStatus, 'completed');
});

test('Number sendDigits reach the called party once it answers', async () => {
  const h = harness({ 'http://app/answer': `<Response><Dial><Number sendDigits="12">${AGENT}</Number></Dial></Response>` });
  h.phones.set(AGENT, { behaviour: 'answer', ring_seconds: 1, script: [hangup(3000)] });
  h.call(CALLER);
  await h.settle();
  const agent = h.ended.find((c) => c.to === AGENT)!;
  assert.deepEqual(h.leg(agent.uuid).transcript().filter((e) => e.type === 'dtmf_heard').map((e) => e.digits), ['12']);
});
