// Balance reads and the row lock that serialises spending on one account.
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
};
