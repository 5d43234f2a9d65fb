// Request signatures customers verify with the official SDKs'
// `validateV3Signature` and `validateSignature`. The canonical strings below
// mirror what those validators rebuild from the URL the customer received,
// so they are computed from the exact URL we request (GET parameters already
// merged into its query) and the POST parameters we send.
import { createHmac, randomInt } from 'node:crypto';
import querystring from 'node:querystring';
import type { HttpMethod } from './types.ts';

type Multi = Record<string, string[]>;

/** scheme://host[:port]/path of an absolute URL: what both validators keep of it. */
function baseOf(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function queryOf(url: URL): Multi {
  const parsed = querystring.parse(url.search.slice(1));
  const out: Multi = {};
  for (const [k, v] of Object.entries(parsed)) out[k] = Array.isArray(v) ? [...v] : [v ?? ''];
  return out;
}

/** `k=v&…`, keys sorted, each key's values sorted, values decoded (not re-encoded), as the validator joins them. */
function sortedQuery(q: Multi): string {
  return Object.keys(q)
    .sort()
    .flatMap((k) => [...q[k]!].sort().map((v) => `${k}=${v}`))
    .join('&');
}

/** `kv…` for POST parameters, keys sorted. */
function sortedParams(params: Record<string, string>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${k}${params[k]}`)
    .join('');
}

function hmac(authToken: string, message: string): string {
  return createHmac('sha256', authToken).update(message, 'utf8').digest('base64');
}

/**
 * The V3 string: for GET, the URL's query with `params` merged in, sorted;
 * for POST, the URL's own sorted query, then `.` and the sorted parameters.
 */
export function v3Message(method: HttpMethod, url: string | URL, params: Record<string, string>): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  const base = baseOf(u);
  const query = queryOf(u);
  if (method === 'GET') {
    for (const [k, v] of Object.entries(params)) (query[k] ??= []).push(v);
    const q = sortedQuery(query);
    return q ? `${base}?${q}` : base;
  }
  const q = sortedQuery(query);
  if (Object.keys(params).length === 0) return q ? `${base}?${q}` : base;
  return `${base}?${q}${q ? '.' : ''}${sortedParams(params)}`;
}

/** X-Plivo-Signature-V3 for a request to `url` (with `params` as the POST body, or merged into a GET's query). */
export function signV3(method: HttpMethod, url: string, params: Record<string, string>, authToken: string, nonce: string): string {
  return hmac(authToken, `${v3Message(method, url, params)}.${nonce}`);
}

/** X-Plivo-Signature-V2: the URL without its query, then the nonce. */
export function signV2(url: string, nonce: string, authToken: string): string {
  return hmac(authToken, baseOf(new URL(url)) + nonce);
}

/** A 20-digit nonce, the platform's format. */
export function newNonce(): string {
  return String(randomInt(1e9, 1e10)) + String(randomInt(0, 1e10)).padStart(10, '0');
}

/**
 * Every signature header for one request. `url` is exactly what is requested
 * (no fragment). For GET, pass either the URL with `params` merged into its
 * query and `{}`, or the URL without them and `params`: the V3 string is the
 * same. The `-Ma-` variants use the main account's token: for the main
 * account's own requests they are the same signatures, computed once.
 */
export function signatureHeaders(
  method: HttpMethod,
  url: string | URL,
  params: Record<string, string>,
  authToken: string,
  mainAuthToken = authToken,
): Record<string, string> {
  const u = typeof url === 'string' ? new URL(url) : url;
  const v2Nonce = newNonce();
  const v3Nonce = newNonce();
  const v2Message = baseOf(u) + v2Nonce;
  const v3 = `${v3Message(method, u, params)}.${v3Nonce}`;
  const v2Signature = hmac(authToken, v2Message);
  const v3Signature = hmac(authToken, v3);
  const sameToken = mainAuthToken === authToken;
  return {
    'X-Plivo-Signature-V2': v2Signature,
    'X-Plivo-Signature-Ma-V2': sameToken ? v2Signature : hmac(mainAuthToken, v2Message),
    'X-Plivo-Signature-V2-Nonce': v2Nonce,
    'X-Plivo-Signature-V3': v3Signature,
    'X-Plivo-Signature-Ma-V3': sameToken ? v3Signature : hmac(mainAuthToken, v3),
    'X-Plivo-Signature-V3-Nonce': v3Nonce,
  };
}
