// SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966), and any other
// absolute URI kept as text. Parsing validates every character against the
// grammar; escapes stay as they arrived (the user part's comparisons
// unescape, see `uriKey`).
import {
  HNV_UNRESERVED,
  HOSTNAME,
  is,
  PARAM_UNRESERVED,
  PASSWORD,
  SipSyntaxError,
  UNRESERVED,
  USER_UNRESERVED,
  formatParams,
  parseBoundedInt,
} from './sip-syntax.ts';

export interface SipUri {
  readonly scheme: 'sip' | 'sips';
  readonly user: string | null;
  readonly password: string | null;
  /** Lower-cased; an IPv6 reference keeps its brackets. */
  readonly host: string;
  readonly port: number | null;
  /** uri-parameters, names lower-cased, values as sent (null: no value, as `lr`). */
  readonly params: Map<string, string | null>;
  /** The `?…` part without the '?', as sent. */
  readonly headers: string | null;
}

export interface TelUri {
  readonly scheme: 'tel';
  /** The number as written (global "+1-201-555-0123" or local with phone-context). */
  readonly number: string;
  readonly params: Map<string, string | null>;
}

/** An absolute URI of a scheme we do not interpret (mailto:, http:, urn: …). */
export interface OtherUri {
  readonly scheme: string;
  readonly text: string;
}

export type Uri = SipUri | TelUri | OtherUri;

export const isSipUri = (u: Uri): u is SipUri => u.scheme === 'sip' || u.scheme === 'sips';

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Every char of s[from,to) is in `flags` or a valid %HH escape. */
function allOf(s: string, from: number, to: number, flags: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */) {
      if (i + 2 >= to) return false;
      if (!isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return false;
      i += 2;
    } else if (!is(c, flags)) return false;
  }
  return true;
}

function parseHost(s: string, from: number, to: number, what: string): string {
  if (from >= to) throw new SipSyntaxError(`${what}: missing host`);
  if (s.charCodeAt(from) === 91 /* [ */) {
    if (s.charCodeAt(to - 1) !== 93) throw new SipSyntaxError(`${what}: unterminated IPv6 reference`);
    for (let i = from + 1; i < to - 1; i++) {
      const c = s.charCodeAt(i);
      if (!isHex(c) && c !== 58 && c !== 46) throw new SipSyntaxError(`${what}: bad IPv6 reference`);
    }
    if (to - from < 4) throw new SipSyntaxError(`${what}: bad IPv6 reference`);
    return s.slice(from, to).toLowerCase();
  }
  for (let i = from; i < to; i++) {
    if (!is(s.charCodeAt(i), HOSTNAME)) throw new SipSyntaxError(`${what}: bad character in host "${s.slice(from, to)}"`);
  }
  const host = s.slice(from, to).toLowerCase();
  if (host.startsWith('.') || host.startsWith('-') || host.includes('..')) throw new SipSyntaxError(`${what}: bad host "${host}"`);
  return host;
}

/** `host[:port]` in s[from,to). */
export function parseHostPort(s: string, from: number, to: number, what: string): { host: string; port: number | null } {
  let colon = -1;
  if (s.charCodeAt(from) === 91) {
    const close = s.indexOf(']', from);
    if (close < 0 || close >= to) throw new SipSyntaxError(`${what}: unterminated IPv6 reference`);
    if (close + 1 < to) {
      if (s.charCodeAt(close + 1) !== 58) throw new SipSyntaxError(`${what}: unexpected text after IPv6 reference`);
      colon = close + 1;
    }
  } else {
    colon = s.indexOf(':', from);
    if (colon >= to) colon = -1;
  }
  if (colon < 0) return { host: parseHost(s, from, to, what), port: null };
  return { host: parseHost(s, from, colon, what), port: parseBoundedInt(s.slice(colon + 1, to), 65535, `${what} port`) };
}

function parseUriParams(s: string, from: number, to: number, into: Map<string, string | null>, what: string): void {
  let i = from;
  while (i < to) {
    // s[i] is ';'
    let end = s.indexOf(';', i + 1);
    if (end < 0 || end > to) end = to;
    const eq = s.indexOf('=', i + 1);
    const hasValue = eq >= 0 && eq < end;
    const nameEnd = hasValue ? eq : end;
    if (nameEnd === i + 1) throw new SipSyntaxError(`${what}: empty URI parameter`);
    if (!allOf(s, i + 1, nameEnd, UNRESERVED | PARAM_UNRESERVED)) throw new SipSyntaxError(`${what}: bad URI parameter name "${s.slice(i + 1, nameEnd)}"`);
    if (hasValue && (eq + 1 === end || !allOf(s, eq + 1, end, UNRESERVED | PARAM_UNRESERVED))) {
      throw new SipSyntaxError(`${what}: bad URI parameter value "${s.slice(eq + 1, end)}"`);
    }
    into.set(s.slice(i + 1, nameEnd).toLowerCase(), hasValue ? s.slice(eq + 1, end) : null);
    i = end;
  }
}

function parseSipUri(s: string, scheme: 'sip' | 'sips', what: string): SipUri {
  const start = scheme.length + 1;
  // '?' may also appear in the user part: it starts headers only after the host.
  const at = s.indexOf('@', start);
  const q = s.indexOf('?', at >= 0 ? at : start);
  let end = s.length;
  let headers: string | null = null;
  if (q >= 0) {
    headers = s.slice(q + 1);
    end = q;
    if (headers.length === 0) throw new SipSyntaxError(`${what}: empty URI headers`);
    for (const h of headers.split('&')) {
      const eq = h.indexOf('=');
      if (eq <= 0 || !allOf(h, 0, eq, UNRESERVED | HNV_UNRESERVED) || !allOf(h, eq + 1, h.length, UNRESERVED | HNV_UNRESERVED)) {
        throw new SipSyntaxError(`${what}: bad URI header "${h}"`);
      }
    }
  }
  let user: string | null = null;
  let password: string | null = null;
  let hostStart = start;
  if (at >= 0 && at < end) {
    const colon = s.indexOf(':', start);
    const userEnd = colon >= 0 && colon < at ? colon : at;
    if (userEnd === start) throw new SipSyntaxError(`${what}: empty user part`);
    if (!allOf(s, start, userEnd, UNRESERVED | USER_UNRESERVED)) throw new SipSyntaxError(`${what}: bad character in user part`);
    user = s.slice(start, userEnd);
    if (userEnd < at) {
      if (!allOf(s, userEnd + 1, at, UNRESERVED | PASSWORD)) throw new SipSyntaxError(`${what}: bad character in password`);
      password = s.slice(userEnd + 1, at);
    }
    hostStart = at + 1;
  }
  let semi = s.indexOf(';', hostStart);
  if (semi < 0 || semi > end) semi = end;
  const { host, port } = parseHostPort(s, hostStart, semi, what);
  const params = new Map<string, string | null>();
  parseUriParams(s, semi, end, params, what);
  return { scheme, user, password, host, port, params, headers };
}

function parseTelUri(s: string, what: string): TelUri {
  const start = 4;
  let semi = s.indexOf(';', start);
  if (semi < 0) semi = s.length;
  const number = s.slice(start, semi);
  if (number.length === 0) throw new SipSyntaxError(`${what}: empty telephone number`);
  for (let i = 0; i < number.length; i++) {
    const c = number.charCodeAt(i);
    if (!(isHex(c) || c === 43 || c === 45 || c === 46 || c === 40 || c === 41 || c === 42 || c === 35)) {
      throw new SipSyntaxError(`${what}: bad character in telephone number "${number}"`);
    }
  }
  const params = new Map<string, string | null>();
  parseUriParams(s, semi, s.length, params, what);
  return { scheme: 'tel', number, params };
}

/** Parse an absolute URI as it appears in a Request-URI or inside <…>. */
export function parseUri(s: string, what = 'URI'): Uri {
  const colon = s.indexOf(':');
  if (colon <= 0) throw new SipSyntaxError(`${what}: no scheme in "${s.slice(0, 40)}"`);
  for (let i = 0; i < colon; i++) {
    const c = s.charCodeAt(i);
    if (!(isAlpha(c) || (i > 0 && (isDigit(c) || c === 43 || c === 45 || c === 46)))) throw new SipSyntaxError(`${what}: bad scheme`);
  }
  const scheme = s.slice(0, colon).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(s, scheme, what);
  if (scheme === 'tel') return parseTelUri(s, what);
  if (colon + 1 >= s.length) throw new SipSyntaxError(`${what}: empty ${scheme} URI`);
  for (let i = colon + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 34 || c === 60 || c === 62) throw new SipSyntaxError(`${what}: bad character in ${scheme} URI`);
  }
  return { scheme, text: s };
}

export function formatUri(u: Uri): string {
  if (u.scheme === 'sip' || u.scheme === 'sips') {
    const s = u as SipUri;
    let out = `${s.scheme}:`;
    if (s.user !== null) out += s.password !== null ? `${s.user}:${s.password}@` : `${s.user}@`;
    out += s.host;
    if (s.port !== null) out += `:${s.port}`;
    out += formatParams(s.params);
    if (s.headers !== null) out += `?${s.headers}`;
    return out;
  }
  if (u.scheme === 'tel') return `tel:${(u as TelUri).number}${formatParams((u as TelUri).params)}`;
  return (u as OtherUri).text;
}

/** Decode %HH escapes (for comparisons and lookups, never for forwarding). */
export function unescapeUri(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A SIP URI's user unescaped, or a tel URI's number; null otherwise. */
export function uriUser(u: Uri): string | null {
  if (isSipUri(u)) return u.user === null ? null : unescapeUri(u.user);
  if (u.scheme === 'tel') return (u as TelUri).number;
  return null;
}

/**
 * What makes two contact URIs the same binding (RFC 3261 §19.1.4, reduced
 * to what registrars compare): scheme, unescaped user, host, port and the
 * transport parameter.
 */
export function uriKey(u: Uri): string {
  if (!isSipUri(u)) return formatUri(u).toLowerCase();
  return `${u.scheme}:${u.user === null ? '' : unescapeUri(u.user)}@${u.host}:${u.port ?? ''};${(u.params.get('transport') ?? '').toLowerCase()}`;
}

export function sipUri(fields: Partial<SipUri> & { host: string }): SipUri {
  return { scheme: 'sip', user: null, password: null, port: null, params: new Map(), headers: null, ...fields };
}
