// name-addr / addr-spec with header parameters: the value of From, To,
// Contact, Route, Record-Route, Reply-To (RFC 3261 §20.10, §25.1).
//   "Display" <sip:u@h;uparam>;hparam   |   sip:u@h;hparam
// In the addr-spec form the URI ends at the first ';' (what follows are
// header parameters), so it may not contain ',', ';' or '?' itself.
import { formatUri, parseUri, type Uri } from './sip-uri.ts';
import { TOKEN, formatParams, is, isWs, parseParams, quote, quotedEnd, skipWs, splitList, unquote, SipSyntaxError } from './sip-syntax.ts';

export interface NameAddr {
  /** Display name, quotes removed and quoted-pairs unescaped; null when absent. */
  readonly displayName: string | null;
  readonly uri: Uri;
  /** Header parameters (tag, expires, q, lr …), names lower-cased. */
  readonly params: Map<string, string | null>;
}

/** Parse one name-addr or addr-spec with its parameters. */
export function parseNameAddr(s: string, what: string): NameAddr {
  let i = skipWs(s, 0);
  let displayName: string | null = null;
  const c0 = s.charCodeAt(i);
  if (c0 === 34 /* " */) {
    const end = quotedEnd(s, i);
    if (end < 0) throw new SipSyntaxError(`${what}: unterminated quoted display name`);
    displayName = unquote(s.slice(i, end));
    i = skipWs(s, end);
    if (s.charCodeAt(i) !== 60) throw new SipSyntaxError(`${what}: a quoted display name must be followed by <URI>`);
  } else if (c0 !== 60 /* < */) {
    const lt = s.indexOf('<', i);
    if (lt >= 0) {
      // display-name as tokens separated by LWS
      const name = s.slice(i, lt).trim();
      for (let j = 0; j < name.length; j++) {
        const c = name.charCodeAt(j);
        if (!is(c, TOKEN) && !isWs(c)) throw new SipSyntaxError(`${what}: display name "${name}" must be quoted`);
      }
      displayName = name.length > 0 ? name.replace(/[ \t]+/g, ' ') : null;
      i = lt;
    } else {
      // addr-spec: URI up to the first ';', then header parameters
      let semi = s.indexOf(';', i);
      if (semi < 0) semi = s.length;
      const text = s.slice(i, semi).trimEnd();
      for (let j = 0; j < text.length; j++) {
        const c = text.charCodeAt(j);
        if (c === 44 || c === 63 || isWs(c)) throw new SipSyntaxError(`${what}: a URI with "${text[j]}" must be enclosed in <>`);
      }
      const params = new Map<string, string | null>();
      parseParams(s, semi, params, what);
      return { displayName: null, uri: parseUri(text, what), params };
    }
  }
  // s[i] === '<'
  const gt = s.indexOf('>', i);
  if (gt < 0) throw new SipSyntaxError(`${what}: missing ">"`);
  const text = s.slice(i + 1, gt);
  if (text.length === 0 || isWs(text.charCodeAt(0)) || isWs(text.charCodeAt(text.length - 1))) {
    throw new SipSyntaxError(`${what}: no spaces are allowed inside <URI>`);
  }
  const params = new Map<string, string | null>();
  parseParams(s, gt + 1, params, what);
  return { displayName, uri: parseUri(text, what), params };
}

/** Parse a comma-separated list of name-addrs (Contact, Route, Record-Route). */
export function parseNameAddrList(values: readonly string[], what: string): NameAddr[] {
  const out: NameAddr[] = [];
  for (const v of values) {
    for (const part of splitList(v)) {
      if (part.length === 0) throw new SipSyntaxError(`${what}: empty list element`);
      out.push(parseNameAddr(part, what));
    }
  }
  return out;
}

export function formatNameAddr(na: NameAddr): string {
  const name = na.displayName === null ? '' : `${quote(na.displayName)} `;
  return `${name}<${formatUri(na.uri)}>${formatParams(na.params)}`;
}
