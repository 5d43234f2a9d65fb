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
//
// Every buffer of a thread keeps its state in the thread's slabs, at its
// own index: its numbers in one 64-byte record, its slots' coverage bits and
// codecs side by side, its bytes in one big array. A worker's thousand legs
// are each cold again by their next tick, so what a put or a pop costs is
// the cache lines it touches: here a record, a line of slot flags and the
// frame's bytes, where separate objects (the buffer, its arrays and their
// backing stores, boxed 32-bit timestamps) took two or three times as many.
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

const IDLE = 0;
const BUFFERING = 1;
const PLAYING = 2;
/** A buffer's numbers: 32-bit fields of its record in `records` (timestamps as their 32 bits, compared with tsDelta). */
const STATE = 0;
/** Slot of the next frame to play, and its timestamp. */
const HEAD = 1;
const PLAY_TS = 2;
/** One past the last sample received (timestamp). */
const END_TS = 3;
const PREBUFFER = 4;
const MISSING_RUN = 5;
/** Silent frames still to insert for a depth that just grew. */
const STRETCH = 6;
const SINCE_LATE = 7;
const WINDOW_MIN = 8;
const WINDOW_POPS = 9;
const DEPTH = 10;
const LATE = 11;
const DUPLICATES = 12;
const CONCEALED = 13;
const DROPPED = 14;
const STARTS = 15;
const RECORD = 16;
/** No fill seen yet in the trim window. */
const NO_MIN = 0x7fffffff;
/** Per slot: its coverage bits, then the index of its payload's decoding table in `tables`. */
const FLAGS = 2 * SLOTS + 28;
const BYTES = SLOTS * FRAME_SAMPLES;

/** The thread's slabs, grown (copied into twice the size) when every index is taken. */
let capacity = 0;
let records = new Int32Array(0);
let flags = new Uint8Array(0);
let bytes = new Uint8Array(0);
/** The same as 32-bit words: a payload is copied in four bytes at a time where both sides line up. */
let words = new Uint32Array(0);
/** Each buffer's depth limits and idle frames (LIMITS int32 each): read by every pop, so not kept in the buffer's object, which a tick would otherwise read for them. */
let limits = new Int32Array(0);
const LIMITS = 4;
const MIN_DEPTH = 0;
const MAX_DEPTH = 1;
const IDLE_AFTER = 2;
const free: number[] = [];
/** The decoding tables payloads came with (a slot keeps its table's index). */
const tables: Readonly<Int16Array>[] = [];

function take(): number {
  if (free.length === 0) {
    const grown = Math.max(64, capacity * 2);
    const r = new Int32Array(grown * RECORD);
    const f = new Uint8Array(grown * FLAGS);
    const b = new Uint8Array(grown * BYTES);
    const l = new Int32Array(grown * LIMITS);
    r.set(records);
    f.set(flags);
    b.set(bytes);
    l.set(limits);
    records = r;
    flags = f;
    bytes = b;
    limits = l;
    words = new Uint32Array(b.buffer);
    for (let i = grown - 1; i >= capacity; i--) free.push(i);
    capacity = grown;
  }
  return free.pop()!;
}

function tableIndex(table: Readonly<Int16Array>): number {
  const i = tables.indexOf(table);
  return i >= 0 ? i : tables.push(table) - 1;
}

/**
 * A session that plays and receives every tick keeps its buffer's slab
 * index itself and calls jitterPut / jitterPop with it: the buffer's object
 * is one more cold read a tick and a packet otherwise.
 */
export class JitterBuffer {
  private at: number;
  /** The counters as they were when the buffer was released. */
  private final: JitterStats | null = null;

  constructor(opts: JitterBufferOptions = {}) {
    const minDepth = opts.minDepth ?? 2;
    const maxDepth = opts.maxDepth ?? 10;
    this.at = take();
    const l = this.at * LIMITS;
    limits[l + MIN_DEPTH] = minDepth;
    limits[l + MAX_DEPTH] = maxDepth;
    limits[l + IDLE_AFTER] = opts.idleAfter ?? 5;
    const at = this.at * RECORD;
    records.fill(0, at, at + RECORD);
    records[at + DEPTH] = Math.min(maxDepth, Math.max(minDepth, opts.startDepth ?? 3));
    records[at + WINDOW_MIN] = NO_MIN;
  }

  /** Which record, slot flags and bytes of the slabs are this buffer's (-1 once released). */
  get index(): number {
    return this.at;
  }

  get stats(): JitterStats {
    if (this.final) return this.final;
    const r = this.at * RECORD;
    return { late: records[r + LATE]!, duplicates: records[r + DUPLICATES]!, concealed: records[r + CONCEALED]!, dropped: records[r + DROPPED]!, starts: records[r + STARTS]! };
  }

  /** Target frames buffered ahead of the one playing. */
  get depth(): number {
    return records[this.at * RECORD + DEPTH]!;
  }

  /** Whether frames are coming out (false while idle or still filling). */
  get playing(): boolean {
    return records[this.at * RECORD + STATE] === PLAYING;
  }

  /** Forget everything (a new stream: another SSRC). */
  reset(): void {
    records[this.at * RECORD + STATE] = IDLE;
  }

  /** Give the buffer's place in the slabs back (its session closed); it is not used after. */
  release(): void {
    if (this.at < 0) return;
    this.final = this.stats;
    free.push(this.at);
    this.at = -1;
  }

  /** `length` bytes of G.711 at `payload[from]`, decoded with `table`, that start at RTP timestamp `ts`. */
  put(ts: number, payload: Uint8Array, from: number, length: number, table: Readonly<Int16Array>): PutResult {
    return jitterPut(this.at, ts, payload, from, length, table);
  }

  /** The next 20 ms into `out` at `at`: true when a frame (maybe concealed) came out, false while idle or filling. */
  pop(out: Int16Array, at = 0): boolean {
    return jitterPop(this.at, out, at);
  }
}

/** JitterBuffer.put of the buffer at slab index `index`. */
export function jitterPut(index: number, ts: number, payload: Uint8Array, from: number, length: number, table: Readonly<Int16Array>): PutResult {
  const r = index * RECORD;
  const state = records[r + STATE]!;
  if (state === IDLE) {
    start(index, ts);
    write(index, 0, payload, from, length, table);
    return 'buffered';
  }
  let delta = tsDelta(ts, records[r + PLAY_TS]!);
  if (delta < 0 && state === BUFFERING && delta > (-SLOTS / 2) * FRAME_SAMPLES) {
    // Reordered before the first packet while still filling: start earlier.
    const frames = Math.ceil(-delta / FRAME_SAMPLES);
    records[r + HEAD] = (records[r + HEAD]! - frames + SLOTS) % SLOTS;
    records[r + PLAY_TS] = records[r + PLAY_TS]! - frames * FRAME_SAMPLES;
    delta += frames * FRAME_SAMPLES;
  }
  if (delta < 0) {
    records[r + LATE]++;
    records[r + SINCE_LATE] = 0;
    if (delta > -SLOTS * FRAME_SAMPLES && records[r + DEPTH]! < limits[index * LIMITS + MAX_DEPTH]!) {
      records[r + DEPTH]++;
      records[r + STRETCH]++;
    }
    return 'late';
  }
  if (delta + length > SLOTS * FRAME_SAMPLES) {
    // Too far ahead to be this stream's next second: the far end jumped.
    start(index, ts);
    write(index, 0, payload, from, length, table);
    return 'restarted';
  }
  return write(index, delta, payload, from, length, table) ? 'buffered' : 'duplicate';
}

/** JitterBuffer.pop of the buffer at slab index `index`. */
export function jitterPop(index: number, out: Int16Array, at = 0): boolean {
  const r = index * RECORD;
  const state = records[r + STATE]!;
  if (state === IDLE) return false;
  if (state === BUFFERING) {
    if (--records[r + PREBUFFER]! > 0) return false;
    records[r + STATE] = PLAYING;
  }
  if (records[r + STRETCH]! > 0) {
    records[r + STRETCH]--;
    conceal(r, out, at);
    return true;
  }
  adapt(index, r);
  const slot = records[r + HEAD]!;
  const f = index * FLAGS + 2 * slot;
  const bits = flags[f]!;
  if (bits) {
    decodeSlot(bytes, index * BYTES + slot * FRAME_SAMPLES, bits, tables[flags[f + 1]!]!, out, at);
    flags[f] = 0;
    records[r + MISSING_RUN] = 0;
  } else {
    conceal(r, out, at);
    records[r + MISSING_RUN]++;
  }
  advance(r);
  if (records[r + MISSING_RUN]! >= limits[index * LIMITS + IDLE_AFTER]! && tsDelta(records[r + END_TS]!, records[r + PLAY_TS]!) <= 0) records[r + STATE] = IDLE;
  return true;
}

function start(index: number, ts: number): void {
  const r = index * RECORD;
  records[r + STARTS]++;
  records[r + STATE] = BUFFERING;
  records[r + PREBUFFER] = records[r + DEPTH]!;
  records[r + HEAD] = 0;
  records[r + PLAY_TS] = ts;
  records[r + END_TS] = ts;
  records[r + MISSING_RUN] = 0;
  records[r + STRETCH] = 0;
  records[r + WINDOW_MIN] = NO_MIN;
  records[r + WINDOW_POPS] = 0;
  for (let slot = 0; slot < SLOTS; slot++) flags[index * FLAGS + 2 * slot] = 0;
}

/** Keep `length` bytes `delta` samples past the head; false when every block they cover was already there. */
function write(index: number, delta: number, payload: Uint8Array, from: number, length: number, table: Readonly<Int16Array>): boolean {
  const r = index * RECORD;
  const flagsAt = index * FLAGS;
  const bytesAt = index * BYTES;
  const head = records[r + HEAD]!;
  const codec = tableIndex(table);
  let fresh = false;
  let i = 0;
  while (i < length) {
    const pos = delta + i;
    const frame = Math.floor(pos / FRAME_SAMPLES);
    const within = pos - frame * FRAME_SAMPLES;
    const n = Math.min(FRAME_SAMPLES - within, length - i);
    const slot = (head + frame) % SLOTS;
    const f = flagsAt + 2 * slot;
    const bits = blockBits(within, n);
    if ((flags[f]! & bits) !== bits) {
      fresh = true;
      flags[f] |= bits;
      flags[f + 1] = codec;
      payloadCopy.copy(bytes, words, bytesAt + slot * FRAME_SAMPLES + within, payload, from + i, n);
    }
    i += n;
  }
  if (!fresh) {
    records[r + DUPLICATES]++;
    return false;
  }
  const end = records[r + PLAY_TS]! + delta + length;
  if (tsDelta(end, records[r + END_TS]!) > 0) records[r + END_TS] = end;
  return true;
}

/** Shrink after a long calm, drop a frame when the buffer stayed over its depth for a whole window. */
function adapt(index: number, r: number): void {
  if (++records[r + SINCE_LATE]! >= SHRINK_AFTER && records[r + DEPTH]! > limits[index * LIMITS + MIN_DEPTH]!) {
    records[r + DEPTH]--;
    records[r + SINCE_LATE] = 0;
  }
  const ahead = Math.floor(tsDelta(records[r + END_TS]!, records[r + PLAY_TS]!) / FRAME_SAMPLES);
  if (ahead < records[r + WINDOW_MIN]!) records[r + WINDOW_MIN] = ahead;
  if (++records[r + WINDOW_POPS]! < TRIM_WINDOW) return;
  if (records[r + WINDOW_MIN]! > records[r + DEPTH]!) {
    flags[index * FLAGS + 2 * records[r + HEAD]!] = 0;
    advance(r);
    records[r + DROPPED]++;
  }
  records[r + WINDOW_MIN] = NO_MIN;
  records[r + WINDOW_POPS] = 0;
}

function advance(r: number): void {
  records[r + HEAD] = (records[r + HEAD]! + 1) % SLOTS;
  records[r + PLAY_TS] = records[r + PLAY_TS]! + FRAME_SAMPLES;
}

function conceal(r: number, out: Int16Array, at: number): void {
  out.fill(0, at, at + FRAME_SAMPLES);
  records[r + CONCEALED]++;
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
