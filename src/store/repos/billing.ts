// Balance reads, the row lock that serialises spending on one account, and
// the credit held for calls in progress.
import type { Executor } from './accounts.ts';

export const billingRepo = {
  /**
   * Take the account row's write lock for the rest of the transaction (a
   * no-op update works on both PostgreSQL and SQLite), so two concurrent
   * debits cannot both pass the balance check. Under PostgreSQL's READ
   * COMMITTED the next statement then sees the other debit's commit.
   */
  async lockAccount(db: Executor, accountId: string): Promise<void> {
    await db.updateTable('accounts').set((eb) => ({ cash_credits: eb.ref('cash_credits') })).where('auth_id', '=', accountId).execute();
  },

  async balance(db: Executor, accountId: string): Promise<number | undefined> {
    const r = await db.selectFrom('accounts').select('cash_credits').where('auth_id', '=', accountId).executeTakeFirst();
    return r ? Number(r.cash_credits) : undefined;
  },

  async held(db: Executor, accountId: string): Promise<number> {
    const r = await db
      .selectFrom('credit_holds')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount'), eb.lit(0)).as('total'))
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    return Number(r.total);
  },

  async addHolds(db: Executor, rows: ReadonlyArray<{ reference: string; account_id: string; amount: number; created_at: number }>): Promise<void> {
    if (rows.length > 0) await db.insertInto('credit_holds').values([...rows]).execute();
  },

  /** Raise a hold by `amount`; false when there is no such hold (its call was billed meanwhile). */
  async raiseHold(db: Executor, reference: string, amount: number): Promise<boolean> {
    const r = await db
      .updateTable('credit_holds')
      .set((eb) => ({ amount: eb('amount', '+', amount) }))
      .where('reference', '=', reference)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async releaseHold(db: Executor, reference: string): Promise<void> {
    await db.deleteFrom('credit_holds').where('reference', '=', reference).execute();
  },
};
