// Small helpers over 16-bit PCM: frames in and out, joining, levels.

import { FRAME_SAMPLES, SAMPLE_RATE, type Annotation, type Frame } from './frame.ts';

export const clamp16 = (v: number): number => (v > 32767 ? 32767 : v < -32768 ? -32768 : v);

/** Two channels of equal length: left, right. */
export type Stereo = readonly [left: Int16Array, right: Int16Array];

/** Mono samples or a stereo pair, as the file writers take them. */
export type PcmAudio = Int16Array | Stereo;

/** The channels of `audio`, one array each. */
export const channelsOf = (audio: PcmAudio): readonly Int16Array[] => (audio instanceof Int16Array ? [audio] : audio);

/** Samples in `ms` milliseconds at `rate` (8 kHz unless told). */
export const msToSamples = (ms: number, rate = SAMPLE_RATE): number => Math.round((ms * rate) / 1000);

export const silence = (ms: number): Int16Array => new Int16Array(msToSamples(ms));

/**
 * Cut PCM into 20 ms frames, the last one padded with silence. The frames
 * share no memory with `samples` except where a whole frame fits (a view).
 * `annotation` goes on the first frame.
 */
export function toFrames(samples: Int16Array, annotation?: Annotation): Frame[] {
  const frames: Frame[] = [];
  for (let at = 0; at < samples.length; at += FRAME_SAMPLES) {
    const end = at + FRAME_SAMPLES;
    let chunk: Int16Array;
    if (end <= samples.length) chunk = samples.subarray(at, end);
    else {
      chunk = new Int16Array(FRAME_SAMPLES);
      chunk.set(samples.subarray(at));
    }
    frames.push(at === 0 && annotation ? { samples: chunk, annotation } : { samples: chunk });
  }
  return frames;
}

export function concat(parts: readonly Int16Array[]): Int16Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Int16Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const framesToSamples = (frames: readonly Frame[]): Int16Array => concat(frames.map((f) => f.samples));

/** Root mean square of `samples[start, end)`, in sample units (0 … 32768). */
export function rms(samples: Int16Array, start = 0, end = samples.length): number {
  if (end <= start) return 0;
  let sum = 0;
  for (let i = start; i < end; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / (end - start));
}

/** RMS of consecutive windows of `windowMs` (a last partial window is measured over what it has). */
export function rmsWindows(samples: Int16Array, windowMs = 20, rate = SAMPLE_RATE): Float64Array {
  const size = Math.max(1, msToSamples(windowMs, rate));
  const out = new Float64Array(Math.ceil(samples.length / size));
  for (let w = 0; w < out.length; w++) out[w] = rms(samples, w * size, Math.min(samples.length, (w + 1) * size));
  return out;
}

/** Level relative to full scale in dB (-Infinity for digital silence). */
export const dbfs = (rmsValue: number): number => 20 * Math.log10(rmsValue / 32768);

/** Scale by a linear gain with saturation, in place. */
export function applyGain(samples: Int16Array, gain: number): Int16Array {
  for (let i = 0; i < samples.length; i++) samples[i] = clamp16(Math.round(samples[i] * gain));
  return samples;
}
