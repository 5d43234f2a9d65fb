// Queries on SIP endpoints. Ownership filters come from the platform layer.
import { ENDPOINT_COLUMNS, REGISTRATION_COLUMNS, type EndpointPatch, type EndpointRow, type NewEndpointRow, type RegistrationPatch } from '../tables/endpoints.ts';
import { only } from './sql.ts';
import type { Executor } from './accounts.ts';
import type { OwnerFilter } from './applications.ts';
import { whereOwner } from './owned.ts';

export const endpointsRepo = {
  find(db: Executor, owner: OwnerFilter, endpointId: string): Promise<EndpointRow | undefined> {
    return whereOwner(db.selectFrom('endpoints').selectAll().where('endpoint_id', '=', endpointId), owner).executeTakeFirst();
  },

  findByUsername(db: Executor, username: string): Promise<EndpointRow | undefined> {
    return db.selectFrom('endpoints').selectAll().where('username', '=', username).executeTakeFirst();
  },

  async insert(db: Executor, row: NewEndpointRow): Promise<void> {
    await db.insertInto('endpoints').values(row).execute();
  },

  async update(db: Executor, endpointId: string, patch: EndpointPatch): Promise<number> {
    const r = await db.updateTable('endpoints').set(only(patch, ENDPOINT_COLUMNS)).where('endpoint_id', '=', endpointId).executeTakeFirst();
    return Number(r.numUpdatedRows);
  },

  /** A registration's contact and expiry (all three columns; null clears it). */
  async setRegistration(db: Executor, username: string, registration: RegistrationPatch): Promise<number> {
    const set = Object.fromEntries(REGISTRATION_COLUMNS.map((c) => [c, registration[c]])) as RegistrationPatch;
    const r = await db.updateTable('endpoints').set(set).where('username', '=', username).executeTakeFirst();
    return Number(r.numUpdatedRows);
  },

  /** Endpoints whose password was last set before SHA-256 digest secrets were kept. */
  async countWithoutSha256(db: Executor): Promise<number> {
    const r = await db.selectFrom('endpoints').select((eb) => eb.fn.countAll().as('n')).where('ha1_sha256', 'is', null).executeTakeFirstOrThrow();
    return Number(r.n);
  },

  async delete(db: Executor, endpointId: string): Promise<void> {
    await db.deleteFrom('endpoints').where('endpoint_id', '=', endpointId).execute();
  },

  list(db: Executor, f: OwnerFilter, limit: number, offset: number): Promise<EndpointRow[]> {
    return whereOwner(db.selectFrom('endpoints').selectAll(), f).orderBy('created_at', 'desc').orderBy('endpoint_id').limit(limit).offset(offset).execute();
  },

  async count(db: Executor, f: OwnerFilter): Promise<number> {
    const r = await whereOwner(db.selectFrom('endpoints').select((eb) => eb.fn.countAll<number>().as('n')), f).executeTakeFirstOrThrow();
    return Number(r.n);
  },

  async relink(db: Executor, accountId: string, appId: string, replacement: string | null): Promise<void> {
    await db.updateTable('endpoints').set({ app_id: replacement }).where('account_id', '=', accountId).where('app_id', '=', appId).execute();
  },

  async deleteLinked(db: Executor, accountId: string, appId: string): Promise<void> {
    await db.deleteFrom('endpoints').where('account_id', '=', accountId).where('app_id', '=', appId).execute();
  },

  async moveToMain(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.updateTable('endpoints').set({ subaccount_id: null }).where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },

  async deleteForSubaccount(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.deleteFrom('endpoints').where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },
};
