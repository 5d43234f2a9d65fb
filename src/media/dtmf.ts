// In-band DTMF: generating digit tones and detecting them with Goertzel.
//
// Detection follows the receiver limits of ITU-T Q.24 / Bellcore practice:
// each tone at -25 dBm0 or louder is accepted (we go down to -32 dBm0), the
// high-group tone up to 4 dB above the low-group one (normal twist) and the
// low group up to 8 dB above the high (reverse twist) are accepted (we allow
// 6 and 10), a tone ±1.5 % off its nominal frequency is accepted, 40 ms of
// tone and 40 ms of pause are enough. Speech is kept out (talk-off) by
// demanding that the two tones carry nearly all of a block's energy and that
// no other frequency of their groups comes close.

import { FRAME_SAMPLES } from './frame.ts';
import { concat, silence } from './pcm.ts';
import { goertzelCoefficient, goertzelShareMax2, goertzelShares4 } from './spectrum.ts';
import { renderTone } from './tones.ts';

const ROWS = [697, 770, 852, 941] as const;
const COLS = [1209, 1336, 1477, 1633] as const;
const KEYPAD = ['123A', '456B', '789C', '*0#D'] as const;

export const DTMF_DIGITS = '0123456789*#ABCD';

/** Each of the two components at -12 dBFS (about -9 dBm0): a typical handset level. */
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
/**
 * A 20 ms block resolves 50 Hz: a tone 1.5 % off (up to 25 Hz in the high
 * group) loses half its measured power at the nominal frequency. The
 * strongest tone of each group is measured again 1.5 % either side, and
 * the best of the three counts.
 */
const TOLERANCE = 0.015;
const near = (fs: readonly number[]) => fs.map((f) => [goertzelCoefficient(f * (1 - TOLERANCE)), goertzelCoefficient(f * (1 + TOLERANCE))] as const);
const ROW_NEAR = near(ROWS);
const COL_NEAR = near(COLS);

/** Analysis block: 20 ms, hopping by 10 ms so a 40 ms tone always fills two blocks. */
export const DTMF_BLOCK = FRAME_SAMPLES;
const HOP = DTMF_BLOCK / 2;

const dbPower = (db: number): number => 10 ** (db / 10);
/** Mean square of a full-scale sine: +3.17 dBm0 in G.711 (the digital milliwatt is 3.17 dB below it). */
const FULL_SCALE_SINE = 32767 ** 2 / 2;
/** The quietest tone (each of the two) taken as a key: -32 dBm0, 7 dB under the -25 dBm0 receivers must accept. */
const MIN_TONE_POWER = FULL_SCALE_SINE * dbPower(-32 - 3.17);
/** Blocks with less energy than two such tones are not examined (most of a silent or quiet line). */
export const MIN_KEY_BLOCK_ENERGY = 2 * MIN_TONE_POWER * DTMF_BLOCK;
/** The two tones must carry this share of the block's energy (speech spreads its energy wider)… */
const MIN_PAIR_SHARE = 0.8;
/** …and each group's other frequencies together stay 6 dB under its tone. */
const MAX_REST_OF_GROUP = 0.25;
/** High group over low group (normal twist), and low over high (reverse twist). */
const MAX_HIGH_OVER_LOW = dbPower(6);
const MAX_LOW_OVER_HIGH = dbPower(10);
/** The least share each group's tone can have when the pair passes the limits above (the row's is checked before the columns are measured). */
const MIN_ROW_SHARE = MIN_PAIR_SHARE / (1 + MAX_HIGH_OVER_LOW);
const MIN_COL_SHARE = MIN_PAIR_SHARE / (1 + MAX_LOW_OVER_HIGH);

/** Scratch: the four shares of a group, measured in one pass. */
const groupShares = new Float64Array(4);

/** What `strongest` found (scratch, read right after each call: no array per block). */
let bestIndex = 0;
let bestShareOf = 0;
let restShare = 0;

/** The group's strongest tone (its share measured at its nominal frequency and 1.5 % either side), and the others' shares together, into bestIndex/bestShareOf/restShare. */
function strongest(samples: Int16Array, start: number, coefficients: readonly number[], nearby: ReadonlyArray<readonly [number, number]>, energy: number, minShare: number): void {
  let best = 0;
  let bestShare = 0;
  let rest = 0;
  goertzelShares4(samples, start, start + DTMF_BLOCK, coefficients, energy, groupShares);
  for (let i = 0; i < coefficients.length; i++) {
    const share = groupShares[i]!;
    if (share > bestShare) {
      rest += bestShare;
      best = i;
      bestShare = share;
    } else rest += share;
  }
  bestIndex = best;
  restShare = rest;
  bestShareOf = bestShare;
  // A tone 1.5 % off keeps about half its share at the nominal frequency: far less is no tone of this group.
  if (bestShare < minShare / 2) return;
  const [below, above] = nearby[best]!;
  const offShare = goertzelShareMax2(samples, start, start + DTMF_BLOCK, below, above, energy);
  bestShareOf = Math.max(bestShare, offShare);
}

/** The key whose two tones fill the 20 ms block at `samples[start…]`, or null; `energy` is the block's sum of squares. */
export function classifyBlock(samples: Int16Array, start: number, energy: number): string | null {
  if (energy < MIN_KEY_BLOCK_ENERGY) return null;
  strongest(samples, start, ROW_COEFFICIENTS, ROW_NEAR, energy, MIN_ROW_SHARE);
  const row = bestIndex;
  const rowShare = bestShareOf;
  if (rowShare < MIN_ROW_SHARE || restShare > rowShare * MAX_REST_OF_GROUP) return null;
  strongest(samples, start, COL_COEFFICIENTS, COL_NEAR, energy, MIN_COL_SHARE);
  const col = bestIndex;
  const colShare = bestShareOf;
  if (rowShare + colShare < MIN_PAIR_SHARE || restShare > colShare * MAX_REST_OF_GROUP) return null;
  if (colShare > rowShare * MAX_HIGH_OVER_LOW || rowShare > colShare * MAX_LOW_OVER_HIGH) return null;
  if (Math.min(rowShare, colShare) * energy < MIN_TONE_POWER * DTMF_BLOCK) return null;
  return KEYPAD[row][col];
}

export interface KeyToneEvents {
  /** Key `digit` has sounded long enough to count; its tone began at `start`. */
  began?(digit: string, start: number): void;
  /** Its tone is over: it lasted from `start` to `end`. */
  ended?(digit: string, start: number, end: number): void;
}

/**
 * Keys from the verdicts of consecutive half-overlapping blocks (times in
 * any unit the caller uses): a key counts once it has been heard in two
 * blocks in a row (30 ms of tone), and is over after two blocks without it,
 * so one odd block neither makes nor breaks a key. A key held down is one key.
 */
export class KeyToneTracker {
  private candidate: string | null = null;
  private candidateStart = 0;
  private streak = 0;
  private current: string | null = null;
  private currentStart = 0;
  private currentEnd = 0;

  constructor(private readonly events: KeyToneEvents) {}

  /** Is a key's tone sounding (begun and not yet over)? */
  get sounding(): boolean {
    return this.current !== null;
  }

  /** The block [start, end) holds `digit`'s tones, or none (null). */
  block(digit: string | null, start: number, end: number): void {
    if (digit === this.candidate) this.streak++;
    else {
      this.candidate = digit;
      this.candidateStart = start;
      this.streak = 1;
    }
    if (digit !== null && digit === this.current) this.currentEnd = end;
    if (this.streak < 2 || digit === this.current) return;
    this.release();
    if (digit === null) return;
    this.current = digit;
    this.currentStart = this.candidateStart;
    this.currentEnd = end;
    this.events.began?.(digit, this.currentStart);
  }

  /** The audio stopped (a gap, the end of what was heard): a key still sounding is over where its last block ended. */
  flush(): void {
    this.release();
    this.candidate = null;
    this.streak = 0;
  }

  private release(): void {
    const digit = this.current;
    if (digit === null) return;
    this.current = null;
    this.events.ended?.(digit, this.currentStart, this.currentEnd);
  }
}

/**
 * Streaming detector over 8 kHz PCM in pieces of any size: the digits that
 * began in each piece. (The engine's line analysis, line-analysis.ts, drives
 * the same blocks frame by frame with times.)
 */
export class DtmfDetector {
  private readonly pending = new Int16Array(DTMF_BLOCK + FRAME_SAMPLES * 4);
  private pendingLength = 0;
  private position = 0;
  private found: string[] = [];
  private readonly keys = new KeyToneTracker({ began: (digit) => this.found.push(digit) });

  /** Feed any amount of audio; returns the digits that began in it. */
  push(samples: Int16Array): string[] {
    this.found = [];
    let at = 0;
    while (at < samples.length) {
      const take = Math.min(samples.length - at, this.pending.length - this.pendingLength);
      this.pending.set(samples.subarray(at, at + take), this.pendingLength);
      this.pendingLength += take;
      at += take;
      let start = 0;
      for (; start + DTMF_BLOCK <= this.pendingLength; start += HOP) {
        const p = this.pending;
        let energy = 0;
        for (let i = start; i < start + DTMF_BLOCK; i++) energy += p[i] * p[i];
        const t = this.position + start;
        this.keys.block(classifyBlock(p, start, energy), t, t + DTMF_BLOCK);
      }
      this.pending.copyWithin(0, start, this.pendingLength);
      this.pendingLength -= start;
      this.position += start;
    }
    return this.found;
  }
}

/** All digits in a stretch of 8 kHz audio. */
export const detectDtmf = (samples: Int16Array): string[] => new DtmfDetector().push(samples);
