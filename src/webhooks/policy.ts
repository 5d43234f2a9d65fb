// The platform's callback configuration: timeouts and retries for a URL are
// set by a fragment appended to it (`https://x/answer#ct=2000&rt=3000&rc=2&rp=ct,rt,5xx`).
// Fragments never travel over HTTP, so the URL requested is the one without it.
import type { CallbackPolicy, FailureKind, WebhookRequest } from './types.ts';

/** The documented defaults and allowed ranges (ms for timeouts). */
const LIMITS = {
  ct: { min: 100, max: 10_000, fallback: 2_000 },
  rt: { min: 100, max: 40_000, fallback: 40_000 },
  tt: { min: 100, max: 55_000, fallback: 55_000 },
  rc: { min: 0, max: 5, fallback: 1 },
} as const;

const RETRYABLE: readonly FailureKind[] = ['ct', 'rt', '4xx', '5xx'];

export const DEFAULT_POLICY: CallbackPolicy = {
  connectTimeoutMs: LIMITS.ct.fallback,
  readTimeoutMs: LIMITS.rt.fallback,
  totalTimeoutMs: LIMITS.tt.fallback,
  retries: LIMITS.rc.fallback,
  retryOn: ['ct', 'rt'],
};

/** A value out of range is brought into it; one that is not an integer is ignored. */
function bounded(raw: string | null, limit: { min: number; max: number }): number | undefined {
  if (raw === null || !/^\d+$/.test(raw.trim())) return undefined;
  return Math.min(limit.max, Math.max(limit.min, Number(raw)));
}

function retryOnOf(raw: string | null): FailureKind[] | undefined {
  if (raw === null) return undefined;
  const kinds = new Set<FailureKind>();
  for (const token of raw.split(',').map((t) => t.trim().toLowerCase())) {
    if (token === 'all') RETRYABLE.forEach((k) => kinds.add(k));
    else if ((RETRYABLE as readonly string[]).includes(token)) kinds.add(token as FailureKind);
  }
  return kinds.size > 0 ? [...kinds] : undefined;
}

export interface Target {
  /** What is requested: no fragment, no credentials. */
  url: URL;
  /** `user:password` given in the URL, sent as Basic auth instead. */
  basicAuth?: string;
  policy: CallbackPolicy;
}

/** What a URL string alone says: what to request, its credentials, its fragment's settings. */
interface ParsedUrl {
  url: URL;
  basicAuth?: string;
  fragment: URLSearchParams;
}

/** Parsed URLs by their text: a call requests the same answer and hangup URLs every time (about five parses a call). */
const parsed = new Map<string, ParsedUrl>();
const PARSED_KEPT = 1_000;

/** Parse a customer URL (once: the result is shared and never mutated); throws a readable Error for one that cannot be requested. */
function parseUrl(text: string): ParsedUrl {
  const known = parsed.get(text);
  if (known) return known;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${text}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${text}" is not an http(s) URL`);
  const fragment = new URLSearchParams(url.hash.slice(1));
  url.hash = '';
  let basicAuth: string | undefined;
  if (url.username || url.password) {
    basicAuth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    url.username = '';
    url.password = '';
  }
  if (parsed.size >= PARSED_KEPT) parsed.clear();
  const result = { url, basicAuth, fragment };
  parsed.set(text, result);
  return result;
}

/** Parse a customer URL; throws a readable Error for one that cannot be requested. The target's `url` is shared: copy it to change it. */
export function targetOf(req: Pick<WebhookRequest, 'url' | 'timeoutMs' | 'policy'>): Target {
  const { url, basicAuth, fragment } = parseUrl(req.url);
  const base: CallbackPolicy = Object.assign({}, DEFAULT_POLICY, req.timeoutMs !== undefined ? { readTimeoutMs: req.timeoutMs } : undefined, req.policy);
  const policy: CallbackPolicy = {
    connectTimeoutMs: bounded(fragment.get('ct'), LIMITS.ct) ?? base.connectTimeoutMs,
    readTimeoutMs: bounded(fragment.get('rt'), LIMITS.rt) ?? base.readTimeoutMs,
    totalTimeoutMs: bounded(fragment.get('tt'), LIMITS.tt) ?? base.totalTimeoutMs,
    retries: bounded(fragment.get('rc'), LIMITS.rc) ?? base.retries,
    retryOn: retryOnOf(fragment.get('rp')) ?? base.retryOn,
  };
  return { url, basicAuth, policy };
}

export function shouldRetry(failure: FailureKind | undefined, policy: CallbackPolicy): boolean {
  return failure !== undefined && policy.retryOn.includes(failure);
}
