// Queries on accounts and subaccounts. No rules here, only SQL.
import type { Kysely, Transaction } from 'kysely';
import type { AccountPatch, AccountRow, DB, NewAccountRow } from '../schema.ts';

export type Executor = Kysely<DB> | Transaction<DB>;

export const accountsRepo = {
  find(db: Executor, authId: string): Promise<AccountRow | undefined> {
    return db.selectFrom('accounts').selectAll().where('auth_id', '=', authId).executeTakeFirst();
  },

  async insert(db: Executor, row: NewAccountRow): Promise<void> {
    await db.insertInto('accounts').values(row).execute();
  },

  async update(db: Executor, authId: string, patch: AccountPatch): Promise<number> {
    const r = await db.updateTable('accounts').set(patch).where('auth_id', '=', authId).executeTakeFirst();
    return Number(r.numUpdatedRows);
  },

  async delete(db: Executor, authId: string): Promise<number> {
    const r = await db.deleteFrom('accounts').where('auth_id', '=', authId).executeTakeFirst();
    return Number(r.numDeletedRows);
  },

  findSubaccount(db: Executor, parentId: string, authId: string): Promise<AccountRow | undefined> {
    return db
      .selectFrom('accounts')
      .selectAll()
      .where('auth_id', '=', authId)
      .where('parent_id', '=', parentId)
      .executeTakeFirst();
  },

  listSubaccounts(db: Executor, parentId: string, limit: number, offset: number): Promise<AccountRow[]> {
    return db
      .selectFrom('accounts')
      .selectAll()
      .where('parent_id', '=', parentId)
      .orderBy('created_at', 'desc')
      .orderBy('auth_id')
      .limit(limit)
      .offset(offset)
      .execute();
  },

  async countSubaccounts(db: Executor, parentId: string): Promise<number> {
    const r = await db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('parent_id', '=', parentId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
};

export const ledgerRepo = {
  async add(
    db: Executor,
    entry: { id: string; account_id: string; subaccount_id: string | null; kind: string; amount: number; description: string; reference: string | null; created_at: number },
  ): Promise<void> {
    await db.insertInto('ledger').values(entry).execute();
    // The balance column is a cache of the ledger sum, moved in the same
    // statement batch/transaction as the entry that changes it.
    await db
      .updateTable('accounts')
      .set((eb) => ({ cash_credits: eb('cash_credits', '+', entry.amount) }))
      .where('auth_id', '=', entry.account_id)
      .execute();
  },

  async sum(db: Executor, accountId: string): Promise<number> {
    const r = await db
      .selectFrom('ledger')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount'), eb.lit(0)).as('total'))
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    return Number(r.total);
  },
};
