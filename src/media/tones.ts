// Call-progress tones and beeps. A cadenced tone is rendered once per spec
// into one full cycle (cached), and every leg playing it copies 20 ms slices
// out of that buffer: no per-sample maths per leg.

import { FRAME_SAMPLES, SAMPLE_RATE } from './frame.ts';
import { clamp16, msToSamples } from './pcm.ts';

export interface ToneSpec {
  name: string;
  frequencies: readonly number[];
  /** Alternating on/off durations in ms, repeated; empty = continuous. */
  cadence: readonly number[];
  /** Peak amplitude of each component, as a fraction of full scale. */
  amplitude: number;
}

/** Edges are ramped over this long so bursts start and stop without clicks. */
const RAMP_MS = 4;

const CEPT_RINGBACK: ToneSpec = { name: 'ringback', frequencies: [425], cadence: [1000, 4000], amplitude: 0.12 };
const UK_RINGBACK: ToneSpec = { name: 'ringback', frequencies: [400, 450], cadence: [400, 200, 400, 2000], amplitude: 0.1 };

/** Ring-back by ISO country of the called party (what the caller expects to hear). */
const RINGBACK: Record<string, ToneSpec> = {
  US: { name: 'ringback', frequencies: [440, 480], cadence: [2000, 4000], amplitude: 0.1 },
  CA: { name: 'ringback', frequencies: [440, 480], cadence: [2000, 4000], amplitude: 0.1 },
  GB: UK_RINGBACK,
  IE: UK_RINGBACK,
  AU: { name: 'ringback', frequencies: [400, 425], cadence: [400, 200, 400, 2000], amplitude: 0.1 },
  NZ: { name: 'ringback', frequencies: [400, 450], cadence: [400, 200, 400, 2000], amplitude: 0.1 },
  IN: { name: 'ringback', frequencies: [400, 425], cadence: [400, 200, 400, 2000], amplitude: 0.1 },
  FR: { name: 'ringback', frequencies: [440], cadence: [1500, 3500], amplitude: 0.12 },
  DE: CEPT_RINGBACK,
  ES: { name: 'ringback', frequencies: [425], cadence: [1500, 3000], amplitude: 0.12 },
  IT: CEPT_RINGBACK,
  NL: CEPT_RINGBACK,
  JP: { name: 'ringback', frequencies: [400, 416], cadence: [1000, 2000], amplitude: 0.1 },
};

/** Unknown countries get the CEPT (European) tone, the most widespread one. */
export const ringbackFor = (country: string): ToneSpec => RINGBACK[country.toUpperCase()] ?? CEPT_RINGBACK;

/** The beep of Record `playBeep` and Wait `beep`: 1 kHz for 250 ms, like most voicemail systems. */
export const BEEP = { frequency: 1000, durationMs: 250, amplitude: 0.3 } as const;

/** A plain continuous tone at any frequency. */
export const pureTone = (frequency: number, amplitude = 0.3): ToneSpec => ({
  name: `${frequency}Hz`,
  frequencies: [frequency],
  cadence: [],
  amplitude,
});

/** Sum of sines `durationMs` long, starting at phase 0, with ramped edges unless it is to loop. */
export function renderTone(frequencies: readonly number[], amplitude: number, durationMs: number, ramped = true): Int16Array {
  const n = msToSamples(durationMs);
  const out = new Int16Array(n);
  const ramp = ramped ? Math.min(msToSamples(RAMP_MS), n >> 1) : 0;
  const peak = amplitude * 32767;
  const steps = frequencies.map((f) => (2 * Math.PI * f) / SAMPLE_RATE);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (const step of steps) v += Math.sin(step * i);
    const edge = Math.min(i, n - 1 - i);
    const gain = edge < ramp ? 0.5 - 0.5 * Math.cos((Math.PI * edge) / ramp) : 1;
    out[i] = clamp16(Math.round(v * peak * gain));
  }
  return out;
}

const cycles = new WeakMap<ToneSpec, Int16Array>();

/** One full cadence cycle (1 s of a continuous tone: whole periods for integral frequencies, so it loops cleanly). */
function cycleOf(spec: ToneSpec): Int16Array {
  let cycle = cycles.get(spec);
  if (cycle) return cycle;
  if (spec.cadence.length === 0) cycle = renderTone(spec.frequencies, spec.amplitude, 1000, false);
  else {
    cycle = new Int16Array(msToSamples(spec.cadence.reduce((a, b) => a + b, 0)));
    let at = 0;
    for (const [i, ms] of spec.cadence.entries()) {
      if (i % 2 === 0) cycle.set(renderTone(spec.frequencies, spec.amplitude, ms), at); // odd entries: silence
      at += msToSamples(ms);
    }
  }
  cycles.set(spec, cycle);
  return cycle;
}

/** Plays a tone spec forever, 20 ms at a time, from the start of its cadence. */
export class ToneSource {
  private readonly cycle: Int16Array;
  private position = 0;

  constructor(readonly spec: ToneSpec) {
    this.cycle = cycleOf(spec);
  }

  /** The next frame's samples, written into `out` (a fresh buffer unless given). */
  next(out = new Int16Array(FRAME_SAMPLES)): Int16Array {
    let written = 0;
    while (written < out.length) {
      const take = Math.min(out.length - written, this.cycle.length - this.position);
      out.set(this.cycle.subarray(this.position, this.position + take), written);
      written += take;
      this.position = (this.position + take) % this.cycle.length;
    }
    return out;
  }
}

/** The beep as samples (Record/Wait beep, played once). */
export const beep = (): Int16Array => renderTone([BEEP.frequency], BEEP.amplitude, BEEP.durationMs);

/**
 * The platform's own wait and hold music, for rooms given no music URL: a
 * slow C-major arpeggio up and down with a rest, a 3.6 s phrase that loops.
 */
export const HOLD_MUSIC = { name: 'hold-music', notes: [523, 659, 784, 659, 523, 0], noteMs: 600, amplitude: 0.12 } as const;

let holdMusicCycle: Int16Array | undefined;

/** One phrase of HOLD_MUSIC as samples (rendered once); a 0 Hz note is a rest. */
export function holdMusic(): Int16Array {
  if (holdMusicCycle) return holdMusicCycle;
  const { notes, noteMs, amplitude } = HOLD_MUSIC;
  const step = msToSamples(noteMs);
  holdMusicCycle = new Int16Array(step * notes.length);
  notes.forEach((f, i) => {
    if (f > 0) holdMusicCycle!.set(renderTone([f], amplitude, noteMs), i * step);
  });
  return holdMusicCycle;
}
