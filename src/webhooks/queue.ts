// The durable queue for callbacks off the call's critical path (hangup_url,
// status callbacks …), delivered at least once across crashes. A job is
// written to the database before its first attempt and deleted once
// delivered or out of retries. It is leased by the node sending it only
// while it is being sent: a short lease, renewed while held, that a crash
// lets run out (or that the node registry hands back at once when it sees
// the node gone). Waiting for a retry it is unleased and any node sharing
// the database may claim it once due. Each node finds due work three ways:
// its own jobs right away, a timer on the platform clock for the earliest
// due retry, and a poll on the real clock for everything else (other nodes'
// jobs, leases run out). On the virtual clock each subaccount keeps its own
// time (clock/domains.ts): a job is sent on its subaccount's time, and each
// domain claims and wakes for its own jobs, due by its own clock.
import type { Logger } from 'pino';
import { perDomain, type Clock, type PerDomain, type Timer } from '../clock/clock.ts';
import { domainHere, inDomainOf, type DomainOwner } from '../clock/domains.ts';
import { newRowUuid } from '../ids.ts';
import type { Database, DialectName } from '../store/db.ts';
import type { Executor } from '../store/repos/accounts.ts';
import { webhookJobsRepo } from '../store/repos/webhook-jobs.ts';
import type { NewWebhookJobRow, WebhookJobRow } from '../store/tables/webhooks.ts';
import { TurnBatch } from '../store/turn-batch.ts';
import { shouldRetry } from './policy.ts';
import type { Attempt } from './transport.ts';
import type { CallbackPolicy, HttpMethod, WebhookRequest, WebhookResult } from './types.ts';

export interface QueueOptions {
  /** How long a lease holds without renewal. Default 30 s; renewed every third of it. */
  leaseMs?: number;
  /** How often the queue looks for due work it did not schedule itself, on the real clock. Default 2 s. */
  pollMs?: number;
  /** Most jobs held (in flight or waiting for a connection) at once; more stay in the database. Default 10,000. */
  maxHeld?: number;
}

export interface QueueDeps {
  db: Database;
  dialect: DialectName;
  /** Platform time: when retries are due. */
  clock: Clock;
  /** Real time: leases and the poll. */
  wall: Clock;
  logger: Logger;
  /** The node this queue's leases are recorded under. */
  nodeId: string;
  /** Wait before retry n is `retryBaseMs * 2^(n-1)`. */
  retryBaseMs: number;
  options?: QueueOptions;
  /** One signed, logged attempt; `jobId` identifies the callback across attempts and redeliveries. */
  attempt(req: WebhookRequest, policy: CallbackPolicy, attempt: number, jobId: string): Promise<Attempt>;
}

export type Settled = (result: WebhookResult) => void;

/** Claiming in one domain of time: claims run one at a time, `again` asks for one more round after the current one. */
interface Lane {
  /** Its domain (undefined: the clock has one). */
  domain: DomainOwner | undefined;
  dueTimer: { at: number; timer: Timer } | undefined;
  pumping: Promise<void> | undefined;
  again: boolean;
}

/** Jobs claimed per query. */
const CLAIM_BATCH = 200;

/**
 * What sending a job needs of its row. A callback this node just queued is
 * sent from the request it was given, and while it waits for a slot (its
 * route busy) it holds this, not its stored row (the parameters and policy as
 * JSON): each waiting callback is copied by the young generation's scavenges.
 */
type JobRef = Pick<WebhookJobRow, 'job_id' | 'attempts' | 'call_uuid' | 'kind' | 'url' | 'subaccount_id'>;

/** A job's request as this node was given it (not read back from its row). */
interface Own {
  req: WebhookRequest;
  policy: CallbackPolicy;
}

function refOf(row: WebhookJobRow): JobRef {
  return { job_id: row.job_id, attempts: row.attempts, call_uuid: row.call_uuid, kind: row.kind, url: row.url, subaccount_id: row.subaccount_id };
}

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
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly maxHeld: number;
  /** Jobs this node holds a lease on, by id. */
  private readonly held = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  /** In-process listeners for a job's outcome; they do not survive a restart. */
  private readonly listeners = new Map<string, Settled>();
  private readonly inserts: TurnBatch<NewWebhookJobRow>;
  private readonly deletes: TurnBatch<string>;
  private started = false;
  private pollTimer: Timer | undefined;
  private polling: Promise<void> | undefined;
  private renewedAt = 0;
  /** Claiming and waking up for due retries, once per domain of time. */
  private readonly lanes: PerDomain<Lane>;
  /** The last claim stopped at `maxHeld`: claim again once held jobs finish. */
  private backlog = false;

  constructor(private readonly deps: QueueDeps) {
    this.leaseMs = deps.options?.leaseMs ?? 30_000;
    this.pollMs = deps.options?.pollMs ?? 2_000;
    this.maxHeld = deps.options?.maxHeld ?? 10_000;
    // Each job stands alone: a turn with nothing else to write needs no transaction for them.
    this.inserts = new TurnBatch(deps.db, (rows, trx) => webhookJobsRepo.insert(trx, rows), { atomic: false });
    this.deletes = new TurnBatch(deps.db, (ids, trx) => webhookJobsRepo.delete(trx, ids), { atomic: false });
    this.lanes = perDomain(deps.clock, () => ({ domain: domainHere(deps.clock), dueTimer: undefined, pumping: undefined, again: false }));
  }

  /** Persist the job, then (when started) send it right away, leased from the start. */
  async add(req: WebhookRequest, policy: CallbackPolicy, onSettled?: Settled): Promise<void> {
    const row = this.rowOf(req, policy);
    await this.inserts.add(row);
    if (onSettled) this.listeners.set(row.job_id, onSettled);
    await this.sendOwn(row, { req, policy });
  }

  /**
   * Write the jobs in the caller's transaction, so they exist exactly when
   * the transaction's other writes do (calls' records and their hangup
   * callbacks); the returned function sends them once that transaction has
   * committed.
   */
  async addIn(trx: Executor, jobs: ReadonlyArray<{ req: WebhookRequest; policy: CallbackPolicy }>): Promise<() => void> {
    const rows = jobs.map((j) => this.rowOf(j.req, j.policy));
    await webhookJobsRepo.insert(trx, rows);
    return () => {
      rows.forEach((row, i) => {
        void this.sendOwn(row, jobs[i]!).catch((err) => this.deps.logger.error({ err, job_id: row.job_id }, 'webhook queue: could not hand back a job; its lease runs out on its own'));
      });
    };
  }

  /** A new job, leased by this node when it is running (it is sent at once). */
  private rowOf(req: WebhookRequest, policy: CallbackPolicy): WebhookJobRow {
    const now = this.deps.clock.now();
    const leased = this.started;
    return {
      job_id: newRowUuid(),
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
      lease_owner: leased ? this.deps.nodeId : null,
      lease_until: leased ? this.deps.wall.now() + this.leaseMs : null,
      last_error: null,
      created_at: now,
    };
  }

  /** Send a job written leased by this node (`own`: its request as given, not read back from the row); stopped meanwhile, hand it back for the next start. */
  private async sendOwn(row: WebhookJobRow, own: Own): Promise<void> {
    if (row.lease_owner === null) return;
    if (this.started) this.dispatch(refOf(row), own);
    else await webhookJobsRepo.release(this.deps.db, row.job_id, this.deps.nodeId);
  }

  /** Start polling and claim what is due; resolves once the first claim is made (never rejects: a failure is logged). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.schedulePoll();
    await this.pump();
  }

  /** Stop claiming, wait for attempts in flight (the caller aborts them first) and hand back every lease held. */
  async stop(): Promise<void> {
    this.started = false;
    this.pollTimer?.cancel();
    for (const lane of this.lanes.all()) {
      lane.dueTimer?.timer.cancel();
      lane.dueTimer = undefined;
    }
    await this.polling;
    for (const lane of this.lanes.all()) await lane.pumping;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    await this.inserts.drain();
    await this.deletes.drain();
    await webhookJobsRepo.releaseOwner(this.deps.db, this.deps.nodeId).catch((err) => this.deps.logger.error({ err }, 'webhook queue: could not hand back leases; they run out on their own'));
  }

  /** A node is gone: its jobs become claimable now rather than when their leases run out. */
  async takeOver(goneNodeId: string): Promise<void> {
    const n = await webhookJobsRepo.releaseOwner(this.deps.db, goneNodeId);
    if (n > 0) this.deps.logger.warn({ gone_node: goneNodeId, jobs: n }, 'webhook queue: taking over the callbacks of a gone node');
    if (this.started) await this.pumpAll();
  }

  // ---- finding work --------------------------------------------------------------

  private schedulePoll(): void {
    if (!this.started) return;
    this.pollTimer = this.deps.wall.after(this.pollMs, () => {
      this.polling = this.poll().finally(() => {
        this.polling = undefined;
        this.schedulePoll();
      });
    });
  }

  private async poll(): Promise<void> {
    const { db, wall, logger, nodeId } = this.deps;
    try {
      const now = wall.now();
      if (this.held.size > 0 && now - this.renewedAt >= this.leaseMs / 3) {
        this.renewedAt = now;
        await webhookJobsRepo.renew(db, nodeId, now + this.leaseMs);
      }
      const expired = await webhookJobsRepo.releaseExpired(db, now);
      if (expired > 0) logger.warn({ jobs: expired }, 'webhook queue: leases ran out (their node stopped renewing them); the jobs are claimable again');
    } catch (err) {
      logger.error({ err }, 'webhook queue: lease upkeep failed');
    }
    await this.pumpAll();
  }

  /** Claim in every domain of time seen so far (the root's at least). */
  private async pumpAll(): Promise<void> {
    this.lanes.here();
    await Promise.all([...this.lanes.all()].map((lane) => inDomainOf(this.deps.clock, lane.domain, () => this.pump())));
  }

  /** Claim due jobs until none is left (or `maxHeld` is reached), then wake up when the next one falls due. */
  private pump(): Promise<void> {
    const lane = this.lanes.here();
    if (lane.pumping) {
      lane.again = true;
      return lane.pumping;
    }
    lane.pumping = (async () => {
      do {
        lane.again = false;
        await this.claimRound().catch((err) => this.deps.logger.error({ err }, 'webhook queue: could not claim due jobs'));
      } while (lane.again && this.started);
    })().finally(() => (lane.pumping = undefined));
    return lane.pumping;
  }

  private async claimRound(): Promise<void> {
    const { db, dialect, clock, wall, nodeId } = this.deps;
    // The current domain's jobs only: they are due by its clock.
    const domain = domainHere(clock);
    this.backlog = false;
    while (this.started) {
      const room = this.maxHeld - this.held.size;
      if (room <= 0) {
        this.backlog = true;
        return;
      }
      const rows = await webhookJobsRepo.claimDue(db, dialect, { owner: nodeId, until: wall.now() + this.leaseMs }, clock.now(), Math.min(room, CLAIM_BATCH), domain);
      for (const row of rows) this.dispatch(row, row);
      if (rows.length < Math.min(room, CLAIM_BATCH)) break;
    }
    if (!this.started) return;
    const next = await webhookJobsRepo.nextDue(db, domain);
    if (next !== undefined && next > clock.now()) this.wakeAt(next);
  }

  /** A timer on the platform clock for the earliest retry this node knows of (in the current domain of time). */
  private wakeAt(at: number): void {
    const lane = this.lanes.here();
    if (!this.started || (lane.dueTimer && lane.dueTimer.at <= at)) return;
    lane.dueTimer?.timer.cancel();
    const timer = this.deps.clock.after(at - this.deps.clock.now(), () => {
      lane.dueTimer = undefined;
      void this.pump();
    });
    lane.dueTimer = { at, timer };
  }

  // ---- sending -------------------------------------------------------------------

  /** Send `job`: from the request this node was given (`Own`), or one read back from its claimed row. */
  private dispatch(job: JobRef, from: Own | WebhookJobRow): void {
    this.held.add(job.job_id);
    const p = inDomainOf(this.deps.clock, { subaccountId: job.subaccount_id }, () => this.send(job, from))
      .catch((err) => {
        this.deps.logger.error({ err, job_id: job.job_id }, 'webhook queue: job failed to run; its lease runs out and it is tried again');
      })
      .finally(() => {
        this.held.delete(job.job_id);
        this.running.delete(p);
        if (this.backlog && this.held.size <= this.maxHeld / 2) void this.pump();
      });
    this.running.add(p);
  }

  /** One attempt of a leased job, and what follows from its outcome; `from`: the request as this node was given it (the row says the same), or the claimed row. */
  private async send(row: JobRef, from: Own | WebhookJobRow): Promise<void> {
    const { db, clock, nodeId } = this.deps;
    const policy = 'req' in from ? from.policy : (JSON.parse(from.policy) as CallbackPolicy);
    const n = row.attempts + 1;
    const a = await this.deps.attempt('req' in from ? from.req : requestOf(from, policy), policy, n, row.job_id);
    if (a.interrupted) {
      await webhookJobsRepo.release(db, row.job_id, nodeId);
      return;
    }
    if (a.ok || n > policy.retries || !shouldRetry(a.failure, policy)) {
      await this.deletes.add(row.job_id);
      if (!a.ok) {
        const call = row.call_uuid ? `call ${row.call_uuid}: ` : '';
        const msg = `${call}${row.kind} callback ${row.url} given up after ${n} attempt${n === 1 ? '' : 's'}: ${a.error}; make it answer 2xx`;
        this.deps.logger.warn({ job_id: row.job_id, call_uuid: row.call_uuid ?? undefined, kind: row.kind, url: row.url, attempts: n, error: a.error }, msg);
      }
      this.settle(row.job_id, { ok: a.ok, status: a.status, body: a.body, contentType: a.contentType, error: a.error, attempts: n });
      return;
    }
    const at = clock.now() + this.deps.retryBaseMs * 2 ** (n - 1);
    await webhookJobsRepo.reschedule(db, row.job_id, nodeId, n, at, a.error ?? 'failed');
    this.wakeAt(at);
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
