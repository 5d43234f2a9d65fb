// Reusable schema pieces. SDKs send booleans as "true"/"True" strings and
// numbers as strings, so the shared types accept both and services normalise.
import { Type, type TOptional, type TSchema } from 'typebox';

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

export const Limit = Type.Integer({ minimum: 1, maximum: 20 });
export const Offset = Type.Integer({ minimum: 0 });

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
