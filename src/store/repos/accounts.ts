// Queries on accounts and subaccounts. No rules here, only SQL.
import type { Kysely, Transaction } from 'kysely';
import { ACCOUNT_PROFILE_COLUMNS, SUBACCOUNT_COLUMNS, type AccountProfilePatch, type AccountRow, type DB, type NewAccountRow, type SubaccountPatch } from '../schema.ts';
import { only } from './sql.ts';

export type Executor = Kysely<DB> | Transaction<DB>;

export const accountsRepo = {
  find(db: Executor, authId: string): Promise<AccountRow | undefined> {
    return db.selectFrom('accounts').selectAll().where('auth_id', '=', authId).executeTakeFirst();
  },

  async insert(db: Executor, row: NewAccountRow): Promise<void> {
    await db.insertInto('accounts').values(row).execute();
  },

  // Balance, parent, credentials and `enabled` of a main account have no
  // update here: they change only through their own operations below.
  async updateProfile(db: Executor, authId: string, patch: AccountProfilePatch): Promise<number> {
    const r = await db.updateTable('accounts').set(only(patch, ACCOUNT_PROFILE_COLUMNS)).where('auth_id', '=', authId).executeTakeFirst();
    return Number(r.numUpdatedRows);
  },

  /** Name and enabled of a subaccount (never a main account: the row must have this parent). */
  async updateSubaccount(db: Executor, parentId: string, authId: string, patch: SubaccountPatch): Promise<number> {
    const r = await db.updateTable('accounts').set(only(patch, SUBACCOUNT_COLUMNS)).where('auth_id', '=', authId).where('parent_id', '=', parentId).executeTakeFirst();
    return Number(r.numUpdatedRows);
  },

  /** The operator's configured token at start-up (ensureMain). */
  async setAuthToken(db: Executor, authId: string, authToken: string): Promise<void> {
    await db.updateTable('accounts').set({ auth_token: authToken }).where('auth_id', '=', authId).execute();
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

function ledgerOf(db: Executor, f: { accountId: string; subaccountId?: string | null }) {
  const q = db.selectFrom('ledger').where('account_id', '=', f.accountId);
  if (f.subaccountId === undefined) return q;
  return f.subaccountId === null ? q.where('subaccount_id', 'is', null) : q.where('subaccount_id', '=', f.subaccountId);
}

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

  /** Newest first; `subaccountId` undefined = the whole account, null = the main account's own. */
  list(db: Executor, f: { accountId: string; subaccountId?: string | null }, limit: number, offset: number) {
    return ledgerOf(db, f).selectAll().orderBy('created_at', 'desc').orderBy('id').limit(limit).offset(offset).execute();
  },

  async count(db: Executor, f: { accountId: string; subaccountId?: string | null }): Promise<number> {
    const r = await ledgerOf(db, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
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
