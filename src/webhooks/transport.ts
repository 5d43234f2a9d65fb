// One HTTP attempt to a customer server, over undici. Each destination
// (scheme, host, port) gets a bounded number of concurrent requests, so a
// slow server queues only its own requests; every other destination keeps
// its own slots. Redirects are not followed and bodies are size-limited.
import { Agent, request, type Dispatcher } from 'undici';
import type { FailureKind, HttpMethod } from './types.ts';

export interface Outgoing {
  url: URL;
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string;
}

export interface AttemptLimits {
  connectTimeoutMs: number;
  readTimeoutMs: number;
  /** Aborts the attempt: the total-timeout deadline, or shutdown (see `interrupted`). */
  signal: AbortSignal;
  /** True once the abort means "shutting down" rather than "out of time". */
  interrupted(): boolean;
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

export interface TransportOptions {
  /** Concurrent requests per destination. */
  perHost: number;
  maxResponseBytes: number;
  userAgent: string;
}

/** FIFO counting semaphore per key; a waiter gives up when its signal aborts. */
class HostSlots {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(private readonly limit: number) {}

  async acquire(key: string, signal: AbortSignal): Promise<() => void> {
    if ((this.active.get(key) ?? 0) < this.limit) {
      this.active.set(key, (this.active.get(key) ?? 0) + 1);
      return () => this.release(key);
    }
    await new Promise<void>((resolve, reject) => {
      const queue = this.waiting.get(key) ?? [];
      this.waiting.set(key, queue);
      const onAbort = () => {
        const i = queue.indexOf(grant);
        if (i >= 0) queue.splice(i, 1);
        reject(signal.reason);
      };
      // The releasing request hands its slot over: the count stays as it is.
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      queue.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    return () => this.release(key);
  }

  private release(key: string): void {
    const next = this.waiting.get(key)?.shift();
    if (next) return next();
    if (this.waiting.get(key)?.length === 0) this.waiting.delete(key);
    const n = (this.active.get(key) ?? 1) - 1;
    if (n === 0) this.active.delete(key);
    else this.active.set(key, n);
  }
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
  private readonly slots: HostSlots;
  /** Connect timeouts are per dispatcher in undici, so there is one agent per distinct value (in practice one or two). */
  private readonly agents = new Map<number, Agent>();

  constructor(private readonly opts: TransportOptions) {
    this.slots = new HostSlots(opts.perHost);
  }

  async send(out: Outgoing, limits: AttemptLimits): Promise<Attempt> {
    let release: (() => void) | undefined;
    let started = performance.now();
    try {
      release = await this.slots.acquire(out.url.origin, limits.signal);
      started = performance.now();
      const res = await request(out.url, {
        dispatcher: this.agent(limits.connectTimeoutMs),
        method: out.method,
        headers: { 'user-agent': this.opts.userAgent, ...out.headers },
        body: out.body,
        headersTimeout: limits.readTimeoutMs,
        bodyTimeout: limits.readTimeoutMs,
        signal: limits.signal,
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
      if (limits.interrupted()) return { ok: false, latencyMs, failure: 'other', error: 'stopped: the server is shutting down', interrupted: true };
      if (limits.signal.aborted) return { ok: false, latencyMs, failure: 'rt', error: 'total timeout (tt) reached' };
      return { ok: false, latencyMs, ...classify(err, limits) };
    } finally {
      release?.();
    }
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
