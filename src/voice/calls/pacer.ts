// The outbound calls-per-second limit of an account: a token bucket on the
// platform clock. A call that finds a token is dialled at once ("call
// fired"); otherwise it waits in the account's queue ("call queued") and is
// dialled as tokens come back, in order. A queued call hung up meanwhile is
// skipped.
import type { Timer, TimerGroup } from '../../clock/clock.ts';
import type { Call } from '../engine/call.ts';

interface Bucket {
  tokens: number;
  at: number;
  queue: Call[];
  timer: Timer | undefined;
}

export class Pacer {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly timers: TimerGroup,
    /** Calls per second, also the burst allowed from a full bucket. */
    readonly cps: number,
    private readonly dial: (call: Call) => void,
  ) {
    if (!(cps > 0)) throw new RangeError(`calls per second must be positive, got ${cps}`);
  }

  /** Dial `call` now (true) or queue it (false). */
  submit(accountId: string, call: Call): boolean {
    const b = this.bucket(accountId);
    if (b.queue.length === 0 && b.tokens >= 1) {
      b.tokens--;
      this.dial(call);
      return true;
    }
    b.queue.push(call);
    this.schedule(accountId, b);
    return false;
  }

  private bucket(accountId: string): Bucket {
    const now = this.timers.clock.now();
    let b = this.buckets.get(accountId);
    if (!b) this.buckets.set(accountId, (b = { tokens: this.cps, at: now, queue: [], timer: undefined }));
    b.tokens = Math.min(this.cps, b.tokens + ((now - b.at) * this.cps) / 1000);
    b.at = now;
    return b;
  }

  private schedule(accountId: string, b: Bucket): void {
    if (b.timer || b.queue.length === 0) return;
    const wait = Math.ceil(((1 - b.tokens) * 1000) / this.cps);
    b.timer = this.timers.after(Math.max(0, wait), () => {
      b.timer = undefined;
      const fresh = this.bucket(accountId);
      while (fresh.queue.length > 0 && fresh.tokens >= 1) {
        const call = fresh.queue.shift()!;
        if (call.status !== 'queued') continue;
        fresh.tokens--;
        this.dial(call);
      }
      if (fresh.queue.length > 0) this.schedule(accountId, fresh);
      else if (fresh.tokens >= this.cps) this.buckets.delete(accountId);
    });
  }
}
