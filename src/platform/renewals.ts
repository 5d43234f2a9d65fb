// Monthly rental renewal on the platform clock. On start it charges every
// month that fell due while the server was down, then sleeps until the next
// renewal (or a few hours, to notice numbers rented by other nodes). A
// compare-and-set on the number's paid months makes each month charged once,
// however many nodes or runs race for it.
import type { Timer } from '../clock/clock.ts';
import { inDomainOf } from '../clock/domains.ts';
import { numbersRepo } from '../store/repos/numbers.ts';
import type { Billing } from './billing.ts';
import type { PlatformContext } from './context.ts';
import { formatDate } from './time.ts';

/** Longest sleep between checks, in platform time. */
const MAX_SLEEP_MS = 6 * 3600_000;
/** Wait after a failed run (database unreachable …) before trying again. */
const RETRY_MS = 60_000;
const BATCH = 100;
const MAIN_ACCOUNTS = { subaccountId: null };

/** `k` calendar months after `ms` (UTC), on the same day or the month's last day. */
export function addMonths(ms: number, k: number): number {
  const d = new Date(ms);
  const first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k, 1);
  const f = new Date(first);
  const lastDay = new Date(Date.UTC(f.getUTCFullYear(), f.getUTCMonth() + 1, 0)).getUTCDate();
  return first + (Math.min(d.getUTCDate(), lastDay) - 1) * 86_400_000 + (ms - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

export class Renewals {
  private timer: Timer | undefined;
  private running: Promise<void> = Promise.resolve();
  private active = false;
  private onError: (err: unknown) => void = () => {};

  constructor(
    private readonly ctx: PlatformContext,
    private readonly billing: Billing,
  ) {}

  /** Catch up on renewals that fell due, then keep renewing until stop(). */
  async start(onError?: (err: unknown) => void): Promise<void> {
    if (onError) this.onError = onError;
    this.active = true;
    this.run();
    await this.settled();
  }

  async stop(): Promise<void> {
    this.active = false;
    this.timer?.cancel();
    this.timer = undefined;
    await this.running;
  }

  /** A number was rented: wake up earlier if its renewal is the next one. */
  kick(): void {
    // Renewals run on the main accounts' time, whoever rented (on the virtual clock a subaccount keeps its own: clock/domains.ts).
    if (this.active) inDomainOf(this.ctx.clock, MAIN_ACCOUNTS, () => (this.running = this.running.then(() => this.schedule())));
  }

  /** Resolves once no renewal run is in progress (tests on a virtual clock wait on this). */
  async settled(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.running;
      await current;
    } while (current !== this.running);
  }

  private run(): void {
    this.running = this.running.then(async () => {
      let failed = false;
      try {
        await this.renewDue();
      } catch (err) {
        this.onError(err);
        failed = true;
      }
      await this.schedule(failed ? RETRY_MS : 0);
    });
  }

  private async schedule(minWait = 0): Promise<void> {
    if (!this.active) return;
    this.timer?.cancel();
    let next = this.ctx.clock.now() + MAX_SLEEP_MS;
    try {
      next = Math.min(next, (await numbersRepo.nextRenewalAt(this.ctx.db)) ?? next);
    } catch (err) {
      this.onError(err);
      minWait = RETRY_MS;
    }
    if (!this.active) return;
    const wait = Math.max(minWait, next - this.ctx.clock.now());
    // Already due (the clock moved while we looked): run now rather than on a
    // zero timer, which a virtual clock would only fire on its next advance.
    if (wait <= 0) this.run();
    else this.timer = this.ctx.clock.after(wait, () => this.run());
  }

  /** Charge every rental month due by now; returns how many were charged. */
  async renewDue(): Promise<number> {
    let charged = 0;
    for (;;) {
      const now = this.ctx.clock.now();
      const due = await numbersRepo.dueForRenewal(this.ctx.db, now, BATCH);
      let won = 0;
      for (const n of due) {
        const renewed = await this.ctx.db.transaction().execute(async (trx) => {
          const next = addMonths(n.added_at, n.rental_periods + 1);
          if (!(await numbersRepo.advanceRenewal(trx, n.number, n.rental_periods, next))) return false;
          // The number stays the account's, so its month is owed even when the
          // credit has run out; new paid actions are then refused until top-up.
          await this.billing.charge(trx, { accountId: n.account_id, subaccountId: n.subaccount_id }, 'number_renewal', n.monthly_rental_rate,
            `monthly rental of ${n.number} from ${formatDate(n.renewal_at!)}`, n.number, { overdraft: true });
          return true;
        });
        if (renewed) won++;
      }
      charged += won;
      // Nothing left, or nothing won (another node is renewing these rows and will finish them).
      if (won === 0) return charged;
    }
  }
}
