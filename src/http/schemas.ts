// Reusable schema pieces. SDKs send booleans as "true"/"True" strings and
// numbers as strings, so the shared types accept both and services normalise.
// Every request body is built with SdkBody or OwnBody, which say what happens
// to keys the route does not name (docs/decisions.md, "Request parameters").
import { Type, type TObject, type TOptional, type TProperties, type TSchema } from 'typebox';

/**
 * What a body does with a key it does not name: drop it, answer 400, or (a
 * document such as a PHLO flow or a run's payload) hand it all to the
 * document's own validator, which never maps keys to columns.
 */
export type UnknownKeys = 'strip' | 'refuse' | 'document';
export const UNKNOWN_KEYS = Symbol('unknown keys');

function mark<T extends TSchema>(schema: T, unknown: UnknownKeys): T {
  Object.defineProperty(schema, UNKNOWN_KEYS, { value: unknown, enumerable: true });
  return schema;
}

const body = <P extends TProperties>(props: P, unknown: UnknownKeys): TObject<P> => mark(Type.Object(props, { additionalProperties: false }), unknown);

/**
 * The body of a route an official SDK sends keys to that the route does not
 * use (the Python SDK repeats path ids and its async `callback_url`; both
 * SDKs pass newer parameters through): those keys are dropped before the
 * handler sees the body.
 */
export const SdkBody = <P extends TProperties>(props: P): TObject<P> => body(props, 'strip');

/** The body of a route no official SDK adds keys to: a key it does not name is a 400 that names it. */
export const OwnBody = <P extends TProperties>(props: P): TObject<P> => body(props, 'refuse');

/** A body that is a document checked by its own rules (a PHLO flow, a run's payload). */
export const DocumentBody = <T extends TSchema>(schema: T): T => mark(schema, 'document');

/** A body-less write (DELETE, POST …/Kick/) that an SDK may still send parameters to. */
export const NoSdkBody = Type.Optional(SdkBody({}));

export const BoolLike = Type.Unsafe<boolean | string>({
  anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false', 'True', 'False', 'TRUE', 'FALSE', '1', '0'] }],
  description: 'true or false',
});

export function toBool(v: boolean | string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  return v.toLowerCase() === 'true' || v === '1';
}

export const HttpMethod = Type.Unsafe<'GET' | 'POST'>({
  type: 'string',
  enum: ['GET', 'POST'],
});

/** An absolute http(s) URL, or empty to clear it. */
export const UrlOrEmpty = Type.String({
  maxLength: 2048,
  pattern: '^(https?://[^\\s]+)?$',
  description: 'an absolute http(s) URL',
});

export const Url = Type.String({ maxLength: 2048, pattern: '^https?://[^\\s]+$', description: 'an absolute http(s) URL' });

export const Name = (max = 255) => Type.String({ minLength: 1, maxLength: max });

/** Integers are bounded, so `1e308` (an integer to JSON) is refused before it reaches SQL. */
export const MAX_INT = 1_000_000_000;
export const Int = (minimum = 0, maximum = MAX_INT) => Type.Integer({ minimum, maximum });

export const Limit = Int(1, 20);
export const Offset = Int(0, MAX_INT);

export const PageQuery = { limit: Type.Optional(Limit), offset: Type.Optional(Offset) };

export const AuthIdParam = Type.Object({ authId: Type.String() });

export function withAuthId<T extends Record<string, TSchema>>(props: T) {
  return Type.Object({ authId: Type.String(), ...props });
}

type RangeKeys<N extends string> = N | `${N}__gt` | `${N}__gte` | `${N}__lt` | `${N}__lte`;

/**
 * The platform's range filters: `name`, `name__gt`, `name__gte`, `name__lt`
 * and `name__lte`, all optional and of the same type.
 */
export function rangeFilter<N extends string, S extends TSchema>(name: N, schema: S): { [K in RangeKeys<N>]: TOptional<S> } {
  const keys = [name, `${name}__gt`, `${name}__gte`, `${name}__lt`, `${name}__lte`];
  return Object.fromEntries(keys.map((k) => [k, Type.Optional(schema)])) as { [K in RangeKeys<N>]: TOptional<S> };
}
