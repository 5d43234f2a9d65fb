// Audio made for the tests, deterministic to the sample: white noise at a
// level, tones at exact dBm0 levels and frequencies, the G.711 round trip a
// real call puts audio through, and a speech-like signal (voiced bursts per
// word) for tests that need sound with the shape of speech but not a
// synthesizer. Levels: a sine's level in dBm0 is 3.17 dB under full scale
// at full amplitude (G.711's digital milliwatt).
import { mulawDecode, mulawEncode } from '../../src/media/g711.ts';
import { SAMPLE_RATE } from '../../src/media/frame.ts';
import { clamp16, concat, msToSamples, silence } from '../../src/media/pcm.ts';

/** Peak amplitude of a sine at `dbm0`. */
export const sinePeak = (dbm0: number): number => 32767 * 10 ** ((dbm0 - 3.17) / 20);

/** Deterministic white noise (xorshift) at an RMS of `dbfs`. */
export function noise(ms: number, dbfs: number, seed = 2463534242): Int16Array {
  const out = new Int16Array(msToSamples(ms));
  // A uniform distribution on [-a, a] has an RMS of a/√3.
  const a = Math.sqrt(3) * 32768 * 10 ** (dbfs / 20);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = clamp16(Math.round(((x >>> 0) / 0xffffffff - 0.5) * 2 * a));
  }
  return out;
}

/** `a` with `b` added from `offset` samples on (saturating); a new array as long as the longer. */
export function mix(a: Int16Array, b: Int16Array, offset = 0): Int16Array {
  const out = new Int16Array(Math.max(a.length, b.length + offset));
  out.set(a);
  for (let i = 0; i < b.length; i++) out[offset + i] = clamp16(out[offset + i]! + b[i]!);
  return out;
}

/** Through a G.711 µ-law channel and back, as a call carries it. */
export const g711 = (samples: Int16Array): Int16Array => mulawDecode(mulawEncode(samples));

const ROWS = [697, 770, 852, 941];
const COLS = [1209, 1336, 1477, 1633];
const KEYPAD = ['123A', '456B', '789C', '*0#D'];

export interface KeyToneOptions {
  ms?: number;
  /** Level of the low-group (row) tone, dBm0. */
  lowDbm0?: number;
  /** Level of the high-group (column) tone, dBm0. */
  highDbm0?: number;
  /** Both frequencies off by this fraction (0.015 = +1.5 %). */
  offset?: number;
}

/** A key's two tones with exact levels and frequencies (no ramps: a harsh but legal tone). */
export function keyTone(digit: string, o: KeyToneOptions = {}): Int16Array {
  const r = KEYPAD.findIndex((row) => row.includes(digit));
  const c = KEYPAD[r]!.indexOf(digit);
  const n = msToSamples(o.ms ?? 100);
  const out = new Int16Array(n);
  const f = [ROWS[r]! * (1 + (o.offset ?? 0)), COLS[c]! * (1 + (o.offset ?? 0))];
  const peaks = [sinePeak(o.lowDbm0 ?? -9), sinePeak(o.highDbm0 ?? -9)];
  for (let i = 0; i < n; i++) {
    const t = i / SAMPLE_RATE;
    out[i] = clamp16(Math.round(peaks[0]! * Math.sin(2 * Math.PI * f[0]! * t) + peaks[1]! * Math.sin(2 * Math.PI * f[1]! * t)));
  }
  return out;
}

/** Keys as tones of `toneMs`, each followed by `gapMs` of silence. */
export const keyString = (digits: string, o: KeyToneOptions & { gapMs?: number } = {}): Int16Array =>
  concat([...digits].flatMap((d) => [keyTone(d, o), silence(o.gapMs ?? 100)]));

/**
 * Something that sounds like speech to a level meter: per word a voiced
 * burst (a 140 Hz buzz with its harmonics, rising and falling in loudness
 * like syllables) of `msPerChar` per letter, words apart by a silent gap of
 * `msPerChar`: "hello who is this" is four bursts. About -22 dBFS.
 */
export function speechLike(text: string, msPerChar = 60): Int16Array {
  const parts: Int16Array[] = [];
  const words = text.split(' ');
  words.forEach((word, w) => {
    const n = msToSamples(word.length * msPerChar);
    const burst = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      const t = i / SAMPLE_RATE;
      let v = 0;
      for (let h = 1; h <= 12; h++) v += Math.sin(2 * Math.PI * 140 * h * t) / h;
      // Syllables: loudness rises and falls every 180 ms, never to nothing.
      const envelope = 0.55 + 0.45 * Math.sin((Math.PI * i) / msToSamples(180)) ** 2;
      burst[i] = Math.round(v * 2200 * envelope);
    }
    parts.push(burst);
    if (w < words.length - 1) parts.push(silence(msPerChar));
  });
  return concat(parts);
}
