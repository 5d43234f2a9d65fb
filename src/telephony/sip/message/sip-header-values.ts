// Typed values of the scalar headers: CSeq, integers, Date, Warning, and
// the credentials/challenge syntax of Authorization and WWW-Authenticate.
import { TOKEN, is, isToken, parseBoundedInt, quotedEnd, skipWs, unquote, SipSyntaxError } from './sip-syntax.ts';

export interface CSeq {
  readonly seq: number;
  /** As written (methods are case-sensitive). */
  readonly method: string;
}

/** CSeq numbers are below 2**31 (RFC 3261 §8.1.1.5). */
export const MAX_CSEQ = 2 ** 31 - 1;
/** Expires and delta-seconds: RFC 3261 recommends treating larger values as 2**32-1. */
export const MAX_DELTA_SECONDS = 2 ** 32 - 1;

export function parseCSeq(s: string): CSeq {
  const t = s.trim();
  let i = 0;
  while (i < t.length && !(t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9)) i++;
  const seq = parseBoundedInt(t.slice(0, i), MAX_CSEQ, 'CSeq number');
  const method = t.slice(skipWs(t, i));
  if (!isToken(method)) throw new SipSyntaxError(`CSeq: bad method "${method.slice(0, 24)}"`);
  return { seq, method };
}

/** delta-seconds; values past 2**32-1 are refused (RFC 4475 scalar02). */
export const parseDeltaSeconds = (s: string, what: string): number => parseBoundedInt(s, MAX_DELTA_SECONDS, what);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** SIP-date is rfc1123-date and only in GMT (RFC 3261 §20.17). */
export function checkDate(s: string): void {
  const parts = s.trim().split(/\s+/);
  // Fri, 01 Jan 2010 16:00:00 GMT
  const ok =
    parts.length === 6 &&
    DAYS.includes(parts[0]!.replace(/,$/, '')) &&
    parts[0]!.endsWith(',') &&
    /^\d{2}$/.test(parts[1]!) &&
    MONTHS.includes(parts[2]!) &&
    /^\d{4}$/.test(parts[3]!) &&
    /^\d{2}:\d{2}:\d{2}$/.test(parts[4]!) &&
    parts[5] === 'GMT';
  if (!ok) throw new SipSyntaxError(`Date: "${s.slice(0, 40)}" is not an RFC 1123 date in GMT`);
}

export function formatDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** warning-value = warn-code SP warn-agent SP warn-text; warn-code is 3 digits. */
export function checkWarning(s: string): void {
  const m = /^(\d+)\s/.exec(s.trim());
  if (!m || m[1]!.length !== 3) throw new SipSyntaxError(`Warning: code must be three digits in "${s.slice(0, 40)}"`);
}

/** `Digest realm="…", nonce="…"` or credentials: a scheme and its parameters (names lower-cased, values unquoted). */
export interface AuthParams {
  readonly scheme: string;
  readonly params: Map<string, string>;
}

export function parseAuth(s: string, what: string): AuthParams {
  let i = skipWs(s, 0);
  const start = i;
  while (i < s.length && is(s.charCodeAt(i), TOKEN)) i++;
  if (i === start) throw new SipSyntaxError(`${what}: missing scheme`);
  const scheme = s.slice(start, i);
  const params = new Map<string, string>();
  for (;;) {
    i = skipWs(s, i);
    if (i >= s.length) break;
    const nameStart = i;
    while (i < s.length && is(s.charCodeAt(i), TOKEN)) i++;
    if (i === nameStart) throw new SipSyntaxError(`${what}: bad parameter at "${s.slice(i, i + 12)}"`);
    const name = s.slice(nameStart, i).toLowerCase();
    i = skipWs(s, i);
    if (s.charCodeAt(i) !== 61) throw new SipSyntaxError(`${what}: parameter ${name} has no value`);
    i = skipWs(s, i + 1);
    let value: string;
    if (s.charCodeAt(i) === 34) {
      const end = quotedEnd(s, i);
      if (end < 0) throw new SipSyntaxError(`${what}: unterminated quoted string`);
      value = unquote(s.slice(i, end));
      i = end;
    } else {
      const vStart = i;
      while (i < s.length && s.charCodeAt(i) !== 44 && s.charCodeAt(i) !== 32 && s.charCodeAt(i) !== 9) i++;
      value = s.slice(vStart, i);
    }
    if (params.has(name)) throw new SipSyntaxError(`${what}: parameter ${name} given twice`);
    params.set(name, value);
    i = skipWs(s, i);
    if (i >= s.length) break;
    if (s.charCodeAt(i) !== 44) throw new SipSyntaxError(`${what}: expected "," after ${name}`);
    i++;
  }
  return { scheme, params };
}
