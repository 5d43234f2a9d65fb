// Brings every request body and query string to one shape before the schema
// validates it (Ajv runs without coercion or removal of its own):
// - keys the route does not name are dropped, or refused with a 400 that
//   names them (per body: SdkBody / OwnBody in schemas.ts; query strings drop);
// - no body is an empty body, and a JSON null means "not given", unless the field's schema accepts null
//   (a number's `app_id: null` unlinks its application);
// - strings from forms and query strings become numbers or booleans only when
//   they spell one exactly: decimal digits (no hex, exponent, Infinity or
//   empty string), true/false; anything else stays a string and fails the
//   schema's type check with a 400.
import type { preValidationHookHandler, RouteOptions } from 'fastify';
import { ApiError } from '../errors.ts';
import { UNKNOWN_KEYS, type UnknownKeys } from './schemas.ts';

/** The parts of a JSON schema this module reads. */
interface Schema {
  type?: string | string[];
  anyOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  [UNKNOWN_KEYS]?: UnknownKeys;
}

type Coerce = (value: unknown) => unknown;

const INTEGER = /^-?\d{1,15}$/;
const DECIMAL = /^-?(\d{1,15}(\.\d{1,15})?|\.\d{1,15})$/;
const BOOLEAN: Record<string, boolean> = { true: true, false: false };

/** -0 is read as 0: the same number, and one spelling of it in what we store and echo. */
const plain = (n: number): number => (n === 0 ? 0 : n);

function typeOf(s: Schema): string | undefined {
  return Array.isArray(s.type) ? undefined : s.type;
}

function matches(s: Schema, v: unknown): boolean {
  switch (typeOf(s)) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    default:
      return s.anyOf ? s.anyOf.some((b) => matches(b, v)) : true;
  }
}

function acceptsNull(s: Schema): boolean {
  return typeOf(s) === 'null' || (Array.isArray(s.type) && s.type.includes('null')) || (s.anyOf?.some(acceptsNull) ?? false);
}

/** How one field's value is brought to its schema's type (identity when it cannot be, so validation reports it). */
function coercerFor(s: Schema): Coerce {
  if (s.anyOf) {
    const branches = s.anyOf.map((b) => ({ schema: b, coerce: coercerFor(b) }));
    return (v) => {
      if (branches.some((b) => matches(b.schema, v))) return v;
      for (const b of branches) {
        const c = b.coerce(v);
        if (c !== v && matches(b.schema, c)) return c;
      }
      return v;
    };
  }
  switch (typeOf(s)) {
    case 'string':
      return (v) => ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean' ? String(v) : v);
    case 'integer':
      return (v) => (typeof v === 'string' && INTEGER.test(v) ? plain(Number(v)) : typeof v === 'number' ? plain(v) : v);
    case 'number':
      return (v) => (typeof v === 'string' && DECIMAL.test(v) ? plain(Number(v)) : typeof v === 'number' ? plain(v) : v);
    case 'boolean':
      return (v) => (typeof v === 'string' && v.toLowerCase() in BOOLEAN ? BOOLEAN[v.toLowerCase()] : v);
    case 'array': {
      const item = s.items ? coercerFor(s.items) : (v: unknown) => v;
      // A form or query string sends one value for a one-element list.
      return (v) => (Array.isArray(v) ? v.map(item) : v === undefined ? v : [item(v)]);
    }
    default:
      return (v) => v;
  }
}

interface Field {
  coerce: Coerce;
  nullable: boolean;
}

/** The normaliser of one object schema (a body or a query string), or undefined when there is nothing to do. */
function objectNormaliser(schema: Schema | undefined, unknown: 'strip' | 'refuse', where: string): ((data: unknown) => void) | undefined {
  if (!schema?.properties) return undefined;
  const fields = new Map<string, Field>(Object.entries(schema.properties).map(([k, s]) => [k, { coerce: coercerFor(s), nullable: acceptsNull(s) }]));
  const known = [...fields.keys()].sort();
  return (data) => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return;
    const obj = data as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      const field = fields.get(key);
      if (!field) {
        if (unknown === 'refuse') {
          throw new ApiError(400, `${key} is not a parameter of ${where}; ${known.length ? `it takes ${known.join(', ')}` : 'it takes none'}`);
        }
        delete obj[key];
        continue;
      }
      const value = obj[key];
      if (value === null && !field.nullable) {
        delete obj[key];
        continue;
      }
      const coerced = field.coerce(value);
      if (coerced !== value) obj[key] = coerced;
    }
  };
}

/** The route's preValidation step, or undefined when its schema has neither body nor query string. */
export function requestNormaliser(route: RouteOptions): preValidationHookHandler | undefined {
  const schema = route.schema as { body?: Schema; querystring?: Schema } | undefined;
  const where = `${[route.method].flat().join('/')} ${route.url.replace(/:(\w+)/g, '{$1}')}`;
  const unknown = schema?.body?.[UNKNOWN_KEYS] ?? 'strip';
  const body = unknown === 'document' ? undefined : objectNormaliser(schema?.body, unknown, where);
  const query = objectNormaliser(schema?.querystring, 'strip', where);
  if (!schema?.body && !query) return undefined;
  return (req, _reply, done) => {
    try {
      // No body (a DELETE from curl), or the JSON `""` the Node SDK sends on
      // DELETE, is an empty one: required fields are then reported by name.
      if (schema?.body && (req.body === undefined || req.body === null || req.body === '')) req.body = {};
      body?.(req.body);
      query?.(req.query);
    } catch (err) {
      return done(err as Error);
    }
    done();
  };
}
