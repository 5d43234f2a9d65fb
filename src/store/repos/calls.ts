// Queries on call detail records, live calls and sandbox phone behaviours.
import type { CallRow, LiveCallRow, NewCallRow, NewLiveCallRow, SandboxPhoneRow } from '../tables/calls.ts';
import type { Executor } from './accounts.ts';
import type { OwnerFilter } from './applications.ts';
import { whereOwner, whereRange, type Range } from './owned.ts';
import { sql, type RawBuilder } from 'kysely';
import { preparedSlices } from './sql.ts';
import { prepared } from '../prepared.ts';

export type { Range };

export interface CdrFilter extends OwnerFilter {
  direction?: string;
  fromPrefix?: string;
  toPrefix?: string;
  parentCallUuid?: string;
  /** Answered seconds. */
  duration: Range;
  ended: Range;
  hangupCauseCode?: number;
  hangupSource?: string;
  stirVerification?: string;
}

function filtered<QB extends { where: (...a: any[]) => QB }>(qb: QB, f: CdrFilter): QB {
  let q = whereOwner(qb, f);
  if (f.direction) q = q.where('call_direction', '=', f.direction);
  if (f.fromPrefix) q = q.where('from_number', 'like', `${f.fromPrefix}%`);
  if (f.toPrefix) q = q.where('to_number', 'like', `${f.toPrefix}%`);
  if (f.parentCallUuid) q = q.where('parent_call_uuid', '=', f.parentCallUuid);
  q = whereRange(q, 'call_duration', f.duration);
  q = whereRange(q, 'ended_at', f.ended);
  if (f.hangupCauseCode !== undefined) q = q.where('hangup_cause_code', '=', f.hangupCauseCode);
  if (f.hangupSource) q = q.where('hangup_source', '=', f.hangupSource);
  if (f.stirVerification) q = q.where('stir_verification', '=', f.stirVerification);
  return q;
}

// Every call writes these, a batch of calls at a time: built once per batch size.
const insertRecords = prepared((db, rows: NewCallRow[]) => db.insertInto('calls').values(rows));
const insertLive = prepared((db, rows: NewLiveCallRow[]) => db.insertInto('live_calls').values(rows));
// CASE call_uuid WHEN … THEN …: each row its own values (cast, as PostgreSQL types a bare parameter there as text).
const setAnswered = prepared((db, calls: ReadonlyArray<{ uuid: string; at: number; params: string }>) => {
  const each = <T>(value: (c: (typeof calls)[number]) => RawBuilder<T>) => sql<T>`case call_uuid ${sql.join(calls.map((c) => sql`when ${c.uuid} then ${value(c)}`), sql` `)} end`;
  return db
    .updateTable('live_calls')
    .set({ answered_at: each((c) => sql<number>`cast(${c.at} as bigint)`), params: each((c) => sql<string>`${c.params}`) })
    .where('call_uuid', 'in', calls.map((c) => c.uuid));
});
const removeLive = prepared((db, uuids: readonly string[]) => db.deleteFrom('live_calls').where('call_uuid', 'in', uuids).returning('call_uuid'));

export const callsRepo = {
  async insert(db: Executor, rows: NewCallRow[]): Promise<void> {
    for (const batch of preparedSlices(rows)) await insertRecords(db, batch);
  },

  find(db: Executor, owner: OwnerFilter, callUuid: string): Promise<CallRow | undefined> {
    return whereOwner(db.selectFrom('calls').selectAll(), owner).where('call_uuid', '=', callUuid).executeTakeFirst();
  },

  list(db: Executor, f: CdrFilter, limit: number, offset: number): Promise<CallRow[]> {
    return filtered(db.selectFrom('calls').selectAll(), f).orderBy('ended_at', 'desc').orderBy('call_uuid').limit(limit).offset(offset).execute();
  },

  async count(db: Executor, f: CdrFilter): Promise<number> {
    const r = await filtered(db.selectFrom('calls').select((e) => e.fn.countAll<number>().as('n')), f).executeTakeFirst();
    return Number(r?.n ?? 0);
  },

  async setFeedback(db: Executor, callUuid: string, feedback: string): Promise<void> {
    await db.updateTable('calls').set({ feedback }).where('call_uuid', '=', callUuid).execute();
  },

  async moveToMain(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.updateTable('calls').set({ subaccount_id: null }).where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },
};

export const liveCallsRepo = {
  async insert(db: Executor, rows: readonly NewLiveCallRow[]): Promise<void> {
    for (const batch of preparedSlices(rows)) await insertLive(db, batch);
  },

  /** Calls that answered: their answer time and the parameters their webhooks now send, one statement per slice of calls. */
  async answered(db: Executor, calls: ReadonlyArray<{ uuid: string; at: number; params: string }>): Promise<void> {
    for (const batch of preparedSlices(calls)) await setAnswered(db, batch);
  },

  /** Delete the rows of calls that ended; returns the uuids that were still there. */
  async remove(db: Executor, callUuids: readonly string[]): Promise<Set<string>> {
    const removed = new Set<string>();
    for (const batch of preparedSlices(callUuids)) {
      for (const r of (await removeLive(db, batch)).rows) removed.add(r.call_uuid);
    }
    return removed;
  },

  /** The calls a node is running (or was, when it is gone). */
  ofNode(db: Executor, nodeId: string): Promise<LiveCallRow[]> {
    return db.selectFrom('live_calls').selectAll().where('node_id', '=', nodeId).execute();
  },
};

export const sandboxPhonesRepo = {
  async upsert(db: Executor, row: SandboxPhoneRow): Promise<void> {
    await db
      .insertInto('sandbox_phones')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['account_id', 'subaccount_key', 'number']).doUpdateSet({ behaviour: row.behaviour, ring_ms: row.ring_ms, script: row.script, dtmf_mode: row.dtmf_mode, updated_at: row.updated_at }),
      )
      .execute();
  },

  find(db: Executor, accountId: string, subaccountKey: string, number: string): Promise<SandboxPhoneRow | undefined> {
    return db
      .selectFrom('sandbox_phones')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('subaccount_key', '=', subaccountKey)
      .where('number', '=', number)
      .executeTakeFirst();
  },

  list(db: Executor, accountId: string, subaccountKey: string | undefined, limit: number, offset: number): Promise<SandboxPhoneRow[]> {
    let q = db.selectFrom('sandbox_phones').selectAll().where('account_id', '=', accountId);
    if (subaccountKey !== undefined) q = q.where('subaccount_key', '=', subaccountKey);
    return q.orderBy('number').orderBy('subaccount_key').limit(limit).offset(offset).execute();
  },

  async count(db: Executor, accountId: string, subaccountKey: string | undefined): Promise<number> {
    let q = db.selectFrom('sandbox_phones').select((e) => e.fn.countAll<number>().as('n')).where('account_id', '=', accountId);
    if (subaccountKey !== undefined) q = q.where('subaccount_key', '=', subaccountKey);
    return Number((await q.executeTakeFirst())?.n ?? 0);
  },

  async delete(db: Executor, accountId: string, subaccountKey: string, number: string): Promise<number> {
    const r = await db
      .deleteFrom('sandbox_phones')
      .where('account_id', '=', accountId)
      .where('subaccount_key', '=', subaccountKey)
      .where('number', '=', number)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  },

  async deleteForSubaccount(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.deleteFrom('sandbox_phones').where('account_id', '=', accountId).where('subaccount_key', '=', subaccountId).execute();
  },
};
