// Commands from the main thread to a media worker through shared memory
// instead of a message each: a message wakes the worker (libuv writes its
// loop's eventfd on every post), and a real-time worker woken preempts the
// main thread at once, 2–3 times a call. Here the main thread writes its
// commands into a ring in a SharedArrayBuffer, and the worker reads them at
// the steps it wakes for anyway; a wake-up message goes only when the worker
// would otherwise sleep past the command's bound (WAKE_BOUND_MS, OPEN_WAKE_BOUND_MS).
//
// Order: one stream per worker. Commands the ring cannot carry go by message
// (the ring is full, or a command names a shared array the worker has not
// been given yet); the message is posted after the ring's earlier records
// were published, the worker reads the ring before handling a message, and
// while a message is not yet handled (HANDLED below) every later command goes
// by message too — so the worker runs every command once, in the order given.
//
// No lost wake-up: before it sleeps the worker publishes when it will wake by
// itself (SLEEP), then looks at the ring again and handles what came meanwhile;
// the main thread publishes a record (WRITE), then reads SLEEP. Both are
// sequentially consistent atomics, so either the worker's second look sees
// the record or the main thread sees the time and posts the wake-up.
import type { Command, CommandBatch, MainMessage } from './rtp-protocol.ts';
import { TICK_MS } from './rtp-time.ts';

/**
 * How long a command may wait for a sleeping worker before it is woken: half
 * a tick, so a command still lands on the tick nearest the time it was given
 * (the worker wakes for each of a busy session's steps anyway).
 */
export const WAKE_BOUND_MS = TICK_MS / 2;
/**
 * The same for an open: a call's set-up waits for its media port (an inbound
 * call's answer URL is fetched after it, an outbound INVITE sent after it),
 * a delay the caller hears; so an open wakes a worker that would sleep more
 * than a millisecond.
 */
export const OPEN_WAKE_BOUND_MS = 1;
/** The ring's size per worker: ~200 calls' commands, or a few hundred short runs of audio; beyond that commands go by message. */
export const RING_BYTES = 1 << 20;

// Int32 slots of the header.
/** Bytes the main thread has written, as a wrapping Int32 (published after the record). */
const WRITE = 0;
/** Bytes the worker has read. */
const READ = 1;
/** When the worker wakes by itself next (monotonic ms, floor, wrapping Int32); "now" while it is awake. */
const SLEEP = 2;
/** Command messages the worker has handled (the main thread counts those it posted). */
const HANDLED = 3;
const HEADER_BYTES = 64;

// A record: Int32 its bytes (a multiple of 4; SKIP: the rest of the ring is unused, go on from its start),
// Int32 the JSON's bytes, Int32 the inline samples (−1: none), the samples, the JSON.
const SKIP = -1;
const RECORD_HEAD = 12;

type SharedView = Int16Array | Uint8Array;

/**
 * What goes through the ring besides commands: the platform clock's offset,
 * and shared arrays the worker may forget (their last user on the main
 * thread is gone).
 */
type Wire = Command | { op: 'clock'; wallOffset: number } | { op: 'forget'; id: number };

const align4 = (n: number) => (n + 3) & ~3;
/** Monotonic ms as the header holds them. */
const ms32 = (t: number) => Math.floor(t) | 0;

export class MailboxWriter {
  readonly buffer: SharedArrayBuffer;
  private readonly head: Int32Array;
  private readonly ring: Buffer;
  private readonly words: Int32Array;
  private readonly mask: number;
  private written = 0;
  private posted = 0;
  private wallOffset = NaN;
  /** Shared arrays (prompts and their G.711 bytes) the worker holds, by id; given once by message. */
  private readonly ids = new WeakMap<SharedView, number>();
  private nextId = 1;
  private readonly forgotten = new FinalizationRegistry<number>((id) => this.forget(id));

  constructor(
    private readonly post: (m: MainMessage, transfer: ArrayBuffer[]) => void,
    private readonly now: () => number,
    capacity = RING_BYTES,
  ) {
    if (capacity & (capacity - 1) || capacity < 256) throw new RangeError(`ring capacity must be a power of two ≥ 256; got ${capacity}`);
    this.buffer = new SharedArrayBuffer(HEADER_BYTES + capacity);
    this.head = new Int32Array(this.buffer, 0, HEADER_BYTES / 4);
    this.ring = Buffer.from(this.buffer, HEADER_BYTES, capacity);
    this.words = new Int32Array(this.buffer, HEADER_BYTES, capacity / 4);
    this.mask = capacity - 1;
  }

  /** `list` after every command sent before it; the worker gets them at its next step, or at once when it would sleep past their bound. */
  send(list: readonly Command[], wallOffset: number): void {
    let i = 0;
    let urgent = false;
    if (this.posted === Atomics.load(this.head, HANDLED)) {
      if (this.forgets.length > 0) this.putForgets();
      if (wallOffset !== this.wallOffset && this.put({ op: 'clock', wallOffset })) this.wallOffset = wallOffset;
      if (wallOffset === this.wallOffset) {
        for (; i < list.length && this.put(list[i]!); i++) urgent ||= list[i]!.op === 'open' || list[i]!.op === 'stats';
      }
    }
    if (i < list.length) return this.message(list.slice(i), wallOffset);
    if (i > 0 && this.asleepFor() > (urgent ? OPEN_WAKE_BOUND_MS : WAKE_BOUND_MS)) this.post({ type: 'wake' }, []);
  }

  /** How long the worker will sleep before it looks at the ring by itself (ms; ≤ 0: it is awake). */
  private asleepFor(): number {
    return (Atomics.load(this.head, SLEEP) - ms32(this.now())) | 0;
  }

  /** Commands the ring cannot carry: by message, which also gives the worker the shared arrays they name. */
  private message(list: Command[], wallOffset: number): void {
    const transfer: ArrayBuffer[] = [];
    const shares: [number, SharedView][] = [];
    for (const c of list) {
      if (c.op !== 'send' && c.op !== 'mix') continue;
      if (!(c.samples.buffer instanceof SharedArrayBuffer)) transfer.push(c.samples.buffer);
      for (const v of views(c)) if (v.buffer instanceof SharedArrayBuffer && !this.ids.has(v)) shares.push([this.share(v), v]);
    }
    this.posted++;
    this.wallOffset = wallOffset;
    const batch: CommandBatch = { type: 'commands', wallOffset, list, shares };
    this.post(batch, transfer);
  }

  private share(v: SharedView): number {
    const id = this.nextId++;
    this.ids.set(v, id);
    this.forgotten.register(v, id);
    return id;
  }

  /** A shared array is gone on this side: the worker may drop it (after the commands that named it, which all came before). */
  private forget(id: number): void {
    this.forgets.push(id);
    if (this.posted === Atomics.load(this.head, HANDLED)) this.putForgets();
  }

  /** Arrays to forget not yet written (the ring was full, or a message in flight): written with the next commands. */
  private forgets: number[] = [];

  private putForgets(): void {
    while (this.forgets.length > 0 && this.put({ op: 'forget', id: this.forgets[0]! })) this.forgets.shift();
  }

  /** Write one record; false if it does not fit now, or names a shared array the worker has not been given. */
  private put(c: Wire): boolean {
    let inline: Int16Array | null = null;
    let json: string;
    if (c.op === 'send' || c.op === 'mix') {
      const samples = this.ref(c.samples);
      if (samples === undefined) return false;
      if (samples < 0) inline = c.samples;
      let g711: Record<string, number> | undefined;
      if (c.op === 'send' && c.g711) {
        g711 = {};
        for (const [codec, bytes] of Object.entries(c.g711)) {
          const id = bytes && this.ids.get(bytes);
          if (id === undefined) return false;
          g711[codec] = id;
        }
      }
      // Not a literal that starts with a spread and adds keys: that gets a hidden class per object (docs/decisions.md).
      json = JSON.stringify(Object.assign({}, c, { samples, g711 }));
    } else json = JSON.stringify(c);
    const jsonBytes = Buffer.byteLength(json);
    const inlineBytes = inline ? inline.byteLength : 0;
    const size = align4(RECORD_HEAD + inlineBytes + jsonBytes);
    const capacity = this.mask + 1;
    const at = this.written & this.mask;
    const skip = capacity - at < size ? capacity - at : 0;
    const used = (this.written - Atomics.load(this.head, READ)) | 0;
    if (used + skip + size > capacity) return false;
    let w = this.written;
    if (skip > 0) {
      this.words[at >> 2] = SKIP;
      w = (w + skip) | 0;
    }
    const o = w & this.mask;
    this.words[o >> 2] = size;
    this.words[(o >> 2) + 1] = jsonBytes;
    this.words[(o >> 2) + 2] = inline ? inline.length : -1;
    if (inline) this.ring.set(new Uint8Array(inline.buffer, inline.byteOffset, inlineBytes), o + RECORD_HEAD);
    this.ring.write(json, o + RECORD_HEAD + inlineBytes, jsonBytes, 'utf8');
    this.written = (w + size) | 0;
    // Publishes the record (the writes above happen before it for a reader that sees it).
    Atomics.store(this.head, WRITE, this.written);
    return true;
  }

  /** A run's samples in the ring: the id of a shared array the worker holds, −1 for a private one (copied in), undefined for a shared one it has not been given. */
  private ref(samples: Int16Array): number | undefined {
    if (!(samples.buffer instanceof SharedArrayBuffer)) return -1;
    return this.ids.get(samples);
  }
}

/** The arrays a send or mix names. */
function views(c: Extract<Command, { op: 'send' | 'mix' }>): SharedView[] {
  const out: SharedView[] = [c.samples];
  if (c.op === 'send' && c.g711) for (const bytes of Object.values(c.g711)) if (bytes) out.push(bytes);
  return out;
}

export class MailboxReader {
  private readonly head: Int32Array;
  private readonly ring: Buffer;
  private readonly words: Int32Array;
  private readonly mask: number;
  private read = 0;
  /** The platform clock's offset as the main thread last gave it. */
  wallOffset: number;
  private readonly shared = new Map<number, SharedView>();

  constructor(buffer: SharedArrayBuffer, wallOffset: number) {
    const capacity = buffer.byteLength - HEADER_BYTES;
    this.head = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.ring = Buffer.from(buffer, HEADER_BYTES, capacity);
    this.words = new Int32Array(buffer, HEADER_BYTES, capacity / 4);
    this.mask = capacity - 1;
    this.wallOffset = wallOffset;
  }

  /** The worker is awake (`now`): commands written from now on wait for its next look at the ring, with no wake-up. */
  awake(now: number): void {
    Atomics.store(this.head, SLEEP, ms32(now));
  }

  /**
   * The worker will sleep until `until` unless woken; returns whether
   * commands came in before it said so (take them, then call this again).
   */
  sleeping(until: number): boolean {
    Atomics.store(this.head, SLEEP, ms32(until));
    return Atomics.load(this.head, WRITE) !== this.read;
  }

  /** The commands in the ring, in order (the clock's offset and forgotten arrays taken care of here). */
  take(): Command[] {
    const out: Command[] = [];
    const end = Atomics.load(this.head, WRITE);
    let r = this.read;
    while (r !== end) {
      const o = r & this.mask;
      const size = this.words[o >> 2]!;
      if (size === SKIP) {
        r = (r + this.mask + 1 - o) | 0;
        continue;
      }
      const jsonBytes = this.words[(o >> 2) + 1]!;
      const samples = this.words[(o >> 2) + 2]!;
      let inline: Int16Array | null = null;
      if (samples >= 0) {
        inline = new Int16Array(samples);
        new Uint8Array(inline.buffer).set(this.ring.subarray(o + RECORD_HEAD, o + RECORD_HEAD + samples * 2));
      }
      const at = o + RECORD_HEAD + (inline ? inline.byteLength : 0);
      const c = this.decode(JSON.parse(this.ring.toString('utf8', at, at + jsonBytes)) as Wire, inline);
      if (c) out.push(c);
      r = (r + size) | 0;
    }
    this.read = r;
    // The space is the writer's again.
    Atomics.store(this.head, READ, r);
    return out;
  }

  /** A message's shared arrays, to be named by id in the ring from now on. */
  received(batch: CommandBatch): void {
    this.wallOffset = batch.wallOffset;
    for (const [id, view] of batch.shares) this.shared.set(id, view);
  }

  /** A command message was handled: the main thread may use the ring again. */
  handled(): void {
    Atomics.add(this.head, HANDLED, 1);
  }

  /** Shared arrays held (for tests). */
  get sharedCount(): number {
    return this.shared.size;
  }

  private decode(w: Wire, inline: Int16Array | null): Command | null {
    switch (w.op) {
      case 'clock':
        this.wallOffset = w.wallOffset;
        return null;
      case 'forget':
        this.shared.delete(w.id);
        return null;
      case 'send':
      case 'mix': {
        const c = w as unknown as { samples: number | Int16Array; g711?: Record<string, number | SharedView> };
        c.samples = (c.samples as number) < 0 ? inline! : (this.view(c.samples as number) as Int16Array);
        if (c.g711) for (const codec of Object.keys(c.g711)) c.g711[codec] = this.view(c.g711[codec] as number);
        return w;
      }
      default:
        return w;
    }
  }

  private view(id: number): SharedView {
    const v = this.shared.get(id);
    // The writer names only arrays it gave by a message it posted before, which the worker handled before it read this: a bug otherwise.
    if (!v) throw new Error(`media command names shared array ${id}, which this worker was never given`);
    return v;
  }
}
