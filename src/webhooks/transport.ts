// One HTTP attempt to a customer server, over undici. Requests wait for a
// slot of their route and host (fair-slots.ts), so a slow URL queues only
// its own requests; the attempt's time budget starts once it has its slot.
// Redirects are not followed and bodies are size-limited.
import { Agent, type Dispatcher } from 'undici';
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

/** Why an attempt was cut short by its time budget. */
const OUT_OF_TIME = new Error('total timeout (tt) reached');

/**
 * One request and its response through undici's dispatcher interface: the
 * response body is gathered here as it arrives, with no stream, async
 * iterator or AbortSignal per request (`request()` makes all three, twice
 * per call). `done` resolves with the body as text, or undefined when it
 * exceeded the limit (the request is then aborted, which drops the
 * connection), and rejects with undici's error or the reason it was cancelled.
 */
class Exchange implements Dispatcher.DispatchHandler {
  status = 0;
  contentType: string | undefined;
  location: string | undefined;
  readonly done: Promise<string | undefined>;
  private resolve!: (body: string | undefined) => void;
  private reject!: (err: unknown) => void;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private tooLarge = false;
  private abort: ((reason: Error) => void) | undefined;
  private cancelled: Error | undefined;

  constructor(private readonly maxBytes: number) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** Abort the request (now, or as soon as it is dispatched). */
  cancel(reason: Error): void {
    if (this.abort) this.abort(reason);
    else this.cancelled ??= reason;
  }

  onConnect(abort: (reason: Error) => void): void {
    this.abort = abort;
    if (this.cancelled) abort(this.cancelled);
  }

  onHeaders(status: number, raw: Buffer[]): boolean {
    if (status < 200) return true;
    this.status = status;
    // As undici's own header object has them: latin1 text, several values of one name make it a list.
    const types: string[] = [];
    const locations: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!.toString('latin1').toLowerCase();
      if (name === 'content-type') types.push(raw[i + 1]!.toString('latin1'));
      else if (name === 'location') locations.push(raw[i + 1]!.toString('latin1'));
    }
    this.contentType = types.length === 1 ? types[0] : undefined;
    this.location = locations.length > 0 ? locations.join(',') : undefined;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      this.tooLarge = true;
      this.cancel(new Error('response body too large'));
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    this.resolve(Buffer.concat(this.chunks).toString('utf8'));
  }

  onError(err: Error): void {
    if (this.tooLarge) this.resolve(undefined);
    else this.reject(err);
  }
}

export class Transport {
  private readonly slots: FairSlots;
  /** Connect timeouts are per dispatcher in undici, so there is one agent per distinct value (in practice one or two). */
  private readonly agents = new Map<number, Agent>();
  /** Requests in flight by the stop signal that aborts them. */
  private readonly exchanges = new SignalGroups<Exchange>((ex, reason) => ex.cancel(reason as Error));

  constructor(private readonly opts: TransportOptions) {
    this.slots = new FairSlots(opts);
  }

  /**
   * One attempt to `route` (the request's URL: its origin and path pick the
   * slot). `build` makes the request once the slot is taken, so one waiting
   * holds no encoded body or signature (what survives the young generation's
   * collections while requests queue is what they cost).
   */
  async send(route: URL, build: () => Outgoing, limits: AttemptLimits): Promise<Attempt> {
    let release: (() => void) | undefined;
    let started = performance.now();
    let exchange: Exchange | undefined;
    let budget: NodeJS.Timeout | undefined;
    try {
      release = await this.slots.acquire(route, limits.priority, limits.stop);
      started = performance.now();
      const out = build();
      const ex = (exchange = new Exchange(this.opts.maxResponseBytes));
      if (limits.stop.aborted) ex.cancel(limits.stop.reason as Error);
      else this.exchanges.add(limits.stop, ex);
      budget = setTimeout(() => ex.cancel(OUT_OF_TIME), Math.max(1, Math.round(limits.budgetMs))).unref();
      this.agent(limits.connectTimeoutMs).dispatch(
        {
          origin: out.url.origin,
          path: out.url.pathname + out.url.search,
          method: out.method,
          headers: { 'user-agent': this.opts.userAgent, ...out.headers },
          body: out.body,
          headersTimeout: limits.readTimeoutMs,
          bodyTimeout: limits.readTimeoutMs,
        },
        ex,
      );
      const body = await ex.done;
      const latencyMs = Math.round(performance.now() - started);
      const { status, contentType } = ex;
      if (body === undefined) {
        return { ok: false, status, contentType, latencyMs, failure: 'other', error: `response body larger than ${this.opts.maxResponseBytes} bytes` };
      }
      if (status >= 200 && status < 300) return { ok: true, status, body, contentType, latencyMs };
      if (status >= 300 && status < 400) {
        const { location } = ex;
        return { ok: false, status, body, contentType, latencyMs, failure: 'other', error: `redirect${location ? ` to ${location}` : ''} not followed (HTTP ${status})` };
      }
      return { ok: false, status, body, contentType, latencyMs, failure: status < 500 ? '4xx' : '5xx', error: `HTTP ${status}` };
    } catch (err) {
      const latencyMs = Math.round(performance.now() - started);
      if (limits.stop.aborted) return { ok: false, latencyMs, failure: 'other', error: 'stopped: the server is shutting down', interrupted: true };
      if (err === OUT_OF_TIME) return { ok: false, latencyMs, failure: 'rt', error: 'total timeout (tt) reached' };
      return { ok: false, latencyMs, ...classify(err, limits) };
    } finally {
      clearTimeout(budget);
      if (exchange) this.exchanges.delete(limits.stop, exchange);
      release?.();
    }
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
