// Reading the spec records (test/spec/records/*.json, written by
// scripts/spec-records.mjs) and checking an answer against a documented
// example: every field present, of the same type and format.
import fs from 'node:fs';
import path from 'node:path';

export interface FieldSpec {
  type: 'string' | 'integer' | 'number' | 'boolean' | 'null' | 'object' | 'array';
  format?: string;
}

export interface ResponseExample {
  status: number | null;
  label: string;
  line: number;
  fields: Record<string, FieldSpec>;
}

/** One documented operation (voice-api.txt, phlo-api.txt) or platform function (platform-functions.md). */
export interface OperationRecord {
  id: string;
  source: string;
  operation: string;
  method: string;
  path: string;
  query?: Record<string, string>;
  required: string[];
  conditional?: string[];
  responses?: ResponseExample[];
  review?: string;
}

/** A resource's object example, checked against the answer of the operation that returns it. */
export interface ObjectRecord {
  id: string;
  source: string;
  object: string;
  fields: Record<string, FieldSpec>;
  checkedWith: string;
}

const dir = path.join(import.meta.dirname, 'records');
const read = (name: string) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Array<OperationRecord | ObjectRecord>;

export const records = {
  voice: read('voice.json'),
  phlo: read('phlo.json'),
  platform: read('platform.json') as OperationRecord[],
};

export const isObject = (r: OperationRecord | ObjectRecord): r is ObjectRecord => 'object' in r;

/** The key that joins records of one operation across the references: method, path, query. */
export function operationKey(r: Pick<OperationRecord, 'method' | 'path' | 'query'>): string {
  const q = new URLSearchParams(r.query ?? {}).toString();
  return `${r.method} ${r.path}${q ? `?${q}` : ''}`;
}

/** Matches a concrete URL path against a record's path template ({placeholders}, name_{mpc_name}). */
export function pathMatcher(template: string): RegExp {
  const pattern = template
    .replace(/\/$/, '')
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}/?$`);
}

const FORMATS: Record<string, RegExp> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  'datetime-offset': /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/,
  datetime: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/,
  'iso-datetime': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  decimal: /^-?\d+\.\d+$/,
  digits: /^\d+$/,
  'bool-string': /^(true|false)$/,
  'api-path': /^\/v\d\/\S*$/,
  url: /^(https?|wss?):\/\/\S+$/,
};

function typeOf(value: unknown): FieldSpec['type'] | 'undefined' {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value as FieldSpec['type'];
}

/** The values a field path names in an answer: `a.b`, `list[].c` (every element). */
export function valuesAt(body: unknown, field: string): unknown[] {
  let current: unknown[] = [body];
  for (const step of field.split('.')) {
    const array = step.endsWith('[]');
    const key = array ? step.slice(0, -2) : step;
    const next: unknown[] = [];
    for (const v of current) {
      const child = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
      if (array && Array.isArray(child)) next.push(...child);
      else if (!array || child !== undefined) next.push(child);
    }
    current = next;
  }
  return current;
}

export interface FieldResult {
  field: string;
  /** undefined: checked and conforming; else what is wrong. */
  problem?: string;
  /** The answer had no element to check it on (an empty list). */
  unchecked?: boolean;
}

/** Each documented field of `fields` in `body`: present, same type, same format. */
export function checkFields(body: unknown, fields: Record<string, FieldSpec>): FieldResult[] {
  return Object.entries(fields).map(([field, spec]) => {
    const values = valuesAt(body, field);
    if (values.length === 0) return { field, unchecked: true };
    for (const v of values) {
      const t = typeOf(v);
      if (t === 'undefined') return { field, problem: 'missing' };
      if (spec.type === 'null') continue;
      const sameType = t === spec.type || (spec.type === 'number' && t === 'integer');
      if (!sameType) return { field, problem: `is ${t} ${JSON.stringify(v)}, documented ${spec.type}${spec.format ? ` (${spec.format})` : ''}` };
      if (spec.format && !FORMATS[spec.format]!.test(String(v))) return { field, problem: `${JSON.stringify(v)} is not ${spec.format}` };
    }
    return { field };
  });
}
