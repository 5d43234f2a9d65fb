// A call's inbound audio, listened to on a virtual clock: sound and keys
// heard as tones, and keys that arrive both as tones and signalled counted
// once, whichever comes first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimerGroup, VirtualClock } from '../../../src/clock/clock.ts';
import { concat, silence } from '../../../src/media/pcm.ts';
import { InboundAudio } from '../../../src/voice/engine/inbound-audio.ts';
import { g711, keyTone, speechLike } from '../../media/audio-fixtures.ts';

function listener() {
  const clock = new VirtualClock(0);
  const heard: string[] = [];
  const inbound = new InboundAudio(new TimerGroup(clock), {
    sound: (start, end) => heard.push(`sound ${start}-${end}`),
    key: (digit, inAudio) => heard.push(`${digit} ${inAudio ? 'tone' : 'signal'} @${clock.now()}`),
    twin: (digit, inAudio) => heard.push(`(${digit} ${inAudio ? 'tone' : 'signal'} dropped @${clock.now()})`),
  });
  return { clock, heard, inbound };
}

/** A key as a phone sends it in its audio: its tone, then a pause. */
const tone = (digit: string, ms = 100) => g711(concat([keyTone(digit, { ms }), silence(100)]));

test('a key heard as a tone counts when its tone ends, however far ahead its audio arrived', async () => {
  const { clock, heard, inbound } = listener();
  inbound.audio(concat([tone('1'), tone('2')]), 1000);
  assert.deepEqual(heard.filter((h) => !h.startsWith('sound')), []);
  await clock.advance(5000);
  assert.deepEqual(heard, ['sound 1000-1100', 'sound 1200-1300', '1 tone @1100', '2 tone @1300']);
});

test('a key sent both ways counts once: the signal first, or the tone first', async () => {
  const signalFirst = listener();
  // RFC 4733: the event at the key's start, the tone through a jitter buffer 60 ms later.
  await signalFirst.clock.advance(1000);
  signalFirst.inbound.signal('5');
  signalFirst.inbound.audio(tone('5'), 1060);
  await signalFirst.clock.advance(2000);
  assert.deepEqual(signalFirst.heard.filter((h) => !h.startsWith('sound')), ['5 signal @1000', '(5 tone dropped @1160)']);

  const toneFirst = listener();
  // The sandbox in "both" mode: the tone's audio ahead, the signal when the key is let go.
  toneFirst.inbound.audio(tone('5'), 1000);
  await toneFirst.clock.advance(1100);
  toneFirst.inbound.signal('5');
  await toneFirst.clock.advance(2000);
  assert.deepEqual(toneFirst.heard.filter((h) => !h.startsWith('sound')), ['5 tone @1100', '(5 signal dropped @1100)']);
});

test('the same key pressed again, and other keys, still count', async () => {
  const { clock, heard, inbound } = listener();
  await clock.advance(1000);
  inbound.signal('5');
  inbound.audio(concat([tone('5'), silence(300), tone('5'), tone('6')]), 1000);
  await clock.advance(3000);
  assert.deepEqual(heard.filter((h) => !h.startsWith('sound')), ['5 signal @1000', '(5 tone dropped @1100)', '5 tone @1600', '6 tone @1800']);
});

test('a signal matches one tone only, and a tone one signal only', async () => {
  const { clock, heard, inbound } = listener();
  await clock.advance(1000);
  inbound.signal('7');
  inbound.signal('7');
  inbound.audio(tone('7'), 1000);
  await clock.advance(2000);
  assert.deepEqual(heard.filter((h) => !h.startsWith('sound')), ['7 signal @1000', '7 signal @1000', '(7 tone dropped @1100)']);
});

test('a tone still sounding where the audio stops counts once the line has stayed quiet', async () => {
  const { clock, heard, inbound } = listener();
  inbound.audio(keyTone('9', { ms: 300 }), 1000);
  await clock.advance(1300);
  assert.deepEqual(heard, ['sound 1000-1300']);
  // Audio continuing the tone would have arrived by now; none did.
  await clock.advance(500);
  assert.deepEqual(heard, ['sound 1000-1300', '9 tone @1700']);
});

test('audio in 100 ms batches is one line: a tone across batches is one key, speech one stretch of sound per burst', async () => {
  const { clock, heard, inbound } = listener();
  const audio = concat([speechLike('hello'), silence(200), keyTone('3', { ms: 150 }), silence(400)]);
  for (let i = 0; i * 800 < audio.length; i++) {
    await clock.advanceTo(1000 + i * 100 + 100);
    inbound.audio(audio.subarray(i * 800, (i + 1) * 800), 1000 + i * 100);
  }
  await clock.advance(1000);
  const sounds = heard.filter((h) => h.startsWith('sound')).map((h) => h.slice(6).split('-').map(Number));
  assert.deepEqual([sounds[0]![0], sounds.find((s) => s[1] === 1300)?.[1]], [1000, 1300], 'hello from 1000 to 1300, in pieces');
  assert.deepEqual(heard.filter((h) => !h.startsWith('sound')), ['3 tone @1700']);
});
