// Attribute decoders: one per kind of value, each carrying the words used in
// the error when a value does not fit ("numDigits must be a positive
// integer"). An element's attributes are a Schema over its AST interface, so
// a missing, extra or mistyped field is a compile error.
import type { HttpMethod, Sound } from './ast.ts';
import { fail, shown } from './failure.ts';
import type { XElement } from './tree.ts';

/** What a decoder returns for a value it does not accept. */
export const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;
/** Marks an attribute that has no default and must be present. */
export const required: unique symbol = Symbol('required');
type Required = typeof required;

export interface Attr<T> {
  /** Completes "<attribute> must be …". */
  readonly expects: string;
  readonly decode: (raw: string) => T | Invalid;
  /** The value when the attribute is absent, or `required`. */
  readonly absent: T | Required;
  /** XML names read for this field (first present wins); defaults to the field name. */
  readonly names?: readonly string[];
}

export type Schema<T> = { [K in keyof T]-?: Attr<T[K]> };

type Absent<D> = Exclude<D, Required>;

/** A decoder for a value no helper below covers. */
export function attr<T, D extends T | undefined | Required>(
  expects: string,
  decode: (raw: string) => T | Absent<D> | Invalid,
  absent: D,
): Attr<T | Absent<D>> {
  return { expects, decode, absent: absent as T | Absent<D> | Required };
}

/** Reads the field from other XML attribute names (e.g. `xml:lang`, `min_silence`). */
export function named<T>(names: readonly string[], a: Attr<T>): Attr<T> {
  return { ...a, names };
}

// ---------------------------------------------------------------- scalars

export function int<D extends number | undefined | Required>(range: { min: number; max?: number }, absent: D) {
  const { min, max } = range;
  const expects =
    max !== undefined ? `an integer from ${min} to ${max}`
    : min === 1 ? 'a positive integer'
    : min === 0 ? 'a whole number of 0 or more'
    : `an integer of at least ${min}`;
  return attr(expects, (raw) => {
    const t = raw.trim();
    if (!/^\+?\d{1,15}$/.test(t)) return INVALID;
    const n = Number(t);
    return n < min || (max !== undefined && n > max) ? INVALID : n;
  }, absent);
}

export function bool<D extends boolean | Required>(absent: D) {
  return attr('true or false', (raw) => {
    const t = raw.trim().toLowerCase();
    return t === 'true' ? true : t === 'false' ? false : INVALID;
  }, absent);
}

/** One of fixed words, matched without regard to case, returned as listed. */
export function oneOf<const V extends string, D extends V | undefined | Required>(values: readonly V[], absent: D) {
  const byLower = new Map(values.map((v) => [v.toLowerCase(), v]));
  return attr(listWords(values), (raw) => byLower.get(raw.trim().toLowerCase()) ?? INVALID, absent);
}

export function method<D extends HttpMethod>(absent: D) {
  return oneOf(['GET', 'POST'] as const, absent);
}

/** Free text, optionally shaped; empty counts as absent. */
export function text<D extends string | undefined | Required>(
  expects: string,
  absent: D,
  shape: { pattern?: RegExp; maxLength?: number } = {},
) {
  return attr(expects, (raw) => {
    const t = raw.trim();
    if (t === '') return absent === required ? INVALID : (absent as Absent<D>);
    if (shape.maxLength !== undefined && t.length > shape.maxLength) return INVALID;
    return shape.pattern && !shape.pattern.test(t) ? INVALID : t;
  }, absent);
}

// ---------------------------------------------------------------- URLs

/**
 * Fully qualified http(s) URLs: the platform's reference pages allow "a
 * fully qualified URL" for every URL attribute and fail a document with a
 * relative one, so a relative reference is refused here too.
 */
export function isHttpUrl(raw: string): boolean {
  if (raw === '' || /[\s\u0000-\u001f]/.test(raw) || !/^https?:\/\//i.test(raw)) return false;
  return URL.canParse(raw);
}

export function isWebSocketUrl(raw: string): boolean {
  return /^wss?:\/\/\S+$/i.test(raw) && URL.canParse(raw);
}

/** An optional callback or media URL; `attr=""` counts as absent. */
export function url<D extends undefined | Required = undefined>(absent: D = undefined as D) {
  return attr<string, D>('a fully qualified http(s) URL (relative ones fail on the platform)', (raw) => {
    const t = raw.trim();
    if (t === '') return absent === required ? INVALID : (undefined as Absent<D>);
    return isHttpUrl(t) ? t : INVALID;
  }, absent);
}

// ---------------------------------------------------------------- keys and lists

const KEYS = /^[0-9*#]+$/;
/** Keys to send, where w waits half a second and W a whole one. */
export const KEYS_WITH_PAUSES = /^[0-9*#wW]+$/;

/** finishOnKey: '' or 'none' disables it; `many` allows a set of keys. */
export function finishKeys(many: boolean) {
  return attr(many ? 'DTMF keys (0-9, *, #) or none' : 'one of 0-9, *, # or none', (raw) => {
    const t = raw.trim();
    if (t === '' || t.toLowerCase() === 'none') return '';
    return KEYS.test(t) && (many || t.length === 1) ? t : INVALID;
  }, '#');
}

export const KEYS_WITH_PAUSES_WORDS = 'DTMF keys (0-9, *, #) with optional w or W pauses';

/** Optional DTMF keys to send (Number/User sendDigits, DTMF digits). */
export function keysToSend() {
  return text(KEYS_WITH_PAUSES_WORDS, undefined, { pattern: KEYS_WITH_PAUSES });
}

/** Comma-separated DTMF patterns, e.g. digitsMatch="123,*9". */
export function keyPatterns() {
  return attr('comma-separated DTMF patterns (0-9, *, #)', (raw) => {
    const parts = splitList(raw, ',');
    return parts.every((p) => KEYS.test(p)) ? parts : INVALID;
  }, [] as string[]);
}

/** Comma-separated free phrases (GetInput hints). */
export function phrases() {
  return attr('comma-separated words or phrases', (raw) => splitList(raw, ','), [] as string[]);
}

/** Comma-separated words out of a fixed set, without regard to case. */
export function listOf<const V extends string>(values: readonly V[], absent: V[]) {
  const byLower = new Map(values.map((v) => [v.toLowerCase(), v]));
  return attr(`a comma-separated list of ${listWords(values)}`, (raw) => {
    const parts = splitList(raw, ',').map((p) => byLower.get(p.toLowerCase()));
    return parts.length > 0 && parts.every((p) => p !== undefined) ? (parts as V[]) : INVALID;
  }, absent);
}

/** `name=value,name2=value2` header lists (Dial/User sipHeaders, Stream extraHeaders). */
export function headers(maxLength?: number) {
  return attr(
    `comma-separated name=value pairs (names of letters, digits and '-'${maxLength ? `, at most ${maxLength} characters` : ''})`,
    (raw) => {
      const t = raw.trim();
      if (maxLength !== undefined && t.length > maxLength) return INVALID;
      // Names are letters, digits and '-', so no key can reach Object.prototype.
      const out: Record<string, string> = {};
      for (const pair of splitList(t, ',')) {
        const m = /^([A-Za-z0-9-]+)=([A-Za-z0-9_.~%+:@-]*)$/.exec(pair);
        if (!m) return INVALID;
        out[m[1]] = m[2];
      }
      return out;
    },
    {} as Record<string, string>,
  );
}

/** Enter/exit sounds; "" (Conference's spelling) and none (MultiPartyCall's) both mean silence. */
export function sound(absent: Sound) {
  return attr('beep:1, beep:2, none or a fully qualified http(s) URL', (raw): Sound | Invalid => {
    const t = raw.trim();
    const lower = t.toLowerCase();
    if (lower === 'beep:1' || lower === 'beep:2') return { type: 'beep', beeps: lower === 'beep:1' ? 1 : 2 };
    if (t === '' || lower === 'none') return { type: 'none' };
    return isHttpUrl(t) ? { type: 'url', url: t } : INVALID;
  }, absent);
}

/** BCP 47-style language tags such as en-US, fr-CA, cmn-CN. */
export const LANGUAGE = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/;

// ---------------------------------------------------------------- reading

/** The element as it appears in messages: `<GetDigits>` or `<GetDigits numDigits="abc">`. */
export function tag(el: XElement, attrName?: string, value?: string): string {
  return attrName === undefined ? `<${el.name}>` : `<${el.name} ${attrName}=${shown(value ?? '')}>`;
}

export function readAttrs<T>(el: XElement, schema: Schema<T>): T {
  const known = new Map<string, string>();
  for (const [field, a] of Object.entries(schema) as [string, Attr<unknown>][]) {
    for (const name of a.names ?? [field]) known.set(name, field);
  }
  for (const [name, value] of el.attrs) {
    if (known.has(name)) continue;
    const twin = [...known.keys()].find((k) => k.toLowerCase() === name.toLowerCase());
    const allowed = known.size === 0 ? `${tag(el)} takes no attributes` : `allowed: ${[...known.keys()].join(', ')}`;
    fail(
      `${tag(el, name, value)}: ${name} is not an attribute of ${tag(el)}` +
        (twin ? ` (attribute names are case-sensitive: did you mean ${twin}?)` : `; ${allowed}`),
    );
  }
  const out: Record<string, unknown> = {};
  for (const [field, a] of Object.entries(schema) as [string, Attr<unknown>][]) {
    const name = (a.names ?? [field]).find((n) => el.attrs.has(n));
    if (name === undefined) {
      if (a.absent === required) fail(`${tag(el)}: ${field} is required and must be ${a.expects}`);
      out[field] = a.absent;
      continue;
    }
    const raw = el.attrs.get(name) as string;
    const value = a.decode(raw);
    if (value === INVALID) fail(`${tag(el, name, raw)}: ${name} must be ${a.expects}`);
    out[field] = value;
  }
  return out as T;
}

/** Every attribute's value when absent: what a builder starts from (required ones have none). */
export function defaults<T>(schema: Schema<T>): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [field, a] of Object.entries(schema) as [string, Attr<unknown>][]) if (a.absent !== required) out[field] = a.absent;
  return out as Partial<T>;
}

export function noAttributes(el: XElement): void {
  readAttrs<Record<string, never>>(el, {});
}

function splitList(raw: string, sep: string): string[] {
  return raw.split(sep).map((p) => p.trim()).filter((p) => p !== '');
}

function listWords(values: readonly string[]): string {
  return values.length === 1 ? values[0] : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}
