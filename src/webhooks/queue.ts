// The durable queue for callbacks off the call's critical path (hangup_url,
// status callbacks …). A job is written to the database before its first
// attempt and deleted once delivered or out of retries; between attempts it
// waits on the Clock. A restart resumes every job a live instance does not hold.
import type { Logger } from 'pino';
import type { Clock, Timer } from '../clock/clock.ts';
import { newUuid } from '../ids.ts';
import type { Database } from '../store/db.ts';
import { webhookJobsRepo } from '../store/repos/webhook-jobs.ts';
import type { WebhookJobRow } from '../store/tables/webhooks.ts';
import { shouldRetry } from './policy.ts';
import type { Attempt } from './transport.ts';
import type { CallbackPolicy, HttpMethod, WebhookRequest, WebhookResult } from './types.ts';

/** Long enough to cover one attempt (at most 55 s of network time), so a live claim is never taken over. */
const LEASE_MS = 10 * 60_000;

export interface QueueDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** Wait before retry n is `retryBaseMs * 2^(n-1)`. */
  retryBaseMs: number;
  /** One signed, logged attempt. */
  attempt(req: WebhookRequest, policy: CallbackPolicy, attempt: number): Promise<Attempt>;
}

export type Settled = (result: WebhookResult) => void;

function requestOf(row: WebhookJobRow, policy: CallbackPolicy): WebhookRequest {
  return {
    url: row.url,
    method: row.method as HttpMethod,
    params: JSON.parse(row.params) as Record<string, string>,
    authToken: row.auth_token,
    mainAuthToken: row.main_auth_token ?? undefined,
    accountId: row.account_id,
    ...(row.subaccount_id !== null ? { subaccountId: row.subaccount_id } : {}),
    callUuid: row.call_uuid ?? undefined,
    kind: row.kind,
    policy,
  };
}

export class JobQueue {
  /** Identifies this instance's claims on jobs. */
  private readonly owner = newUuid();
  private readonly timers = new Map<string, Timer>();
  /** Jobs scheduled or running here, so a job is never attempted twice at once by this instance. */
  private readonly busy = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  /** In-process listeners for a job's outcome; they do not survive a restart. */
  private readonly listeners = new Map<string, Settled>();
  private started = false;
  private loading: Promise<void> = Promise.resolve();

  constructor(private readonly deps: QueueDeps) {}

  /** Persist the job, then (when started) make its first attempt right away. */
  async add(req: WebhookRequest, policy: CallbackPolicy, onSettled?: Settled): Promise<void> {
    const now = this.deps.clock.now();
    const jobId = newUuid();
    await webhookJobsRepo.insert(this.deps.db, {
      job_id: jobId,
      account_id: req.accountId,
      subaccount_id: req.subaccountId ?? null,
      call_uuid: req.callUuid ?? null,
      kind: req.kind,
      url: req.url,
      method: req.method,
      params: JSON.stringify(req.params),
      auth_token: req.authToken,
      main_auth_token: req.mainAuthToken ?? null,
      policy: JSON.stringify(policy),
      attempts: 0,
      next_attempt_at: now,
      lease_owner: null,
      lease_until: null,
      last_error: null,
      created_at: now,
    });
    if (onSettled) this.listeners.set(jobId, onSettled);
    this.schedule(jobId, 0);
  }

  /** Resolves once the pending jobs are scheduled; never rejects (a failed load is logged). */
  start(): Promise<void> {
    if (this.started) return this.loading;
    this.started = true;
    this.loading = this.resume().catch((err) => this.deps.logger.error({ err }, 'webhook queue: could not load pending jobs'));
    return this.loading;
  }

  /** Stop scheduling and wait for attempts in flight (the caller aborts them first). */
  async stop(): Promise<void> {
    this.started = false;
    for (const [jobId, t] of this.timers) {
      t.cancel();
      this.busy.delete(jobId);
    }
    this.timers.clear();
    await this.loading;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async resume(): Promise<void> {
    const pending = await webhookJobsRepo.pending(this.deps.db, this.deps.clock.now());
    // The clock may have moved while the query ran.
    const now = this.deps.clock.now();
    for (const job of pending) this.schedule(job.job_id, job.next_attempt_at - now);
  }

  /** Due work runs now rather than on a zero-delay timer: a virtual clock would hold it until the next advance. */
  private schedule(jobId: string, delayMs: number): void {
    if (!this.started || this.busy.has(jobId)) return;
    this.busy.add(jobId);
    if (delayMs <= 0) return this.track(jobId);
    this.timers.set(
      jobId,
      this.deps.clock.after(delayMs, () => {
        this.timers.delete(jobId);
        this.track(jobId);
      }),
    );
  }

  private track(jobId: string): void {
    const p = this.run(jobId)
      .catch((err) => {
        this.deps.logger.error({ err, job_id: jobId }, 'webhook queue: job failed to run; it stays queued until the next start');
        return undefined;
      })
      .then((retryInMs) => {
        this.busy.delete(jobId);
        if (retryInMs !== undefined) this.schedule(jobId, retryInMs);
      });
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  /** One attempt of a job; resolves with the wait before the next one, if any. */
  private async run(jobId: string): Promise<number | undefined> {
    const { db, clock } = this.deps;
    const now = clock.now();
    const row = await webhookJobsRepo.claim(db, jobId, this.owner, now, now + LEASE_MS);
    if (!row) return undefined;
    const policy = JSON.parse(row.policy) as CallbackPolicy;
    const n = row.attempts + 1;
    const a = await this.deps.attempt(requestOf(row, policy), policy, n);
    if (a.interrupted) {
      await webhookJobsRepo.release(db, jobId, this.owner);
      return undefined;
    }
    if (a.ok || n > policy.retries || !shouldRetry(a.failure, policy)) {
      await webhookJobsRepo.delete(db, jobId);
      if (!a.ok) this.deps.logger.warn({ job_id: jobId, kind: row.kind, url: row.url, attempts: n, error: a.error }, 'webhook given up');
      this.settle(jobId, { ok: a.ok, status: a.status, body: a.body, contentType: a.contentType, error: a.error, attempts: n });
      return undefined;
    }
    const delay = this.deps.retryBaseMs * 2 ** (n - 1);
    await webhookJobsRepo.reschedule(db, jobId, n, clock.now() + delay, a.error ?? 'failed');
    return delay;
  }

  private settle(jobId: string, result: WebhookResult): void {
    const listener = this.listeners.get(jobId);
    this.listeners.delete(jobId);
    try {
      listener?.(result);
    } catch (err) {
      this.deps.logger.error({ err, job_id: jobId }, 'webhook queue: outcome listener threw');
    }
  }
}
