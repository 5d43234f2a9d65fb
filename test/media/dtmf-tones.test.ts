// DTMF generation and Goertzel detection; call-progress tones and the beep.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FRAME_SAMPLES, SAMPLE_RATE } from '../../src/media/frame.ts';
import { detectDtmf, DTMF_DIGITS, DtmfDetector, dtmfSequence, dtmfTone } from '../../src/media/dtmf.ts';
import { mulawDecode, mulawEncode } from '../../src/media/g711.ts';
import { applyGain, concat, msToSamples, rms, silence, toFrames } from '../../src/media/pcm.ts';
import { dominantFrequency, goertzelCoefficient, goertzelShare, goertzelShareMax2, goertzelShares4 } from '../../src/media/spectrum.ts';
import { beep, BEEP, pureTone, renderTone, ringbackFor, ToneSource } from '../../src/media/tones.ts';
import { EspeakTts } from '../../src/media/tts/espeak.ts';
import { assertEvery } from '../helpers/assert.ts';

/** Deterministic white noise (xorshift), so tests never depend on chance. */
function noise(ms: number, amplitude: number): Int16Array {
  const out = new Int16Array(msToSamples(ms));
  let x = 2463534242;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = Math.round(((x >>> 0) / 0xffffffff - 0.5) * 2 * amplitude);
  }
  return out;
}

describe('DTMF', () => {
  test('each digit is generated and detected', () => {
    for (const digit of DTMF_DIGITS) {
      assert.deepEqual(detectDtmf(concat([silence(40), dtmfTone(digit, 100), silence(40)])), [digit], `digit ${digit}`);
    }
  });

  test('a dialled string comes back in order, repeated digits included', () => {
    assert.deepEqual(detectDtmf(dtmfSequence('1234567890*#', 80, 60)), [...'1234567890*#']);
    assert.deepEqual(detectDtmf(dtmfSequence('1155', 50, 50)), [...'1155']);
  });

  test('w and W pause half a second and a second', () => {
    assert.equal(dtmfSequence('1w2W3', 100, 100).length, msToSamples(3 * 200 + 500 + 1000));
  });

  test('detected at quiet and loud levels, after µ-law, fed frame by frame', () => {
    for (const gain of [0.1, 0.3, 1, 1.9]) {
      const audio = applyGain(dtmfSequence('59#', 60, 60), gain);
      const detector = new DtmfDetector();
      const found = toFrames(mulawDecode(mulawEncode(audio))).flatMap((f) => detector.push(f.samples));
      assert.deepEqual(found, ['5', '9', '#'], `gain ${gain}`);
    }
  });

  test('survives background noise', () => {
    const tone = dtmfSequence('73', 80, 80);
    const noisy = noise(tone.length / 8, 1500);
    for (let i = 0; i < tone.length; i++) noisy[i] += tone[i];
    assert.deepEqual(detectDtmf(noisy), ['7', '3']);
  });

  test('a 20 ms blip is not a digit', () => {
    assert.deepEqual(detectDtmf(concat([silence(40), dtmfTone('5', 20), silence(40)])), []);
  });

  test('silence, noise, single tones and ring-back produce no digits', () => {
    assert.deepEqual(detectDtmf(silence(2000)), []);
    assert.deepEqual(detectDtmf(noise(2000, 8000)), []);
    assert.deepEqual(detectDtmf(new ToneSource(pureTone(697)).next(new Int16Array(8000))), []);
    assert.deepEqual(detectDtmf(new ToneSource(pureTone(1209)).next(new Int16Array(8000))), []);
    assert.deepEqual(detectDtmf(new ToneSource(ringbackFor('US')).next(new Int16Array(48000))), []);
    assert.deepEqual(detectDtmf(beep()), []);
  });

  describe('speech', () => {
    const engine = new EspeakTts();
    after(() => engine.close());
    test('produces no false digits', async () => {
      for (const [text, voice, language] of [
        ['Press one for sales, two for support, or stay on the line for an operator.', 'WOMAN', 'en-US'],
        ['Your account number is 4 1 5 5 5 5 1 2 3 4. Please hold.', 'MAN', 'en-GB'],
        ['Bonjour, merci de patienter.', 'Polly.Celine', 'fr-FR'],
      ]) {
        const speech = await engine.synthesize({ text, voice, language });
        assert.deepEqual(detectDtmf(speech), [], text);
        assert.deepEqual(detectDtmf(mulawDecode(mulawEncode(speech))), [], `${text} (µ-law)`);
      }
    });
  });

  test('rejects characters that are not digits', () => {
    assert.throws(() => dtmfTone('x'), /not a DTMF digit/);
  });
});

describe('tones', () => {
  test('US ring-back: 440+480 Hz, two seconds on, four off, repeating', () => {
    const source = new ToneSource(ringbackFor('US'));
    const frames = Array.from({ length: 600 }, () => source.next()); // 12 s
    const onFrames = frames.map((f) => rms(f) > 500);
    const seconds = (from: number, to: number) => onFrames.slice(from * 50, to * 50);
    assertEvery(seconds(0.1, 1.9), Boolean, 'on');
    assertEvery(seconds(2.1, 5.9), (on) => !on, 'off');
    assertEvery(seconds(6.1, 7.9), Boolean, 'on again');
    const burst = concat(frames.slice(5, 95));
    const f = dominantFrequency(burst);
    assert.ok(Math.abs(f - 440) < 6 || Math.abs(f - 480) < 6, `dominant ${f}`);
  });

  test('UK ring-back has its double ring; unknown countries get the European 425 Hz', () => {
    const uk = new ToneSource(ringbackFor('gb'));
    const on = Array.from({ length: 150 }, () => rms(uk.next()) > 500);
    // 0.4 on, 0.2 off, 0.4 on, 2.0 off
    assertEvery(on.slice(1, 19), Boolean, 'first ring');
    assertEvery(on.slice(21, 29), (x) => !x, 'short pause');
    assertEvery(on.slice(31, 49), Boolean, 'second ring');
    assertEvery(on.slice(51, 149), (x) => !x, 'long pause');
    const other = new ToneSource(ringbackFor('ZZ')).next(new Int16Array(4000));
    assert.ok(Math.abs(dominantFrequency(other) - 425) < 3);
  });

  test('a continuous tone loops without a seam', () => {
    const source = new ToneSource(pureTone(1000, 0.5));
    const a = source.next(new Int16Array(SAMPLE_RATE));
    const b = source.next(new Int16Array(FRAME_SAMPLES));
    assert.deepEqual(b, a.subarray(0, FRAME_SAMPLES));
    assert.ok(Math.abs(dominantFrequency(concat([a, b])) - 1000) < 2);
  });

  test('the beep is 1 kHz for a quarter second, with soft edges', () => {
    const b = beep();
    assert.equal(b.length, msToSamples(BEEP.durationMs));
    assert.ok(Math.abs(dominantFrequency(b) - 1000) < 3);
    assert.ok(Math.abs(b[0]) < 100 && Math.abs(b[b.length - 1]) < 100);
  });
});

test('four Goertzel filters in one pass give exactly what each gives alone', () => {
  const block = mulawDecode(mulawEncode(concat([dtmfTone('7', 10), renderTone([1000], 0.2, 10, false)]))).subarray(0, 160);
  let energy = 0;
  for (const s of block) energy += s * s;
  const coefficients = [697, 852, 1209, 1633].map((f) => goertzelCoefficient(f));
  const out = new Float64Array(4);
  goertzelShares4(block, 0, 160, coefficients, energy, out);
  assert.deepEqual([...out], coefficients.map((c) => goertzelShare(block, 0, 160, c, energy)));
  assert.ok(out[1]! > 0.1 && out[2]! > 0.1, 'key 7 (852 and 1209 Hz) is there');
});

test('two Goertzel filters in one pass: the larger share, exactly as each gives it alone', () => {
  const block = mulawDecode(mulawEncode(concat([dtmfTone('5', 10), renderTone([900], 0.2, 10, false)]))).subarray(0, 160);
  let energy = 0;
  for (const s of block) energy += s * s;
  for (const [a, b] of [
    [770, 760],
    [1336, 1356],
    [697, 1633],
  ] as const) {
    const [ca, cb] = [goertzelCoefficient(a), goertzelCoefficient(b)];
    assert.equal(goertzelShareMax2(block, 0, 160, ca, cb, energy), Math.max(goertzelShare(block, 0, 160, ca, energy), goertzelShare(block, 0, 160, cb, energy)));
  }
});
