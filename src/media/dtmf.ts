// In-band DTMF: generating digit tones and detecting them with Goertzel.

import { FRAME_SAMPLES } from './frame.ts';
import { concat, silence } from './pcm.ts';
import { goertzelCoefficient, goertzelShare } from './spectrum.ts';
import { renderTone } from './tones.ts';

const ROWS = [697, 770, 852, 941] as const;
const COLS = [1209, 1336, 1477, 1633] as const;
const KEYPAD = ['123A', '456B', '789C', '*0#D'] as const;

export const DTMF_DIGITS = '0123456789*#ABCD';

/** Each of the two components at -12 dBFS: a typical handset level. */
const DTMF_AMPLITUDE = 0.25;

function frequenciesOf(digit: string): [number, number] {
  const d = digit.toUpperCase();
  for (let r = 0; r < 4; r++) {
    const c = KEYPAD[r].indexOf(d);
    if (c >= 0) return [ROWS[r], COLS[c]];
  }
  throw new RangeError(`"${digit}" is not a DTMF digit (allowed: ${DTMF_DIGITS})`);
}

/** One digit's tone, `durationMs` long. */
export function dtmfTone(digit: string, durationMs = 100): Int16Array {
  return renderTone(frequenciesOf(digit), DTMF_AMPLITUDE, durationMs);
}

/**
 * A dialled string as audio: each digit `toneMs` followed by `gapMs` of
 * silence; `w` waits 0.5 s and `W` 1 s, as in Plivo's sendDigits/DTMF.
 */
export function dtmfSequence(digits: string, toneMs = 100, gapMs = 100): Int16Array {
  const parts: Int16Array[] = [];
  for (const c of digits) {
    if (c === 'w') parts.push(silence(500));
    else if (c === 'W') parts.push(silence(1000));
    else parts.push(dtmfTone(c, toneMs), silence(gapMs));
  }
  return concat(parts);
}

const ROW_COEFFICIENTS = ROWS.map((f) => goertzelCoefficient(f));
const COL_COEFFICIENTS = COLS.map((f) => goertzelCoefficient(f));

/** Blocks quieter than this (mean power, ≈ -45 dBFS) are not examined. */
const MIN_POWER = (32768 * 10 ** (-45 / 20)) ** 2;
/** A digit must carry this share of the block's energy in its two tones… */
const MIN_PAIR_SHARE = 0.8;
/** …with neither tone under this share (about 8 dB of twist). */
const MIN_TONE_SHARE = 0.14;

const BLOCK = FRAME_SAMPLES; // 20 ms
const HOP = BLOCK / 2; // blocks overlap by half so a 40 ms digit always fills two

function strongest(
  samples: Int16Array,
  start: number,
  coefficients: readonly number[],
  energy: number,
): [index: number, share: number, rest: number] {
  let best = 0;
  let bestShare = 0;
  let rest = 0;
  for (let i = 0; i < coefficients.length; i++) {
    const share = goertzelShare(samples, start, start + BLOCK, coefficients[i], energy);
    if (share > bestShare) {
      rest += bestShare;
      best = i;
      bestShare = share;
    } else rest += share;
  }
  return [best, bestShare, rest];
}

/**
 * Streaming detector over 8 kHz PCM. A digit is reported once, when it has
 * been heard in two consecutive half-overlapping 20 ms blocks (≥ 30 ms of
 * tone); it can repeat after two blocks without it.
 */
export class DtmfDetector {
  private readonly pending = new Int16Array(BLOCK + FRAME_SAMPLES * 4);
  private pendingLength = 0;
  private candidate: string | null = null;
  private streak = 0;
  private current: string | null = null;

  /** Feed any amount of audio; returns the digits that began in it. */
  push(samples: Int16Array): string[] {
    const found: string[] = [];
    let at = 0;
    while (at < samples.length) {
      const take = Math.min(samples.length - at, this.pending.length - this.pendingLength);
      this.pending.set(samples.subarray(at, at + take), this.pendingLength);
      this.pendingLength += take;
      at += take;
      let start = 0;
      for (; start + BLOCK <= this.pendingLength; start += HOP) {
        const digit = this.onBlock(this.classify(start));
        if (digit) found.push(digit);
      }
      this.pending.copyWithin(0, start, this.pendingLength);
      this.pendingLength -= start;
    }
    return found;
  }

  private classify(start: number): string | null {
    const p = this.pending;
    let energy = 0;
    for (let i = start; i < start + BLOCK; i++) energy += p[i] * p[i];
    if (energy / BLOCK < MIN_POWER) return null;
    const [row, rowShare, rowRest] = strongest(p, start, ROW_COEFFICIENTS, energy);
    const [col, colShare, colRest] = strongest(p, start, COL_COEFFICIENTS, energy);
    if (rowShare < MIN_TONE_SHARE || colShare < MIN_TONE_SHARE) return null;
    if (rowShare + colShare < MIN_PAIR_SHARE) return null;
    // The runner-up of each group must be well below the winner (6 dB).
    if (rowRest > rowShare / 4 || colRest > colShare / 4) return null;
    return KEYPAD[row][col];
  }

  private onBlock(digit: string | null): string | null {
    if (digit === this.candidate) this.streak++;
    else {
      this.candidate = digit;
      this.streak = 1;
    }
    if (this.streak < 2 || digit === this.current) return null;
    this.current = digit;
    return digit;
  }
}

/** All digits in a stretch of 8 kHz audio. */
export const detectDtmf = (samples: Int16Array): string[] => new DtmfDetector().push(samples);
