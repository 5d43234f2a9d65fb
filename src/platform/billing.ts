// Cash credit and charges. Every debit and credit is a ledger entry written
// with Accounts.addLedgerEntry in the caller's transaction, so the thing paid
// for and its payment commit or roll back together. Subaccounts draw on their
// main account's credit; the entry records which subaccount spent it.
// Calls in progress hold credit for what they may still cost (their billing
// increments so far and the next): new paid actions spend only what is not
// held, so concurrent calls and messages never take the balance below zero.
import { ApiError } from '../errors.ts';
import { formatMoney, type Micros } from '../money.ts';
import { ledgerRepo, type Executor } from '../store/repos/accounts.ts';
import { billingRepo } from '../store/repos/billing.ts';
import { TurnBatch } from '../store/turn-batch.ts';
import type { NumberType } from '../store/tables/numbers.ts';
import type { Accounts } from './accounts.ts';
import type { PlatformContext } from './context.ts';
import type { Direction, Pricing, Rate } from './pricing.ts';
import { ownerFilter, type Scope } from './scope.ts';
import { formatTimestamp } from './time.ts';

/** Who pays: the main account, on behalf of one of its subaccounts or itself. */
export type Payer = Pick<Scope, 'accountId' | 'subaccountId'>;

export type LedgerKind = 'credit' | 'number_rental' | 'number_renewal' | 'call' | 'message';

export interface ChargeOptions {
  /**
   * Charges for what has already happened (a finished call, a received
   * message, a month of a number the account still holds) cannot be refused,
   * so they may take the balance below zero. New paid actions never may.
   */
  overdraft?: boolean;
}

export interface CallCharge {
  callUuid: string;
  direction: Direction;
  /** Outbound: the destination; inbound: the platform number or `sip:` address called. */
  number: string;
  numberType?: NumberType;
  /** Answered duration in seconds (0 for an unanswered call). */
  durationSeconds: number;
  /** False: the call never held credit (it was not priced when it started), so there is no hold to release. */
  holdsCredit?: boolean;
}

export interface MessageCharge {
  messageUuid: string;
  direction: Direction;
  service: 'sms' | 'mms';
  /** Outbound: the destination; inbound: the platform number that received it. */
  number: string;
  units: number;
}

export interface Charged {
  rate: Rate;
  /** Billed seconds (voice) or units (messages). */
  billed: number;
  amount: Micros;
}

/** What an account may spend: its balance less what calls in progress hold. */
export interface Available {
  balance: Micros;
  held: Micros;
}

/**
 * 400, not 402: the platform answers a refused outbound call with one of
 * 400/401/404/405/500 and a refused message with "Insufficient Credit".
 */
export function insufficientCredit(accountId: string, needed: Micros, { balance, held }: Available): ApiError {
  const heldNote = held > 0 ? ` (${formatMoney(held)} of it held for calls in progress)` : '';
  return new ApiError(
    400,
    `insufficient credit: this needs ${formatMoney(needed)} but the account balance is ${formatMoney(balance)}${heldNote}; ` +
      `add credit with POST /v1/Account/${accountId}/Sandbox/Credit/`,
  );
}

/** A ledger entry as the ledger API shows it (our extension: GET /Ledger/). */
function ledgerView(row: { id: string; subaccount_id: string | null; kind: string; amount: number | string; description: string; reference: string | null; created_at: number | string }) {
  return {
    entry_id: row.id,
    time: formatTimestamp(Number(row.created_at)),
    kind: row.kind,
    amount: formatMoney(Number(row.amount)),
    description: row.description,
    reference: row.reference,
    subaccount: row.subaccount_id,
  };
}

const spendable = (a: Available): Micros => a.balance - a.held;

/** Credit to hold for one call: what it may cost before the next increment is held. */
export interface Hold {
  /** The call's uuid. */
  reference: string;
  amount: Micros;
}

/** A hold of new calls' first increments, or a raise of a live call's hold by its next one. */
type HoldOp = { kind: 'hold'; payer: Payer; holds: readonly Hold[]; at: number } | { kind: 'raise'; payer: Payer; reference: string; amount: Micros };

export class Billing {
  /**
   * Holds and raises asked for in one turn share a transaction: thousands
   * of calls starting, or reaching their next billing increment, together
   * would otherwise cost a commit each.
   */
  private readonly holds: TurnBatch<HoldOp, true | false | ApiError>;

  constructor(
    private readonly ctx: PlatformContext,
    private readonly accounts: Accounts,
    private readonly pricing: Pricing,
  ) {
    this.holds = new TurnBatch(ctx.db, (ops, trx) => this.writeHolds(ops, trx));
  }

  /** The main account's balance in micros (what its subaccounts spend from too). */
  async balance(payer: Payer, db: Executor = this.ctx.db): Promise<Micros> {
    return (await billingRepo.balance(db, payer.accountId)) ?? 0;
  }

  async available(payer: Payer, db: Executor = this.ctx.db): Promise<Available> {
    return (await billingRepo.funds(db, payer.accountId)) ?? { balance: 0, held: 0 };
  }

  /** Refuse a new paid action up front (400, see insufficientCredit) when the credit not held cannot cover `amount`. */
  async assertCanSpend(payer: Payer, amount: Micros): Promise<void> {
    const a = await this.available(payer);
    if (spendable(a) < amount) throw insufficientCredit(payer.accountId, amount, a);
  }

  /** Lock the account row and check what is not held covers `amount` (400 otherwise). */
  private async reserve(trx: Executor, payer: Payer, amount: Micros): Promise<void> {
    const a = await this.lockAvailable(trx, payer);
    if (spendable(a) < amount) throw insufficientCredit(payer.accountId, amount, a);
  }

  /** Take the account row's lock for the rest of `trx` and read what it may spend. */
  private async lockAvailable(trx: Executor, payer: Payer): Promise<Available> {
    return (await billingRepo.lockFunds(trx, payer.accountId)) ?? { balance: 0, held: 0 };
  }

  /**
   * Debit `amount` inside `trx`. Without overdraft the account row is locked
   * first and credit not held below `amount` throws 400, rolling back
   * whatever the transaction already did.
   */
  async charge(trx: Executor, payer: Payer, kind: LedgerKind, amount: Micros, description: string, reference: string | null, opts: ChargeOptions = {}): Promise<void> {
    if (amount < 0) throw new RangeError(`a charge cannot be negative (${amount})`);
    if (!opts.overdraft) await this.reserve(trx, payer, amount);
    if (amount > 0) await this.accounts.addLedgerEntry(trx, payer.accountId, payer.subaccountId, kind, -amount, description, reference);
  }

  /** Hold credit for calls about to start, all or none (400 when what is not held cannot cover them all). */
  async hold(payer: Payer, holds: readonly Hold[]): Promise<void> {
    if (holds.length === 0) return;
    const refused = await this.holds.add({ kind: 'hold', payer, holds, at: this.ctx.clock.now() });
    if (refused instanceof ApiError) throw refused;
  }

  /** Hold `amount` more for a call in progress; false when what is not held cannot cover it (or the call was billed already). */
  async raiseHold(payer: Payer, reference: string, amount: Micros): Promise<boolean> {
    return (await this.holds.add({ kind: 'raise', payer, reference, amount })) === true;
  }

  /**
   * One turn's holds and raises, in the turn's transaction, in the order
   * they were asked for: each account's row is locked once and what it may spend is
   * then counted here as each hold takes its share, so each is decided as if
   * it had its own transaction. Per hold: true, or why it was refused.
   */
  private async writeHolds(ops: readonly HoldOp[], trx: Executor): Promise<Array<true | false | ApiError>> {
    // Each account's funds as locked (in one order, so two batches cannot deadlock), and what this batch holds on top.
    const funds = new Map<string, { locked: Available; added: Micros }>();
    for (const accountId of [...new Set(ops.map((op) => op.payer.accountId))].sort()) {
      funds.set(accountId, { locked: (await billingRepo.lockFunds(trx, accountId)) ?? { balance: 0, held: 0 }, added: 0 });
    }
    // Read once the accounts are locked: a call billed meanwhile (its hold released under the same lock) is seen gone.
    const raising = await billingRepo.holding(trx, ops.flatMap((op) => (op.kind === 'raise' ? [op.reference] : [])));
    const added: Array<{ reference: string; account_id: string; amount: Micros; created_at: number }> = [];
    const raised: Array<{ reference: string; amount: Micros }> = [];
    const out: Array<true | false | ApiError> = [];
    for (const op of ops) {
      const f = funds.get(op.payer.accountId)!;
      const a = { balance: f.locked.balance, held: f.locked.held + f.added };
      if (op.kind === 'hold') {
        const total = op.holds.reduce((sum, h) => sum + h.amount, 0);
        if (spendable(a) < total) {
          out.push(insufficientCredit(op.payer.accountId, total, a));
          continue;
        }
        f.added += total;
        for (const h of op.holds) added.push({ reference: h.reference, account_id: op.payer.accountId, amount: h.amount, created_at: op.at });
      } else {
        if (!raising.has(op.reference) || spendable(a) < op.amount) {
          out.push(false);
          continue;
        }
        f.added += op.amount;
        raised.push({ reference: op.reference, amount: op.amount });
      }
      out.push(true);
    }
    await billingRepo.addHolds(trx, added);
    await billingRepo.raiseHolds(trx, raised);
    for (const [accountId, f] of funds) await billingRepo.moveHeld(trx, accountId, f.added);
    return out;
  }

  /** The ledger behind the balance, newest first: the whole account's for the main account, a subaccount's own for it. */
  async ledger(scope: Scope, page: { limit: number; offset: number }) {
    const f = ownerFilter(scope);
    const [rows, total] = await Promise.all([ledgerRepo.list(this.ctx.db, f, page.limit, page.offset), ledgerRepo.count(this.ctx.db, f)]);
    return { objects: rows.map(ledgerView), total };
  }

  /** Add credit (the sandbox top-up); returns the new balance. */
  async credit(payer: Payer, amount: Micros, description: string): Promise<Micros> {
    if (!(amount > 0)) throw new ApiError(400, 'amount must be greater than zero');
    return this.ctx.db.transaction().execute(async (trx) => {
      await this.accounts.addLedgerEntry(trx, payer.accountId, payer.subaccountId, 'credit', amount, description);
      return this.balance(payer, trx);
    });
  }

  /** Drop a call's hold outside its billing (a call that ended before its hold was taken). */
  async releaseHold(reference: string): Promise<void> {
    await this.ctx.db.transaction().execute((trx) => billingRepo.releaseHold(trx, reference));
  }

  /** Rate and bill a finished call leg, releasing what it held; returns what the CDR shows (rate, bill duration, total amount). */
  async chargeCall(trx: Executor, payer: Payer, call: CallCharge): Promise<Charged> {
    // Two writes per call otherwise, one of them the account's row (a page of the WAL at every commit), for nothing.
    if (call.holdsCredit !== false) await billingRepo.releaseHoldOf(trx, payer.accountId, call.callUuid);
    const rate = this.pricing.rate({ service: 'voice', direction: call.direction, number: call.number, numberType: call.numberType });
    const { billed, amount } = this.pricing.cost(rate, call.durationSeconds);
    await this.charge(trx, payer, 'call', amount, `${call.direction} call ${call.number}, ${billed} s billed`, call.callUuid, { overdraft: true });
    return { rate, billed, amount };
  }

  /** Rate and bill a message; an outbound message the balance cannot cover → 400, an inbound one is always billed. */
  async chargeMessage(trx: Executor, payer: Payer, msg: MessageCharge): Promise<Charged> {
    const rate = this.pricing.rate({ service: msg.service, direction: msg.direction, number: msg.number });
    const { billed, amount } = this.pricing.cost(rate, msg.units);
    await this.charge(trx, payer, 'message', amount, `${msg.direction} ${msg.service} ${msg.number}, ${billed} unit(s)`, msg.messageUuid, {
      overdraft: msg.direction === 'inbound',
    });
    return { rate, billed, amount };
  }
}
