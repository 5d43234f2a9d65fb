// Cash credit and charges. Every debit and credit is a ledger entry written
// with Accounts.addLedgerEntry in the caller's transaction, so the thing paid
// for and its payment commit or roll back together. Subaccounts draw on their
// main account's credit; the entry records which subaccount spent it.
import { ApiError } from '../errors.ts';
import { formatMoney, type Micros } from '../money.ts';
import { ledgerRepo, type Executor } from '../store/repos/accounts.ts';
import { billingRepo } from '../store/repos/billing.ts';
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

/**
 * 400, not 402: the platform answers a refused outbound call with one of
 * 400/401/404/405/500 and a refused message with "Insufficient Credit".
 */
export function insufficientCredit(accountId: string, needed: Micros, balance: Micros): ApiError {
  return new ApiError(
    400,
    `insufficient credit: this needs ${formatMoney(needed)} but the account balance is ${formatMoney(balance)}; ` +
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

export class Billing {
  constructor(
    private readonly ctx: PlatformContext,
    private readonly accounts: Accounts,
    private readonly pricing: Pricing,
  ) {}

  /** The main account's balance in micros (what its subaccounts spend from too). */
  async balance(payer: Payer, db: Executor = this.ctx.db): Promise<Micros> {
    return (await billingRepo.balance(db, payer.accountId)) ?? 0;
  }

  /** Refuse a new paid action up front (400, see insufficientCredit) when the balance cannot cover `amount`. */
  async assertCanSpend(payer: Payer, amount: Micros): Promise<void> {
    const balance = await this.balance(payer);
    if (balance < amount) throw insufficientCredit(payer.accountId, amount, balance);
  }

  /**
   * Debit `amount` inside `trx`. Without overdraft the account row is locked
   * first and a balance below `amount` throws 400, rolling back whatever the
   * transaction already did.
   */
  async charge(trx: Executor, payer: Payer, kind: LedgerKind, amount: Micros, description: string, reference: string | null, opts: ChargeOptions = {}): Promise<void> {
    if (amount < 0) throw new RangeError(`a charge cannot be negative (${amount})`);
    if (!opts.overdraft) {
      await billingRepo.lockAccount(trx, payer.accountId);
      const balance = await this.balance(payer, trx);
      if (balance < amount) throw insufficientCredit(payer.accountId, amount, balance);
    }
    if (amount > 0) await this.accounts.addLedgerEntry(trx, payer.accountId, payer.subaccountId, kind, -amount, description, reference);
  }

  /** Add credit (the sandbox top-up); returns the new balance. */
  /** The ledger behind the balance, newest first: the whole account's for the main account, a subaccount's own for it. */
  async ledger(scope: Scope, page: { limit: number; offset: number }) {
    const f = ownerFilter(scope);
    const [rows, total] = await Promise.all([ledgerRepo.list(this.ctx.db, f, page.limit, page.offset), ledgerRepo.count(this.ctx.db, f)]);
    return { objects: rows.map(ledgerView), total };
  }

  async credit(payer: Payer, amount: Micros, description: string): Promise<Micros> {
    if (!(amount > 0)) throw new ApiError(400, 'amount must be greater than zero');
    return this.ctx.db.transaction().execute(async (trx) => {
      await this.accounts.addLedgerEntry(trx, payer.accountId, payer.subaccountId, 'credit', amount, description);
      return this.balance(payer, trx);
    });
  }

  /** Rate and bill a finished call leg; returns what the CDR shows (rate, bill duration, total amount). */
  async chargeCall(trx: Executor, payer: Payer, call: CallCharge): Promise<Charged> {
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
