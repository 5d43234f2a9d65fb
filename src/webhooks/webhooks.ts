// Outbound HTTP to customer URLs: signed requests with the documented
// parameters, timeouts and retries, answer_url → fallback_url, and a durable
// queue for callbacks off the critical path. Every attempt lands in the
// call's debug log. Nothing here throws at the engine or waits on a wall clock
// between attempts.
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { RealClock, type Clock } from '../clock/clock.ts';
import { newUuid } from '../ids.ts';
import type { Database, DialectName } from '../store/db.ts';
import type { Executor } from '../store/repos/accounts.ts';
import type { CallLog } from '../platform/call-log.ts';
import { shouldRetry, targetOf, type Target } from './policy.ts';
import { JobQueue, type QueueOptions, type Settled } from './queue.ts';
import { signatureHeaders } from './signature.ts';
import type { Priority } from './fair-slots.ts';
import { Transport, type Attempt, type Outgoing } from './transport.ts';
import type { CallbackPolicy, HttpMethod, WebhookRequest, WebhookResult } from './types.ts';

export interface WebhookOptions {
  /** Concurrent requests per route (scheme, host, port and path). Default 10. */
  perRouteConcurrency?: number;
  /** Concurrent requests per host (scheme, host, port); queued callbacks use at most half. Default 50. */
  perHostConcurrency?: number;
  /** Largest response body accepted (XML documents). Default 1 MiB. */
  maxResponseBytes?: number;
  /** Wait between critical-path retries, on the Clock. Default 1 s. */
  criticalRetryDelayMs?: number;
  /** Queued callbacks wait base × 2^(n-1) before retry n: 60 s, 120 s, 240 s … by default. */
  queueRetryBaseMs?: number;
  /** Leases and polling of the durable queue. */
  queue?: QueueOptions;
  userAgent?: string;
}

export interface WebhookDeps {
  db: Database;
  dialect: DialectName;
  /** Platform time: waits between retries. */
  clock: Clock;
  /** Real time: queue leases and polling. Default the system clock. */
  wall?: Clock;
  /** The node (server process) whose leases this instance holds; a fresh id when not given. */
  nodeId?: string;
  logger: Logger;
  callLog: CallLog;
  options?: WebhookOptions;
}

/**
 * Sent with every queued callback: the same value on every attempt and
 * every redelivery after a crash, so a receiver can drop duplicates
 * (delivery is at least once). The platform documents no such header.
 */
export const IDEMPOTENCY_HEADER = 'X-Switchboard-Idempotency-Key';

/** How much of an error response the debug log keeps. */
const EXCERPT_CHARS = 500;
/** How much of a successful response (the XML a call runs) the debug log keeps. */
const RESPONSE_CHARS = 16_000;

/** Request headers as the debug log shows them: Basic credentials from the URL stay out. */
function shownHeaders(headers: Record<string, string>): Record<string, string> {
  const { authorization: _credentials, ...shown } = headers;
  return shown;
}

export class Webhooks {
  private readonly transport: Transport;
  private readonly queue: JobQueue;
  private readonly stopping = new AbortController();
  private readonly criticalRetryDelayMs: number;

  constructor(private readonly deps: WebhookDeps) {
    // Every request in flight or waiting for a slot listens for the stop: thousands at once are expected, not a leak.
    setMaxListeners(0, this.stopping.signal);
    const o = deps.options ?? {};
    this.criticalRetryDelayMs = o.criticalRetryDelayMs ?? 1_000;
    this.transport = new Transport({
      perRoute: o.perRouteConcurrency ?? 10,
      perHost: o.perHostConcurrency ?? 50,
      maxResponseBytes: o.maxResponseBytes ?? 1024 * 1024,
      userAgent: o.userAgent ?? 'Switchboard-Webhooks/1.0',
    });
    this.queue = new JobQueue({
      db: deps.db,
      dialect: deps.dialect,
      clock: deps.clock,
      wall: deps.wall ?? new RealClock(),
      logger: deps.logger,
      nodeId: deps.nodeId ?? newUuid(),
      retryBaseMs: o.queueRetryBaseMs ?? 60_000,
      options: o.queue,
      attempt: (req, policy, n, jobId) => {
        const { url, basicAuth } = targetOf(req);
        return this.attempt(req, { url, basicAuth, policy }, n, { priority: 'queued', budgetMs: policy.totalTimeoutMs, headers: { [IDEMPOTENCY_HEADER]: jobId } });
      },
    });
  }

  /** Critical path (answer/action/fallback XML). Retries per the URL's policy; never throws; resolves with the last result. */
  async fetch(req: WebhookRequest): Promise<WebhookResult> {
    try {
      const target = await this.target(req);
      if (!target) return { ok: false, error: `invalid ${req.kind} URL "${req.url}"`, attempts: 0 };
      // The total timeout bounds network time: waiting for a slot or between retries does not use it up.
      let spentMs = 0;
      for (let n = 1; ; n++) {
        const a = await this.attempt(req, target, n, { priority: 'critical', budgetMs: target.policy.totalTimeoutMs - spentMs });
        spentMs += a.latencyMs;
        const last = a.ok || a.interrupted || n > target.policy.retries || !shouldRetry(a.failure, target.policy) || spentMs >= target.policy.totalTimeoutMs;
        if (last || !(await this.pause(this.criticalRetryDelayMs))) {
          return { ok: a.ok, status: a.status, body: a.body, contentType: a.contentType, error: a.error, attempts: n };
        }
      }
    } catch (err) {
      this.deps.logger.error({ err, kind: req.kind, call_uuid: req.callUuid }, 'webhook fetch failed unexpectedly');
      return { ok: false, error: err instanceof Error ? err.message : String(err), attempts: 0 };
    }
  }

  /** answer_url then fallback_url: the primary with its retries, and on failure the fallback with its own. */
  async fetchWithFallback(primary: WebhookRequest, fallbackUrl?: string, fallbackMethod: HttpMethod = 'POST'): Promise<WebhookResult & { usedFallback: boolean }> {
    const first = await this.fetch(primary);
    // Added onto the results rather than spread into new literals (docs/decisions.md: spreads on a call's path).
    if (first.ok || !fallbackUrl || this.stopping.signal.aborted) return Object.assign(first, { usedFallback: false });
    const second = await this.fetch(Object.assign({}, primary, { url: fallbackUrl, method: fallbackMethod, kind: 'fallback' }));
    return Object.assign(second, { attempts: first.attempts + second.attempts, usedFallback: true });
  }

  /**
   * Not on the critical path (hangup_url, status callbacks): persisted first,
   * then delivered with retries on the Clock; survives a restart. Rejects only
   * when the job cannot be stored. `onSettled` (optional, in-process only)
   * hears the final outcome.
   */
  async enqueue(req: WebhookRequest, onSettled?: Settled): Promise<void> {
    const target = await this.target(req);
    if (!target) {
      onSettled?.({ ok: false, error: `invalid ${req.kind} URL "${req.url}"`, attempts: 0 });
      return;
    }
    await this.queue.add(req, target.policy, onSettled);
  }

  /**
   * `enqueue` inside the caller's transaction: the callbacks are stored
   * exactly when the transaction commits (one statement for them all); call
   * the returned function after the commit to send them.
   */
  async enqueueIn(trx: Executor, reqs: readonly WebhookRequest[]): Promise<() => void> {
    const jobs: Array<{ req: WebhookRequest; policy: CallbackPolicy }> = [];
    const invalid: WebhookRequest[] = [];
    for (const req of reqs) {
      try {
        jobs.push({ req, policy: targetOf(req).policy });
      } catch {
        invalid.push(req);
      }
    }
    const send = await this.queue.addIn(trx, jobs);
    return () => {
      send();
      // Reported (debug log included) once the transaction has let go of the database.
      for (const req of invalid) void this.target(req);
    };
  }

  /** Start the durable queue: claim what is due now, then poll; resolves after the first claim (never rejects). */
  start(): Promise<void> {
    return this.queue.start();
  }

  /** A node sharing the database is gone: its queued callbacks are claimable now. */
  takeOver(goneNodeId: string): Promise<void> {
    return this.queue.takeOver(goneNodeId);
  }

  /** Abort attempts in flight (queued ones stay queued), stop the queue, close connections. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.queue.stop();
    await this.transport.close();
  }

  /** Resolves true after `ms` on the Clock, or false at once when stopping. */
  private pause(ms: number): Promise<boolean> {
    if (this.stopping.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onStop = () => {
        timer.cancel();
        resolve(false);
      };
      const timer = this.deps.clock.after(ms, () => {
        this.stopping.signal.removeEventListener('abort', onStop);
        resolve(true);
      });
      this.stopping.signal.addEventListener('abort', onStop, { once: true });
    });
  }

  /** The parsed target, or undefined (and a debug-log entry) for a URL that cannot be requested. */
  private async target(req: WebhookRequest): Promise<Target | undefined> {
    try {
      return targetOf(req);
    } catch (err) {
      const error = (err as Error).message;
      this.deps.logger.warn({ kind: req.kind, call_uuid: req.callUuid, error }, `${req.callUuid ? `call ${req.callUuid}: ` : ''}${req.kind} URL not requested: ${error}`);
      if (req.callUuid) {
        await this.deps.callLog.append(req.callUuid, this.owner(req), { kind: 'webhook', message: `${req.kind} not requested: ${error}`, data: { hook: req.kind, url: req.url, error } });
      }
      return undefined;
    }
  }

  private owner(req: WebhookRequest) {
    return req.subaccountId !== undefined ? { accountId: req.accountId, subaccountId: req.subaccountId } : req.accountId;
  }

  /** GET parameters go in the query; POST sends them form-encoded. Signed afresh for every attempt. */
  private outgoing(req: WebhookRequest, target: Target, extraHeaders: Record<string, string>): Outgoing {
    // The target's URL is shared (policy.ts): a GET's parameters go on a copy.
    const url = req.method === 'GET' ? new URL(target.url) : target.url;
    let body: string | undefined;
    const headers: Record<string, string> = { ...extraHeaders };
    if (req.method === 'GET') {
      for (const [k, v] of Object.entries(req.params)) url.searchParams.append(k, v);
    } else {
      body = new URLSearchParams(req.params).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    Object.assign(headers, signatureHeaders(req.method, url, req.method === 'GET' ? {} : req.params, req.authToken, req.mainAuthToken));
    if (target.basicAuth) headers.authorization = `Basic ${Buffer.from(target.basicAuth).toString('base64')}`;
    return { url, method: req.method, headers, body };
  }

  private async attempt(req: WebhookRequest, target: Target, n: number, how: { priority: Priority; budgetMs: number; headers?: Record<string, string> }): Promise<Attempt> {
    let out: Outgoing | undefined;
    const build = () => (out = this.outgoing(req, target, how.headers ?? {}));
    const { policy } = target;
    // Built once it has its slot: the route is the target's origin and path, whatever a GET adds to the query.
    const a = await this.transport.send(target.url, build, {
      priority: how.priority,
      connectTimeoutMs: policy.connectTimeoutMs,
      readTimeoutMs: policy.readTimeoutMs,
      budgetMs: how.budgetMs,
      stop: this.stopping.signal,
    });
    // Stopped while it waited for a slot: the debug log shows the request as it would have gone.
    await this.record(req, out ?? build(), n, policy.retries + 1, a);
    return a;
  }

  private async record(req: WebhookRequest, out: Outgoing, n: number, max: number, a: Attempt): Promise<void> {
    const where = `${req.kind} ${out.method} ${out.url.origin}${out.url.pathname}`;
    const outcome = a.ok ? `${a.status} in ${a.latencyMs} ms` : `failed after ${a.latencyMs} ms: ${a.error}`;
    const message = `${where} → ${outcome} (attempt ${n} of ${max})`;
    const log = { call_uuid: req.callUuid, account_id: req.accountId, kind: req.kind, url: out.url.href, status: a.status, latency_ms: a.latencyMs, attempt: n, error: a.error };
    // A failed attempt is detail (info): what it led to — a retry, a fallback, a call hung up, a callback given up — is the warn line.
    if (a.ok) this.deps.logger.debug(log, 'webhook delivered');
    else this.deps.logger.info(log, `${req.callUuid ? `call ${req.callUuid}: ` : ''}${message}`);
    if (!req.callUuid) return;
    await this.deps.callLog.append(req.callUuid, this.owner(req), {
      kind: 'webhook',
      message,
      data: {
        hook: req.kind,
        method: out.method,
        url: out.url.href,
        params: req.params,
        attempt: n,
        max_attempts: max,
        status: a.status ?? null,
        latency_ms: a.latencyMs,
        error: a.error ?? null,
        ...(!a.ok && a.body ? { response_excerpt: a.body.slice(0, EXCERPT_CHARS) } : {}),
        // What the call timeline shows: the headers sent (signatures, never credentials) and the document answered.
        request_headers: shownHeaders(out.headers),
        ...(a.ok && a.body ? { response_body: a.body.slice(0, RESPONSE_CHARS), response_type: a.contentType ?? null, response_truncated: a.body.length > RESPONSE_CHARS } : {}),
      },
    });
  }
}
