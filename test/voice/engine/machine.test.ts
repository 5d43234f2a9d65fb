// Answering machine detection: the documented parameters applied to the
// pattern of speech and silence, first as rules on patterns of words, then
// on real audio through the engine — a synthesized answering machine's
// greeting and beep, a person's short "hello?", a long personal greeting,
// and a line on which nobody speaks — carried through G.711 with noise.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, silence } from '../../../src/media/pcm.ts';
import { EspeakTts } from '../../../src/media/tts/espeak.ts';
import { soundExtent } from '../../../src/media/voice-activity.ts';
import { machineGreeting } from '../../../src/telephony/sim/behaviour.ts';
import { firstDecision, type MachineDetection, type Word } from '../../../src/voice/engine/machine.ts';
import { g711, mix, noise } from '../../media/audio-fixtures.ts';
import { harness } from '../harness.ts';

/** The platform's defaults. */
const MD: MachineDetection = { mode: 'true', timeMs: 5000, maxSpeechMs: 5000, initialSilenceMs: 4500, maxWords: 3, initialGreetingMs: 1500, silenceMs: 800 };
const words = (...spans: Array<[number, number]>): Word[] => spans.map(([start, end]) => ({ start, end }));

describe('the rules, on patterns of words (ms after answer)', () => {
  test('no speech within machine_detection_initial_silence: Unknown, then', () => {
    assert.deepEqual(firstDecision([], MD, 0), { verdict: 'unknown', at: 4500, reason: 'no speech within machine_detection_initial_silence (4500 ms)' });
    assert.equal(firstDecision(words([4600, 5000]), MD, 0).verdict, 'unknown', 'speech after the initial silence is too late');
    assert.equal(firstDecision([], { ...MD, initialSilenceMs: 2000 }, 0).at, 2000);
  });

  test('a short greeting, then machine_detection_silence of quiet: a person', () => {
    assert.deepEqual(firstDecision(words([300, 800]), MD, 0), { verdict: 'person', at: 1600, reason: 'a short greeting (500 ms), then machine_detection_silence (800 ms) of quiet' });
    // A pause shorter than the silence keeps the greeting going.
    assert.deepEqual(firstDecision(words([300, 800], [1400, 1700]), MD, 0).at, 2500);
    assert.equal(firstDecision(words([300, 800]), { ...MD, silenceMs: 2000 }, 0).at, 2800);
  });

  test('a greeting longer than machine_detection_initial_greeting: a machine, the moment it is', () => {
    assert.deepEqual(firstDecision(words([300, 2500]), MD, 0), { verdict: 'machine', at: 1800, reason: 'a greeting longer than machine_detection_initial_greeting (1500 ms)' });
    // Across a pause shorter than machine_detection_silence the greeting goes on; the limit passing in a pause decides when speech resumes.
    assert.equal(firstDecision(words([300, 1000], [1500, 2600]), MD, 0).at, 1800);
    assert.equal(firstDecision(words([300, 1700], [1850, 2600]), MD, 0).at, 1850);
    assert.equal(firstDecision(words([300, 1000], [1900, 2600]), MD, 0).verdict, 'person', 'a pause of 900 ms ended the greeting');
    // Exactly the limit is not longer than it.
    assert.equal(firstDecision(words([300, 1800]), MD, 0).verdict, 'person');
  });

  test('more words than machine_detection_maximum_words: a machine, once the extra word is one', () => {
    const four = words([100, 300], [400, 600], [700, 900], [1000, 1200]);
    assert.deepEqual(firstDecision(four, { ...MD, initialGreetingMs: 5000 }, 0), { verdict: 'machine', at: 1100, reason: 'more than machine_detection_maximum_words (3) words' });
    assert.equal(firstDecision(four, { ...MD, initialGreetingMs: 5000, maxWords: 4 }, 0).verdict, 'person');
  });

  test('a word longer than machine_detection_maximum_speech_length: a machine', () => {
    assert.deepEqual(firstDecision(words([200, 3000]), { ...MD, initialGreetingMs: 5000, maxSpeechMs: 1000 }, 0), {
      verdict: 'machine',
      at: 1200,
      reason: 'speech longer than machine_detection_maximum_speech_length (1000 ms)',
    });
  });

  test('nothing decided within machine_detection_time: Unknown, then', () => {
    assert.deepEqual(firstDecision(words([500, 4000]), { ...MD, timeMs: 2000, initialGreetingMs: 5000 }, 0), { verdict: 'unknown', at: 2000, reason: 'nothing decided within machine_detection_time (2000 ms)' });
  });

  test('clicks and breaths (under 100 ms) are not words; sound closer than 100 ms is one word', () => {
    assert.equal(firstDecision(words([300, 340], [1000, 1060]), MD, 0).verdict, 'unknown');
    assert.equal(firstDecision(words([300, 500]), MD, 0).verdict, 'person');
  });
});

describe('on audio, through the engine', () => {
  const tts = new EspeakTts();
  after(() => tts.close());
  const lines = new Map<string, Promise<Int16Array>>();
  /** What a real line would carry: the synthesized speech through G.711 with line noise at -55 dBFS (each text synthesized once). */
  const onLine = (text: string): Promise<Int16Array> => {
    let line = lines.get(text);
    if (!line) {
      line = tts.synthesize({ text, voice: 'WOMAN', language: 'en-US' }).then((s) => g711(mix(s, noise(s.length / 8, -55))));
      lines.set(text, line);
    }
    return line;
  };
  const PHONE = '14155550100';
  const ANSWER = 'http://app/answer';

  /** Call PHONE with machine detection; the verdict (Machine on the answer URL), when the answer URL was fetched (ms after answer) and the log line. */
  async function detect(phone: Parameters<ReturnType<typeof harness>['phones']['set']>[1], md: Partial<MachineDetection> = {}) {
    const h = harness({ [ANSWER]: '<Response><Speak>Hi</Speak></Response>' }, { phoneMedia: { speech: onLine, audioFile: async () => silence(1000) } });
    h.phones.set(PHONE, phone);
    const call = h.call(PHONE, { machine: { ...MD, ...md } });
    await h.settle();
    const answer = h.requests.find((r) => r.url === ANSWER);
    const t = h.leg(call.uuid).transcript();
    const speak = t.find((e) => e.type === 'speak');
    return {
      machine: answer?.params.Machine,
      decidedAfter: speak ? speak.at_ms - 1000 : undefined,
      log: h.logs.find((l) => l.message.startsWith('machine detection'))?.message,
      ended: h.ended.find((e) => e.uuid === call.uuid)!,
    };
  }

  test("an answering machine's greeting and beep: a machine, 1.5 s into its greeting", async () => {
    const greeting = await onLine(machineGreeting(PHONE));
    const start = soundExtent(greeting)![0];
    const r = await detect({ behaviour: 'machine', ring_seconds: 1, script: [] });
    assert.equal(r.machine, 'true');
    assert.equal(r.decidedAfter, start + 1500);
    assert.match(r.log!, /an answering machine: a greeting longer than machine_detection_initial_greeting \(1500 ms\)/);
  });

  test('with hangup, the machine is hung up on and nothing runs', async () => {
    const r = await detect({ behaviour: 'machine', ring_seconds: 1, script: [] }, { mode: 'hangup' });
    assert.equal(r.machine, undefined);
    assert.equal(r.ended.causeName, 'Machine Detected');
  });

  test('a person who says "Hello?" and waits: a person, machine_detection_silence after the word', async () => {
    const hello = await onLine('Hello?');
    const [, end] = soundExtent(hello)!;
    const r = await detect({ behaviour: 'answer', ring_seconds: 1, script: [{ after_ms: 400, action: 'say', text: 'Hello?' }] });
    assert.equal(r.machine, 'false');
    assert.ok(Math.abs(r.decidedAfter! - (400 + end + 800)) <= 40, `decided ${r.decidedAfter} ms after answer; the word ended at ${400 + end}`);
    assert.match(r.log!, /a person: a short greeting/);
  });

  test('a person with a long greeting is taken for a machine, as the documented limits say; a longer machine_detection_initial_greeting lets it through', async () => {
    const longHello = { behaviour: 'answer' as const, ring_seconds: 1, script: [{ after_ms: 300, action: 'say' as const, text: 'Hello, this is Sarah speaking, who is calling please?' }] };
    assert.equal((await detect(longHello)).machine, 'true');
    assert.equal((await detect(longHello, { initialGreetingMs: 5000, maxWords: 10 })).machine, 'false');
  });

  test('nobody speaks: Unknown after machine_detection_initial_silence (issue 21, item 11)', async () => {
    const r = await detect({ behaviour: 'answer', ring_seconds: 1, script: [] }, { initialSilenceMs: 3000 });
    assert.equal(r.machine, 'Unknown');
    assert.equal(r.decidedAfter, 3000);
  });

  test('line noise and a cough are not a greeting', async () => {
    const h = harness({ [ANSWER]: '<Response><Speak>Hi</Speak></Response>' }, { phoneMedia: { speech: async () => g711(concat([noise(60, -30), silence(40)])), audioFile: async () => g711(noise(3000, -58)) } });
    h.phones.set(PHONE, { behaviour: 'answer', ring_seconds: 1, script: [{ after_ms: 100, action: 'play', url: 'http://x/line.wav' }, { after_ms: 500, action: 'say', text: 'cough' }] });
    h.call(PHONE, { machine: MD });
    await h.settle();
    assert.equal(h.requests.find((r) => r.url === ANSWER)!.params.Machine, 'Unknown');
  });
});
