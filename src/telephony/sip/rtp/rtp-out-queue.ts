// What a session sends, tick by tick: the driver's `AudioOut` queue as the
// media worker keeps it. Positions are tick numbers (20 ms each). Queued runs
// play back to back from the tick they were asked for (or after what is
// queued, or from the next tick when they arrive late); mixed runs add over
// whatever plays; a clear drops queued frames from its tick on. Keys are
// queued like audio and come out either as RFC 4733 events or, without a
// negotiated telephone-event, as their tones.
import { dtmfTone } from '../../../media/dtmf.ts';
import { FRAME_MS, FRAME_SAMPLES } from '../../../media/frame.ts';
import { clamp16 } from '../../../media/pcm.ts';
import type { AudioCodecName } from '../sip-sdp.ts';

export const TAKE_IDLE = 0;
export const TAKE_AUDIO = 1;
export const TAKE_DIGIT = 2;
export type Take = typeof TAKE_IDLE | typeof TAKE_AUDIO | typeof TAKE_DIGIT;

/** A run of samples already encoded in G.711 (one byte a sample, in the codecs it has): a leg sending in one of those copies a frame's bytes into its packet instead of encoding it. */
export type EncodedRun = Partial<Record<AudioCodecName, Uint8Array>>;

interface Item {
  start: number;
  frames: number;
  samples: Int16Array | null;
  /** The samples already encoded (a shared prompt), else null. */
  g711: EncodedRun | null;
  /** A key; its samples are the tone, made when it plays in band. */
  digit: string | null;
}

export const framesIn = (samples: number): number => Math.ceil(samples / FRAME_SAMPLES);

const EMPTY = new Int16Array(0);
const tones = new Map<string, Int16Array>();
function toneOf(digit: string, frames: number): Int16Array {
  const key = `${digit}:${frames}`;
  let t = tones.get(key);
  if (!t) tones.set(key, (t = dtmfTone(digit, frames * FRAME_MS)));
  return t;
}

export class OutQueue {
  /** Keys go out as tones (no telephone-event negotiated). */
  inbandDigits = false;
  /** After a TAKE_DIGIT: the key, which of its frames this is and how many it has. */
  digit = '';
  digitIndex = 0;
  digitFrames = 0;
  /**
   * Queued runs and keys in play order, never overlapping: the first (null:
   * none queued) and those after it. The first is what every tick reads, so
   * it is kept here rather than as the list's first: a playing tick reads
   * the run, not the list, its elements and then the run (cold memory, a
   * thousand sessions a worker).
   */
  private head: Item | null = null;
  private readonly rest: Item[] = [];
  /** Mixed runs, made at the first mix (most legs never mix; every tick would read the empty list). */
  private mixes: Item[] | null = null;
  /** The tick after the last queued frame. */
  private end = 0;
  /** The first tick not yet taken. */
  private next = 0;
  /** Where mixed runs are summed (made at the first mix: most legs never mix). */
  private sum: Int32Array | null = null;

  /** Queue `samples` from `tick` (or after what is queued), with their G.711 bytes when they were encoded already; returns the tick it starts at. */
  send(tick: number, samples: Int16Array, g711: EncodedRun | null = null): number {
    return this.queue({ start: tick, frames: framesIn(samples.length), samples, g711, digit: null });
  }

  /** Queue a key lasting `frames` ticks. */
  sendDigit(tick: number, digit: string, frames: number): number {
    return this.queue({ start: tick, frames, samples: null, g711: null, digit });
  }

  /** Add `samples` over whatever plays from `tick`, queue or silence. */
  mix(tick: number, samples: Int16Array): void {
    const frames = framesIn(samples.length);
    if (frames > 0) (this.mixes ??= []).push({ start: Math.max(tick, this.next), frames, samples, g711: null, digit: null });
  }

  /** Drop queued frames from `tick` on; a key already being sent finishes (a key cannot be half pressed). */
  clear(tick: number): void {
    const at = Math.max(tick, this.next);
    const rest = this.rest;
    while (rest.length > 0 && rest[rest.length - 1]!.start >= at) rest.pop();
    if (rest.length === 0 && this.head !== null && this.head.start >= at) this.head = null;
    const last = rest.length > 0 ? rest[rest.length - 1]! : this.head;
    if (last !== null && last.digit === null && last.start + last.frames > at) last.frames = at - last.start;
    this.end = last !== null ? last.start + last.frames : 0;
  }

  /**
   * The ticks before `tick` went by without a `take` (a session that does
   * not tick yet): the queue is left as those takes would have left it, so
   * what is queued from now on lands where it would have.
   */
  skipTo(tick: number): void {
    if (tick <= this.next) return;
    this.next = tick;
    while (this.head !== null && this.head.start + this.head.frames < tick) this.shift();
  }

  /** The tick after the last queued frame. */
  get queuedUntil(): number {
    return this.end;
  }

  /**
   * Where the frame of the last `take` is: `frameLength` samples of
   * `frameSamples` from `frameAt` (fewer than a frame at a run's end, the
   * rest silence). With `copy` false, a frame that is one queued run's, with
   * nothing mixed over it, is left where it is, so a packetiser encodes it
   * straight out of the run; otherwise it is `out`. `frameG711` is then the
   * run's G.711 bytes when it came encoded (the frame is at `frameAt` there
   * too), else null.
   */
  frameSamples: Int16Array = EMPTY;
  frameG711: EncodedRun | null = null;
  frameAt = 0;
  frameLength = 0;

  /** What to send at `tick`: audio written to `out` (160 samples), a key's event, or nothing queued (`out` silent); see `frameSamples` for `copy`. */
  take(tick: number, out: Int16Array, copy = true): Take {
    this.next = tick + 1;
    let head = this.head;
    while (head !== null && head.start + head.frames <= tick) head = this.shift();
    let result: Take = TAKE_IDLE;
    this.frameSamples = out;
    this.frameG711 = null;
    this.frameAt = 0;
    this.frameLength = FRAME_SAMPLES;
    if (head !== null && head.start <= tick) {
      const index = tick - head.start;
      if (head.digit !== null && !this.inbandDigits) {
        this.digit = head.digit;
        this.digitIndex = index;
        this.digitFrames = head.frames;
        return TAKE_DIGIT;
      }
      if (head.digit !== null) head.samples ??= toneOf(head.digit, head.frames);
      result = TAKE_AUDIO;
      const samples = head.samples!;
      const from = index * FRAME_SAMPLES;
      if (!copy && !this.mixing(tick)) {
        this.frameSamples = samples;
        this.frameG711 = head.g711;
        this.frameAt = from;
        this.frameLength = Math.min(FRAME_SAMPLES, samples.length - from);
        return result;
      }
      copyFrame(samples, from, out);
    } else out.fill(0);
    return this.mixInto(tick, out) ? TAKE_AUDIO : result;
  }

  private queue(item: Item): number {
    item.start = Math.max(item.start, this.end, this.next);
    if (item.frames === 0) return item.start;
    if (this.head === null) this.head = item;
    else this.rest.push(item);
    this.end = item.start + item.frames;
    return item.start;
  }

  /** The first queued item is done with: the next one (or none) is first. */
  private shift(): Item | null {
    return (this.head = this.rest.length > 0 ? this.rest.shift()! : null);
  }

  /** Whether a mixed run plays at `tick` (forgetting those that have ended). */
  private mixing(tick: number): boolean {
    const mixes = this.mixes;
    if (mixes === null) return false;
    let any = false;
    for (let i = 0; i < mixes.length; i++) {
      const m = mixes[i]!;
      if (m.start + m.frames <= tick) mixes.splice(i--, 1);
      else if (m.start <= tick) any = true;
    }
    return any;
  }

  /** Add the mixed runs playing at `tick` over `out`, summed before saturating once. */
  private mixInto(tick: number, out: Int16Array): boolean {
    let any = false;
    const mixes = this.mixes;
    if (mixes === null || mixes.length === 0) return false;
    const sum = (this.sum ??= new Int32Array(FRAME_SAMPLES));
    for (let i = 0; i < mixes.length; i++) {
      const m = mixes[i]!;
      if (m.start + m.frames <= tick) {
        mixes.splice(i--, 1);
        continue;
      }
      if (m.start > tick) continue;
      if (!any) for (let j = 0; j < FRAME_SAMPLES; j++) sum[j] = out[j]!;
      any = true;
      const s = m.samples!;
      const from = (tick - m.start) * FRAME_SAMPLES;
      const n = Math.min(FRAME_SAMPLES, s.length - from);
      for (let j = 0; j < n; j++) sum[j] += s[from + j]!;
    }
    if (any) for (let j = 0; j < FRAME_SAMPLES; j++) out[j] = clamp16(sum[j]!);
    return any;
  }
}

/** The frame of `samples` starting at `from` into `out`, the short last frame padded with silence. */
function copyFrame(samples: Int16Array, from: number, out: Int16Array): void {
  const n = Math.min(FRAME_SAMPLES, samples.length - from);
  for (let i = 0; i < n; i++) out[i] = samples[from + i]!;
  if (n < FRAME_SAMPLES) out.fill(0, n);
}
