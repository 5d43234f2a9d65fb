// The main thread's side of RTP: a pool of media workers (one per core by
// default), the port range, and one `MediaSession` handle per leg. A handle
// is the leg's `AudioOut`: it keeps the leg's queue position itself (on the
// workers' 20 ms grid), so `send` answers at once with the platform time the
// run will have played, and the worker plays it then. Commands to a worker
// leave together once per turn of the event loop, through its mailbox in
// shared memory (rtp-mailbox.ts: read at its next step, a wake-up only when
// it would sleep past the command's bound); heard audio and keys come
// back in one message per worker per delivery period, as runs with their
// platform start times. A session opened with `analyse` has its worker run
// line analysis (media/line-analysis.ts) on what it hears: then only the
// findings come back, and the audio itself only while `hearAudio(true)`.
// Nothing here runs per frame.
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Clock } from '../../../clock/clock.ts';
import { DTMF_DIGITS } from '../../../media/dtmf.ts';
import { FRAME_MS } from '../../../media/frame.ts';
import { alawEncode, mulawEncode } from '../../../media/g711.ts';
import { msToSamples } from '../../../media/pcm.ts';
import { runDurationMs, type AudioOut, type FrameRun } from '../../driver.ts';
import type { AudioCodecName, NegotiatedMedia } from '../sip-sdp.ts';
import type { JitterBufferOptions } from './rtp-jitter-buffer.ts';
import type { EncodedRun } from './rtp-out-queue.ts';
import { MAX_CATCH_UP } from './rtp-pacer.ts';
import { PortPool, type PortRange } from './rtp-ports.ts';
import { MailboxWriter } from './rtp-mailbox.ts';
import { LINE_FINDING, LINE_SOUND, type Command, type MediaIo, type SocketIo, type WorkerInit, type WorkerMessage, type WorkerScheduling, type WorkerStats } from './rtp-protocol.ts';
import type { KeySource } from './rtp-session.ts';
import { monoNow, PHASE_MS, PHASES, TICK_MS } from './rtp-time.ts';
import { loadBatchedUdp } from './rtp-udp-batch.ts';

export interface MediaListener {
  /** The far end's audio: consecutive 20 ms frames that started playing out at platform time `at` (a session opened with `analyse`: only while it hears audio). */
  audio(run: FrameRun, at: number): void;
  /** A session opened with `analyse`: line analysis heard sound from `start` to `end` (platform ms)… */
  sound?(start: number, end: number): void;
  /** …or a key's tone from `start` to `end`. */
  tone?(digit: string, start: number, end: number): void;
  /** The far end pressed a key (an RFC 4733 event, or a tone heard in the audio); `at` is when it was seen. */
  dtmf(digit: string, at: number, source: KeySource): void;
  /** The session's worker died: no more audio either way. */
  lost(reason: string): void;
}

export interface RtpMediaOptions {
  ports: PortRange;
  clock: Clock;
  /** Address the sockets bind to (default 0.0.0.0). */
  bindAddress?: string;
  /** Media worker threads (default: one per core). */
  workers?: number;
  /** How often heard audio reaches the main thread, in ms (a multiple of 20; default 100). */
  deliverMs?: number;
  /** Look for keys as tones in received audio on legs without a negotiated telephone-event (default true; off once the engine analyses every leg's audio, issue #19). */
  inbandDtmf?: boolean;
  /** Jitter buffer depths in frames (default adaptive from 2 to 10, starting at 3; equal bounds make it fixed). */
  jitter?: JitterBufferOptions;
  /** How far behind (ms) a starved worker may catch up by sending overdue packets back to back before it drops audio instead (default 100). */
  catchUpMs?: number;
  /**
   * The workers' sockets: 'auto' (default) through the batched-UDP addon when
   * it is built — over io_uring where it can be set up, else epoll — else
   * node:dgram; 'epoll' the addon without io_uring; 'dgram' always node:dgram.
   */
  io?: 'auto' | 'epoll' | 'dgram';
  /**
   * The real-time (SCHED_RR) priority each worker takes for itself once warmed
   * up, under its guard (rtp-priority.ts), where the system allows it; the
   * rest of the process stays at normal priority. 0 (default): the workers
   * leave their scheduling as it is.
   */
  realtime?: number;
  log?: Logger;
}

/** Runs at least this long (0.5 s) are shared with the workers instead of copied for each leg: prompt caches hand one array to many legs. */
const SHARE_MIN_SAMPLES = msToSamples(500);
/** The pause after each key sent with `sendDigits`, as a phone's keypad leaves it. */
const KEY_GAP_MS = 100;
const OPEN_ATTEMPTS = 8;
/** How far the platform clock may seem to move against the monotonic one before times are re-anchored (its resolution is 1 ms). */
const OFFSET_SLACK_MS = 2;

/**
 * Sessions a worker's phase takes before the next phase is opened up. A
 * worker sleeps through the steps of phases without sessions, and each
 * wake-up costs it about 0.1 ms of CPU (measured on the 2-core VM), so a
 * few calls are better ticked in one step than spread over four; a step's
 * last packet then leaves at most this many sessions' work late (about
 * 0.5 ms). Past that, new sessions go to the emptiest phase.
 */
const PHASE_FILL = 32;

/** The phase a new session ticks on: the fullest that has room, else the emptiest. */
export function phaseFor(counts: readonly number[]): number {
  let best = -1;
  for (let p = 0; p < counts.length; p++) if (counts[p]! < PHASE_FILL && (best < 0 || counts[p]! > counts[best]!)) best = p;
  return best >= 0 ? best : counts.indexOf(Math.min(...counts));
}

/** What a session needs from its worker's slot in RtpMedia. */
export interface SessionHost {
  /** Platform time now. */
  now(): number;
  /** Queue a command for the worker (the arrays it names are not changed after). */
  command(c: Command): void;
  /** Platform → monotonic time (the workers' clock). */
  toMono(platform: number): number;
  /** The session is done: free its port pair and phase. */
  retire(session: MediaSession): void;
}

interface WorkerSlot {
  worker: Worker;
  t0: number;
  host: SessionHost;
  sessions: number;
  /** Sessions per phase, to put each new one in the emptiest. */
  phases: number[];
  pending: Command[];
  mailbox: MailboxWriter;
  stats: Map<number, (s: WorkerStats) => void>;
}

export class RtpMedia {
  private readonly pool: PortPool;
  private readonly slots: WorkerSlot[] = [];
  private readonly sessions = new Map<number, MediaSession>();
  private readonly opening = new Map<number, { resolve: () => void; reject: (e: NodeJS.ErrnoException) => void }>();
  private nextSid = 1;
  private nextStats = 1;
  private flushing = false;
  private closed = false;
  private readonly deliverTicks: number;
  private offsetMs: number | undefined;
  /** How the workers' datagrams enter and leave (said once in the log at start): the batched-UDP addon, or node:dgram … */
  readonly io: MediaIo;
  /** … and the addon over io_uring or epoll. */
  readonly sockets: SocketIo;
  /** How the workers are scheduled, as the first one said when it started (also said once in the log). */
  scheduling: WorkerScheduling | null = null;

  private constructor(private readonly opts: RtpMediaOptions) {
    this.pool = new PortPool(opts.ports);
    const deliverMs = opts.deliverMs ?? 100;
    if (!(deliverMs >= TICK_MS && deliverMs % TICK_MS === 0)) throw new RangeError(`deliverMs must be a multiple of ${TICK_MS}; got ${deliverMs}`);
    this.deliverTicks = deliverMs / TICK_MS;
    this.sockets = this.chooseSockets();
    this.io = this.sockets === 'dgram' ? 'dgram' : 'batched';
  }

  private chooseSockets(): SocketIo {
    const { log } = this.opts;
    if (this.opts.io === 'dgram') {
      log?.info('RTP media workers use node:dgram (asked)');
      return 'dgram';
    }
    const batched = loadBatchedUdp();
    if (!('addon' in batched)) {
      log?.warn({ reason: batched.reason }, 'RTP media workers use node:dgram: the batched-UDP addon cannot be loaded');
      return 'dgram';
    }
    if (this.opts.io === 'epoll') {
      log?.info('RTP media workers use batched UDP through epoll (native/rtp-udp; asked)');
      return 'epoll';
    }
    // Docker's default seccomp profile, kernels before 5.19 and kernel.io_uring_disabled refuse it.
    const reason = batched.addon.uringUnavailable();
    if (reason === null) {
      log?.info('RTP media workers use batched UDP through io_uring (native/rtp-udp)');
      return 'io_uring';
    }
    log?.info({ reason }, 'RTP media workers use batched UDP through epoll (native/rtp-udp): io_uring cannot be set up here');
    return 'epoll';
  }

  /** Start the workers; resolves once each is ticking. */
  static async start(opts: RtpMediaOptions): Promise<RtpMedia> {
    // V8's memory reducer collects a heap it judges idle with a full,
    // non-incremental mark-compact: in a media worker, whose heap is a few MB
    // and whose work comes in 5 ms steps, that was a 15–25 ms pause now and
    // then — every packet of the step late — and it was what failed
    // bench:sip-media's p99 first (1,400 legs: p99 53–65 ms with it, 2.3 ms
    // without, same minutes). The flag is process-wide: the main thread's heap
    // no longer shrinks by itself after a burst, which a media server wants
    // anyway (docs/decisions.md, "Media workers without V8's memory reducer").
    setFlagsFromString('--no-memory-reducer');
    const media = new RtpMedia(opts);
    const count = opts.workers ?? availableParallelism();
    await Promise.all(Array.from({ length: count }, () => media.spawn()));
    return media;
  }

  /** Free port pairs left in the range. */
  get freePorts(): number {
    return this.pool.free;
  }

  /**
   * A new session on the least busy worker, its port pair bound; its port
   * goes in the SDP. With `analyse` its worker analyses what it hears
   * (listener.sound/tone) and posts the audio only while `hearAudio(true)`.
   */
  async open(listener: MediaListener, opts: { cname?: string; analyse?: boolean } = {}): Promise<MediaSession> {
    const { cname = 'switchboard', analyse = false } = opts;
    let lastError: NodeJS.ErrnoException | undefined;
    for (let attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
      if (this.closed) throw new Error('RTP media is closed');
      const port = this.pool.take();
      if (port === null) throw new Error(`no free RTP port pair left in ${this.pool.range.min}-${this.pool.range.max} (SWITCHBOARD_RTP_PORTS)`);
      const slot = this.slots.reduce((a, b) => (b.sessions < a.sessions ? b : a));
      const phase = phaseFor(slot.phases);
      const sid = this.nextSid++;
      const session = new MediaSession(slot.host, sid, port, phase, listener, !analyse);
      // Counted while it opens, so sessions opened together spread over the workers and phases.
      slot.sessions++;
      slot.phases[phase]!++;
      try {
        await new Promise<void>((resolve, reject) => {
          this.opening.set(sid, { resolve, reject });
          const host = this.opts.bindAddress ?? '0.0.0.0';
          this.command(slot, { op: 'open', sid, port, host, phase, inbandDtmf: this.opts.inbandDtmf ?? true, analyse, cname, jitter: this.opts.jitter ?? {} });
        });
        this.sessions.set(sid, session);
        return session;
      } catch (err) {
        slot.sessions--;
        slot.phases[phase]!--;
        lastError = err as NodeJS.ErrnoException;
        if (lastError.code !== 'EADDRINUSE') {
          this.pool.release(port);
          break;
        }
        // Taken by another program: leave the pair marked used and try the next one.
        this.opts.log?.warn({ port }, 'RTP port pair in use by another program; skipping it');
      }
    }
    throw new Error(`could not open an RTP port pair: ${lastError?.message}`);
  }

  /** Each worker's counters (for benchmarks and health); `reset` restarts the lateness histograms. */
  stats(reset = false): Promise<WorkerStats[]> {
    return Promise.all(
      this.slots.map(
        (slot) =>
          new Promise<WorkerStats>((resolve) => {
            const id = this.nextStats++;
            slot.stats.set(id, resolve);
            this.command(slot, { op: 'stats', id, reset });
          }),
      ),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of [...this.sessions.values()]) s.close();
    this.flush();
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  // ---- for MediaSession ------------------------------------------------------

  /** Queue a command for the worker; all commands of this turn leave together. */
  private command(slot: WorkerSlot, c: Command): void {
    slot.pending.push(c);
    if (!this.flushing) {
      this.flushing = true;
      queueMicrotask(() => this.flush());
    }
  }

  /**
   * Platform time ↔ the workers' monotonic time (rtp-time.ts). The offset
   * between the two is measured now but kept while it stays within
   * OFFSET_SLACK_MS of the last one, so the times a session reports do not
   * jitter with the platform clock's millisecond resolution; a clock that
   * stepped (or a virtual one) is followed at once. Platform times are whole
   * milliseconds, as the clock's own are.
   */
  private toPlatform(mono: number): number {
    return Math.round(mono + this.offset());
  }

  private offset(): number {
    const measured = this.opts.clock.now() - monoNow();
    if (this.offsetMs === undefined || Math.abs(measured - this.offsetMs) > OFFSET_SLACK_MS) this.offsetMs = measured;
    return this.offsetMs;
  }

  private retire(session: MediaSession, slot: WorkerSlot): void {
    if (!this.sessions.delete(session.sid)) return;
    slot.sessions--;
    slot.phases[session.phase]!--;
    this.pool.release(session.port);
  }

  // ---- workers ---------------------------------------------------------------

  private flush(): void {
    this.flushing = false;
    const wallOffset = this.offset();
    for (const slot of this.slots) {
      if (slot.pending.length === 0) continue;
      slot.mailbox.send(slot.pending, wallOffset);
      slot.pending = [];
    }
  }

  private spawn(): Promise<void> {
    const maxCatchUp = this.opts.catchUpMs === undefined ? MAX_CATCH_UP : Math.max(1, Math.round(this.opts.catchUpMs / PHASE_MS));
    const mailbox = new MailboxWriter((m, transfer) => worker.postMessage(m, transfer), monoNow);
    const init: WorkerInit = { deliverTicks: this.deliverTicks, wallOffset: this.offset(), maxCatchUp, io: this.sockets, realtime: this.opts.realtime ?? 0, mailbox: mailbox.buffer };
    const worker = new Worker(new URL('./rtp-worker.mjs', import.meta.url), { workerData: init, name: 'rtp-media' });
    const slot = { worker, t0: 0, sessions: 0, phases: new Array<number>(PHASES).fill(0), pending: [], mailbox, stats: new Map() } as Omit<WorkerSlot, 'host'> as WorkerSlot;
    slot.host = {
      now: () => this.opts.clock.now(),
      command: (c) => this.command(slot, c),
      toMono: (platform) => platform - this.offset(),
      retire: (session) => this.retire(session, slot),
    };
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') {
          slot.t0 = m.t0;
          if (!this.scheduling) this.logScheduling((this.scheduling = m.scheduling));
          this.slots.push(slot);
          resolve();
        } else this.onMessage(slot, m);
      });
      worker.once('error', (err) => {
        reject(err);
        this.onWorkerDeath(slot, err.message);
      });
      worker.once('exit', (code) => this.onWorkerDeath(slot, `media worker exited (code ${code})`));
    });
  }

  private onMessage(slot: WorkerSlot, m: Exclude<WorkerMessage, { type: 'ready' }>): void {
    switch (m.type) {
      case 'opened':
        return this.settle(m.sid, null);
      case 'failed':
        return this.settle(m.sid, Object.assign(new Error(m.error), { code: m.code }));
      case 'priority':
        if (m.realtime) this.opts.log?.debug('RTP media worker at real-time priority');
        else {
          this.opts.log?.warn(
            { core_share: Math.round(m.share * 100) / 100 },
            'RTP media worker back at normal priority for a while: at real-time priority it took nearly all of its core (more calls than it can carry, or V8 still compiling), which would starve the rest of the process',
          );
        }
        return;
      case 'stats':
        slot.stats.get(m.id)?.(m.stats);
        slot.stats.delete(m.id);
        return;
      case 'batch': {
        for (const r of m.runs) this.sessions.get(r.sid)?.heard(r.samples, this.toPlatform(r.at));
        const line = m.line;
        for (let i = 0; i < line.length; i += LINE_FINDING) {
          const code = line[i + 1]!;
          this.sessions.get(line[i]!)?.found(code === LINE_SOUND ? null : DTMF_DIGITS[code - 1]!, this.toPlatform(line[i + 2]!), this.toPlatform(line[i + 3]!));
        }
        for (const k of m.keys) this.sessions.get(k.sid)?.pressed(k.digit, this.toPlatform(k.at), k.source);
        for (const n of m.notes) this.opts.log?.info({ rtp_port: this.sessions.get(n.sid)?.port, detail: n.detail }, `RTP ${n.what}`);
        return;
      }
    }
  }

  private logScheduling(s: WorkerScheduling): void {
    const log = this.opts.log;
    if (s.kind === 'guarded') log?.info({ priority: s.priority }, 'RTP media workers take real-time priority (SCHED_RR) for their own threads once warmed up, each while it leaves room on its core; the rest of the process stays at normal priority');
    else if (s.kind === 'inherited') {
      if (!this.opts.realtime) return;
      log?.warn(
        { priority: s.priority },
        'the whole process runs at real-time priority (started under chrt?): V8 and the main thread can then hold a media worker\'s core; start it at normal priority and the media workers take real-time priority themselves',
      );
    } else if (s.reason !== null) {
      log?.warn(
        { reason: s.reason },
        'RTP media workers run at normal priority: real-time priority was refused. Allow it with CAP_SYS_NICE (docker run --cap-add SYS_NICE) or an RLIMIT_RTPRIO of at least the priority (systemd LimitRTPRIO=, ulimit -r); SWITCHBOARD_RTP_REALTIME=off stops asking',
      );
    }
  }

  private settle(sid: number, err: NodeJS.ErrnoException | null): void {
    const waiter = this.opening.get(sid);
    this.opening.delete(sid);
    if (err) waiter?.reject(err);
    else waiter?.resolve();
  }

  /** A worker died: its sessions are lost; a fresh worker takes its place unless we are closing. */
  private onWorkerDeath(slot: WorkerSlot, reason: string): void {
    const at = this.slots.indexOf(slot);
    if (at < 0) return;
    this.slots.splice(at, 1);
    if (this.closed) return;
    this.opts.log?.error({ reason }, 'RTP media worker died; its calls lose their audio');
    for (const s of [...this.sessions.values()]) if (s.host === slot.host) s.lose(reason);
    this.spawn().catch((err: unknown) => this.opts.log?.error({ err }, 'could not restart an RTP media worker'));
  }
}

/**
 * One leg's media, seen from the main thread: its ports, its negotiated
 * media, and its audio both ways. The queue is kept here in platform
 * milliseconds, exactly as a sandbox leg keeps it, so `send` answers at once;
 * the worker plays each run from the tick nearest the time it was given
 * (within 10 ms), or from its next tick when that time has passed.
 */
export class MediaSession implements AudioOut {
  /** Platform time at which the queued audio will have played. */
  private tail = 0;
  private closed = false;
  /** What the session sends with (as last configured): long runs go with their bytes in it. */
  private codec: AudioCodecName | null = null;

  constructor(
    readonly host: SessionHost,
    readonly sid: number,
    /** Local RTP port (RTCP is the next one): what goes in our SDP's m= line. */
    readonly port: number,
    /** Which of the worker's phases this session ticks on. */
    readonly phase: number,
    private readonly listener: MediaListener,
    /** Whether the worker posts the audio it hears (sessions it analyses: only while asked). */
    private hearing = true,
  ) {}

  /** Media flows as negotiated (after the offer/answer); call again on every re-negotiation: hold, unhold, a new address or codec. */
  configure(negotiated: NegotiatedMedia): void {
    this.codec = negotiated.codecs[0].name;
    this.command({ op: 'configure', sid: this.sid, media: negotiated });
  }

  send(run: FrameRun): number {
    const start = Math.max(this.host.now(), this.tail);
    this.tail = start + runDurationMs(run);
    this.audio('send', start, run.samples);
    return this.tail;
  }

  clear(): void {
    const now = this.host.now();
    this.tail = Math.min(this.tail, now);
    this.command({ op: 'clear', sid: this.sid, at: this.host.toMono(now) });
  }

  mix(run: FrameRun): void {
    this.audio('mix', this.host.now(), run.samples);
  }

  get playingUntil(): number {
    return this.tail;
  }

  /** Keys toward the far end after what is queued, each `toneMs` long and followed by a short pause; `w`/`W` wait 0.5 s/1 s. Returns when the last has been sent. */
  sendDigits(digits: string, toneMs: number): number {
    const frames = Math.max(1, Math.round(toneMs / FRAME_MS));
    for (const c of digits) {
      const start = Math.max(this.host.now(), this.tail);
      if (c === 'w' || c === 'W') {
        this.tail = start + (c === 'w' ? 500 : 1000);
        continue;
      }
      this.command({ op: 'digit', sid: this.sid, at: this.host.toMono(start), digit: c, frames });
      this.tail = start + frames * FRAME_MS + KEY_GAP_MS;
    }
    return this.tail;
  }

  /** Have the worker post the audio it hears, or stop (a session it analyses starts without). A listener that comes gets what was heard since the worker's last delivery, as if it had always listened. */
  hearAudio(on: boolean): void {
    if (on === this.hearing) return;
    this.hearing = on;
    // The monotonic clock itself, not the platform's whole milliseconds: the worker compares it with its last delivery, which may be a fraction of a millisecond before.
    this.command({ op: 'hear', sid: this.sid, on, at: monoNow() });
  }

  /** Stop sending and receiving and free the ports. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.command({ op: 'close', sid: this.sid });
    this.closed = true;
    this.host.retire(this);
  }

  // ---- from RtpMedia -----------------------------------------------------------

  heard(samples: Int16Array, at: number): void {
    if (!this.closed) this.listener.audio({ samples }, at);
  }

  /** Line analysis found sound (`digit` null) or a key's tone from `start` to `end`. */
  found(digit: string | null, start: number, end: number): void {
    if (this.closed) return;
    if (digit === null) this.listener.sound?.(start, end);
    else this.listener.tone?.(digit, start, end);
  }

  pressed(digit: string, at: number, source: KeySource): void {
    if (!this.closed) this.listener.dtmf(digit, at, source);
  }

  lose(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.host.retire(this);
    this.listener.lost(reason);
  }

  // ---- internals -------------------------------------------------------------

  private audio(op: 'send' | 'mix', start: number, samples: Int16Array): void {
    if (samples.length === 0) return;
    const at = this.host.toMono(start);
    if (samples.length < SHARE_MIN_SAMPLES && !(samples.buffer instanceof SharedArrayBuffer)) {
      // Copied now: the caller may reuse its array once this returns.
      return this.command({ op, sid: this.sid, at, samples: samples.slice() });
    }
    const run = sharedRun(samples);
    const codec = this.codec;
    // Queued audio goes out as it is: in its G.711 bytes, encoded once for every leg that plays it in that codec. (Mixed audio is summed first.)
    if (op === 'send' && codec) {
      const g711 = run.g711;
      g711[codec] ??= (codec === 'PCMU' ? mulawEncode : alawEncode)(run.samples, new Uint8Array(new SharedArrayBuffer(run.samples.length)));
      this.command({ op, sid: this.sid, at, samples: run.samples, g711: { [codec]: g711[codec] } });
    } else this.command({ op, sid: this.sid, at, samples: run.samples });
  }

  private command(c: Command): void {
    if (!this.closed) this.host.command(c);
  }
}

interface SharedRun {
  samples: Int16Array;
  /** Its bytes in each codec a session queued it in (not made for a run only ever mixed). */
  g711: EncodedRun;
}

const shared = new WeakMap<Int16Array, SharedRun>();

/** A long run in shared memory, made once per array: every leg that plays it (a prompt cache hands one array to many) reads the same memory. */
function sharedRun(samples: Int16Array): SharedRun {
  let run = shared.get(samples);
  if (!run) {
    let s = samples;
    if (!(samples.buffer instanceof SharedArrayBuffer)) {
      s = new Int16Array(new SharedArrayBuffer(samples.byteLength));
      s.set(samples);
    }
    run = { samples: s, g711: {} };
    shared.set(samples, run);
  }
  return run;
}
