// Queries on caller ID verifications (pending codes) and verified caller IDs.
import type { Insertable } from 'kysely';
import { CALLER_ID_COLUMNS, type CallerIdPatch, type CallerIdVerificationsTable, type VerificationRow, type VerifiedCallerIdRow, type VerifiedCallerIdsTable } from '../tables/endpoints.ts';
import type { Executor } from './accounts.ts';
import type { OwnerFilter } from './applications.ts';
import { containsText, only } from './sql.ts';
import { whereOwner } from './owned.ts';

export interface CallerIdFilter extends OwnerFilter {
  aliasContains?: string;
  country?: string;
}

function filtered<QB extends { where: (...a: any[]) => QB }>(qb: QB, f: CallerIdFilter): QB {
  let q = whereOwner(qb, f);
  if (f.aliasContains) q = q.where(containsText('alias', f.aliasContains));
  if (f.country) q = q.where('country', '=', f.country);
  return q;
}

export const verificationsRepo = {
  find(db: Executor, owner: OwnerFilter, uuid: string): Promise<VerificationRow | undefined> {
    return whereOwner(db.selectFrom('caller_id_verifications').selectAll().where('verification_uuid', '=', uuid), owner).executeTakeFirst();
  },

  async insert(db: Executor, row: Insertable<CallerIdVerificationsTable>): Promise<void> {
    await db.insertInto('caller_id_verifications').values(row).execute();
  },

  async markVerified(db: Executor, uuid: string, verifiedAt: number): Promise<void> {
    await db.updateTable('caller_id_verifications').set({ verified_at: verifiedAt }).where('verification_uuid', '=', uuid).execute();
  },

  /** Counted in SQL so concurrent wrong guesses all count. */
  async addAttempt(db: Executor, uuid: string): Promise<void> {
    await db
      .updateTable('caller_id_verifications')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('verification_uuid', '=', uuid)
      .execute();
  },

  /** Verifications started for a number since `since` (for the resend limit). */
  async countSince(db: Executor, accountId: string, phoneNumber: string, since: number): Promise<number> {
    const r = await db
      .selectFrom('caller_id_verifications')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', accountId)
      .where('phone_number', '=', phoneNumber)
      .where('created_at', '>', since)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  async moveToMain(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.updateTable('caller_id_verifications').set({ subaccount_id: null }).where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },

  async deleteForSubaccount(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.deleteFrom('caller_id_verifications').where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },
};

export const verifiedCallerIdsRepo = {
  find(db: Executor, owner: OwnerFilter, phoneNumber: string): Promise<VerifiedCallerIdRow | undefined> {
    return whereOwner(db.selectFrom('verified_caller_ids').selectAll().where('phone_number', '=', phoneNumber), owner).executeTakeFirst();
  },

  /** Insert, or replace the row of a number verified again. */
  async upsert(db: Executor, row: Insertable<VerifiedCallerIdsTable>): Promise<void> {
    const { account_id, phone_number, created_at, ...rest } = row;
    await db
      .insertInto('verified_caller_ids')
      .values(row)
      .onConflict((oc) => oc.columns(['account_id', 'phone_number']).doUpdateSet(rest))
      .execute();
  },

  async update(db: Executor, accountId: string, phoneNumber: string, patch: CallerIdPatch): Promise<void> {
    await db.updateTable('verified_caller_ids').set(only(patch, CALLER_ID_COLUMNS)).where('account_id', '=', accountId).where('phone_number', '=', phoneNumber).execute();
  },

  async delete(db: Executor, accountId: string, phoneNumber: string): Promise<void> {
    await db.deleteFrom('verified_caller_ids').where('account_id', '=', accountId).where('phone_number', '=', phoneNumber).execute();
  },

  list(db: Executor, f: CallerIdFilter, limit: number, offset: number): Promise<VerifiedCallerIdRow[]> {
    return filtered(db.selectFrom('verified_caller_ids').selectAll(), f).orderBy('created_at', 'desc').orderBy('phone_number').limit(limit).offset(offset).execute();
  },

  async count(db: Executor, f: CallerIdFilter): Promise<number> {
    const r = await filtered(db.selectFrom('verified_caller_ids').select((eb) => eb.fn.countAll<number>().as('n')), f).executeTakeFirstOrThrow();
    return Number(r.n);
  },

  async moveToMain(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.updateTable('verified_caller_ids').set({ subaccount_id: null }).where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },

  async deleteForSubaccount(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.deleteFrom('verified_caller_ids').where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },
};
