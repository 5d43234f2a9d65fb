// Queries on the durable webhook queue. A job is leased by the node sending
// it (lease_owner, lease_until on the wall clock) only while it is being
// sent; waiting for a retry it is unleased, and any node may claim it once
// due (next_attempt_at, on the platform clock).
import type { DialectName } from '../db.ts';
import type { NewWebhookJobRow, WebhookJobRow } from '../tables/webhooks.ts';
import type { Executor } from './accounts.ts';
import { preparedSlices } from './sql.ts';
import { prepared } from '../prepared.ts';

/** Jobs of one domain of time (clock/domains.ts): a subaccount's, or (null) the main accounts' own. */
export interface DomainFilter {
  subaccountId: string | null;
}

// Every callback queued and delivered: built once per batch size.
const insertJobs = prepared((db, rows: readonly NewWebhookJobRow[]) => db.insertInto('webhook_jobs').values(rows));
const deleteJobs = prepared((db, ids: readonly string[]) => db.deleteFrom('webhook_jobs').where('job_id', 'in', ids));

export const webhookJobsRepo = {
  async insert(db: Executor, rows: readonly NewWebhookJobRow[]): Promise<void> {
    for (const batch of preparedSlices(rows)) await insertJobs(db, batch);
  },

  /**
   * Lease up to `limit` due, unleased jobs, oldest due first. On PostgreSQL
   * rows another node is claiming right now are skipped rather than waited
   * for, so nodes sharing the queue never take the same job; SQLite has one
   * writer, so the statement is atomic there as it is.
   */
  claimDue(db: Executor, dialect: DialectName, lease: { owner: string; until: number }, now: number, limit: number, domain?: DomainFilter): Promise<WebhookJobRow[]> {
    return db
      .updateTable('webhook_jobs')
      .set({ lease_owner: lease.owner, lease_until: lease.until })
      .where('job_id', 'in', (eb) =>
        eb
          .selectFrom('webhook_jobs')
          .select('job_id')
          .where('lease_owner', 'is', null)
          .where('next_attempt_at', '<=', now)
          .$if(domain !== undefined, (qb) => qb.where('subaccount_id', domain!.subaccountId === null ? 'is' : '=', domain!.subaccountId))
          .orderBy('next_attempt_at')
          .limit(limit)
          .$if(dialect === 'postgres', (qb) => qb.forUpdate().skipLocked()),
      )
      .returningAll()
      .execute();
  },

  /** When the earliest unleased job (of `domain`) falls due. */
  async nextDue(db: Executor, domain?: DomainFilter): Promise<number | undefined> {
    const r = await db
      .selectFrom('webhook_jobs')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where('lease_owner', 'is', null)
      .$if(domain !== undefined, (qb) => qb.where('subaccount_id', domain!.subaccountId === null ? 'is' : '=', domain!.subaccountId))
      .executeTakeFirst();
    return r?.at === null || r?.at === undefined ? undefined : Number(r.at);
  },

  /** Extend every lease `owner` holds. */
  async renew(db: Executor, owner: string, until: number): Promise<void> {
    await db.updateTable('webhook_jobs').set({ lease_until: until }).where('lease_owner', '=', owner).execute();
  },

  /** Hand back every lease `owner` holds (it stopped, or it is gone); returns how many. */
  async releaseOwner(db: Executor, owner: string): Promise<number> {
    const r = await db.updateTable('webhook_jobs').set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', owner).executeTakeFirst();
    return Number(r.numUpdatedRows);
  },

  /** Hand back leases that ran out (their owner stopped renewing them); returns how many. */
  async releaseExpired(db: Executor, now: number): Promise<number> {
    const r = await db.updateTable('webhook_jobs').set({ lease_owner: null, lease_until: null }).where('lease_until', '<', now).executeTakeFirst();
    return Number(r.numUpdatedRows);
  },

  /** After a failed attempt: count it, set the next try and let go of the lease (if it is still ours). */
  async reschedule(db: Executor, jobId: string, owner: string, attempts: number, nextAttemptAt: number, lastError: string): Promise<void> {
    await db
      .updateTable('webhook_jobs')
      .set({ attempts, next_attempt_at: nextAttemptAt, last_error: lastError, lease_owner: null, lease_until: null })
      .where('job_id', '=', jobId)
      .where('lease_owner', '=', owner)
      .execute();
  },

  /** Give the job back untouched (the attempt was interrupted by a shutdown). */
  async release(db: Executor, jobId: string, owner: string): Promise<void> {
    await db.updateTable('webhook_jobs').set({ lease_owner: null, lease_until: null }).where('job_id', '=', jobId).where('lease_owner', '=', owner).execute();
  },

  /** Delivered or given up. */
  async delete(db: Executor, jobIds: readonly string[]): Promise<void> {
    for (const batch of preparedSlices(jobIds)) await deleteJobs(db, batch);
  },
};
