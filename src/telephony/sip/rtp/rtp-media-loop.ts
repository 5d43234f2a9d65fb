// Everything a media worker does, apart from the thread and its timer: the
// sessions it owns with their sockets, the commands from the main thread,
// a step every 5 ms that ticks one phase's sessions (so each session ticks
// every 20 ms on its own phase of the grid), and the batch of heard audio
// and keys it posts back. Sessions opened with `analyse` have what they
// hear analysed here, frame by frame as it plays out (media/line-analysis.ts,
// the analysis the engine runs itself for sandbox legs): the findings go
// back, and the audio only while the main thread asks for it. The network,
// the clock and the way out are injected, so tests can drive it step by step.
import { DTMF_DIGITS } from '../../../media/dtmf.ts';
import { FRAME_SAMPLES } from '../../../media/frame.ts';
import { KEY_QUIET_MS, LineAnalyser } from '../../../media/line-analysis.ts';
import type { Address } from './rtp-latch.ts';
import { LATENESS_BUCKET_MS, LATENESS_BUCKETS, LINE_SOUND, type Command, type CommandBatch, type HeardKey, type HeardRun, type WorkerMessage, type WorkerStats } from './rtp-protocol.ts';
import type { OutQueue } from './rtp-out-queue.ts';
import { RtpSession, type KeySource, type SessionIo } from './rtp-session.ts';
import { PHASE_MS, PHASES, TICK_MS, tickNearest } from './rtp-time.ts';

export interface UdpSocket {
  send(packet: Uint8Array, to: Address): void;
  /** Optional: receive only from `peer` (null: from anyone). See SessionIo.listenTo. */
  connect?(peer: Address | null): void;
  close(): void;
}

/** A datagram that reached a socket from `from`, at `arrivalMs` on the monotonic clock when the network knows (else: now). */
export type PacketHandler = (packet: Uint8Array, from: Address, arrivalMs?: number) => void;
/** The same, as `length` bytes at `buffer[start]`: a batched network hands over its one receive buffer and each datagram's place in it, rather than a view per datagram. */
export type DatagramHandler = (buffer: Uint8Array, start: number, length: number, from: Address, arrivalMs: number) => void;

export interface Network {
  /** Bind `host:port`; packets arriving there go to `onPacket` (or `onDatagram`, where the network hands them over in place). Rejects with the system error (EADDRINUSE …). */
  bind(port: number, host: string, onPacket: PacketHandler, onDatagram?: DatagramHandler): Promise<UdpSocket>;
  /**
   * A batched network delivers only when asked: every datagram waiting on
   * any socket, once per step, after its packets left and before its
   * frames play out. (dgram delivers as they come.)
   */
  receive?(): void;
  /** A batched network queues what sockets send until this. */
  flush?(): void;
}

export interface LoopOptions {
  network: Network;
  post(message: WorkerMessage, transfer?: ArrayBuffer[]): void;
  /** The monotonic clock (rtp-time.ts). */
  now(): number;
  /** Monotonic time of step 0 (tick 0 of phase 0). */
  t0: number;
  deliverTicks: number;
  wallOffset: number;
  /** A session was added: steps the thread was going to sleep through may have work now. */
  wake?(): void;
  /** The thread's scheduling figures for stats (its steps since the last reset, its priority); none when a test drives the steps. */
  scheduling?(reset: boolean): Scheduling;
}

type Scheduling = Pick<WorkerStats, 'steps' | 'realtime' | 'demotions'>;
const unscheduled = (): Scheduling => ({ steps: { steps: 0, late: 0, work: [] }, realtime: false, demotions: 0 });

/** Frames heard in one delivery period, back to back, and where each run of consecutive ticks starts. */
interface Staging {
  staged: Int16Array;
  frames: number;
  runs: { tick: number; frames: number }[];
}

interface Entry extends Staging {
  sid: number;
  phase: number;
  /** Monotonic time of this session's tick 0: the worker's t0 plus its phase. */
  t0: number;
  session: RtpSession;
  rtp: UdpSocket;
  rtcp: UdpSocket;
  lastTick: number;
  /**
   * The run being staged, not yet in `runs` (sealed there at each delivery
   * or when a tick is missed): its first tick and its frames (0: none). In
   * the entry, which a tick reads anyway, rather than the last of `runs`,
   * which is three more cold objects per frame (the array, its elements,
   * the run).
   */
  runTick: number;
  runFrames: number;
  /** Line analysis of what the session hears (opened with `analyse`), else null. */
  line: LineAnalyser | null;
  /**
   * Whether it is in its phase's set and ticks: from its first configure on.
   * Before that a tick would send nothing (no media yet) and play nothing
   * (nothing is received): in an app call that is the whole time the
   * engine takes to answer, often longer than the call's media.
   */
  ticking: boolean;
  /** The tick its phase's last step was at when it opened (its queue's ticks after that went by, see OutQueue.skipTo). */
  openedAfter: number;
  /** Whether its heard audio goes to the main thread (an analysed session's only while asked). */
  hear: boolean;
  /**
   * Not hearing: the last period's frames. A listener the main thread got
   * before that delivery whose `hear` arrives after it is posted them too,
   * so it gets what it would have had if the audio had always been posted.
   */
  held: Staging | null;
  postHeld: boolean;
}

/**
 * Packets a step hands the network at once. A batched network sends them
 * with one system call; a phase of 250 sessions takes 1.5–2 ms to send on
 * the 2-core VM, which its first packets would otherwise all wait for.
 */
const SEND_CHUNK = 64;

/** A frame that found its session's staging buffer full, until the delivery that empties it. */
const overflow = new Int16Array(FRAME_SAMPLES);

/**
 * A session's way out (its SessionIo), as a class rather than an object of
 * closures: every packet a session sends goes through this object to its
 * entry's socket, not through a closure, the closure's context and the entry
 * it holds — fewer cold objects per session per tick.
 */
class SessionLink implements SessionIo {
  entry: Entry | undefined;

  constructor(
    private readonly loop: MediaLoop,
    private readonly sid: number,
  ) {}

  transmit(packet: Uint8Array, to: Address, rtcp: boolean): void {
    this.loop.transmit(this.entry!, packet, to, rtcp);
  }

  key(digit: string, source: KeySource): void {
    this.loop.key(this.sid, digit, source);
  }

  note(what: 'latched' | 'bye', detail: string): void {
    this.loop.note(this.sid, what, detail);
  }

  listenTo(source: Address | null): void {
    this.entry!.rtp.connect?.(source);
  }
}

type Totals = WorkerStats['totals'];
const zeroTotals = (): Totals => ({ packetsSent: 0, packetsReceived: 0, packetsLost: 0, late: 0, duplicates: 0, concealed: 0, rejected: 0, maxJitterMs: 0 });

export class MediaLoop {
  private readonly sessions = new Map<number, Entry>();
  private readonly phases: Set<Entry>[] = Array.from({ length: PHASES }, () => new Set());
  /** Sessions of each phase that do not tick yet (Entry.ticking): their phase's steps still count as busy, so the thread keeps the time it would keep if they ticked. */
  private readonly waiting: number[] = new Array<number>(PHASES).fill(0);
  /** The tick each phase's last step was at (-1: none yet). */
  private readonly phaseTick: number[] = new Array<number>(PHASES).fill(-1);
  private readonly opening = new Set<number>();
  private keys: HeardKey[] = [];
  private notes: { sid: number; what: string; detail: string }[] = [];
  /** Line analysis findings since the last delivery (LINE_FINDING numbers each, see rtp-protocol.ts). */
  private found: number[] = [];
  /** Monotonic time of the last delivery. */
  private lastDelivery = -Infinity;
  /** The tick the sessions of the current step are at. */
  private current = 0;
  private currentT0 = 0;
  private wallOffset: number;
  private readonly lateness = new Uint32Array(LATENESS_BUCKETS);
  private readonly closedTotals = zeroTotals();
  /** RTP packets a batched network holds until its flush. */
  private unmeasured = 0;
  /** Ticks the pacer skipped so far; the thread's pacer keeps it current. */
  skippedTicks = 0;

  private readonly batched: boolean;
  /** Samples in every session's staging buffer: a period's frames. */
  private readonly stagedSamples: number;

  constructor(private readonly opts: LoopOptions) {
    this.wallOffset = opts.wallOffset;
    this.batched = opts.network.flush !== undefined;
    this.stagedSamples = opts.deliverTicks * FRAME_SAMPLES;
  }

  handle(batch: Pick<CommandBatch, 'wallOffset' | 'list'>): void {
    this.wallOffset = batch.wallOffset;
    for (const c of batch.list) this.command(c);
    this.flush();
  }

  /** Step `m`: one tick for the sessions of phase m mod PHASES; after every `deliverTicks` ticks of the last phase, what all heard goes to the main thread. */
  step(m: number): void {
    this.steps([m]);
  }

  /**
   * Steps that came due together, in order (a worker that fell behind):
   * every one's packets leave before any of their frames plays out, so a
   * late worker gets its packets out first and catches up on the rest.
   */
  steps(due: readonly number[]): void {
    for (const m of due) this.sendStep(m);
    for (const m of due) this.playStep(m);
  }

  /** Step `m`'s first half: its sessions' packets leave, SEND_CHUNK at a time, so the first ones do not wait for the whole phase's. */
  private sendStep(m: number): void {
    const sessions = this.at(m);
    const n = this.current;
    let k = 0;
    for (const e of sessions) {
      e.session.send(n);
      if (++k % SEND_CHUNK === 0) this.flush();
    }
    this.flush();
  }

  /** Step `m`'s second half: what arrived is received, its sessions' frames play out, and after the last phase's ticks of a period, the delivery. */
  private playStep(m: number): void {
    const sessions = this.at(m);
    const phase = m % PHASES;
    const n = this.current;
    const wallMs = this.currentT0 + n * TICK_MS + this.wallOffset;
    // Off the sends' path, and before the frames due now play out.
    this.opts.network.receive?.();
    for (const e of sessions) this.play(e, n, wallMs);
    this.flush();
    if (phase === PHASES - 1 && (n + 1) % this.opts.deliverTicks === 0) this.deliver();
  }

  /** Step `m`'s sessions; the tick they are at becomes the current one. */
  private at(m: number): Set<Entry> {
    const phase = m % PHASES;
    this.current = (m - phase) / PHASES;
    this.currentT0 = this.opts.t0 + phase * PHASE_MS;
    this.phaseTick[phase] = this.current;
    return this.phases[phase]!;
  }

  /** Whether step `m` has work: its phase's sessions tick, or it delivers and something may have been heard. */
  busy(m: number): boolean {
    const phase = m % PHASES;
    if (this.phases[phase]!.size > 0 || this.waiting[phase]! > 0) return true;
    if (phase !== PHASES - 1 || ((m - phase) / PHASES + 1) % this.opts.deliverTicks !== 0) return false;
    return this.sessions.size > 0 || this.keys.length > 0 || this.notes.length > 0 || this.found.length > 0;
  }

  /** Sessions step `m` ticks: its phase's, those that tick already. */
  ticking(m: number): number {
    return this.phases[m % PHASES]!.size;
  }

  private command(c: Command): void {
    if (c.op === 'open') return void this.open(c);
    if (c.op === 'stats') return this.opts.post({ type: 'stats', id: c.id, stats: this.stats(c.reset) });
    const e = this.sessions.get(c.sid);
    if (!e) return;
    const q = this.queueOf(e);
    switch (c.op) {
      case 'configure':
        this.startTicking(e);
        return e.session.configure(c.media, this.current);
      case 'send':
        return void q.send(tickNearest(c.at, e.t0), c.samples, c.g711);
      case 'mix':
        return q.mix(tickNearest(c.at, e.t0), c.samples);
      case 'digit':
        return void q.sendDigit(tickNearest(c.at, e.t0), c.digit, c.frames);
      case 'clear':
        return q.clear(tickNearest(c.at, e.t0));
      case 'close':
        return this.close(e);
      case 'hear':
        e.hear = c.on;
        // A delivery after the main thread asked went without this session's audio: post what it held.
        e.postHeld = c.on && this.lastDelivery > c.at;
        return;
    }
  }

  private async open(c: Extract<Command, { op: 'open' }>): Promise<void> {
    const { network, now } = this.opts;
    let entry: Entry | undefined;
    const route =
      (rtcp: boolean): PacketHandler =>
      (packet, from, arrivalMs = now()) => {
        if (!entry) return;
        if (rtcp) entry.session.receiveRtcp(packet, from, this.current, arrivalMs + this.wallOffset);
        else entry.session.receiveRtp(packet, from, this.current, arrivalMs);
      };
    const rtpDatagram: DatagramHandler = (buffer, start, length, from, arrivalMs) => entry?.session.receiveRtp(buffer, from, this.current, arrivalMs, start, length);
    this.opening.add(c.sid);
    let rtp: UdpSocket | undefined;
    try {
      rtp = await network.bind(c.port, c.host, route(false), rtpDatagram);
      const rtcp = await network.bind(c.port + 1, c.host, route(true));
      if (!this.opening.delete(c.sid)) {
        // Closed while binding.
        rtp.close();
        rtcp.close();
        this.flush(); // a batched network closes at its flush: the ports are free now, not at the next step
        return;
      }
      const sid = c.sid;
      const link = new SessionLink(this, sid);
      const session = new RtpSession(link, { inbandDtmf: c.inbandDtmf, cname: c.cname, jitter: c.jitter });
      const phase = c.phase % PHASES;
      const line = c.analyse
        ? new LineAnalyser({
            sound: (start, end) => this.found.push(sid, LINE_SOUND, start, end),
            key: (digit, start, end) => this.found.push(sid, 1 + DTMF_DIGITS.indexOf(digit), start, end),
          })
        : null;
      const staged = new Int16Array(this.stagedSamples);
      const t0 = this.opts.t0 + phase * PHASE_MS;
      entry = { sid, phase, t0, session, rtp, rtcp, staged, frames: 0, runs: [], lastTick: -2, runTick: 0, runFrames: 0, line, ticking: false, openedAfter: this.phaseTick[phase]!, hear: !line, held: null, postHeld: false };
      link.entry = entry;
      this.sessions.set(sid, entry);
      this.waiting[phase]!++;
      this.opts.wake?.();
      this.opts.post({ type: 'opened', sid });
    } catch (err) {
      rtp?.close();
      this.flush();
      this.opening.delete(c.sid);
      const e = err as NodeJS.ErrnoException;
      this.opts.post({ type: 'failed', sid: c.sid, error: e.message, code: e.code });
    }
  }

  private close(e: Entry): void {
    const wallMs = this.opts.now() + this.wallOffset;
    e.session.close(this.current, wallMs);
    this.addTotals(this.closedTotals, e.session);
    e.session.release(); // its place in the thread's jitter slabs goes to the next session
    e.rtp.close();
    e.rtcp.close();
    this.sessions.delete(e.sid);
    if (e.ticking) this.phases[e.phase]!.delete(e);
    else this.waiting[e.phase]!--;
  }

  /** `e`'s queue, as it would be had `e` ticked from its opening (OutQueue.skipTo). */
  private queueOf(e: Entry): OutQueue {
    const q = e.session.queue;
    const passed = this.phaseTick[e.phase]!;
    if (!e.ticking && passed > e.openedAfter) q.skipTo(passed + 1);
    return q;
  }

  /** `e` ticks from its phase's next step on (its first configure). */
  private startTicking(e: Entry): void {
    if (e.ticking) return;
    e.ticking = true;
    this.waiting[e.phase]!--;
    this.phases[e.phase]!.add(e);
  }

  /**
   * `e`'s frame of tick `n` plays out, decoded straight into the next slot
   * of its staging buffer, and is analysed there. A period that filled the
   * buffer (the pacer skipped the step that delivers) is delivered first,
   * once a frame came out.
   */
  private play(e: Entry, n: number, wallMs: number): void {
    let at = e.frames * FRAME_SAMPLES;
    if (at < this.stagedSamples) {
      if (!e.session.play(n, wallMs, e.staged, at)) return;
    } else {
      if (!e.session.play(n, wallMs, overflow, 0)) return;
      this.deliver();
      at = 0;
      e.staged.set(overflow, at);
    }
    e.frames++;
    if (e.runFrames > 0 && e.lastTick === n - 1) e.runFrames++;
    else {
      this.seal(e);
      e.runTick = n;
      e.runFrames = 1;
    }
    e.lastTick = n;
    e.line?.pushFrame(e.staged, at, e.t0 + n * TICK_MS);
  }

  /**
   * Post what every session heard since the last delivery, and what line
   * analysis found in it: the staging buffer of each session that hears
   * goes over whole (transferred, not copied), its runs as views of it, and
   * the session stages into a fresh one; a session that does not hear keeps
   * its period's frames (`held`) and stages into the one held before.
   */
  private deliver(): void {
    const now = this.opts.now();
    const runs: HeardRun[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const e of this.sessions.values()) {
      this.seal(e);
      const line = e.line;
      if (line) {
        // Its staging buffer is given away or reused from here.
        line.keepTail();
        line.settle();
        if (line.keySounding && now - line.heardUntil >= KEY_QUIET_MS) line.end();
      }
      if (!e.hear) {
        this.hold(e);
        continue;
      }
      if (e.postHeld && e.held) this.post(e, e.held, runs, transfer);
      e.held = null;
      e.postHeld = false;
      if (e.frames === 0) continue;
      this.post(e, e, runs, transfer);
      e.staged = new Int16Array(e.staged.length);
      e.frames = 0;
      e.runs = [];
    }
    this.lastDelivery = now;
    const found = this.found;
    if (runs.length === 0 && found.length === 0 && this.keys.length === 0 && this.notes.length === 0) return;
    const line = Float64Array.from(found);
    transfer.push(line.buffer);
    this.opts.post({ type: 'batch', runs, line, keys: this.keys, notes: this.notes }, transfer);
    this.found = [];
    this.keys = [];
    this.notes = [];
  }

  /** `e`'s run being staged goes into its `runs`. */
  private seal(e: Entry): void {
    if (e.runFrames === 0) return;
    e.runs.push({ tick: e.runTick, frames: e.runFrames });
    e.runFrames = 0;
  }

  /** `from`'s runs as views of its staging buffer, which goes over whole. */
  private post(e: Entry, from: Staging, runs: HeardRun[], transfer: ArrayBuffer[]): void {
    let at = 0;
    for (const r of from.runs) {
      const to = at + r.frames * FRAME_SAMPLES;
      runs.push({ sid: e.sid, at: e.t0 + r.tick * TICK_MS, samples: from.staged.subarray(at, to) });
      at = to;
    }
    transfer.push(from.staged.buffer as ArrayBuffer);
  }

  /** Keep the period's frames as `held`; stage into the buffer held before. */
  private hold(e: Entry): void {
    const held = (e.held ??= { staged: new Int16Array(e.staged.length), frames: 0, runs: [] });
    const { staged, runs } = held;
    held.staged = e.staged;
    held.frames = e.frames;
    held.runs = e.runs;
    e.staged = staged;
    e.frames = 0;
    e.runs = runs;
    runs.length = 0;
  }

  /** `e`'s session puts `packet` on the wire (its SessionLink). */
  transmit(e: Entry, packet: Uint8Array, to: Address, rtcp: boolean): void {
    if (rtcp) return e.rtcp.send(packet, to);
    // A batched network sends at the flush: measured then.
    if (this.batched) this.unmeasured++;
    else this.measure(1);
    e.rtp.send(packet, to);
  }

  /** Session `sid` heard a key (its SessionLink). */
  key(sid: number, digit: string, source: KeySource): void {
    this.keys.push({ sid, digit, source, at: this.opts.now() });
  }

  /** Something about session `sid` worth a log line (its SessionLink). */
  note(sid: number, what: string, detail: string): void {
    this.notes.push({ sid, what, detail });
  }

  /** Send what a batched network queued; its RTP packets are measured as they leave. */
  private flush(): void {
    const network = this.opts.network;
    if (!network.flush) return;
    network.flush();
    if (this.unmeasured === 0) return;
    this.measure(this.unmeasured);
    this.unmeasured = 0;
  }

  /** Lateness of `packets` RTP packets being sent now after their tick's time. */
  private measure(packets: number): void {
    const late = this.opts.now() - (this.currentT0 + this.current * TICK_MS);
    this.lateness[Math.min(LATENESS_BUCKETS - 1, Math.max(0, Math.floor(late / LATENESS_BUCKET_MS)))]! += packets;
  }

  /** The worker's counters (the 'stats' command; rtp-worker.ts also gives them to the inspector for bench:sip). */
  stats(reset: boolean): WorkerStats {
    const totals = { ...this.closedTotals };
    for (const e of this.sessions.values()) this.addTotals(totals, e.session);
    const scheduling = this.opts.scheduling?.(reset) ?? unscheduled();
    const out: WorkerStats = { sessions: this.sessions.size, lateness: [...this.lateness], skippedTicks: this.skippedTicks, totals, ...scheduling };
    if (reset) {
      this.lateness.fill(0);
    }
    return out;
  }

  private addTotals(t: Totals, session: RtpSession): void {
    const s = session.snapshot();
    t.packetsSent += s.packetsSent;
    t.packetsReceived += s.packetsReceived;
    t.packetsLost += s.packetsLost;
    t.late += s.late;
    t.duplicates += s.duplicates;
    t.concealed += s.concealed;
    t.rejected += s.rejected;
    t.maxJitterMs = Math.max(t.maxJitterMs, s.jitterMs);
  }
}
