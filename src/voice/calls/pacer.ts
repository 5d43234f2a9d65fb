// The outbound calls-per-second limit of an account, as the platform counts
// it: at most `cps` calls dialled in any second of the platform clock. A call
// that fits is dialled at once ("call fired"); otherwise it waits in the
// account's queue ("call queued") and is dialled in order as soon as it
// fits — at 2 per second, 5 calls at once go out 2 now, 2 a second later and
// 1 a second after that. A queued call hung up meanwhile is skipped. A
// fractional limit (0.5) is the same rule over a longer window (1 call in
// any 2 s).
import { perDomain, type PerDomain, type Timer, type TimerGroup } from '../../clock/clock.ts';
import type { Call } from '../engine/call.ts';

interface Account {
  /** When its latest calls were dialled, oldest first; at most `perWindow`. */
  dialled: number[];
  queue: Call[];
  timer: Timer | undefined;
}

export class Pacer {
  /** Per domain of time: on the virtual clock each subaccount's calls are counted on its own time. */
  private readonly domains: PerDomain<Map<string, Account>>;
  /** Calls allowed in one window… */
  private readonly perWindow: number;
  /** …of this many milliseconds. */
  private readonly windowMs: number;

  constructor(
    private readonly timers: TimerGroup,
    /** Calls per second. */
    readonly cps: number,
    private readonly dial: (call: Call) => void,
  ) {
    if (!(cps > 0)) throw new RangeError(`calls per second must be positive, got ${cps}`);
    this.perWindow = Math.ceil(cps);
    this.windowMs = (this.perWindow / cps) * 1000;
    this.domains = perDomain(timers.clock, () => new Map());
  }

  /** Dial `call` now (true) or queue it (false). */
  submit(accountId: string, call: Call): boolean {
    const a = this.account(accountId);
    if (a.queue.length === 0 && this.waitMs(a) === 0) {
      this.dialNow(a, call);
      return true;
    }
    a.queue.push(call);
    this.schedule(accountId, a);
    return false;
  }

  private account(accountId: string): Account {
    const accounts = this.domains.here();
    let a = accounts.get(accountId);
    if (!a) accounts.set(accountId, (a = { dialled: [], queue: [], timer: undefined }));
    return a;
  }

  /** How long until one more call fits in the window. */
  private waitMs(a: Account): number {
    if (a.dialled.length < this.perWindow) return 0;
    return Math.max(0, a.dialled[0]! + this.windowMs - this.timers.clock.now());
  }

  private dialNow(a: Account, call: Call): void {
    a.dialled.push(this.timers.clock.now());
    if (a.dialled.length > this.perWindow) a.dialled.shift();
    this.dial(call);
  }

  private schedule(accountId: string, a: Account): void {
    if (a.timer || a.queue.length === 0) return;
    a.timer = this.timers.after(this.waitMs(a), () => {
      a.timer = undefined;
      while (a.queue.length > 0 && this.waitMs(a) === 0) {
        const call = a.queue.shift()!;
        if (call.status === 'queued') this.dialNow(a, call);
      }
      if (a.queue.length > 0) this.schedule(accountId, a);
      else this.forgetIdle(accountId, a);
    });
  }

  /** An account whose window has passed holds nothing worth keeping. */
  private forgetIdle(accountId: string, a: Account): void {
    const last = a.dialled[a.dialled.length - 1];
    if (last === undefined || last + this.windowMs <= this.timers.clock.now()) this.domains.here().delete(accountId);
  }
}
