// Queries on incoming carriers and the address index that authorizes their traffic.
import type { Insertable } from 'kysely';
import { CARRIER_COLUMNS, type CarrierPatch, type CarrierRow, type IncomingCarriersTable } from '../tables/endpoints.ts';
import type { Executor } from './accounts.ts';
import { containsText, only } from './sql.ts';

export interface CarrierFilter {
  accountId: string;
  nameContains?: string;
}

function filtered<QB extends { where: (...a: any[]) => QB }>(qb: QB, f: CarrierFilter): QB {
  const q = qb.where('account_id', '=', f.accountId);
  return f.nameContains ? q.where(containsText('name', f.nameContains)) : q;
}

export const carriersRepo = {
  find(db: Executor, accountId: string, carrierId: string): Promise<CarrierRow | undefined> {
    return db.selectFrom('incoming_carriers').selectAll().where('carrier_id', '=', carrierId).where('account_id', '=', accountId).executeTakeFirst();
  },

  async insert(db: Executor, row: Insertable<IncomingCarriersTable>): Promise<void> {
    await db.insertInto('incoming_carriers').values(row).execute();
  },

  async update(db: Executor, carrierId: string, patch: CarrierPatch): Promise<void> {
    await db.updateTable('incoming_carriers').set(only(patch, CARRIER_COLUMNS)).where('carrier_id', '=', carrierId).execute();
  },

  async delete(db: Executor, carrierId: string): Promise<void> {
    await db.deleteFrom('incoming_carrier_ips').where('carrier_id', '=', carrierId).execute();
    await db.deleteFrom('incoming_carriers').where('carrier_id', '=', carrierId).execute();
  },

  list(db: Executor, f: CarrierFilter, limit: number, offset: number): Promise<CarrierRow[]> {
    return filtered(db.selectFrom('incoming_carriers').selectAll(), f).orderBy('created_at', 'desc').orderBy('carrier_id').limit(limit).offset(offset).execute();
  },

  async count(db: Executor, f: CarrierFilter): Promise<number> {
    const r = await filtered(db.selectFrom('incoming_carriers').select((eb) => eb.fn.countAll<number>().as('n')), f).executeTakeFirstOrThrow();
    return Number(r.n);
  },

  /** Addresses among `ips` already held by another carrier of the same account. */
  async takenIps(db: Executor, accountId: string, ips: string[], exceptCarrierId: string): Promise<string[]> {
    if (ips.length === 0) return [];
    const rows = await db
      .selectFrom('incoming_carrier_ips')
      .select('ip')
      .where('account_id', '=', accountId)
      .where('ip', 'in', ips)
      .where('carrier_id', '!=', exceptCarrierId)
      .execute();
    return rows.map((r) => r.ip);
  },

  /** Replace a carrier's address index with `ips`. */
  async setIps(db: Executor, accountId: string, carrierId: string, ips: string[]): Promise<void> {
    await db.deleteFrom('incoming_carrier_ips').where('carrier_id', '=', carrierId).execute();
    if (ips.length > 0) {
      await db.insertInto('incoming_carrier_ips').values(ips.map((ip) => ({ ip, carrier_id: carrierId, account_id: accountId }))).execute();
    }
  },

  /** Every address any carrier of any account lists. */
  async allIps(db: Executor): Promise<string[]> {
    const rows = await db.selectFrom('incoming_carrier_ips').select('ip').distinct().execute();
    return rows.map((r) => r.ip);
  },

};
