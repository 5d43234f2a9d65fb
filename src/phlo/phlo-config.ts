// Checks of a node's config, shared by every component: presence, types,
// enums, ranges, URLs, number/SIP syntax and prompt objects. A string that is
// a template is only known at run time, so literal checks skip it (the
// validator still parses it). Each problem is reported with its field path.
import { ApiError } from '../errors.ts';
import { normalizeNumber } from '../platform/phone.ts';
import { parseSpeakContent } from '../plivo-xml/parse.ts';
import type { Finding } from './phlo-document.ts';
import { isTemplate } from './phlo-template.ts';

const SIP_URI = /^sip:[^@\s]+@[^\s@]+$/i;
const HTTP_URL = /^https?:\/\/[^\s/]+[^\s]*$/i;

export const isAbsoluteHttpUrl = (s: string): boolean => {
  if (!HTTP_URL.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
};

/** A phone number (country code and digits, optional '+') or a SIP URI, as a literal. */
export function isAddress(s: string): boolean {
  if (SIP_URI.test(s)) return true;
  try {
    normalizeNumber(s);
    return true;
  } catch (err) {
    if (err instanceof ApiError) return false;
    throw err;
  }
}

/** `14155550100;ext=12` → number and extension (call_forward targets). */
export function splitExtension(target: string): { address: string; extension?: string } {
  const m = /^(.*);ext=([0-9*#]+)$/.exec(target.trim());
  return m ? { address: m[1], extension: m[2] } : { address: target.trim() };
}

/** A comma list of targets, trimmed, empty items dropped. */
export const splitList = (s: string): string[] =>
  s
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

export const PROMPT_TYPES = ['speak', 'play'] as const;

interface Common {
  required?: boolean;
}

export class ConfigCheck {
  constructor(
    private readonly node: string,
    private readonly values: Record<string, unknown>,
    private readonly report: (f: Finding) => void,
    private readonly prefix = 'config',
  ) {}

  /** The raw value at `key`, for checks of shapes the helpers below do not cover. */
  value(key: string): unknown {
    return this.values[key];
  }

  error(key: string, message: string): void {
    this.report({ node: this.node, field: this.path(key), message });
  }

  private path(key: string): string {
    return key.startsWith('[') ? `${this.prefix}${key}` : `${this.prefix}.${key}`;
  }

  /** The value at `key`, or undefined (reporting it when required). Empty strings count as absent. */
  private present(key: string, o: Common): unknown {
    const v = this.values[key];
    if (v === undefined || v === null || v === '') {
      if (o.required) this.error(key, 'is required');
      return undefined;
    }
    return v;
  }

  string(key: string, o: Common & { enum?: readonly string[]; url?: boolean; address?: 'one' | 'list' | 'list_with_extension'; pattern?: RegExp; hint?: string; maxLength?: number } = {}): string | undefined {
    const v = this.present(key, o);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') {
      this.error(key, 'must be a string');
      return undefined;
    }
    if (o.maxLength !== undefined && v.length > o.maxLength) this.error(key, `must be at most ${o.maxLength} characters long`);
    if (isTemplate(v)) return v;
    if (o.enum && !o.enum.includes(v)) this.error(key, `must be one of: ${o.enum.join(', ')}`);
    if (o.url && !isAbsoluteHttpUrl(v)) this.error(key, `must be an absolute http(s) URL, got "${v}"`);
    if (o.pattern && !o.pattern.test(v)) this.error(key, `must be ${o.hint ?? `of the form ${o.pattern}`}, got "${v}"`);
    if (o.address) {
      const items = o.address === 'one' ? [v.trim()] : splitList(v);
      if (items.length === 0) this.error(key, 'must name at least one number or SIP URI');
      for (const item of items) {
        const address = o.address === 'list_with_extension' ? splitExtension(item).address : item;
        if (!isAddress(address)) this.error(key, `"${item}" is not a phone number (country code and digits) or a SIP URI (sip:user@host)`);
      }
    }
    return v;
  }

  integer(key: string, o: Common & { min?: number; max?: number } = {}): number | undefined {
    const v = this.present(key, o);
    if (v === undefined) return undefined;
    if (typeof v === 'string' && isTemplate(v)) return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isInteger(n)) {
      this.error(key, 'must be an integer');
      return undefined;
    }
    if (o.min !== undefined && n < o.min) this.error(key, `must be at least ${o.min}`);
    if (o.max !== undefined && n > o.max) this.error(key, `must be at most ${o.max}`);
    return n;
  }

  /** JSON booleans, or strings under the boolean rule (so templates are fine). */
  boolean(key: string): void {
    const v = this.present(key, {});
    if (v !== undefined && typeof v !== 'boolean' && typeof v !== 'string') this.error(key, 'must be a boolean (true or false)');
  }

  /** An object whose values are strings (headers, params, payload defaults …). */
  stringMap(key: string, o: Common = {}): Record<string, string> | undefined {
    const v = this.present(key, o);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.error(key, 'must be an object of names to values');
      return undefined;
    }
    for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
      if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') this.error(`${key}.${k}`, 'must be a string, number or boolean');
    }
    return v as Record<string, string>;
  }

  /** A nested object, checked with its own ConfigCheck. */
  object(key: string, o: Common = {}): ConfigCheck | undefined {
    const v = this.present(key, o);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.error(key, 'must be an object');
      return undefined;
    }
    return new ConfigCheck(this.node, v as Record<string, unknown>, this.report, this.path(key));
  }

  /** A list of objects, each checked with its own ConfigCheck. */
  list(key: string, o: Common & { minItems?: number } = {}): ConfigCheck[] | undefined {
    const v = this.present(key, o);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) {
      this.error(key, 'must be a list');
      return undefined;
    }
    if (o.minItems !== undefined && v.length < o.minItems) this.error(key, `must have at least ${o.minItems} item(s)`);
    const items: ConfigCheck[] = [];
    v.forEach((item, i) => {
      if (!item || typeof item !== 'object' || Array.isArray(item)) this.error(`${key}[${i}]`, 'must be an object');
      else items.push(new ConfigCheck(this.node, item as Record<string, unknown>, this.report, `${this.path(key)}[${i}]`));
    });
    return items;
  }

  /** A list of strings. */
  strings(key: string, o: Common & { minItems?: number } = {}): string[] | undefined {
    const v = this.present(key, o);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
      this.error(key, 'must be a list of strings');
      return undefined;
    }
    if (o.minItems !== undefined && v.length < o.minItems) this.error(key, `must have at least ${o.minItems} item(s)`);
    return v as string[];
  }

  /** A prompt: `{type: "speak", text (SSML allowed), language, voice}` or `{type: "play", url}`, optional `loop`. */
  prompt(key: string, o: Common = {}): void {
    const p = this.object(key, o);
    if (!p) return;
    const type = p.string('type', { required: true, enum: PROMPT_TYPES });
    if (type === 'speak') {
      const text = p.string('text', { required: true });
      // Markup is SSML, checked as <Speak> checks it (template tags are plain text to it).
      if (text?.includes('<')) {
        const read = parseSpeakContent(text);
        if (!read.ok) p.error('text', `is not SSML that <Speak> takes: ${read.error}`);
      }
      p.string('language', { pattern: /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, hint: 'a language tag such as en-US' });
      p.string('voice');
    } else if (type === 'play') {
      p.string('url', { required: true, url: true });
    }
    p.integer('loop', { min: 0, max: 100 });
  }
}
