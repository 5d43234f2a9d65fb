// Header fields in arrival order, named by their lower-case long form
// (compact forms expanded on the way in). Values are unfolded and trimmed;
// typed parsing happens in the message's accessors, on first use.
import { splitList } from './sip-syntax.ts';

const COMPACT: Record<string, string> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
};

const canonical = new Map<string, string>();

/** The lower-case long name of a header name as received (the names a peer sends are few: each is lower-cased once). */
export function canonicalName(raw: string): string {
  let out = canonical.get(raw);
  if (out === undefined) {
    const lower = raw.toLowerCase();
    out = lower.length === 1 ? (COMPACT[lower] ?? lower) : lower;
    if (canonical.size < 1000 && raw.length <= 32) canonical.set(raw, out);
  }
  return out;
}

const SPELLING: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
  'rack': 'RAck',
  'rseq': 'RSeq',
};
const spelled = new Map<string, string>();

/** How a header name is written on the wire: Content-Length, Call-ID, WWW-Authenticate. */
export function wireName(name: string): string {
  let out = spelled.get(name);
  if (out === undefined) {
    out = SPELLING[name] ?? name.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
    if (spelled.size < 1000) spelled.set(name, out);
  }
  return out;
}

export class SipHeaders {
  private readonly names: string[] = [];
  private readonly values: string[] = [];
  /** Bumped on every change, so parsed values cached by the message know when they are stale. */
  version = 0;

  get size(): number {
    return this.names.length;
  }

  /** The first value of `name` (lower-case long form). */
  get(name: string): string | undefined {
    const i = this.names.indexOf(name);
    return i < 0 ? undefined : this.values[i];
  }

  has(name: string): boolean {
    return this.names.includes(name);
  }

  /** Every line's value of `name`, in order. */
  getAll(name: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.names.length; i++) if (this.names[i] === name) out.push(this.values[i]!);
    return out;
  }

  /** A list header's elements across all its lines (Allow, Supported, Require …). Empty elements dropped. */
  list(name: string): string[] {
    const out: string[] = [];
    for (const line of this.getAll(name)) for (const part of splitList(line)) if (part.length > 0) out.push(part);
    return out;
  }

  count(name: string): number {
    let n = 0;
    for (const x of this.names) if (x === name) n++;
    return n;
  }

  append(name: string, value: string): this {
    this.names.push(name);
    this.values.push(value);
    this.version++;
    return this;
  }

  /** Insert before every other line (a new topmost Via). */
  prepend(name: string, value: string): this {
    this.names.unshift(name);
    this.values.unshift(value);
    this.version++;
    return this;
  }

  /** Replace every line of `name` with one (appended when absent). */
  set(name: string, value: string): this {
    const i = this.names.indexOf(name);
    if (i < 0) return this.append(name, value);
    this.values[i] = value;
    for (let j = this.names.length - 1; j > i; j--) {
      if (this.names[j] === name) {
        this.names.splice(j, 1);
        this.values.splice(j, 1);
      }
    }
    this.version++;
    return this;
  }

  delete(name: string): this {
    for (let j = this.names.length - 1; j >= 0; j--) {
      if (this.names[j] === name) {
        this.names.splice(j, 1);
        this.values.splice(j, 1);
      }
    }
    this.version++;
    return this;
  }

  /** Remove the first element of a list header (the topmost Via, the first Route). */
  shift(name: string): void {
    const i = this.names.indexOf(name);
    if (i < 0) return;
    const parts = splitList(this.values[i]!);
    if (parts.length <= 1) {
      this.names.splice(i, 1);
      this.values.splice(i, 1);
    } else {
      this.values[i] = parts.slice(1).join(', ');
    }
    this.version++;
  }

  forEach(fn: (name: string, value: string) => void): void {
    for (let i = 0; i < this.names.length; i++) fn(this.names[i]!, this.values[i]!);
  }

  copyFrom(other: SipHeaders, name: string): this {
    for (const v of other.getAll(name)) this.append(name, v);
    return this;
  }
}
