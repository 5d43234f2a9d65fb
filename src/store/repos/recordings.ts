// Queries on recordings and call streams.
import type { NewRecordingRow, RecordingRow, StreamRow } from '../tables/recordings.ts';
import type { Executor } from './accounts.ts';
import type { OwnerFilter } from './applications.ts';
import type { Range } from './calls.ts';
import { whereOwner, whereRange } from './owned.ts';

export interface RecordingFilter extends OwnerFilter {
  callUuid?: string;
  fromNumber?: string;
  toNumber?: string;
  conferenceName?: string;
  conferenceUuid?: string;
  mpcName?: string;
  mpcUuid?: string;
  added: Range;
}

function filtered<QB extends { where: (...a: any[]) => QB }>(qb: QB, f: RecordingFilter): QB {
  let q = whereOwner(qb, f);
  if (f.callUuid) q = q.where('call_uuid', '=', f.callUuid);
  if (f.fromNumber) q = q.where('from_number', '=', f.fromNumber);
  if (f.toNumber) q = q.where('to_number', '=', f.toNumber);
  if (f.conferenceName) q = q.where('conference_name', '=', f.conferenceName);
  if (f.conferenceUuid) q = q.where('conference_uuid', '=', f.conferenceUuid);
  if (f.mpcName) q = q.where('mpc_name', '=', f.mpcName);
  if (f.mpcUuid) q = q.where('mpc_uuid', '=', f.mpcUuid);
  return whereRange(q, 'added_at', f.added);
}

export const recordingsRepo = {
  async insert(db: Executor, row: NewRecordingRow): Promise<void> {
    await db.insertInto('recordings').values(row).execute();
  },

  find(db: Executor, owner: OwnerFilter, id: string): Promise<RecordingRow | undefined> {
    return whereOwner(db.selectFrom('recordings').selectAll(), owner).where('recording_id', '=', id).executeTakeFirst();
  },

  /** Any owner's: the file route is reached without credentials. */
  findById(db: Executor, id: string): Promise<RecordingRow | undefined> {
    return db.selectFrom('recordings').selectAll().where('recording_id', '=', id).executeTakeFirst();
  },

  list(db: Executor, f: RecordingFilter, limit: number, offset: number): Promise<RecordingRow[]> {
    return filtered(db.selectFrom('recordings').selectAll(), f).orderBy('added_at', 'desc').orderBy('recording_id').limit(limit).offset(offset).execute();
  },

  async count(db: Executor, f: RecordingFilter): Promise<number> {
    const r = await filtered(db.selectFrom('recordings').select((e) => e.fn.countAll<number>().as('n')), f).executeTakeFirst();
    return Number(r?.n ?? 0);
  },

  async delete(db: Executor, id: string): Promise<void> {
    await db.deleteFrom('recordings').where('recording_id', '=', id).execute();
  },

  async moveToMain(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.updateTable('recordings').set({ subaccount_id: null }).where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
    await db.updateTable('call_streams').set({ subaccount_id: null }).where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },
};

export const streamsRepo = {
  async insert(db: Executor, row: StreamRow): Promise<void> {
    await db.insertInto('call_streams').values(row).execute();
  },

  async update(db: Executor, id: string, patch: Partial<Pick<StreamRow, 'started_at' | 'ended_at'>>): Promise<void> {
    await db.updateTable('call_streams').set(patch).where('stream_id', '=', id).execute();
  },

  find(db: Executor, owner: OwnerFilter, callUuid: string, id: string): Promise<StreamRow | undefined> {
    return whereOwner(db.selectFrom('call_streams').selectAll(), owner).where('call_uuid', '=', callUuid).where('stream_id', '=', id).executeTakeFirst();
  },

  ofCall(db: Executor, owner: OwnerFilter, callUuid: string, limit: number, offset: number): Promise<StreamRow[]> {
    return whereOwner(db.selectFrom('call_streams').selectAll(), owner).where('call_uuid', '=', callUuid).orderBy('created_at').orderBy('stream_id').limit(limit).offset(offset).execute();
  },

  async countOfCall(db: Executor, owner: OwnerFilter, callUuid: string): Promise<number> {
    const r = await whereOwner(db.selectFrom('call_streams').select((e) => e.fn.countAll<number>().as('n')), owner).where('call_uuid', '=', callUuid).executeTakeFirst();
    return Number(r?.n ?? 0);
  },
};
