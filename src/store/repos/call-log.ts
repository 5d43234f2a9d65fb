// Queries on the per-call debug log.
import type { CallLogEntryRow, NewCallLogEntryRow } from '../tables/webhooks.ts';
import type { Executor } from './accounts.ts';
import type { OwnerFilter } from './applications.ts';
import { whereOwner } from './owned.ts';
import { preparedSlices } from './sql.ts';
import { prepared } from '../prepared.ts';

const forCall = <QB extends { where: (...a: any[]) => QB }>(qb: QB, f: OwnerFilter, callUuid: string): QB =>
  whereOwner(qb, f).where('call_uuid', '=', callUuid);

// Every entry of every call: built once per batch size.
const lastSeqs = prepared((db, uuids: string[]) =>
  db
    .selectFrom('call_log_entries')
    .select((eb) => ['call_uuid', eb.fn.max('seq').as('m')])
    .where('call_uuid', 'in', uuids)
    .groupBy('call_uuid'),
);
const insertEntries = prepared((db, rows: NewCallLogEntryRow[]) => db.insertInto('call_log_entries').values(rows));

export const callLogRepo = {
  /**
   * Append entries, in order: each gets the next `seq` of its call (one past
   * the call's highest). The caller serialises appends per call and runs
   * this in a transaction; nodes sharing a PostgreSQL database may still
   * number one call's entries alike, which its key allows (migration 0022).
   * `known`: calls' highest numbers the caller knows to be current (it alone
   * writes them), not read again.
   */
  async append(db: Executor, rows: ReadonlyArray<Omit<NewCallLogEntryRow, 'seq'>>, known?: ReadonlyMap<string, number>): Promise<number[]> {
    const last = new Map<string, number>();
    const unknown = new Set<string>();
    for (const r of rows) {
      const seq = known?.get(r.call_uuid);
      if (seq === undefined) unknown.add(r.call_uuid);
      else last.set(r.call_uuid, seq);
    }
    for (const uuids of preparedSlices([...unknown])) {
      for (const r of (await lastSeqs(db, uuids)).rows) last.set(r.call_uuid, Number(r.m));
    }
    const numbered = rows.map((r) => {
      const seq = (last.get(r.call_uuid) ?? 0) + 1;
      last.set(r.call_uuid, seq);
      // seq first: a literal that starts with a spread and then adds a key gets a hidden class of its own (docs/decisions.md).
      return { seq, ...r };
    });
    for (const batch of preparedSlices(numbered)) await insertEntries(db, batch);
    return numbered.map((r) => r.seq);
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
