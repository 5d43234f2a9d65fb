// The engine's credit port over billing: a call's billing increment at its
// per-minute rate, held before the call starts and again before each next
// increment begins.
import type { Billing } from '../../platform/billing.ts';
import type { Pricing } from '../../platform/pricing.ts';
import type { CallOwner, CreditPort } from './ports.ts';

export class CreditAdapter implements CreditPort {
  constructor(
    private readonly billing: Billing,
    private readonly pricing: Pricing,
  ) {}

  get incrementMs(): number {
    return this.pricing.billingIncrement * 1000;
  }

  hold(owner: CallOwner, calls: ReadonlyArray<{ uuid: string; rate: number | undefined }>): Promise<void> {
    const holds = calls.flatMap((c) => (c.rate ? [{ reference: c.uuid, amount: this.pricing.incrementCost(c.rate) }] : []));
    return this.billing.hold(owner, holds);
  }

  extend(owner: CallOwner, uuid: string, rate: number): Promise<boolean> {
    return this.billing.raiseHold(owner, uuid, this.pricing.incrementCost(rate));
  }

  release(uuid: string): Promise<void> {
    return this.billing.releaseHold(uuid);
  }
}
