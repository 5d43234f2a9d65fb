// The receive side's jitter buffer: packets arrive whenever the network
// delivers them; the worker takes one 20 ms frame out per tick. Positions
// are RTP timestamps (samples), not packets, so any packet size (10, 20,
// 30 ms …) lands in the right place, reordered packets slot in, duplicates
// are recognised by the samples they cover, and a frame nothing arrived for
// is concealed with silence. G.711 payloads are kept as they came (a byte a
// sample) and decoded with the codec's table only when their frame plays,
// straight into the caller's frame: the buffer a leg keeps is half the size
// and each sample is touched once on the way in and once on the way out —
// with a thousand legs a worker, every leg's memory is cold again by its
// next tick, so bytes touched are what the receive side costs.
//
// Depth is adaptive within [minDepth, maxDepth] frames: a packet arriving
// after its frame has played grows it by one frame (one frame of silence is
// inserted), a long stretch without late packets shrinks it by one, and a
// buffer that stays fuller than its depth for a second (a far end whose
// clock runs fast, a burst after a stall) drops a frame to catch up.
// When nothing arrives for `idleAfter` frames the stream counts as paused
// (silence suppression, hold) and the next packet starts it afresh.
import { FRAME_SAMPLES } from '../../../media/frame.ts';
import { tsDelta } from './rtp-packet.ts';
import { WordCopy } from './rtp-word-copy.ts';

export interface JitterBufferOptions {
  /** Frames of buffering at the start of a stream (default 3: 60 ms). */
  startDepth?: number;
  minDepth?: number;
  maxDepth?: number;
  /** Frames concealed with nothing buffered after which the stream counts as paused (default 5). */
  idleAfter?: number;
}

export type PutResult = 'buffered' | 'late' | 'duplicate' | 'restarted';

export interface JitterStats {
  /** Packets that arrived after their frame had played. */
  late: number;
  duplicates: number;
  /** Frames played as silence because their audio had not arrived. */
  concealed: number;
  /** Frames dropped to bring the delay back to the depth. */
  dropped: number;
  /** Times the stream (re)started: first packet, after a pause, after a timestamp jump. */
  starts: number;
}

/** One second of frames: the furthest ahead a packet may be. */
const SLOTS = 50;
/** Each frame's coverage is kept in 8 blocks of 20 samples (2.5 ms), enough for every common packet size. */
const BLOCK = FRAME_SAMPLES / 8;
const ALL_BLOCKS = 0xff;
/** Pops without a late packet before the depth shrinks by one frame (10 s). */
const SHRINK_AFTER = 500;
/** Pops over which the buffer's lowest fill is watched before trimming (1 s). */
const TRIM_WINDOW = 50;

export class JitterBuffer {
  readonly stats: JitterStats = { late: 0, duplicates: 0, concealed: 0, dropped: 0, starts: 0 };
  /** Target frames buffered ahead of the one playing. */
  depth: number;
  private readonly minDepth: number;
  private readonly maxDepth: number;
  private readonly idleAfter: number;
  /** The payload bytes of each slot's frame, undecoded. */
  private readonly bytes = new Uint8Array(SLOTS * FRAME_SAMPLES);
  /** The same as 32-bit words: a payload is copied in four bytes at a time where both sides line up. */
  private readonly words = new Uint32Array(this.bytes.buffer);
  /** Which of each slot's 8 blocks arrived (bit per block). */
  private readonly filled = new Uint8Array(SLOTS);
  /** The decoding table of each slot's payload (the codec of the packet that filled it). */
  private readonly tables: (Readonly<Int16Array> | null)[] = new Array<Readonly<Int16Array> | null>(SLOTS).fill(null);
  private state: 'idle' | 'buffering' | 'playing' = 'idle';
  /** Slot of the next frame to play, and its timestamp. */
  private head = 0;
  private playTs = 0;
  /** One past the last sample received (timestamp). */
  private endTs = 0;
  private prebuffer = 0;
  private missingRun = 0;
  /** Silent frames still to insert for a depth that just grew. */
  private stretch = 0;
  private sinceLate = 0;
  private windowMin = Infinity;
  private windowPops = 0;

  constructor(opts: JitterBufferOptions = {}) {
    this.minDepth = opts.minDepth ?? 2;
    this.maxDepth = opts.maxDepth ?? 10;
    this.depth = Math.min(this.maxDepth, Math.max(this.minDepth, opts.startDepth ?? 3));
    this.idleAfter = opts.idleAfter ?? 5;
  }

  /** Whether frames are coming out (false while idle or still filling). */
  get playing(): boolean {
    return this.state === 'playing';
  }

  /** Forget everything (a new stream: another SSRC). */
  reset(): void {
    this.state = 'idle';
  }

  /** `length` bytes of G.711 at `payload[from]`, decoded with `table`, that start at RTP timestamp `ts`. */
  put(ts: number, payload: Uint8Array, from: number, length: number, table: Readonly<Int16Array>): PutResult {
    if (this.state === 'idle') {
      this.start(ts);
      this.write(0, payload, from, length, table);
      return 'buffered';
    }
    let delta = tsDelta(ts, this.playTs);
    if (delta < 0 && this.state === 'buffering' && delta > (-SLOTS / 2) * FRAME_SAMPLES) {
      // Reordered before the first packet while still filling: start earlier.
      const frames = Math.ceil(-delta / FRAME_SAMPLES);
      this.head = (this.head - frames + SLOTS) % SLOTS;
      this.playTs = (this.playTs - frames * FRAME_SAMPLES) >>> 0;
      delta += frames * FRAME_SAMPLES;
    }
    if (delta < 0) {
      this.stats.late++;
      this.sinceLate = 0;
      if (delta > -SLOTS * FRAME_SAMPLES && this.depth < this.maxDepth) {
        this.depth++;
        this.stretch++;
      }
      return 'late';
    }
    if (delta + length > SLOTS * FRAME_SAMPLES) {
      // Too far ahead to be this stream's next second: the far end jumped.
      this.start(ts);
      this.write(0, payload, from, length, table);
      return 'restarted';
    }
    return this.write(delta, payload, from, length, table) ? 'buffered' : 'duplicate';
  }

  /** The next 20 ms into `out` at `at`: true when a frame (maybe concealed) came out, false while idle or filling. */
  pop(out: Int16Array, at = 0): boolean {
    if (this.state === 'idle') return false;
    if (this.state === 'buffering') {
      if (--this.prebuffer > 0) return false;
      this.state = 'playing';
    }
    if (this.stretch > 0) {
      this.stretch--;
      this.conceal(out, at);
      return true;
    }
    this.adapt();
    const slot = this.head;
    const bits = this.filled[slot]!;
    if (bits) {
      decodeSlot(this.bytes, slot * FRAME_SAMPLES, bits, this.tables[slot]!, out, at);
      this.filled[slot] = 0;
      this.missingRun = 0;
    } else {
      this.conceal(out, at);
      this.missingRun++;
    }
    this.advance();
    if (this.missingRun >= this.idleAfter && tsDelta(this.endTs, this.playTs) <= 0) this.state = 'idle';
    return true;
  }

  private start(ts: number): void {
    this.stats.starts++;
    this.state = 'buffering';
    this.prebuffer = this.depth;
    this.head = 0;
    this.playTs = ts;
    this.endTs = ts;
    this.missingRun = 0;
    this.stretch = 0;
    this.windowMin = Infinity;
    this.windowPops = 0;
    this.filled.fill(0);
  }

  /** Keep `length` bytes `delta` samples past the head; false when every block they cover was already there. */
  private write(delta: number, payload: Uint8Array, from: number, length: number, table: Readonly<Int16Array>): boolean {
    let fresh = false;
    let i = 0;
    const bytes = this.bytes;
    while (i < length) {
      const pos = delta + i;
      const frame = Math.floor(pos / FRAME_SAMPLES);
      const within = pos - frame * FRAME_SAMPLES;
      const n = Math.min(FRAME_SAMPLES - within, length - i);
      const slot = (this.head + frame) % SLOTS;
      const bits = blockBits(within, n);
      if ((this.filled[slot]! & bits) !== bits) {
        fresh = true;
        this.filled[slot]! |= bits;
        this.tables[slot] = table;
        payloadCopy.copy(bytes, this.words, slot * FRAME_SAMPLES + within, payload, from + i, n);
      }
      i += n;
    }
    if (!fresh) {
      this.stats.duplicates++;
      return false;
    }
    const end = (this.playTs + delta + length) >>> 0;
    if (tsDelta(end, this.endTs) > 0) this.endTs = end;
    return true;
  }

  /** Shrink after a long calm, drop a frame when the buffer stayed over its depth for a whole window. */
  private adapt(): void {
    if (++this.sinceLate >= SHRINK_AFTER && this.depth > this.minDepth) {
      this.depth--;
      this.sinceLate = 0;
    }
    const ahead = Math.floor(tsDelta(this.endTs, this.playTs) / FRAME_SAMPLES);
    if (ahead < this.windowMin) this.windowMin = ahead;
    if (++this.windowPops < TRIM_WINDOW) return;
    if (this.windowMin > this.depth) {
      this.filled[this.head] = 0;
      this.advance();
      this.stats.dropped++;
    }
    this.windowMin = Infinity;
    this.windowPops = 0;
  }

  private advance(): void {
    this.head = (this.head + 1) % SLOTS;
    this.playTs = (this.playTs + FRAME_SAMPLES) >>> 0;
  }

  private conceal(out: Int16Array, at: number): void {
    out.fill(0, at, at + FRAME_SAMPLES);
    this.stats.concealed++;
  }
}

/** Decode the frame at `bytes[at]` into `out[to…]`: the blocks whose bits are set through `table`, the others (never arrived) as silence. */
function decodeSlot(bytes: Uint8Array, at: number, bits: number, table: Readonly<Int16Array>, out: Int16Array, to: number): void {
  if (bits === ALL_BLOCKS) {
    for (let i = 0; i < FRAME_SAMPLES; i++) out[to + i] = table[bytes[at + i]!]!;
    return;
  }
  for (let b = 0; b < 8; b++) {
    const from = b * BLOCK;
    if (bits & (1 << b)) for (let i = from; i < from + BLOCK; i++) out[to + i] = table[bytes[at + i]!]!;
    else out.fill(0, to + from, to + from + BLOCK);
  }
}

/** Word copies of payloads (their source is the batched network's one receive buffer: one word view for all packets). */
const payloadCopy = new WordCopy();

/** The coverage bits of samples [within, within + n) of a frame. */
function blockBits(within: number, n: number): number {
  const first = Math.floor(within / BLOCK);
  const last = Math.floor((within + n - 1) / BLOCK);
  return ((1 << (last + 1)) - 1) & ~((1 << first) - 1);
}
