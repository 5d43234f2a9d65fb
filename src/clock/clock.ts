// The one source of time. Everything that waits asks a Clock, so the sandbox
// can run calls on scaled or virtual time and tests stay deterministic.

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
}

export class RealClock implements Clock {
  readonly mode: ClockMode = 'real';
  now(): number {
    return Date.now();
  }
  after(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(handle) };
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
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
    return { cancel: () => clearTimeout(handle) };
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }
}

interface VirtualTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * Time moves only when told to. `advance(ms)` runs every timer due in that
 * span in order, letting promise chains settle between timers so work a timer
 * starts can schedule the next one before the clock moves on.
 */
export class VirtualClock implements Clock {
  readonly mode: ClockMode = 'virtual';
  private current: number;
  private seq = 0;
  private timers: VirtualTimer[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  after(ms: number, fn: () => void): Timer {
    const timer: VirtualTimer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
        this.timers = this.timers.filter((t) => t !== timer);
      },
    };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  /** Timers still waiting. */
  pending(): number {
    return this.timers.length;
  }

  /** When the next timer is due, or undefined when none is. */
  nextDue(): number | undefined {
    return this.next()?.at;
  }

  private next(): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const t of this.timers) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }

  /** Move time forward by `ms`, firing due timers in order; resolves when the span is done. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.current + Math.max(0, ms));
  }

  async advanceTo(target: number): Promise<void> {
    await settle();
    for (;;) {
      const t = this.next();
      if (!t || t.at > target) break;
      this.timers = this.timers.filter((x) => x !== t);
      this.current = Math.max(this.current, t.at);
      t.fn();
      await settle();
    }
    this.current = Math.max(this.current, target);
  }

  /** Jump from timer to timer until none is left (or `limitMs` of platform time passed). */
  async runUntilIdle(limitMs = 24 * 3600_000): Promise<void> {
    const stop = this.current + limitMs;
    await settle();
    for (;;) {
      const due = this.nextDue();
      if (due === undefined || due > stop) return;
      await this.advanceTo(due);
    }
  }
}

/** Let queued promise callbacks and I/O callbacks that are already ready run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function createClock(mode: ClockMode, scale = 1): Clock {
  switch (mode) {
    case 'real':
      return new RealClock();
    case 'scaled':
      return new ScaledClock(scale);
    case 'virtual':
      return new VirtualClock();
  }
}
