// Is there sound on the line? A voice activity detector over 20 ms frames:
// each frame's mean power against two thresholds (hysteresis) that sit a few
// dB above a tracked noise floor, and never below absolute levels well under
// speech. A frame starts sound above the upper threshold; once there is
// sound, frames above the lower one continue it for a short hangover, so
// the quiet tail of a syllable or a short dip between words stays one
// stretch while boundaries stay frame-exact. The floor follows the line's
// noise down at once and up slowly (6 dB a second), so steady noise (a hiss,
// a hum) stops counting as sound after a while and speech, which always has
// quieter moments, does not lift it.
import { FRAME_MS, FRAME_SAMPLES } from './frame.ts';

const power = (db: number): number => (32768 * 10 ** (db / 20)) ** 2;

/** Mean power a frame needs to start sound (-45 dBFS, about RMS 184: quiet speech is -35 and louder)… */
const START_POWER = power(-45);
/** …and to continue it (-50 dBFS). Line noise of a real call is -60 or lower. */
const CONTINUE_POWER = power(-50);
/** Over the noise floor, a frame must be this much louder to start sound (9 dB)… */
const START_OVER_FLOOR = 10 ** (9 / 10);
/** …or to continue it (5 dB). */
const CONTINUE_OVER_FLOOR = 10 ** (5 / 10);
/** Quiet frames (under the lower threshold) within sound after which it needs starting again (40 ms). */
const HANGOVER_FRAMES = 2;
/** The floor's lowest value (-70 dBFS: digital silence must not make the detector hear a whisper of dither). */
const MIN_FLOOR = power(-70);
/** The floor rises at most 6 dB a second (per 20 ms frame: 6 dB / 50). */
const FLOOR_RISE = 10 ** (6 / 10 / (1000 / FRAME_MS));

/**
 * Sum of squares of `samples[start, end)`. Four sums side by side, so the
 * CPU is not waiting on one chain of additions (media workers run this on
 * every leg's every frame); squares of 16-bit samples are whole numbers and
 * every partial sum stays far below 2^53, so the order of the additions
 * cannot change the result.
 */
export function energyOf(samples: Int16Array, start: number, end: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const w = samples[i]!;
    const x = samples[i + 1]!;
    const y = samples[i + 2]!;
    const z = samples[i + 3]!;
    a += w * w;
    b += x * x;
    c += y * y;
    d += z * z;
  }
  for (; i < end; i++) a += samples[i]! * samples[i]!;
  return a + b + (c + d);
}

export class VoiceActivity {
  private floor = MIN_FLOOR;
  /** In sound: frames need only the lower threshold to go on. */
  private inSound = false;
  /** Quiet frames in a row while in sound. */
  private quiet = 0;

  /** A copy that continues from this state: for audio analysed apart from the line's order. */
  fork(): VoiceActivity {
    const v = new VoiceActivity();
    v.floor = this.floor;
    return v;
  }

  /** Is a frame of mean power `meanPower` sound? Call once per frame, in order. */
  frame(meanPower: number): boolean {
    this.floor = meanPower < this.floor ? Math.max(MIN_FLOOR, meanPower) : Math.min(meanPower, this.floor * FLOOR_RISE);
    const threshold = this.inSound ? Math.max(CONTINUE_POWER, this.floor * CONTINUE_OVER_FLOOR) : Math.max(START_POWER, this.floor * START_OVER_FLOOR);
    if (meanPower >= threshold) {
      this.inSound = true;
      this.quiet = 0;
      return true;
    }
    if (this.inSound && ++this.quiet > HANGOVER_FRAMES) this.inSound = false;
    return false;
  }

  /** The line was silent (nothing was sent) for a while: sound must start again. */
  gap(): void {
    this.inSound = false;
  }
}

/**
 * Where sound is in `samples` on their own (a fresh detector): [first, last)
 * in ms from their start, each a whole frame; undefined when there is none.
 */
export function soundExtent(samples: Int16Array): [from: number, to: number] | undefined {
  const vad = new VoiceActivity();
  let from = -1;
  let to = -1;
  for (let f = 0; f * FRAME_SAMPLES < samples.length; f++) {
    const start = f * FRAME_SAMPLES;
    const end = Math.min(samples.length, start + FRAME_SAMPLES);
    if (!vad.frame(energyOf(samples, start, end) / (end - start))) continue;
    if (from < 0) from = f * FRAME_MS;
    to = (f + 1) * FRAME_MS;
  }
  return from < 0 ? undefined : [from, to];
}
