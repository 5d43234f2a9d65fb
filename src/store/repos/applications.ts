// Queries on applications. Ownership filters arrive as an OwnerFilter built
// by the platform layer; this file only turns them into SQL.
import type { CompiledQuery } from 'kysely';
import { APPLICATION_COLUMNS, type ApplicationPatch, type ApplicationRow, type NewApplicationRow } from '../schema.ts';
import type { Executor } from './accounts.ts';
import { containsText, only } from './sql.ts';

/** Rows of `accountId`; with `subaccountId` only that subaccount's (null = main's own). */
export interface OwnerFilter {
  accountId: string;
  subaccountId?: string | null;
}

export interface ApplicationFilter extends OwnerFilter {
  appNameContains?: string;
}

function owned<QB extends { where: (...a: any[]) => QB }>(qb: QB, f: OwnerFilter): QB {
  let q = qb.where('account_id', '=', f.accountId);
  if (f.subaccountId !== undefined) {
    q = f.subaccountId === null ? q.where('subaccount_id', 'is', null) : q.where('subaccount_id', '=', f.subaccountId);
  }
  return q;
}

const compiled = new WeakMap<object, Map<string, CompiledQuery<ApplicationRow>>>();

export const applicationsRepo = {
  /**
   * GET by id is the hottest read after auth: its two query shapes are
   * compiled once per database and re-run with new parameters, which skips
   * Kysely's per-call build and compile.
   */
  async find(db: Executor, owner: OwnerFilter, appId: string): Promise<ApplicationRow | undefined> {
    const bySub = typeof owner.subaccountId === 'string';
    const shape = owner.subaccountId === undefined ? 'any' : bySub ? 'sub' : 'main';
    let byShape = compiled.get(db);
    if (!byShape) compiled.set(db, (byShape = new Map()));
    let query = byShape.get(shape);
    if (!query) {
      query = owned(db.selectFrom('applications').selectAll().where('app_id', '=', appId), owner).compile();
      byShape.set(shape, query);
    }
    const parameters = bySub ? [appId, owner.accountId, owner.subaccountId] : [appId, owner.accountId];
    return (await db.executeQuery<ApplicationRow>({ ...query, parameters })).rows[0];
  },

  async insert(db: Executor, row: NewApplicationRow): Promise<void> {
    await db.insertInto('applications').values(row).execute();
  },

  async update(db: Executor, appId: string, patch: ApplicationPatch): Promise<void> {
    await db.updateTable('applications').set(only(patch, APPLICATION_COLUMNS)).where('app_id', '=', appId).execute();
  },

  async delete(db: Executor, appId: string): Promise<void> {
    await db.deleteFrom('applications').where('app_id', '=', appId).execute();
  },

  list(db: Executor, f: ApplicationFilter, limit: number, offset: number): Promise<ApplicationRow[]> {
    let q = owned(db.selectFrom('applications').selectAll(), f);
    if (f.appNameContains) q = q.where(containsText('app_name', f.appNameContains));
    return q.orderBy('created_at', 'desc').orderBy('app_id').limit(limit).offset(offset).execute();
  },

  async count(db: Executor, f: ApplicationFilter): Promise<number> {
    let q = owned(db.selectFrom('applications').select((eb) => eb.fn.countAll<number>().as('n')), f);
    if (f.appNameContains) q = q.where(containsText('app_name', f.appNameContains));
    return Number((await q.executeTakeFirstOrThrow()).n);
  },

  /** Clear a default flag on every other application of the same owner. */
  async clearDefault(db: Executor, owner: OwnerFilter, flag: 'default_number_app' | 'default_endpoint_app', exceptAppId: string): Promise<void> {
    let q = db.updateTable('applications').set({ [flag]: 0 }).where('account_id', '=', owner.accountId).where('app_id', '!=', exceptAppId);
    q = owner.subaccountId ? q.where('subaccount_id', '=', owner.subaccountId) : q.where('subaccount_id', 'is', null);
    await q.execute();
  },

  findDefault(db: Executor, owner: OwnerFilter, flag: 'default_number_app' | 'default_endpoint_app'): Promise<ApplicationRow | undefined> {
    return owned(db.selectFrom('applications').selectAll().where(flag, '=', 1), { accountId: owner.accountId, subaccountId: owner.subaccountId ?? null }).executeTakeFirst();
  },

  /** Subaccount removed without cascade: its applications become the main account's. */
  async moveToMain(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db
      .updateTable('applications')
      .set({ subaccount_id: null, default_number_app: 0, default_endpoint_app: 0 })
      .where('account_id', '=', accountId)
      .where('subaccount_id', '=', subaccountId)
      .execute();
  },

  async deleteForSubaccount(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.deleteFrom('applications').where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },
};
