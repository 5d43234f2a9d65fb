// Queries on PHLOs and their runs. Ownership filters come from the platform
// layer; optimistic concurrency (If-Match) is a version compare-and-set.
import { PHLO_COLUMNS, RUN_COLUMNS, type NewPhloRow, type NewRunRow, type PhloPatch, type PhloRow, type RunPatch, type RunRow } from '../tables/phlo.ts';
import type { Executor } from './accounts.ts';
import type { OwnerFilter } from './applications.ts';
import { whereOwner } from './owned.ts';
import { only } from './sql.ts';

export interface PhloFilter extends OwnerFilter {
  name?: string;
}

function filtered<QB extends { where: (...a: any[]) => QB }>(qb: QB, f: PhloFilter): QB {
  const q = whereOwner(qb, f);
  return f.name === undefined ? q : q.where('name', '=', f.name);
}

export const phlosRepo = {
  find(db: Executor, owner: OwnerFilter, phloId: string): Promise<PhloRow | undefined> {
    return whereOwner(db.selectFrom('phlos').selectAll().where('phlo_id', '=', phloId), owner).executeTakeFirst();
  },

  findAny(db: Executor, phloId: string): Promise<PhloRow | undefined> {
    return db.selectFrom('phlos').selectAll().where('phlo_id', '=', phloId).executeTakeFirst();
  },

  async insert(db: Executor, row: NewPhloRow): Promise<void> {
    await db.insertInto('phlos').values(row).execute();
  },

  /** Replace when the stored version is still `expected`; false when another update won. */
  async replace(db: Executor, phloId: string, expected: number, patch: PhloPatch): Promise<boolean> {
    const r = await db.updateTable('phlos').set(only(patch, PHLO_COLUMNS)).where('phlo_id', '=', phloId).where('version', '=', expected).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  async delete(db: Executor, phloId: string): Promise<void> {
    await db.deleteFrom('phlos').where('phlo_id', '=', phloId).execute();
  },

  list(db: Executor, f: PhloFilter, limit: number, offset: number): Promise<PhloRow[]> {
    return filtered(db.selectFrom('phlos').selectAll(), f).orderBy('created_at', 'desc').orderBy('phlo_id').limit(limit).offset(offset).execute();
  },

  async count(db: Executor, f: PhloFilter): Promise<number> {
    const r = await filtered(db.selectFrom('phlos').select((eb) => eb.fn.countAll<number>().as('n')), f).executeTakeFirstOrThrow();
    return Number(r.n);
  },

  async moveToMain(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.updateTable('phlos').set({ subaccount_id: null }).where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },

  async deleteForSubaccount(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.deleteFrom('phlos').where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },

  /** Numbers and endpoints that run the PHLO no longer do. */
  async detach(db: Executor, phloId: string): Promise<void> {
    await db.updateTable('numbers').set({ phlo_id: null }).where('phlo_id', '=', phloId).execute();
    await db.updateTable('endpoints').set({ phlo_id: null }).where('phlo_id', '=', phloId).execute();
  },

  /** Numbers that run the PHLO, in number order. */
  async attachedNumbers(db: Executor, phloId: string): Promise<string[]> {
    const rows = await db.selectFrom('numbers').select('number').where('phlo_id', '=', phloId).orderBy('number').execute();
    return rows.map((r) => r.number);
  },
};

export const phloRunsRepo = {
  async insert(db: Executor, row: NewRunRow): Promise<void> {
    await db.insertInto('phlo_runs').values(row).execute();
  },

  async update(db: Executor, runId: string, patch: RunPatch): Promise<void> {
    await db.updateTable('phlo_runs').set(only(patch, RUN_COLUMNS)).where('run_id', '=', runId).execute();
  },

  find(db: Executor, owner: OwnerFilter, phloId: string, runId: string): Promise<RunRow | undefined> {
    return whereOwner(db.selectFrom('phlo_runs').selectAll().where('run_id', '=', runId).where('phlo_id', '=', phloId), owner).executeTakeFirst();
  },

  list(db: Executor, owner: OwnerFilter, phloId: string, limit: number, offset: number): Promise<RunRow[]> {
    return whereOwner(db.selectFrom('phlo_runs').selectAll().where('phlo_id', '=', phloId), owner)
      .orderBy('created_at', 'desc')
      .orderBy('run_id')
      .limit(limit)
      .offset(offset)
      .execute();
  },

  async count(db: Executor, owner: OwnerFilter, phloId: string): Promise<number> {
    const r = await whereOwner(db.selectFrom('phlo_runs').select((eb) => eb.fn.countAll<number>().as('n')).where('phlo_id', '=', phloId), owner).executeTakeFirstOrThrow();
    return Number(r.n);
  },

  /** Runs left running by a node that is gone: their calls went with it, so they end as failed. */
  async interruptRunning(db: Executor, nodeId: string, at: number): Promise<number> {
    const r = await db.updateTable('phlo_runs').set({ status: 'failed', reason: 'interrupted', ended_at: at }).where('node_id', '=', nodeId).where('status', '=', 'running').executeTakeFirst();
    return Number(r.numUpdatedRows);
  },

  async moveToMain(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.updateTable('phlo_runs').set({ subaccount_id: null }).where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },
};
