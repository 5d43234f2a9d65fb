// One HTTP attempt to a customer server, over undici. Requests wait for a
// slot of their route and host (fair-slots.ts), so a slow URL queues only
// its own requests; the attempt's time budget starts once it has its slot.
// Redirects are not followed and bodies are size-limited.
import { Agent, request, type Dispatcher } from 'undici';
import { FairSlots, type Priority, type SlotLimits } from './fair-slots.ts';
import { SignalGroups } from './signal-groups.ts';
import type { FailureKind, HttpMethod } from './types.ts';

export interface Outgoing {
  url: URL;
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string;
}

export interface AttemptLimits {
  priority: Priority;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  /** Network time this attempt may use (what is left of the total timeout), counted from when it has its slot. */
  budgetMs: number;
  /** Shutdown: aborts the attempt, or its wait for a slot, and marks it interrupted. */
  stop: AbortSignal;
}

export interface Attempt {
  ok: boolean;
  status?: number;
  body?: string;
  contentType?: string;
  error?: string;
  failure?: FailureKind;
  /** Network time of the attempt, from the moment it had a slot. */
  latencyMs: number;
  /** Stopped by shutdown: not the customer's failure, so it does not count as an attempt. */
  interrupted?: boolean;
}

export interface TransportOptions extends SlotLimits {
  maxResponseBytes: number;
  userAgent: string;
}

const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  const code = typeof e?.code === 'string' ? e.code : e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Map a network error onto the retry-policy vocabulary with a message a developer can act on. */
function classify(err: unknown, limits: AttemptLimits): { failure: FailureKind; error: string } {
  const code = codeOf(err);
  const detail = err instanceof Error ? err.message : String(err);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return { failure: 'ct', error: `no connection within ${limits.connectTimeoutMs} ms` };
  if (code && CONNECT_FAILURES.has(code)) return { failure: 'ct', error: `connection failed: ${detail} (${code})` };
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return { failure: 'rt', error: `no response within ${limits.readTimeoutMs} ms` };
  if (code === 'UND_ERR_BODY_TIMEOUT') return { failure: 'rt', error: `response body stalled for more than ${limits.readTimeoutMs} ms` };
  if (code?.startsWith('HPE_')) return { failure: 'other', error: `malformed HTTP response: ${detail}` };
  return { failure: 'rt', error: `connection closed before a complete response: ${detail}${code ? ` (${code})` : ''}` };
}

export class Transport {
  private readonly slots: FairSlots;
  /** Connect timeouts are per dispatcher in undici, so there is one agent per distinct value (in practice one or two). */
  private readonly agents = new Map<number, Agent>();
  /** Attempts in flight by the stop signal that aborts them. */
  private readonly attempts = new SignalGroups<AbortController>((a, reason) => a.abort(reason));

  constructor(private readonly opts: TransportOptions) {
    this.slots = new FairSlots(opts);
  }

  async send(out: Outgoing, limits: AttemptLimits): Promise<Attempt> {
    let release: (() => void) | undefined;
    let started = performance.now();
    let attempt: AbortController | undefined;
    let budget: NodeJS.Timeout | undefined;
    try {
      release = await this.slots.acquire(out.url, limits.priority, limits.stop);
      started = performance.now();
      attempt = this.abortable(limits.stop);
      const signal = attempt.signal;
      budget = setTimeout(() => attempt!.abort(), Math.max(1, Math.round(limits.budgetMs))).unref();
      const res = await request(out.url, {
        dispatcher: this.agent(limits.connectTimeoutMs),
        method: out.method,
        headers: { 'user-agent': this.opts.userAgent, ...out.headers },
        body: out.body,
        headersTimeout: limits.readTimeoutMs,
        bodyTimeout: limits.readTimeoutMs,
        signal,
      });
      const contentType = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : undefined;
      const body = await this.readBody(res.body);
      const latencyMs = Math.round(performance.now() - started);
      const status = res.statusCode;
      if (body === undefined) {
        return { ok: false, status, contentType, latencyMs, failure: 'other', error: `response body larger than ${this.opts.maxResponseBytes} bytes` };
      }
      if (status >= 200 && status < 300) return { ok: true, status, body, contentType, latencyMs };
      if (status >= 300 && status < 400) {
        const location = res.headers.location;
        return { ok: false, status, body, contentType, latencyMs, failure: 'other', error: `redirect${location ? ` to ${String(location)}` : ''} not followed (HTTP ${status})` };
      }
      return { ok: false, status, body, contentType, latencyMs, failure: status < 500 ? '4xx' : '5xx', error: `HTTP ${status}` };
    } catch (err) {
      const latencyMs = Math.round(performance.now() - started);
      if (limits.stop.aborted) return { ok: false, latencyMs, failure: 'other', error: 'stopped: the server is shutting down', interrupted: true };
      if (attempt?.signal.aborted) return { ok: false, latencyMs, failure: 'rt', error: 'total timeout (tt) reached' };
      return { ok: false, latencyMs, ...classify(err, limits) };
    } finally {
      clearTimeout(budget);
      if (attempt) this.attempts.delete(limits.stop, attempt);
      release?.();
    }
  }

  /**
   * An attempt's own abort, fired by its time budget or by `stop`. Not
   * AbortSignal.any/timeout: those tie every attempt to the long-lived stop
   * signal with weak references and keep a timer for the whole budget after
   * the attempt is over (two requests per call: garbage the collector has to
   * trace).
   */
  private abortable(stop: AbortSignal): AbortController {
    const attempt = new AbortController();
    if (stop.aborted) attempt.abort(stop.reason);
    else this.attempts.add(stop, attempt);
    return attempt;
  }

  /** The body as text, or undefined when it exceeds the limit (the connection is then dropped). */
  private async readBody(body: Dispatcher.ResponseData['body']): Promise<string | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > this.opts.maxResponseBytes) {
        body.destroy();
        return undefined;
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private agent(connectTimeoutMs: number): Agent {
    let agent = this.agents.get(connectTimeoutMs);
    if (!agent) {
      // As many connections per origin as the slots allow, so requests never queue inside undici behind a slow one.
      agent = new Agent({ connections: this.opts.perHost, connect: { timeout: connectTimeoutMs } });
      this.agents.set(connectTimeoutMs, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((a) => a.destroy()));
  }
}
