// Queries on the durable webhook queue. A job is claimed with a lease before
// each attempt, so two instances sharing a database never send it twice at once.
import type { NewWebhookJobRow, WebhookJobRow } from '../tables/webhooks.ts';
import type { Executor } from './accounts.ts';

export const webhookJobsRepo = {
  async insert(db: Executor, row: NewWebhookJobRow): Promise<void> {
    await db.insertInto('webhook_jobs').values(row).execute();
  },

  /** Jobs nobody holds a live lease on: the ones a starting instance should schedule. */
  pending(db: Executor, now: number): Promise<Pick<WebhookJobRow, 'job_id' | 'next_attempt_at'>[]> {
    return db
      .selectFrom('webhook_jobs')
      .select(['job_id', 'next_attempt_at'])
      .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_until', '<', now)]))
      .orderBy('next_attempt_at')
      .execute();
  },

  /** Take the job for one attempt; undefined when it is gone or another instance holds it. */
  async claim(db: Executor, jobId: string, owner: string, now: number, until: number): Promise<WebhookJobRow | undefined> {
    const r = await db
      .updateTable('webhook_jobs')
      .set({ lease_owner: owner, lease_until: until })
      .where('job_id', '=', jobId)
      .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_until', '<', now)]))
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return undefined;
    return db.selectFrom('webhook_jobs').selectAll().where('job_id', '=', jobId).executeTakeFirst();
  },

  /** After a failed attempt: count it, set the next try and let go of the lease. */
  async reschedule(db: Executor, jobId: string, attempts: number, nextAttemptAt: number, lastError: string): Promise<void> {
    await db
      .updateTable('webhook_jobs')
      .set({ attempts, next_attempt_at: nextAttemptAt, last_error: lastError, lease_owner: null, lease_until: null })
      .where('job_id', '=', jobId)
      .execute();
  },

  /** Give the job back untouched (the attempt was interrupted by a shutdown). */
  async release(db: Executor, jobId: string, owner: string): Promise<void> {
    await db.updateTable('webhook_jobs').set({ lease_owner: null, lease_until: null }).where('job_id', '=', jobId).where('lease_owner', '=', owner).execute();
  },

  async delete(db: Executor, jobId: string): Promise<void> {
    await db.deleteFrom('webhook_jobs').where('job_id', '=', jobId).execute();
  },
};
