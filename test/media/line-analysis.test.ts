// The analysis every leg's inbound audio goes through: keys sent as tones
// (at the receiver limits phone networks specify, and not falsely found in
// speech) and where there is sound, on audio made for the purpose and put
// through G.711 with line noise, fed whole or in 100 ms batches as an RTP
// session would.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LineAnalyser } from '../../src/media/line-analysis.ts';
import { concat, silence } from '../../src/media/pcm.ts';
import { holdMusic, beep } from '../../src/media/tones.ts';
import { EspeakTts } from '../../src/media/tts/espeak.ts';
import { g711, keyString, keyTone, mix, noise, speechLike, type KeyToneOptions } from './audio-fixtures.ts';

interface Heard {
  keys: Array<{ digit: string; start: number; end: number }>;
  sound: Array<[number, number]>;
}

/** Analyse `samples` starting at `at`, in batches of `batchMs` (0: whole), then end the line; adjacent sound stretches joined. */
function analyse(samples: Int16Array, batchMs = 0, at = 10_000): Heard {
  const heard: Heard = { keys: [], sound: [] };
  const line = new LineAnalyser({
    key: (digit, start, end) => heard.keys.push({ digit, start: start - at, end: end - at }),
    sound: (start, end) => {
      const last = heard.sound[heard.sound.length - 1];
      if (last && last[1] === start - at) last[1] = end - at;
      else heard.sound.push([start - at, end - at]);
    },
  });
  const step = batchMs > 0 ? batchMs * 8 : samples.length;
  for (let i = 0; i < samples.length; i += step) line.push(samples.subarray(i, i + step), at + i / 8);
  line.end();
  return heard;
}

const digitsOf = (h: Heard) => h.keys.map((k) => k.digit).join('');
/** Keys as a caller's line carries them: after 200 ms of quiet, through G.711 µ-law, with line noise at -50 dBFS. */
const onLine = (keys: Int16Array) => g711(mix(concat([silence(200), keys, silence(200)]), noise(keys.length / 8 + 400, -50)));

describe('keys sent as tones', () => {
  test('every key, with its times to within 10 ms, whether the audio comes whole or in 100 ms batches', () => {
    const audio = onLine(keyString('0123456789*#ABCD', { ms: 60, gapMs: 60 }));
    for (const batch of [0, 100, 20]) {
      const h = analyse(audio, batch);
      assert.equal(digitsOf(h), '0123456789*#ABCD', `batches of ${batch} ms`);
      h.keys.forEach((k, i) => {
        const start = 200 + i * 120;
        assert.ok(Math.abs(k.start - start) <= 10 && Math.abs(k.end - (start + 60)) <= 10, `key ${k.digit} at ${k.start}-${k.end}, sent at ${start}-${start + 60}`);
      });
    }
  });

  test('accepted at the limits receivers must meet: -25 dBm0 per tone, twist +4/-8 dB, ±1.5 % off frequency, 40 ms tones and 40 ms pauses', () => {
    const limits: Array<[string, KeyToneOptions]> = [
      ['quiet', { lowDbm0: -25, highDbm0: -25 }],
      ['high group 4 dB louder', { lowDbm0: -22, highDbm0: -18 }],
      ['low group 8 dB louder', { lowDbm0: -14, highDbm0: -22 }],
      ['1.5 % high', { offset: 0.015 }],
      ['1.5 % low', { offset: -0.015 }],
    ];
    for (const [what, o] of limits) {
      assert.equal(digitsOf(analyse(onLine(keyString('159#', { ...o, ms: 40, gapMs: 40 })), 100)), '159#', what);
      // The same key twice needs the pause between them to count twice.
      assert.equal(digitsOf(analyse(onLine(keyString('5500', { ...o, ms: 40, gapMs: 40 })), 100)), '5500', `${what}, repeated`);
    }
  });

  test('refused outside them: too quiet, too much twist, off frequency, too short', () => {
    const refused: Array<[string, KeyToneOptions]> = [
      ['-40 dBm0', { lowDbm0: -40, highDbm0: -40, ms: 100 }],
      ['high group 10 dB louder', { lowDbm0: -25, highDbm0: -15, ms: 100 }],
      ['low group 14 dB louder', { lowDbm0: -10, highDbm0: -24, ms: 100 }],
      ['3.5 % off', { offset: 0.035, ms: 100 }],
      ['20 ms', { ms: 20 }],
    ];
    for (const [what, o] of refused) assert.equal(digitsOf(analyse(onLine(keyString('1397', o)), 100)), '', what);
  });

  test('a key held down is one key, however long', () => {
    const h = analyse(onLine(keyTone('8', { ms: 3000 })), 100);
    assert.deepEqual(h.keys.map((k) => [k.digit, k.end - k.start >= 2980]), [['8', true]]);
  });

  test('a tone still sounding where the audio stops ends there, once the line is known to be quiet', () => {
    const keys: string[] = [];
    const line = new LineAnalyser({ key: (d, start, end) => keys.push(`${d} ${start}-${end}`), sound: () => {} });
    line.push(keyTone('4', { ms: 200 }), 1000);
    assert.equal(line.keySounding, true);
    assert.deepEqual(keys, []);
    line.end();
    assert.deepEqual(keys, ['4 1000-1200']);
  });

  describe('talk-off: speech and music are not keys', () => {
    const tts = new EspeakTts();
    after(() => tts.close());
    test('synthesized speech in several voices, through G.711 with noise, and hold music and beeps', async () => {
      const lines: Array<[string, string, string]> = [
        ['Press one for sales, two for support, or stay on the line for an operator.', 'WOMAN', 'en-US'],
        ['Your account number is 4 1 5 5 5 5 1 2 3 4. Please hold while I check that for you.', 'MAN', 'en-GB'],
        ['Nine eight seven six, star, pound. Hello? Hello, can you hear me? Yes, I would like to book a table for two at eight.', 'WOMAN', 'en-US'],
        ['Bonjour, merci de patienter. Votre appel est important pour nous.', 'Polly.Celine', 'fr-FR'],
        ['Bitte warten Sie, Sie werden gleich verbunden.', 'Polly.Hans', 'de-DE'],
      ];
      let speechMs = 0;
      for (const [text, voice, language] of lines) {
        const speech = await tts.synthesize({ text, voice, language });
        speechMs += speech.length / 8;
        assert.equal(digitsOf(analyse(g711(mix(speech, noise(speech.length / 8, -55))), 100)), '', text);
        assert.equal(digitsOf(analyse(speech)), '', `${text} (clean)`);
      }
      assert.ok(speechMs > 20_000, 'over 20 s of speech examined');
      assert.equal(digitsOf(analyse(concat([holdMusic(), holdMusic(), beep()]), 100)), '');
    });
  });
});

describe('sound', () => {
  test('speech bursts are found to the frame, clean or through G.711 with line noise', () => {
    // Four bursts: hello 100-400, who 460-640, is 700-820, this 880-1120.
    const speech = concat([silence(100), speechLike('hello who is this'), silence(500)]);
    const expected = [
      [100, 400],
      [460, 640],
      [700, 820],
      [880, 1120],
    ];
    assert.deepEqual(analyse(speech).sound, expected);
    const onLineSpeech = g711(mix(speech, noise(speech.length / 8, -55)));
    const found = analyse(onLineSpeech, 100).sound;
    assert.equal(found.length, expected.length);
    found.forEach(([from, to], i) => {
      assert.ok(Math.abs(from - expected[i]![0]!) <= 20 && Math.abs(to - expected[i]![1]!) <= 40, `burst ${i}: ${from}-${to}`);
    });
  });

  test('line noise alone is not sound; steady loud noise stops counting as sound within seconds, and speech over it still counts', () => {
    assert.deepEqual(analyse(silence(3000)).sound, []);
    assert.deepEqual(analyse(g711(noise(5000, -60)), 100).sound, []);
    const hiss = noise(12_000, -42);
    const heard = analyse(g711(mix(hiss, speechLike('are you there'), 10_000 * 8)), 100).sound;
    assert.ok(heard[0]![0] === 0 && heard[0]![1] < 6000, `the hiss counts as sound until ${heard[0]![1]} ms`);
    assert.deepEqual(
      heard.slice(1).map(([from]) => Math.abs(from - 10_000) <= 20 || from > 10_000),
      heard.slice(1).map(() => true),
      'then only the speech does',
    );
    assert.ok(heard.length >= 2 && heard[heard.length - 1]![1] >= 10_700, 'the speech over it is heard');
  });

  test('a run that starts before what was analysed is judged on its own, for sound only', () => {
    const sound: string[] = [];
    const keys: string[] = [];
    const line = new LineAnalyser({ key: (d) => keys.push(d), sound: (from, to) => sound.push(`${from}-${to}`) });
    line.push(concat([silence(200), speechLike('later')]), 2000);
    line.push(concat([keyTone('1', { ms: 200 }), silence(100)]), 1000);
    line.end();
    assert.deepEqual(sound, ['2200-2500', '1000-1200']);
    assert.deepEqual(keys, []);
  });
});

/** Every finding of a line fed by `feed`, then ended, in order, as it was reported. */
function findings(feed: (line: LineAnalyser) => void): string[] {
  const out: string[] = [];
  const line = new LineAnalyser({ key: (d, s, e) => out.push(`key ${d} ${s}-${e}`), sound: (s, e) => out.push(`sound ${s}-${e}`) });
  feed(line);
  line.end();
  return out;
}

describe('frame by frame, as a media worker analyses', () => {
  test('frames pushed one at a time, settled every 100 ms, give exactly what 100 ms runs give, gaps included', () => {
    const audio = g711(mix(concat([silence(300), speechLike('hello there'), keyString('42', { ms: 80, gapMs: 60 }), silence(240), speechLike('bye')]), noise(2500, -55)));
    // Ticks of 20 ms, a delivery after every fifth; the jitter buffer had nothing for three ticks (a gap) mid-speech.
    const ticks = audio.length / 160;
    const heardAt = (t: number) => t < 21 || t >= 24;
    const whole = findings((line) => {
      // What the main thread was posted: per delivery, each run of consecutive ticks.
      for (let d = 0; d < ticks; d += 5) {
        let run: number[] = [];
        const flush = () => run.length > 0 && line.push(audio.subarray(run[0]! * 160, (run.at(-1)! + 1) * 160), 1000 + run[0]! * 20);
        for (let t = d; t < Math.min(d + 5, ticks); t++) {
          if (heardAt(t)) run.push(t);
          else {
            flush();
            run = [];
          }
        }
        flush();
      }
    });
    const byFrame = findings((line) => {
      for (let t = 0; t < ticks; t++) {
        if (heardAt(t)) line.push(audio.subarray(t * 160, (t + 1) * 160), 1000 + t * 20, true);
        if (t % 5 === 4) line.settle();
      }
      line.settle();
    });
    assert.ok(whole.some((f) => f.startsWith('key 4')) && whole.some((f) => f.startsWith('sound')), whole.join(', '));
    assert.deepEqual(byFrame, whole);
  });
});

describe('in place, as a media worker analyses its staging buffer', () => {
  test('frames analysed where they lie, the buffer given away or rewritten after each hand-over, give exactly what frames pushed one by one give', () => {
    // 40 ms keys on the 10 ms between frames: each is a key only with the blocks that straddle two frames, some of which straddle a hand-over.
    const keys = concat(Array.from('1470258*369#', (d) => concat([keyTone(d, { ms: 40 }), silence(50)])));
    const audio = g711(mix(concat([silence(210), speechLike('one'), keys, silence(230)]), noise(2620, -55)));
    const ticks = audio.length / 160;
    // Ticks of 20 ms, a hand-over after every fifth; the jitter buffer had nothing for a tick now and then.
    const heardAt = (t: number) => t % 37 !== 36;
    const whole = findings((line) => {
      for (let t = 0; t < ticks; t++) {
        if (heardAt(t)) line.push(audio.subarray(t * 160, (t + 1) * 160), 1000 + t * 20, true);
        if (t % 5 === 4) line.settle();
      }
      line.settle();
    });
    const inPlace = findings((line) => {
      let staged = new Int16Array(5 * 160);
      let frames = 0;
      for (let t = 0; t < ticks; t++) {
        if (heardAt(t)) {
          staged.set(audio.subarray(t * 160, (t + 1) * 160), frames * 160);
          line.pushFrame(staged, frames++ * 160, 1000 + t * 20);
        }
        if (t % 5 !== 4) continue;
        line.keepTail();
        line.settle();
        // Given away (as postMessage transfers it: the old view reads nothing) or kept and written over.
        if (t % 10 === 4) structuredClone(staged.buffer, { transfer: [staged.buffer] });
        else staged.fill(12345);
        staged = new Int16Array(5 * 160);
        frames = 0;
      }
      line.settle();
    });
    // A caller that pushes every frame from the one array it reuses.
    const reused = findings((line) => {
      const frame = new Int16Array(160);
      for (let t = 0; t < ticks; t++) {
        if (heardAt(t)) {
          frame.set(audio.subarray(t * 160, (t + 1) * 160));
          line.push(frame, 1000 + t * 20, true);
        }
        if (t % 5 === 4) line.settle();
      }
      line.settle();
    });
    assert.equal(whole.filter((f) => f.startsWith('key')).map((f) => f[4]).join(''), '1470258*369#', whole.join(', '));
    assert.ok(whole.some((f) => f.startsWith('sound')));
    assert.deepEqual(inPlace, whole);
    assert.deepEqual(reused, whole);
  });
});
