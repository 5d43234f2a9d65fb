// Queries on multiparty calls.
import { MPC_STATE_COLUMNS, type MpcParticipantRow, type MpcRow, type MpcUpdate, type NewMpcRow } from '../tables/conferences.ts';
import type { Executor } from './accounts.ts';
import type { OwnerFilter } from './applications.ts';
import type { Range } from './calls.ts';
import { whereOwner, whereRange } from './owned.ts';
import { only } from './sql.ts';

export interface MpcFilter extends OwnerFilter {
  friendlyName?: string;
  status?: string;
  terminationCauseCode?: number;
  created: Range;
  ended: Range;
}

function filtered<QB extends { where: (...a: any[]) => QB }>(qb: QB, f: MpcFilter): QB {
  let q = whereOwner(qb, f);
  if (f.friendlyName !== undefined) q = q.where('friendly_name', '=', f.friendlyName);
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  if (f.terminationCauseCode !== undefined) q = q.where('termination_cause_code', '=', f.terminationCauseCode);
  q = whereRange(q, 'created_at', f.created);
  return whereRange(q, 'ended_at', f.ended);
}

export const mpcRepo = {
  async insert(db: Executor, row: NewMpcRow): Promise<void> {
    await db.insertInto('multi_party_calls').values(row).execute();
  },

  async update(db: Executor, uuid: string, set: MpcUpdate): Promise<void> {
    await db.updateTable('multi_party_calls').set(only(set, MPC_STATE_COLUMNS)).where('mpc_uuid', '=', uuid).execute();
  },

  find(db: Executor, owner: OwnerFilter, uuid: string): Promise<MpcRow | undefined> {
    return whereOwner(db.selectFrom('multi_party_calls').selectAll(), owner).where('mpc_uuid', '=', uuid).executeTakeFirst();
  },

  list(db: Executor, f: MpcFilter, limit: number, offset: number): Promise<MpcRow[]> {
    return filtered(db.selectFrom('multi_party_calls').selectAll(), f).orderBy('created_at', 'desc').orderBy('mpc_uuid').limit(limit).offset(offset).execute();
  },

  async count(db: Executor, f: MpcFilter): Promise<number> {
    const r = await filtered(db.selectFrom('multi_party_calls').select((e) => e.fn.countAll<number>().as('n')), f).executeTakeFirst();
    return Number(r?.n ?? 0);
  },

  /** The owner's most recent MPC of this name (a name is reused once its MPC ended). */
  latestByName(db: Executor, owner: OwnerFilter, name: string): Promise<MpcRow | undefined> {
    return whereOwner(db.selectFrom('multi_party_calls').selectAll(), owner).where('friendly_name', '=', name).orderBy('created_at', 'desc').orderBy('mpc_uuid').limit(1).executeTakeFirst();
  },

  async insertParticipant(db: Executor, row: MpcParticipantRow): Promise<void> {
    await db.insertInto('mpc_participants').values(row).execute();
  },

  /** Participants who left the MPC, in the order they joined. */
  departed(db: Executor, mpcUuid: string): Promise<MpcParticipantRow[]> {
    return db.selectFrom('mpc_participants').selectAll().where('mpc_uuid', '=', mpcUuid).orderBy('joined_at').orderBy('member_id').execute();
  },

  async moveToMain(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.updateTable('multi_party_calls').set({ subaccount_id: null }).where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
    await db.updateTable('mpc_participants').set({ subaccount_id: null }).where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },
};
