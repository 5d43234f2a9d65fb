// Messages between the main thread and a media worker. Both directions are
// batched: the main thread's commands of one turn of its event loop go
// together — through the worker's mailbox in shared memory (rtp-mailbox.ts),
// read at its steps, or where the mailbox cannot carry them as one `commands`
// message —, the worker posts one `batch` per delivery period (100 ms by
// default) for all its sessions. Times are on the monotonic clock of
// rtp-time.ts. Audio travels as Int16Arrays: small runs copied (into the
// mailbox's ring, or their own transferred buffers in a message), long ones (prompts) in SharedArrayBuffers made
// once per prompt and shared by every leg that plays it, with their G.711
// bytes, encoded once per prompt and codec when it is first queued.
import type { NegotiatedMedia } from '../sip-sdp.ts';
import type { JitterBufferOptions } from './rtp-jitter-buffer.ts';
import type { EncodedRun } from './rtp-out-queue.ts';
import type { StepStats } from './rtp-pacer.ts';
import type { KeySource, SessionStats } from './rtp-session.ts';

export interface WorkerInit {
  /** Ticks between deliveries of received audio to the main thread. */
  deliverTicks: number;
  /** Wall-clock minus monotonic time (ms), for RTCP's NTP timestamps. */
  wallOffset: number;
  /** Overdue steps (PHASE_MS each) a worker that fell behind runs back to back before it skips the rest. */
  maxCatchUp: number;
  /** The sockets: through the batched-UDP addon (rtp-udp-batch.ts) over io_uring or epoll, or node:dgram. */
  io: SocketIo;
  /** The SCHED_RR priority a worker takes for itself under its guard (rtp-priority.ts); 0: it leaves its scheduling as it is. */
  realtime: number;
  /** The worker's mailbox (rtp-mailbox.ts): the ring the main thread writes its commands into. */
  mailbox: SharedArrayBuffer;
}

/** How a worker is scheduled (it says so when ready; RtpMedia logs it once). */
export type WorkerScheduling =
  /** It takes real-time priority itself after warm-up, under its guard; the rest of the process stays at normal priority. */
  | { kind: 'guarded'; priority: number }
  /** The whole process was started at real-time priority (`chrt`): every thread has it, left as it is. */
  | { kind: 'inherited'; priority: number }
  /** Normal priority: not asked (SWITCHBOARD_RTP_REALTIME=off), or refused (`reason`). */
  | { kind: 'normal'; reason: string | null };

export type MediaIo = 'batched' | 'dgram';
/** How a worker's datagrams reach the kernel: the batched-UDP addon over io_uring or epoll, or node:dgram. */
export type SocketIo = 'io_uring' | 'epoll' | 'dgram';

export type Command =
  | { op: 'open'; sid: number; port: number; host: string; phase: number; inbandDtmf: boolean; analyse?: boolean; cname: string; jitter: JitterBufferOptions }
  /** Post the session's heard audio from now (`at`: when the main thread asked), or stop. */
  | { op: 'hear'; sid: number; on: boolean; at: number }
  | { op: 'configure'; sid: number; media: NegotiatedMedia }
  /** `g711`: a shared run's bytes in the session's codec, encoded once per run on the main thread (short runs have none). */
  | { op: 'send'; sid: number; at: number; samples: Int16Array; g711?: EncodedRun }
  | { op: 'mix'; sid: number; at: number; samples: Int16Array }
  | { op: 'digit'; sid: number; at: number; digit: string; frames: number }
  | { op: 'clear'; sid: number; at: number }
  | { op: 'close'; sid: number }
  | { op: 'stats'; id: number; reset: boolean };

export interface CommandBatch {
  type: 'commands';
  /** Wall-clock minus monotonic time now, as the main thread sees it. */
  wallOffset: number;
  list: Command[];
  /** Shared arrays the list names, given once: later commands in the mailbox name them by these ids. */
  shares: [number, Int16Array | Uint8Array][];
}

/** From the main thread: commands the mailbox could not carry, or a wake-up to read it now. */
export type MainMessage = CommandBatch | { type: 'wake' };

export interface HeardRun {
  sid: number;
  /** Monotonic time the first frame played out. */
  at: number;
  samples: Int16Array;
}

export interface HeardKey {
  sid: number;
  digit: string;
  at: number;
  source: KeySource;
}

export interface WorkerStats {
  sessions: number;
  /** RTP packets sent since the last reset, by lateness after their tick's time: bucket i counts [i/10, (i+1)/10) ms, the last one everything later. */
  lateness: number[];
  /** Ticks skipped so far because the worker had fallen more than 100 ms behind (cumulative). */
  skippedTicks: number;
  /** Sums over every session the worker ever had (cumulative: compare two readings). */
  totals: Omit<SessionStats, 'jitterMs' | 'roundTripMs' | 'remoteLost'> & { maxJitterMs: number };
  /** Its steps since the last reset: how full, how many started late. */
  steps: StepStats;
  /** Whether it runs at real-time priority now, and how often its guard took that back (cumulative). */
  realtime: boolean;
  demotions: number;
}

export type WorkerMessage =
  /** `t0`: monotonic time of the worker's step 0; phase p's ticks fall at t0 + p·PHASE_MS + n·TICK_MS. */
  | { type: 'ready'; t0: number; scheduling: WorkerScheduling }
  /** The worker's guard changed its priority: to real time, or back to normal after taking `share` of its core. */
  | { type: 'priority'; realtime: boolean; share: number }
  | { type: 'opened'; sid: number }
  | { type: 'failed'; sid: number; error: string; code: string | undefined }
  /** `runs`: sessions that hear audio only; `line`: what line analysis found, LINE_FINDING numbers each (transferred). */
  | { type: 'batch'; runs: HeardRun[]; line: Float64Array; keys: HeardKey[]; notes: { sid: number; what: string; detail: string }[] }
  | { type: 'stats'; id: number; stats: WorkerStats };

/** A line analysis finding in a batch: sid, code (LINE_SOUND, or 1 + the key's index in DTMF_DIGITS), start, end (monotonic ms). */
export const LINE_FINDING = 4;
export const LINE_SOUND = 0;

export const LATENESS_BUCKETS = 1000;
export const LATENESS_BUCKET_MS = 0.1;
