// Turns Ajv's schema errors into one sentence that names the field and says
// what is allowed, e.g. "answer_method must be one of: GET, POST".
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';

type Source = string;

function fieldName(err: FastifySchemaValidationError): string {
  const path = (err.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const { missingProperty, additionalProperty } = err.params as { missingProperty?: string; additionalProperty?: string };
  const key = missingProperty ?? additionalProperty;
  return key ? (path ? `${path}.${key}` : key) : path || 'request';
}

function describe(err: FastifySchemaValidationError & { parentSchema?: { description?: string } }): string {
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      return 'is required';
    case 'enum':
      return `must be one of: ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'type':
      return `must be ${p.type === 'integer' ? 'an integer' : p.type === 'array' ? 'a list' : `a ${p.type}`}`;
    case 'minimum':
      return `must be at least ${p.limit}`;
    case 'maximum':
      return `must be at most ${p.limit}`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters long`;
    case 'maxLength':
      return `must be at most ${p.limit} characters long`;
    case 'pattern':
      return err.message?.startsWith('must match') ? `has an invalid format (expected ${String(err.parentSchema?.description ?? p.pattern)})` : String(err.message);
    case 'format':
      return p.format === 'uri' ? 'must be an absolute http(s) URL' : `must be a valid ${p.format}`;
    case 'additionalProperties':
      return 'is not a parameter of this request';
    case 'anyOf':
      return err.parentSchema?.description ? `must be ${err.parentSchema.description}` : 'has an invalid value';
    default:
      return err.message ?? 'is invalid';
  }
}

export function formatSchemaErrors(errors: FastifySchemaValidationError[], source: Source): Error {
  // anyOf reports each failed branch first; the summary entry is the useful one.
  const best = errors.find((e) => e.keyword === 'anyOf') ?? errors.find((e) => e.keyword === 'required') ?? errors[0];
  const where = source === 'body' || source === 'querystring' ? '' : ` (in ${source})`;
  return new Error(best ? `${fieldName(best)} ${describe(best)}${where}` : `invalid ${source}`);
}
