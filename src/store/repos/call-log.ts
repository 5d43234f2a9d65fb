// Queries on the per-call debug log.
import type { CallLogEntryRow, NewCallLogEntryRow } from '../tables/webhooks.ts';
import type { Executor } from './accounts.ts';
import type { OwnerFilter } from './applications.ts';
import { whereOwner } from './owned.ts';

const forCall = <QB extends { where: (...a: any[]) => QB }>(qb: QB, f: OwnerFilter, callUuid: string): QB =>
  whereOwner(qb, f).where('call_uuid', '=', callUuid);

export const callLogRepo = {
  /** `seq` is one past the call's highest; the caller serialises appends per call. Resolves with the `seq` given. */
  async insert(db: Executor, row: Omit<NewCallLogEntryRow, 'seq'>): Promise<number> {
    const last = await db.selectFrom('call_log_entries').select((eb) => eb.fn.max('seq').as('m')).where('call_uuid', '=', row.call_uuid).executeTakeFirst();
    const seq = Number(last?.m ?? 0) + 1;
    await db.insertInto('call_log_entries').values({ ...row, seq }).execute();
    return seq;
  },

  /** Oldest first: a debug log reads as the story of the call. */
  list(db: Executor, f: OwnerFilter, callUuid: string, limit: number, offset: number): Promise<CallLogEntryRow[]> {
    return forCall(db.selectFrom('call_log_entries').selectAll(), f, callUuid).orderBy('seq').orderBy('created_at').limit(limit).offset(offset).execute();
  },

  async count(db: Executor, f: OwnerFilter, callUuid: string): Promise<number> {
    const r = await forCall(db.selectFrom('call_log_entries').select((eb) => eb.fn.countAll<number>().as('n')), f, callUuid).executeTakeFirstOrThrow();
    return Number(r.n);
  },

  async moveToMain(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.updateTable('call_log_entries').set({ subaccount_id: null }).where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },
};
