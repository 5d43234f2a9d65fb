// The one source of time. Everything that waits asks a Clock, so the sandbox
// can run calls on scaled or virtual time and tests stay deterministic.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Timer {
  cancel(): void;
}

export type ClockMode = 'real' | 'scaled' | 'virtual';

export interface Clock {
  readonly mode: ClockMode;
  /** Platform time, epoch milliseconds. */
  now(): number;
  /** Run `fn` once `ms` of platform time has passed. */
  after(ms: number, fn: () => void): Timer;
  /** Resolve once `ms` of platform time has passed. */
  sleep(ms: number): Promise<void>;
  /**
   * Mark real-world work in flight (an HTTP request, a database write, a
   * synthesis) whose completion will schedule more timers. A virtual clock
   * does not move while such work is pending, so time cannot jump past what
   * the work is about to schedule; other clocks just run it. Given a
   * function, the work may itself wait on this clock (a retry pause): while
   * it does, it no longer holds the clock.
   */
  track<T>(work: Promise<T> | (() => Promise<T>)): Promise<T>;
  /**
   * State kept once per domain of time (see domains.ts): a clock that runs
   * several domains gives each its own copy; other clocks have one domain.
   */
  local?<T>(make: () => T): PerDomain<T>;
}

/** One value per domain of time. */
export interface PerDomain<T> {
  /** The value of the domain the current code runs in (made on first use). */
  here(): T;
  /** Every domain's value made so far. */
  all(): Iterable<T>;
}

/** `make()`'s value for each domain of `clock`'s time: one value on a clock with a single domain. */
export function perDomain<T>(clock: Clock, make: () => T): PerDomain<T> {
  if (clock.local) return clock.local(make);
  const one = make();
  return { here: () => one, all: () => [one] };
}

/**
 * A timer of the real and scaled clocks. A class rather than a `cancel`
 * closure per timer: under tsx (keepNames) every named closure also gets a
 * defineProperty for its name, which makes it a ~256-byte dictionary object,
 * and a SIP call arms several timers.
 */
class NodeTimer implements Timer {
  constructor(private readonly handle: NodeJS.Timeout) {}
  cancel(): void {
    clearTimeout(this.handle);
  }
}

export class RealClock implements Clock {
  readonly mode: ClockMode = 'real';
  now(): number {
    return Date.now();
  }
  after(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, ms));
    return new NodeTimer(handle);
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }
  track<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
    return typeof work === 'function' ? work() : work;
  }
}

/** Platform time runs `scale` times faster than wall time, starting from the real now. */
export class ScaledClock implements Clock {
  readonly mode: ClockMode = 'scaled';
  private readonly wallStart = Date.now();
  constructor(readonly scale: number) {
    if (!(scale > 0)) throw new RangeError(`time scale must be a positive number, got ${scale}`);
  }
  now(): number {
    return this.wallStart + (Date.now() - this.wallStart) * this.scale;
  }
  after(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, ms / this.scale));
    return new NodeTimer(handle);
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }
  track<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
    return typeof work === 'function' ? work() : work;
  }
}

/** One piece of tracked work: it holds the clock unless it is waiting on one of the clock's timers. */
class Work {
  waiting = 0;
  done = false;
}

/** The tracked work the current code runs for (set by `track` with a function). */
const currentWork = new AsyncLocalStorage<Work>();

class VirtualTimer implements Timer {
  cancelled = false;
  constructor(
    readonly at: number,
    readonly seq: number,
    readonly fn: () => void,
    private readonly owner: VirtualClock,
    private readonly work?: Work,
  ) {}
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    if (this.work) this.owner.unpark(this.work);
    this.owner.forget();
  }
}

const earlier = (a: VirtualTimer, b: VirtualTimer): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/**
 * Time moves only when told to. `advance(ms)` runs every timer due in that
 * span in order, letting promise chains and tracked work settle between
 * timers so work a timer starts can schedule the next one before the clock
 * moves on. Timers live in a binary heap (cancelled ones are dropped lazily),
 * so thousands of live calls with a few timers each stay cheap.
 */
export class VirtualClock implements Clock {
  readonly mode: ClockMode = 'virtual';
  private current: number;
  private seq = 0;
  private readonly heap: VirtualTimer[] = [];
  private live = 0;
  private inFlight = 0;
  private quiet: Array<() => void> = [];
  /** Advances run one at a time, in call order. */
  private turn: Promise<void> = Promise.resolve();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  after(ms: number, fn: () => void): Timer {
    const work = currentWork.getStore();
    const timer = new VirtualTimer(this.current + Math.max(0, ms), this.seq++, work ? this.parked(work, fn) : fn, this, work);
    if (work) this.park(work);
    this.push(timer);
    this.live++;
    return timer;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  track<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
    const unit = new Work();
    this.inFlight++;
    const done = (): void => {
      unit.done = true;
      if (unit.waiting === 0) this.release();
    };
    const p = typeof work === 'function' ? currentWork.run(unit, work) : work;
    p.then(done, done);
    return p;
  }

  private release(): void {
    if (--this.inFlight === 0) for (const wake of this.quiet.splice(0)) wake();
  }

  /** Tracked work waiting on a timer no longer holds the clock… */
  private park(work: Work): void {
    if (!work.done && work.waiting++ === 0) this.release();
  }

  /** …until the timer fires (or is cancelled). */
  unpark(work: Work): void {
    if (!work.done && --work.waiting === 0) this.inFlight++;
  }

  private parked(work: Work, fn: () => void): () => void {
    return () => {
      this.unpark(work);
      fn();
    };
  }

  /** Called by a timer when it is cancelled; rebuilds the heap once it is mostly dead entries. */
  forget(): void {
    this.live--;
    const dead = this.heap.length - this.live;
    if (dead > 1024 && dead > this.live) {
      const alive = this.heap.filter((t) => !t.cancelled);
      this.heap.length = 0;
      for (const t of alive) this.push(t);
    }
  }

  /** Timers still waiting. */
  pending(): number {
    return this.live;
  }

  /** Tracked work still in flight. */
  busy(): number {
    return this.inFlight;
  }

  /** When the next timer is due, or undefined when none is. */
  nextDue(): number | undefined {
    return this.peek()?.at;
  }

  /** Resolves once no tracked work is in flight and ready callbacks have run. */
  async quiesce(): Promise<void> {
    await settle();
    while (this.inFlight > 0) {
      await new Promise<void>((resolve) => this.quiet.push(resolve));
      await settle();
    }
  }

  /** Move time forward by `ms`, firing due timers in order; resolves when the span is done. */
  advance(ms: number): Promise<void> {
    return this.serialized(() => this.runTo(this.current + Math.max(0, ms)));
  }

  advanceTo(target: number): Promise<void> {
    return this.serialized(() => this.runTo(target));
  }

  /** Jump from timer to timer until none is left (or `limitMs` of platform time passed). */
  runUntilIdle(limitMs = 24 * 3600_000): Promise<void> {
    return this.runWhile(() => true, limitMs);
  }

  /** Jump from timer to timer while `busy()` holds, a timer is left and `limitMs` has not passed. */
  async runWhile(busy: () => boolean, limitMs: number): Promise<void> {
    const stop = this.current + limitMs;
    for (;;) {
      await this.quiesce();
      const due = this.nextDue();
      if (!busy() || due === undefined || due > stop) return;
      await this.advanceTo(due);
    }
  }

  /** Jump from timer to timer until `done()` holds (true) or `deadline` passes (false, the clock then stands at it). */
  async runUntil(done: () => boolean, deadline: number): Promise<boolean> {
    for (;;) {
      await this.quiesce();
      if (done()) return true;
      const due = this.nextDue();
      if (due === undefined || due > deadline) {
        await this.advanceTo(deadline);
        await this.quiesce();
        return done();
      }
      await this.advanceTo(due);
    }
  }

  private serialized(step: () => Promise<void>): Promise<void> {
    const run = this.turn.then(step);
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async runTo(target: number): Promise<void> {
    await this.quiesce();
    for (;;) {
      const t = this.peek();
      if (!t || t.at > target) break;
      this.pop();
      t.cancelled = true;
      this.live--;
      this.current = Math.max(this.current, t.at);
      t.fn();
      await this.quiesce();
    }
    this.current = Math.max(this.current, target);
  }

  // ---- heap ----------------------------------------------------------------

  private peek(): VirtualTimer | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap[0];
  }

  private push(t: VirtualTimer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): VirtualTimer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < h.length && earlier(h[l]!, h[best]!)) best = l;
        if (r < h.length && earlier(h[r]!, h[best]!)) best = r;
        if (best === i) break;
        [h[i], h[best]] = [h[best]!, h[i]!];
        i = best;
      }
    }
    return top;
  }
}

/**
 * Timers of one kind of work (live calls), counted while they wait, so "run
 * until the calls are idle" can stop when none of them is waiting on a timer
 * even though other work (renewals, safety limits) still has timers set.
 */
export class TimerGroup {
  /** Counted per domain of time: "until idle" is asked of one domain. */
  private readonly count: PerDomain<{ waiting: number }>;
  constructor(readonly clock: Clock) {
    this.count = perDomain(clock, () => ({ waiting: 0 }));
  }

  after(ms: number, fn: () => void): Timer {
    const count = this.count.here();
    count.waiting++;
    let done = false;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      count.waiting--;
      return true;
    };
    const timer = this.clock.after(ms, () => {
      if (finish()) fn();
    });
    return {
      cancel: () => {
        if (finish()) timer.cancel();
      },
    };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  /** Timers of this group still waiting (in the current domain of time). */
  pending(): number {
    return this.count.here().waiting;
  }
}

/** Let queued promise callbacks and I/O callbacks that are already ready run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
