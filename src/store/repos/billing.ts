// Balance reads, the row lock that serialises spending on one account, and
// the credit held for calls in progress. What an account's holds add up to
// is kept on its row (held_credits), moved in the same transaction as the
// holds, so reading what it may spend never sums its holds.
import type { Executor } from './accounts.ts';
import { slices } from './sql.ts';
import { prepared } from '../prepared.ts';

// Every ended call releases its hold: the account's total first, then the hold.
const takeOffHeld = prepared((db, v: { accountId: string; reference: string }) =>
  db
    .updateTable('accounts')
    .set((eb) => ({ held_credits: eb('held_credits', '-', eb.fn.coalesce(eb.selectFrom('credit_holds').select('amount').where('reference', '=', v.reference), eb.lit(0))) }))
    .where('auth_id', '=', v.accountId),
);
const dropHold = prepared((db, reference: string) => db.deleteFrom('credit_holds').where('reference', '=', reference));

/** An account's balance and what its calls in progress hold, in micros. */
export interface Funds {
  balance: number;
  held: number;
}

const funds = (r: { cash_credits: number | string; held_credits: number | string }): Funds => ({ balance: Number(r.cash_credits), held: Number(r.held_credits) });

/** Move an account's held total by `delta` (the caller changed its holds by as much in this transaction). */
async function moveHeld(db: Executor, accountId: string, delta: number): Promise<void> {
  if (delta !== 0) await db.updateTable('accounts').set((eb) => ({ held_credits: eb('held_credits', '+', delta) })).where('auth_id', '=', accountId).execute();
}

export const billingRepo = {
  /**
   * Take the account row's write lock for the rest of the transaction (a
   * no-op update works on both PostgreSQL and SQLite), so two concurrent
   * debits cannot both pass the balance check, and read the row as locked:
   * under PostgreSQL's READ COMMITTED the update waits for another debit's
   * commit and returns the row it left.
   */
  async lockFunds(db: Executor, accountId: string): Promise<Funds | undefined> {
    const r = await db
      .updateTable('accounts')
      .set((eb) => ({ cash_credits: eb.ref('cash_credits') }))
      .where('auth_id', '=', accountId)
      .returning(['cash_credits', 'held_credits'])
      .executeTakeFirst();
    return r && funds(r);
  },

  async funds(db: Executor, accountId: string): Promise<Funds | undefined> {
    const r = await db.selectFrom('accounts').select(['cash_credits', 'held_credits']).where('auth_id', '=', accountId).executeTakeFirst();
    return r && funds(r);
  },

  async balance(db: Executor, accountId: string): Promise<number | undefined> {
    const r = await db.selectFrom('accounts').select('cash_credits').where('auth_id', '=', accountId).executeTakeFirst();
    return r ? Number(r.cash_credits) : undefined;
  },

  /** What the account's holds add up to, summed from the holds themselves (the kept total must always equal it). */
  async sumOfHolds(db: Executor, accountId: string): Promise<number> {
    const r = await db
      .selectFrom('credit_holds')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount'), eb.lit(0)).as('total'))
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    return Number(r.total);
  },

  /** New holds; the caller holds their accounts' row locks and moves their held totals (moveHeld). */
  async addHolds(db: Executor, rows: ReadonlyArray<{ reference: string; account_id: string; amount: number; created_at: number }>): Promise<void> {
    for (const batch of slices(rows)) await db.insertInto('credit_holds').values(batch).execute();
  },

  /** Which of `references` still have a hold (a call's is gone once it is billed). */
  async holding(db: Executor, references: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const batch of slices(references)) {
      for (const r of await db.selectFrom('credit_holds').select('reference').where('reference', 'in', batch).execute()) found.add(r.reference);
    }
    return found;
  },

  /** Raise holds, each by its `amount` (one statement per amount: a batch's calls mostly share a rate); the caller moves the held totals. */
  async raiseHolds(db: Executor, raises: ReadonlyArray<{ reference: string; amount: number }>): Promise<void> {
    const byAmount = new Map<number, string[]>();
    for (const r of raises) {
      const group = byAmount.get(r.amount);
      if (group) group.push(r.reference);
      else byAmount.set(r.amount, [r.reference]);
    }
    for (const [amount, references] of byAmount) {
      for (const batch of slices(references)) {
        await db.updateTable('credit_holds').set((eb) => ({ amount: eb('amount', '+', amount) })).where('reference', 'in', batch).execute();
      }
    }
  },

  moveHeld,

  /**
   * Drop a call's hold (if it is still there) and take it off its account's
   * total, the account row first: the order a hold's raise takes them in, so
   * the two cannot deadlock on PostgreSQL. Call inside a transaction.
   */
  async releaseHoldOf(db: Executor, accountId: string, reference: string): Promise<void> {
    await takeOffHeld(db, { accountId, reference });
    await dropHold(db, reference);
  },

  /** Drop a hold whose account the caller does not know (if it is still there); call inside a transaction. */
  async releaseHold(db: Executor, reference: string): Promise<void> {
    const gone = await db.deleteFrom('credit_holds').where('reference', '=', reference).returning(['account_id', 'amount']).executeTakeFirst();
    if (gone) await moveHeld(db, gone.account_id, -Number(gone.amount));
  },
};
