// Queries on messages (MDRs), their media and the sandbox's per-phone
// messaging behaviour. Filters arrive ready-made from the messaging service.
import type { Executor } from './accounts.ts';
import type { OwnerFilter } from './applications.ts';
import { whereOwner, whereRange } from './owned.ts';
import { only } from './sql.ts';
import {
  MESSAGE_STATE_COLUMNS,
  type BehaviourRow,
  type MediaRow,
  type MessageDirection,
  type MessagePatch,
  type MessageRow,
  type MessageState,
  type MessageType,
  type NewMessageRow,
  type SandboxMessageBehavioursTable,
} from '../tables/messages.ts';
import type { Insertable } from 'kysely';

export interface MessageFilter extends OwnerFilter {
  direction?: MessageDirection;
  state?: MessageState;
  type?: MessageType;
  errorCode?: string;
  fromNumber?: string;
  toNumber?: string;
  countryIso?: string;
  /** Epoch-ms bounds on created_at: [from, to). */
  from?: number;
  to?: number;
}

function filtered<QB extends { where: (...a: any[]) => QB }>(qb: QB, f: MessageFilter): QB {
  let q = whereOwner(qb, f);
  if (f.direction) q = q.where('direction', '=', f.direction);
  if (f.state) q = q.where('state', '=', f.state);
  if (f.type) q = q.where('type', '=', f.type);
  if (f.errorCode) q = q.where('error_code', '=', f.errorCode);
  if (f.fromNumber) q = q.where('from_number', '=', f.fromNumber);
  if (f.toNumber) q = q.where('to_number', '=', f.toNumber);
  if (f.countryIso) q = q.where('destination_country_iso2', '=', f.countryIso);
  return whereRange(q, 'created_at', f);
}

export const messagesRepo = {
  /** The next insertion order number of an account's messages. */
  async nextSeq(db: Executor, accountId: string): Promise<number> {
    const r = await db.selectFrom('messages').select((eb) => eb.fn.max('seq').as('m')).where('account_id', '=', accountId).executeTakeFirst();
    return Number(r?.m ?? 0) + 1;
  },

  async insert(db: Executor, rows: NewMessageRow[]): Promise<void> {
    if (rows.length) await db.insertInto('messages').values(rows).execute();
  },

  find(db: Executor, owner: OwnerFilter, uuid: string): Promise<MessageRow | undefined> {
    return whereOwner(db.selectFrom('messages').selectAll(), owner).where('message_uuid', '=', uuid).executeTakeFirst();
  },

  findAny(db: Executor, uuid: string): Promise<MessageRow | undefined> {
    return db.selectFrom('messages').selectAll().where('message_uuid', '=', uuid).executeTakeFirst();
  },

  /** Newest first. */
  list(db: Executor, f: MessageFilter, limit: number, offset: number): Promise<MessageRow[]> {
    return filtered(db.selectFrom('messages').selectAll(), f).orderBy('seq', 'desc').orderBy('message_uuid', 'desc').limit(limit).offset(offset).execute();
  },

  async count(db: Executor, f: MessageFilter): Promise<number> {
    const r = await filtered(db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')), f).executeTakeFirstOrThrow();
    return Number(r.n);
  },

  /** Apply `patch` only while the message is in one of `from` (so a late report cannot undo a final state); returns whether it did. */
  async transition(db: Executor, uuid: string, from: MessageState[], patch: MessagePatch): Promise<boolean> {
    const r = await db.updateTable('messages').set(only(patch, MESSAGE_STATE_COLUMNS)).where('message_uuid', '=', uuid).where('state', 'in', from).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  /** Count one more status callback and return its sequence number. */
  async nextCallback(db: Executor, uuid: string): Promise<number> {
    await db.updateTable('messages').set((eb) => ({ callbacks_sent: eb('callbacks_sent', '+', 1) })).where('message_uuid', '=', uuid).execute();
    const r = await db.selectFrom('messages').select('callbacks_sent').where('message_uuid', '=', uuid).executeTakeFirstOrThrow();
    return Number(r.callbacks_sent);
  },

  async moveToMain(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.updateTable('messages').set({ subaccount_id: null }).where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },
};

export const mediaRepo = {
  async insert(db: Executor, rows: MediaRow[]): Promise<void> {
    if (rows.length) await db.insertInto('message_media').values(rows).execute();
  },

  list(db: Executor, uuid: string): Promise<MediaRow[]> {
    return db.selectFrom('message_media').selectAll().where('message_uuid', '=', uuid).orderBy('position').execute();
  },
};

export const behavioursRepo = {
  async upsert(db: Executor, row: Insertable<SandboxMessageBehavioursTable>): Promise<void> {
    const { owner_id, number, ...rest } = row;
    await db
      .insertInto('sandbox_message_behaviours')
      .values(row)
      .onConflict((oc) => oc.columns(['owner_id', 'number']).doUpdateSet(rest))
      .execute();
  },

  /** The first of `owners` (in order) that set a behaviour for `number`. */
  async find(db: Executor, owners: string[], number: string): Promise<BehaviourRow | undefined> {
    const rows = await db.selectFrom('sandbox_message_behaviours').selectAll().where('owner_id', 'in', owners).where('number', '=', number).execute();
    return owners.map((o) => rows.find((r) => r.owner_id === o)).find((r) => r !== undefined);
  },

  async delete(db: Executor, ownerId: string, number: string): Promise<boolean> {
    const r = await db.deleteFrom('sandbox_message_behaviours').where('owner_id', '=', ownerId).where('number', '=', number).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },

  async deleteForOwner(db: Executor, ownerId: string): Promise<void> {
    await db.deleteFrom('sandbox_message_behaviours').where('owner_id', '=', ownerId).execute();
  },
};
