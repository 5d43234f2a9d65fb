// What virtual phones received (verification codes now, messaging later).
import type { Insertable } from 'kysely';
import type { InboxRow, SandboxInboxTable } from '../tables/endpoints.ts';
import type { Executor } from './accounts.ts';
import type { OwnerFilter } from './applications.ts';
import { whereOwner } from './owned.ts';

export interface InboxFilter extends OwnerFilter {
  toNumber: string;
}

const forPhone = <QB extends { where: (...a: any[]) => QB }>(qb: QB, f: InboxFilter): QB => whereOwner(qb, f).where('to_number', '=', f.toNumber);

export const sandboxInboxRepo = {
  /** `seq` is assigned here: one past the highest, so arrival order survives equal timestamps. */
  async insert(db: Executor, row: Omit<Insertable<SandboxInboxTable>, 'seq'>): Promise<void> {
    const last = await db.selectFrom('sandbox_inbox').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
    await db.insertInto('sandbox_inbox').values({ ...row, seq: Number(last?.m ?? 0) + 1 }).execute();
  },

  /** Newest first. */
  list(db: Executor, f: InboxFilter, limit: number, offset: number): Promise<InboxRow[]> {
    return forPhone(db.selectFrom('sandbox_inbox').selectAll(), f).orderBy('seq', 'desc').limit(limit).offset(offset).execute();
  },

  async count(db: Executor, f: InboxFilter): Promise<number> {
    const r = await forPhone(db.selectFrom('sandbox_inbox').select((eb) => eb.fn.countAll<number>().as('n')), f).executeTakeFirstOrThrow();
    return Number(r.n);
  },

  async moveToMain(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.updateTable('sandbox_inbox').set({ subaccount_id: null }).where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },

  async deleteForSubaccount(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.deleteFrom('sandbox_inbox').where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },
};
