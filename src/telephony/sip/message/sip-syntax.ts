// RFC 3261's character classes (section 25.1) as one lookup table of bit
// flags, and the small scanners every header parser shares. Parsing walks
// char codes against the table instead of running regular expressions, so
// no input can make it backtrack.

/** A message, header or URI that does not follow the grammar. `status` is what a UAS answers (400 unless said). */
export class SipSyntaxError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 416 | 505 | 513 = 400,
  ) {
    super(message);
  }
}

export const TOKEN = 1;
/** unreserved = alphanum / mark */
export const UNRESERVED = 2;
/** user-unreserved: & = + $ , ; ? / */
export const USER_UNRESERVED = 4;
/** param-unreserved: [ ] / : & + $ */
export const PARAM_UNRESERVED = 8;
/** hnv-unreserved: [ ] / ? : + $ */
export const HNV_UNRESERVED = 16;
/** password: & = + $ , */
export const PASSWORD = 32;
/** word: token plus ( ) < > : \ " / [ ] ? { } */
export const WORD = 64;
/** host name characters: alphanum - . (and _ seen in the wild) */
export const HOSTNAME = 128;

const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const table = new Uint8Array(128);
function mark(chars: string, flag: number): void {
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)]! |= flag;
}
mark(ALPHANUM + "-.!%*_+`'~", TOKEN);
mark(ALPHANUM + "-_.!~*'()", UNRESERVED);
mark('&=+$,;?/', USER_UNRESERVED);
mark('[]/:&+$', PARAM_UNRESERVED);
mark('[]/?:+$', HNV_UNRESERVED);
mark('&=+$,', PASSWORD);
mark(ALPHANUM + "-.!%*_+`'~" + '()<>:\\"/[]?{}', WORD);
mark(ALPHANUM + '-._', HOSTNAME);

/** Whether char code `c` is in every class of `flags` (ASCII only). */
export const is = (c: number, flags: number): boolean => c < 128 && (table[c]! & flags) !== 0;

export const isToken = (s: string): boolean => {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!is(s.charCodeAt(i), TOKEN)) return false;
  return true;
};

const SP = 32;
const HTAB = 9;
export const isWs = (c: number): boolean => c === SP || c === HTAB;

/** `s` without leading and trailing SP/HTAB (String.trim would also eat a BOM or NBSP that belong to the value). */
export function trimWs(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWs(s.charCodeAt(a))) a++;
  while (b > a && isWs(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Index of the first non-blank at or after `i`. Values reach parsers unfolded, so blanks are SP and HTAB. */
export function skipWs(s: string, i: number): number {
  while (i < s.length && isWs(s.charCodeAt(i))) i++;
  return i;
}

/** Index just after the quoted string starting at `i` (which holds the opening quote); -1 when it never closes. */
export function quotedEnd(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 92 /* \ */) j++;
    else if (c === 34 /* " */) return j + 1;
  }
  return -1;
}

/** The content of a quoted string (without quotes), quoted-pairs unescaped. */
export function unquote(q: string): string {
  let out = '';
  for (let j = 1; j < q.length - 1; j++) {
    const c = q.charCodeAt(j);
    if (c === 92 && j + 1 < q.length - 1) j++;
    out += q[j];
  }
  return out;
}

/** `s` as a quoted string, escaping quotes and backslashes. */
export function quote(s: string): string {
  let out = '"';
  for (let j = 0; j < s.length; j++) {
    const ch = s[j]!;
    out += ch === '"' || ch === '\\' ? '\\' + ch : ch;
  }
  return out + '"';
}

/**
 * Split a header value at top-level commas: not inside a quoted string nor
 * inside <…>. Empty elements are kept, so a caller can refuse them.
 */
export function splitList(s: string): string[] {
  const out: string[] = [];
  let start = 0;
  let angle = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      const end = quotedEnd(s, i);
      if (end < 0) throw new SipSyntaxError('unterminated quoted string');
      i = end - 1;
    } else if (c === 60 /* < */) angle = true;
    else if (c === 62 /* > */) angle = false;
    else if (c === 44 /* , */ && !angle) {
      out.push(trimWs(s.slice(start, i)));
      start = i + 1;
    }
  }
  out.push(trimWs(s.slice(start)));
  return out;
}

/**
 * Generic parameters `*( SEMI name [ EQUAL value ] )` starting at `i`, with
 * LWS allowed around ';' and '='. Names are lower-cased (they compare
 * case-insensitively); values keep their case and quotes. Returns the index
 * where parsing stopped (end of string, or a character `stop` names).
 */
export function parseParams(s: string, i: number, into: Map<string, string | null>, what: string, stop = -1): number {
  for (;;) {
    i = skipWs(s, i);
    if (i >= s.length || s.charCodeAt(i) === stop) return i;
    if (s.charCodeAt(i) !== 59 /* ; */) throw new SipSyntaxError(`unexpected "${s[i]}" in ${what}`);
    i = skipWs(s, i + 1);
    const nameStart = i;
    while (i < s.length && is(s.charCodeAt(i), TOKEN)) i++;
    if (i === nameStart) throw new SipSyntaxError(`empty parameter in ${what}`);
    const name = s.slice(nameStart, i).toLowerCase();
    i = skipWs(s, i);
    if (s.charCodeAt(i) === 61 /* = */) {
      i = skipWs(s, i + 1);
      let value: string;
      if (s.charCodeAt(i) === 34) {
        const end = quotedEnd(s, i);
        if (end < 0) throw new SipSyntaxError(`unterminated quoted string in ${what}`);
        value = s.slice(i, end);
        i = end;
      } else {
        // token, or a host (IPv6 reference) as in received= and maddr=
        const vStart = i;
        while (i < s.length && (is(s.charCodeAt(i), TOKEN) || s.charCodeAt(i) === 58 || s.charCodeAt(i) === 91 || s.charCodeAt(i) === 93)) i++;
        if (i === vStart) throw new SipSyntaxError(`parameter ${name} has an empty value in ${what}`);
        value = s.slice(vStart, i);
      }
      into.set(name, value);
    } else {
      into.set(name, null);
    }
  }
}

export function formatParams(params: ReadonlyMap<string, string | null>): string {
  let out = '';
  for (const [k, v] of params) out += v === null ? `;${k}` : `;${k}=${v}`;
  return out;
}

/** A decimal integer of at most `max`; anything else is a syntax error naming `what`. */
export function parseBoundedInt(s: string, max: number, what: string): number {
  const t = s.trim();
  if (t.length === 0 || t.length > 12) throw new SipSyntaxError(`${what} is not a number in range: "${t.slice(0, 24)}"`);
  let n = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) throw new SipSyntaxError(`${what} is not a number: "${t.slice(0, 24)}"`);
    n = n * 10 + c;
  }
  if (n > max) throw new SipSyntaxError(`${what} is out of range: ${t}`);
  return n;
}
