// The XML interpreter on a virtual clock: verbs, their timing and what the
// far end heard, without a server or HTTP. Answer documents come from a map,
// speech lasts MS_PER_CHAR per character.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { harness, MS_PER_CHAR, type Harness } from '../harness.ts';
import { VerbRegistry } from '../../../src/voice/interpreter/registry.ts';
import { speakRunner } from '../../../src/voice/verbs/speak.ts';
import type { TranscriptEvent } from '../../../src/telephony/sim/transcript.ts';
import { DTMF_MODES, type DtmfMode } from '../../../src/telephony/sim/behaviour.ts';

const PHONE = '14155550100';
const ANSWER = 'http://app/answer';
const doc = (body: string) => `<Response>${body}</Response>`;
const speakMs = (text: string) => text.length * MS_PER_CHAR;

const types = (t: TranscriptEvent[]) => t.map((e) => e.type);
const spoken = (t: TranscriptEvent[]) => t.flatMap((e) => (e.type === 'speak' ? [e.text] : []));
const requestsTo = (h: Harness, url: string) => h.requests.filter((r) => r.url === url);

/** Place a call, run it to its end, return the far end's transcript. */
async function run(h: Harness, setup = {}) {
  const call = h.call(PHONE, setup);
  await h.settle();
  return { call, t: h.leg(call.uuid).transcript(), ended: h.ended.find((e) => e.uuid === call.uuid)! };
}

test('an answered call speaks its answer document and hangs up at its end', async () => {
  const h = harness({ [ANSWER]: doc('<Speak>Hello there</Speak>') });
  const { t, ended } = await run(h);
  assert.deepEqual(types(t), ['answered', 'speak', 'hangup']);
  const speak = t[1] as Extract<TranscriptEvent, { type: 'speak' }>;
  assert.equal(speak.text, 'Hello there');
  assert.equal(speak.voice, 'WOMAN');
  assert.equal(speak.language, 'en-US');
  assert.equal(speak.duration_ms, speakMs('Hello there'));
  assert.equal(speak.at_ms, 1000, 'rings for a second, then answers and speaks at once');
  assert.equal(ended.causeName, 'End Of XML Instructions');
  assert.equal(ended.source, 'Plivo');
  const hangup = h.requests.find((r) => r.kind === 'hangup')!;
  assert.equal(hangup.params.HangupCauseCode, '4010');
  assert.equal(hangup.params.CallStatus, 'completed');
});

test("each change of a call's status is in its log, in order with its webhooks and verbs", async () => {
  const h = harness({ [ANSWER]: doc('<Speak>Hello</Speak>') });
  const { call } = await run(h);
  const log = h.logs.filter((l) => l.callUuid === call.uuid);
  const states = log.filter((l) => l.kind === 'state');
  assert.deepEqual(states.map((l) => l.data?.state), ['ringing', 'in-progress', 'completed']);
  assert.equal(states[2]!.message, 'completed: End Of XML Instructions (Plivo)');
  assert.equal(states[2]!.data?.hangup_cause_code, 4010);
  const answered = log.indexOf(states[1]!);
  assert.ok(answered < log.findIndex((l) => l.kind === 'verb'), 'answered before its first verb ran');
  assert.ok(log.indexOf(states[2]!) > log.findIndex((l) => l.kind === 'verb'), 'completed after it');
});

test('Speak with SSML is synthesized as SSML, heard as its words, in its voice and language', async () => {
  const h = harness({ [ANSWER]: doc('<Speak voice="MAN" language="en-GB" loop="2">Your code is <say-as interpret-as="digits">42</say-as><break time="500ms"/> goodbye</Speak>') });
  const { t } = await run(h);
  assert.deepEqual(spoken(t), ['Your code is 42 goodbye', 'Your code is 42 goodbye']);
  const req = h.speech[0]!;
  assert.equal(req.ssml, true);
  assert.match(req.text, /<say-as interpret-as="digits">42<\/say-as>/);
  assert.equal(req.voice, 'MAN');
  assert.equal(req.language, 'en-GB');
  const first = t.find((e) => e.type === 'speak');
  assert.ok(first?.type === 'speak' && first.voice === 'MAN' && first.language === 'en-GB');
});

// ---- GetDigits ----------------------------------------------------------------------

function menuWith(keys: DtmfMode, attrs: string, after = '<Speak>No input</Speak>', prompt = '<Speak>Enter your code</Speak>') {
  return harness(
    {
      [ANSWER]: doc(`<GetDigits action="http://app/digits" ${attrs}>${prompt}</GetDigits>${after}`),
      'http://app/digits': (p) => doc(`<Speak>Got ${p.Digits}</Speak>`),
    },
    { dtmfMode: keys },
  );
}

/** The phone presses `digits` `after_ms` after hearing the prompt. */
const pressing = (h: Harness, digits: string, after_ms = 0) =>
  h.phones.set(PHONE, { behaviour: 'answer', ring_seconds: 1, script: [{ on_hear: 'enter your code', after_ms, action: 'dtmf', digits }] });

// Phones send keys as signalled events (RFC 4733), as tones in their audio
// only, or both ways at once: the platform hears the same keys at the same
// moments, so every IVR test here passes the same in all three.
for (const keys of DTMF_MODES) {
  describe(`keys sent ${keys}`, () => {
    const menu = (attrs: string, after?: string, prompt?: string) => menuWith(keys, attrs, after, prompt);

    test('a five-minute IVR runs in milliseconds of wall time, exactly on the platform clock', async () => {
      const h = harness(
        {
          [ANSWER]: doc(`<Speak>Welcome</Speak><GetDigits action="http://app/menu" numDigits="1" timeout="30"><Speak>Press 1</Speak></GetDigits>`),
          'http://app/menu': doc('<Speak>Please hold</Speak><Wait length="240"/><Speak>Thank you for waiting</Speak>'),
        },
        { dtmfMode: keys },
      );
      h.phones.set(PHONE, { behaviour: 'answer', ring_seconds: 1, script: [{ on_hear: 'press 1', after_ms: 2000, action: 'dtmf', digits: '1' }] });
      const start = h.clock.now();
      const { t, ended } = await run(h);
      assert.deepEqual(spoken(t), ['Welcome', 'Press 1', 'Please hold', 'Thank you for waiting']);
      // ring 1 s + prompts + 2 s to press + key tone + 240 s hold + closing words
      const expected = 1000 + speakMs('Welcome') + speakMs('Press 1') + 2000 + 100 + speakMs('Please hold') + 240_000 + speakMs('Thank you for waiting');
      assert.equal(ended.endedAt - start, expected);
      assert.ok(ended.endedAt - start > 4 * 60_000);
      assert.equal(ended.causeCode, 4010);
    });

    test('GetDigits sends the keys once numDigits are in, and the action document replaces the rest', async () => {
      const h = menu('numDigits="3"');
      pressing(h, '1234');
      const { t } = await run(h);
      assert.deepEqual(spoken(t), ['Enter your code', 'Got 123']);
      const [req] = requestsTo(h, 'http://app/digits');
      assert.equal(req!.params.Digits, '123');
      assert.equal(req!.method, 'POST');
      assert.equal(req!.kind, 'action');
    });

    test('GetDigits stops at finishOnKey, which is not part of the digits', async () => {
      const h = menu('finishOnKey="*"');
      pressing(h, '42*9');
      await run(h);
      assert.equal(requestsTo(h, 'http://app/digits')[0]!.params.Digits, '42');
    });

    test('GetDigits sends what it has after digitTimeout of silence', async () => {
      const h = menu('digitTimeout="3"');
      pressing(h, '7WWWW8');
      await run(h);
      assert.equal(requestsTo(h, 'http://app/digits')[0]!.params.Digits, '7');
    });

    test('GetDigits without input replays its prompt `retries` times, then the next verb runs', async () => {
      const h = menu('retries="3" timeout="4"');
      const { t, call } = await run(h);
      assert.deepEqual(spoken(t), ['Enter your code', 'Enter your code', 'Enter your code', 'No input']);
      assert.equal(requestsTo(h, 'http://app/digits').length, 0);
      const prompt = speakMs('Enter your code');
      const speaks = t.filter((e) => e.type === 'speak');
      assert.equal(speaks[1]!.at_ms - speaks[0]!.at_ms, prompt + 4000, 'the timeout starts when the prompt ends');
      assert.equal(h.ended.find((e) => e.uuid === call.uuid)!.causeCode, 4010);
    });

    test('a key outside validDigits plays invalidDigitsSound and counts as a try', async () => {
      const h = menu('validDigits="123" retries="2" invalidDigitsSound="http://app/invalid.wav"');
      h.phones.set(PHONE, {
        behaviour: 'answer',
        ring_seconds: 1,
        script: [
          { on_hear: 'enter your code', action: 'dtmf', digits: '9' },
          { on_hear: 'enter your code', action: 'dtmf', digits: '2' },
        ],
      });
      const { t } = await run(h);
      const play = t.find((e) => e.type === 'play');
      assert.equal(play && play.type === 'play' && play.url, 'http://app/invalid.wav');
      assert.deepEqual(spoken(t), ['Enter your code', 'Enter your code', 'Got 2']);
    });

    test('the first key cuts the prompt short; playBeep sounds only when the caller has not typed ahead', async () => {
      const h = menu('numDigits="1" playBeep="true"', '', '<Speak>Enter your code, or wait for the tone</Speak>');
      h.phones.set(PHONE, { behaviour: 'answer', ring_seconds: 1, script: [{ after_ms: 500, action: 'dtmf', digits: '5' }] });
      const { t } = await run(h);
      const prompt = t.find((e) => e.type === 'speak')!;
      assert.equal(prompt.type === 'speak' && prompt.duration_ms, 600, 'cut when the key (pressed at 500 ms, 100 ms tone) arrives');
      assert.equal(t.some((e) => e.type === 'beep'), false);

      const quiet = menu('numDigits="1" playBeep="true" timeout="2"', '');
      const heard = (await run(quiet)).t;
      assert.deepEqual(types(heard), ['answered', 'speak', 'beep', 'silence', 'hangup'], 'the beep, then 2 s of timeout');
    });

    test('redirect="false" requests the action and carries on with the next verb', async () => {
      const h = menu('numDigits="1" redirect="false"', '<Speak>Carrying on</Speak>');
      pressing(h, '3');
      const { t } = await run(h);
      assert.deepEqual(spoken(t), ['Enter your code', 'Carrying on']);
      assert.equal(requestsTo(h, 'http://app/digits')[0]!.params.Digits, '3');
    });

    test('log="false" keeps the digits out of the call log', async () => {
      const h = menu('numDigits="4" log="false"');
      pressing(h, '9876');
      await run(h);
      assert.ok(h.logs.some((l) => /4 digit\(s\)/.test(l.message)));
      assert.equal(h.logs.some((l) => l.message.includes('9876')), false);
    });
  });
}

// ---- GetInput without a speech recognizer (a real call where none is configured) -------

test('GetInput without a recognizer: speech is not heard, the no-input path runs and the log says why; keys still count', async () => {
  // This harness, like the SIP driver, has no recognizer: nothing reads the sandbox's labels.
  const input = `<GetInput action="http://app/input" inputType="dtmf speech" executionTimeout="5" numDigits="1"><Speak>Say or press</Speak></GetInput><Speak>No input</Speak>`;
  const h = harness({ [ANSWER]: doc(input), 'http://app/input': (p) => doc(`<Speak>Got ${p.InputType} ${p.Digits}</Speak>`) });
  h.phones.set(PHONE, { behaviour: 'answer', ring_seconds: 1, script: [{ on_hear: 'say or press', action: 'say', text: 'sales please' }] });
  const { t } = await run(h);
  assert.deepEqual(spoken(t), ['Say or press', 'No input'], 'what was said is not made up into a result');
  assert.equal(requestsTo(h, 'http://app/input').length, 0);
  assert.ok(h.logs.some((l) => l.kind === 'error' && /no speech recognizer is configured/.test(l.message)));

  const keys = harness({ [ANSWER]: doc(input), 'http://app/input': (p) => doc(`<Speak>Got ${p.InputType} ${p.Digits}</Speak>`) });
  keys.phones.set(PHONE, { behaviour: 'answer', ring_seconds: 1, script: [{ on_hear: 'say or press', action: 'dtmf', digits: '4' }] });
  assert.deepEqual(spoken((await run(keys)).t), ['Say or press', 'Got dtmf 4']);
  const [req] = requestsTo(keys, 'http://app/input');
  assert.equal(req!.params.SpeechConfidenceScore, '', 'no score without speech');
});

// ---- the other verbs ------------------------------------------------------------------

test('Play plays a file `loop` times; a file that cannot be fetched is skipped and logged', async () => {
  const h = harness({ [ANSWER]: doc('<Play loop="2">http://app/music.mp3</Play><Play>http://app/missing.mp3</Play><Speak>After</Speak>') });
  const { t } = await run(h);
  assert.deepEqual(types(t), ['answered', 'play', 'play', 'speak', 'hangup']);
  assert.deepEqual(t.flatMap((e) => (e.type === 'play' ? [e.duration_ms] : [])), [1000, 1000], 'the second of audio, twice');
  assert.ok(h.logs.some((l) => l.kind === 'error' && l.message.includes('missing.mp3')));
});

test('Wait waits `length` seconds and beeps at the end', async () => {
  const h = harness({ [ANSWER]: doc('<Wait length="7" beep="true"/><Speak>Done</Speak>') });
  const { t } = await run(h);
  assert.deepEqual(types(t), ['answered', 'silence', 'beep', 'speak', 'hangup']);
  assert.equal(t.find((e) => e.type === 'beep')!.at_ms, 1000 + 7000);
});

test('Wait with silence ends once the caller has been quiet for minSilence', async () => {
  const h = harness({ [ANSWER]: doc('<Wait length="30" silence="true" minSilence="1500"/><Speak>Your turn</Speak>') });
  h.phones.set(PHONE, { behaviour: 'answer', ring_seconds: 1, script: [{ after_ms: 200, action: 'say', text: 'hello who is this' }] });
  const { t } = await run(h);
  const said = t.find((e) => e.type === 'said')!;
  const speak = t.find((e) => e.type === 'speak')!;
  assert.ok(said.type === 'said');
  assert.equal(speak.at_ms, said.at_ms + said.duration_ms + 1500);
});

test('DTMF sends keys to the far end', async () => {
  const h = harness({ [ANSWER]: doc('<DTMF async="false">12#</DTMF><Speak>Sent</Speak>') });
  const { t } = await run(h);
  assert.deepEqual(types(t), ['answered', 'dtmf_heard', 'speak', 'hangup']);
  const keys = t.find((e) => e.type === 'dtmf_heard');
  assert.equal(keys && keys.type === 'dtmf_heard' && keys.digits, '12#');
});

test('Hangup schedule ends the call after its delay while the next verbs run', async () => {
  const h = harness({ [ANSWER]: doc('<Hangup schedule="5"/><Speak>Goodbye soon</Speak><Wait length="60"/>') });
  const { ended } = await run(h);
  assert.equal(ended.causeCode, 6000);
  assert.equal(ended.source, 'Answer XML');
  assert.equal(ended.durationS, 5);
});

test('an inbound call hears PreAnswer audio and can be refused without being answered', async () => {
  const h = harness({ [ANSWER]: doc('<PreAnswer><Speak>We are closed</Speak></PreAnswer><Hangup reason="busy"/>') }, {
    app: { answerUrl: ANSWER, answerMethod: 'POST', hangupUrl: 'http://app/hangup', hangupMethod: 'POST', fallbackUrl: '', fallbackMethod: 'POST' },
  });
  const leg = h.callIn('14155559999', '15550001111');
  await h.settle();
  const t = leg.transcript();
  assert.deepEqual(spoken(t), ['We are closed']);
  assert.equal(types(t).includes('answered'), false);
  const ended = h.ended.find((e) => e.uuid === leg.uuid)!;
  assert.equal(ended.causeName, 'Busy Line');
  assert.equal(ended.source, 'Answer XML');
  assert.equal(ended.durationS, 0);
  assert.equal(h.requests.find((r) => r.url === ANSWER)!.params.CallStatus, 'ringing');
});

test('an inbound call to a number without an application fails with Error Reaching Answer URL, logged', async () => {
  const h = harness({});
  const leg = h.callIn('14155559999', '15550001111');
  await h.settle();
  const ended = h.ended.find((e) => e.uuid === leg.uuid)!;
  assert.equal(ended.causeCode, 7011);
  assert.ok(h.logs.some((l) => /no application/.test(l.message)));
});

test('a verb nobody implements is skipped with an entry in the call log', async () => {
  const verbs = new VerbRegistry();
  verbs.register('Speak', speakRunner);
  const h = harness({ [ANSWER]: doc('<Wait length="5"/><Speak>Still here</Speak>') }, { verbs });
  const { t } = await run(h);
  assert.deepEqual(spoken(t), ['Still here']);
  assert.ok(h.logs.some((l) => l.kind === 'xml' && l.message === '<Wait> is not supported yet; skipped'));
});

test('failures of later documents end the call with their own causes', async () => {
  const h = harness({
    [ANSWER]: doc('<Redirect>http://app/nowhere</Redirect>'),
    'http://app/bad-action': doc('<Speak>'),
  });
  assert.equal((await run(h)).ended.causeCode, 7014);
  const h2 = harness({
    [ANSWER]: doc('<GetDigits action="http://app/bad-action" numDigits="1"><Speak>Press</Speak></GetDigits>'),
    'http://app/bad-action': '<Response><Speak>unclosed',
  });
  h2.phones.set(PHONE, { behaviour: 'answer', ring_seconds: 1, script: [{ on_hear: 'press', action: 'dtmf', digits: '1' }] });
  const { ended } = await run(h2);
  assert.equal(ended.causeCode, 8012);
  assert.ok(h2.logs.some((l) => l.kind === 'error' && /invalid XML/.test(l.message)));
});

test('the server log has one warn line for each call the application made fail: the call, the URL and what to fix', async () => {
  const lines: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const warnings = () => lines.filter((l) => l.level === 40).map((l) => l.msg);
  const h = harness({ [ANSWER]: doc('<Speek>hi</Speek>') }, { log });
  const bad = await run(h);
  assert.deepEqual(warnings(), [
    `call ${bad.call.uuid}: invalid XML from ${ANSWER}: <Speek> is not a Plivo XML element; <Response> may contain Speak, Play, GetDigits, GetInput, Record, Dial, Message, Redirect, Wait, Hangup, PreAnswer, Conference, DTMF, MultiPartyCall, Stream; the call is hung up (Invalid Answer XML): fix the document that URL answers`,
  ]);
  lines.length = 0;
  const h2 = harness({ 'http://app/fallback': doc('<Speak>Sorry</Speak>') }, { log });
  const fell = await run(h2, { fallback: { url: 'http://app/fallback', method: 'POST' } });
  assert.deepEqual(spoken(fell.t), ['Sorry']);
  assert.deepEqual(warnings(), [`call ${fell.call.uuid}: answer URL ${ANSWER} failed: HTTP 404; trying fallback_url http://app/fallback (make it answer 200 with a Plivo XML document)`]);
});

test('a transfer replaces the running document', async () => {
  const h = harness({ [ANSWER]: doc('<Speak>Hold on</Speak><Wait length="300"/>'), 'http://app/moved': doc('<Speak>Moved</Speak>') });
  const call = h.call(PHONE);
  await h.clock.advance(5000);
  h.engine.transfer(call, { url: 'http://app/moved', method: 'POST' });
  await h.settle();
  const t = h.leg(call.uuid).transcript();
  assert.deepEqual(spoken(t), ['Hold on', 'Moved']);
  assert.equal(h.requests.find((r) => r.url === 'http://app/moved')!.params.Event, 'Transfer');
});

// ---- machine detection ------------------------------------------------------------------

const MD = { timeMs: 5000, maxSpeechMs: 5000, initialSilenceMs: 4500, maxWords: 3, initialGreetingMs: 1500, silenceMs: 800 };

test('machine_detection=hangup ends a call an answering machine picks up', async () => {
  const h = harness({ [ANSWER]: doc('<Speak>For people only</Speak>') });
  h.phones.set(PHONE, { behaviour: 'machine', ring_seconds: 1, script: [] });
  const { ended, t } = await run(h, { machine: { mode: 'hangup', ...MD } });
  assert.equal(ended.causeName, 'Machine Detected');
  assert.equal(spoken(t).length, 0);
  assert.equal(h.requests.some((r) => r.url === ANSWER), false);
});

test('machine_detection=true tells the answer URL whether a machine, a person or nobody (Unknown) answered', async () => {
  const machine = harness({ [ANSWER]: doc('<Speak>Message for you</Speak>') });
  machine.phones.set(PHONE, { behaviour: 'machine', ring_seconds: 1, script: [] });
  await run(machine, { machine: { mode: 'true', ...MD } });
  assert.equal(machine.requests.find((r) => r.url === ANSWER)!.params.Machine, 'true');

  const person = harness({ [ANSWER]: doc('<Speak>Hi</Speak>') });
  person.phones.set(PHONE, { behaviour: 'answer', ring_seconds: 1, script: [{ after_ms: 300, action: 'say', text: 'hello' }] });
  const { ended } = await run(person, { machine: { mode: 'true', ...MD } });
  assert.equal(person.requests.find((r) => r.url === ANSWER)!.params.Machine, 'false');
  assert.equal(person.requests.find((r) => r.kind === 'hangup')!.params.Machine, 'false');
  assert.equal(ended.causeCode, 4010);

  // Nobody says anything: after machine_detection_initial_silence the platform cannot tell (issue 21, item 11).
  const silent = harness({ [ANSWER]: doc('<Speak>Hi</Speak>') });
  const { call, t } = await run(silent, { machine: { mode: 'hangup', ...MD } });
  const answer = silent.requests.find((r) => r.url === ANSWER)!;
  assert.equal(answer.params.Machine, 'Unknown');
  assert.equal(t.find((e) => e.type === 'speak')!.at_ms, 1000 + MD.initialSilenceMs, 'the answer URL is fetched once the initial silence has passed');
  assert.equal(call.machine, 'unknown');
  assert.ok(silent.logs.some((l) => /machine detection: unknown .*machine_detection_initial_silence \(4500 ms\)/.test(l.message)));
});

test('an ended call is recorded before anything waiting on its record goes on', async () => {
  let release!: () => void;
  const written = new Promise<void>((resolve) => (release = resolve));
  const h = harness(
    { [ANSWER]: doc('<Speak>Bye</Speak>') },
    { cdrs: { started: () => {}, answered: () => {}, record: async () => (await written, { rate: 0, billedS: 0, amount: 0 }) } },
  );
  const call = h.call(PHONE);
  // The clock waits on the record being written (tracked work), so settling ends only after the release.
  const settled = h.settle();
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  while (h.leg(call.uuid).state !== 'ended') await turn();
  let recorded = false;
  const waiting = h.engine.recorded(call.uuid).then(() => (recorded = true));
  await turn();
  assert.equal(recorded, false, 'the record is still being written');
  release();
  await waiting;
  await settled;
  assert.equal(recorded, true);
  await h.engine.recorded('unknown-uuid'); // nothing pending: at once
});
