// When a media worker runs at real-time priority. Only the media workers
// take it (native/rtp-udp's setThreadPriority, per thread): the main thread
// and V8's and libuv's helper threads stay at normal priority, so none of
// them can hold a worker's core for milliseconds (they did when the whole
// process ran under `chrt`: bench/README "The tail at 2,000 legs").
//
// A real-time thread that needs more than its core starves everything else
// on it — V8's compile threads among them, which leaves the worker in its
// slow baseline code needing even more: the process, and the machine, lock
// up (seen once: docs/decisions.md "Only the media workers at real-time
// priority"). So the guard keeps a worker at normal priority while it warms
// up (V8 compiles its hot code meanwhile), measures what share of its core
// it takes at real time (the thread's CPU time against the wall clock, each
// second from its second second there on), and sends it back to normal
// priority when that passes 90 % while most of its steps start late (it
// takes nearly all of its core and still does not keep up) three seconds in
// a row; it tries real time again after a quiet
// period at normal priority, twice as long after each relapse (up to a
// minute), so a worker with more calls than its core can carry costs the
// rest of the process four seconds of that core at most per try, ever more
// rarely. Lateness is not the test: a worker late because others held its
// core needs real time the most. Nor is its share at normal priority: on a
// busy machine it is what the neighbours leave it. The clocks are injected:
// the worker passes the monotonic time and its thread's CPU time, tests
// virtual ones.
import type { WorkerScheduling } from './rtp-protocol.ts';
import { loadBatchedUdp } from './rtp-udp-batch.ts';

export interface GuardOptions {
  /** At normal priority from the first work for this long (ms): warm-up. */
  warmUpMs: number;
  /** The share of its core a real-time worker takes is measured over windows this long (ms) … */
  windowMs: number;
  /** … and past this share, with most of its steps late (it does not keep up), for this many windows in a row, it goes back to normal priority … */
  high: number;
  overloadedWindows: number;
  /** … for this long (ms) … */
  quietMs: number;
  /** … doubled after each relapse (a fall within this long of going back), up to this. */
  maxQuietMs: number;
}

/**
 * Windows of a second, and the first second at real time not measured: a
 * worker just back at real time first catches up what it fell behind at
 * normal priority (up to 100 ms of steps and the datagrams that waited, at
 * its whole core for a few hundred ms on a busy machine), which is not
 * overload.
 */
export const GUARD: GuardOptions = { warmUpMs: 2000, windowMs: 1000, high: 0.9, overloadedWindows: 3, quietMs: 1000, maxQuietMs: 60_000 };

/** What the guard did, for the log: `share` is the share of its core the worker took in the window that decided (at normal priority: not measured, -1). */
export interface GuardChange {
  realtime: boolean;
  share: number;
}

export class RealtimeGuard {
  /** Whether the worker is at real-time priority now. */
  realtime = false;
  /** Times it went back to normal priority. */
  demotions = 0;
  /** Set when the system refused real-time priority: the guard stays at normal priority for good. */
  refused: string | null = null;
  /** When the worker may go real-time (none before its first work). */
  private notBefore = Infinity;
  private windowStart = 0;
  private windowCpu = 0;
  private windowSteps = 0;
  private windowLate = 0;
  /** Windows in a row it took more than `high` of its core without keeping up. */
  private overloaded = 0;
  private quiet: number;
  private promotedAt = -Infinity;

  constructor(
    /** Set the calling thread's priority: real-time or normal; null when done, else why not. */
    private readonly set: (realtime: boolean) => string | null,
    /** The calling thread's CPU time (ms); read once a window. */
    private readonly cpuMs: () => number,
    private readonly opts: GuardOptions = GUARD,
  ) {
    this.quiet = opts.quietMs;
  }

  /** The worker ran `steps` steps with work, `late` of them started late (LATE_STEP_MS); `now` is the monotonic time (ms). */
  ran(now: number, steps: number, late: number): GuardChange | null {
    if (this.refused !== null) return null;
    if (this.notBefore === Infinity) {
      this.notBefore = now + this.opts.warmUpMs;
      return null;
    }
    if (!this.realtime) return now >= this.notBefore ? this.promote(now) : null;
    // Just back at real time, a worker first catches up what it fell behind at normal priority: not measured.
    if (now < this.windowStart) return null;
    if (Number.isNaN(this.windowCpu)) {
      this.windowStart = now;
      this.windowCpu = this.cpuMs();
      this.windowSteps = 0;
      this.windowLate = 0;
      return null;
    }
    this.windowSteps += steps;
    this.windowLate += late;
    if (now - this.windowStart < this.opts.windowMs) return null;
    const cpu = this.cpuMs();
    const share = (cpu - this.windowCpu) / (now - this.windowStart);
    const behind = this.windowLate > this.windowSteps / 2;
    this.windowStart = now;
    this.windowCpu = cpu;
    this.windowSteps = 0;
    this.windowLate = 0;
    this.overloaded = share > this.opts.high && behind ? this.overloaded + 1 : 0;
    return this.overloaded >= this.opts.overloadedWindows ? this.demote(now, share) : null;
  }

  private promote(now: number): GuardChange | null {
    const why = this.set(true);
    if (why !== null) {
      this.refused = why;
      return null;
    }
    this.realtime = true;
    this.promotedAt = now;
    this.windowStart = now + this.opts.windowMs;
    this.windowCpu = NaN;
    return { realtime: true, share: -1 };
  }

  private demote(now: number, share: number): GuardChange {
    // Normal priority is always allowed (and the thread keeps running if it were not).
    this.set(false);
    this.realtime = false;
    this.overloaded = 0;
    this.demotions++;
    const relapse = now - this.promotedAt < this.opts.maxQuietMs;
    this.quiet = relapse ? Math.min(2 * this.quiet, this.opts.maxQuietMs) : this.opts.quietMs;
    this.notBefore = now + this.quiet;
    return { realtime: false, share };
  }
}

/** The addon's calls for the calling thread's scheduling (native/rtp-udp/thread_priority.c). */
export interface ThreadPriorityCalls {
  /** Its real-time priority, 0 when it runs at normal priority. */
  threadPriority(): number;
  /** To SCHED_RR at `priority`, or to normal with 0; null when done, else why not ("sched_setscheduler EPERM: …"). */
  setThreadPriority(priority: number): string | null;
  /** Its CPU time so far (ms). */
  threadCpuMs(): number;
}

/** The addon's thread scheduling calls, or why they cannot be used (the addon is not built, or built from older sources). */
export function loadThreadPriority(path?: string): ThreadPriorityCalls | { reason: string } {
  const batched = loadBatchedUdp(path);
  if (!('addon' in batched)) return batched;
  const calls = batched.addon as Partial<ThreadPriorityCalls>;
  if (typeof calls.setThreadPriority !== 'function' || typeof calls.threadCpuMs !== 'function') return { reason: 'native/rtp-udp was built from older sources: run `npm run postprepare` (or npm ci) to rebuild it' };
  return calls as ThreadPriorityCalls;
}

/**
 * How a worker starting now will be scheduled: a thread of a process started
 * at real-time priority keeps it; asked for `priority` (0: not asked), the
 * worker checks that the system lets it (it may not: no CAP_SYS_NICE or
 * RLIMIT_RTPRIO, as in a container), then warms up at normal priority under
 * its guard.
 */
export function startScheduling(priority: number, calls: ThreadPriorityCalls | { reason: string }, opts: GuardOptions = GUARD): { scheduling: WorkerScheduling; guard: RealtimeGuard | null } {
  if ('reason' in calls) return { scheduling: { kind: 'normal', reason: priority > 0 ? calls.reason : null }, guard: null };
  const inherited = calls.threadPriority();
  if (inherited > 0) return { scheduling: { kind: 'inherited', priority: inherited }, guard: null };
  if (priority === 0) return { scheduling: { kind: 'normal', reason: null }, guard: null };
  const refused = calls.setThreadPriority(priority);
  if (refused !== null) return { scheduling: { kind: 'normal', reason: refused }, guard: null };
  calls.setThreadPriority(0);
  const guard = new RealtimeGuard((realtime) => calls.setThreadPriority(realtime ? priority : 0), () => calls.threadCpuMs(), opts);
  return { scheduling: { kind: 'guarded', priority }, guard };
}
