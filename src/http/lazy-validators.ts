// Request validators compiled when a route first validates a request, not
// when the server starts. Compiling the ~150 route schemas with Ajv was most
// of a start's CPU (a testing-kit start, a `switchboard serve`), and a test
// run reaches a handful of routes. One Ajv per option set serves every
// server in the process (Fastify's own compiler pool, @fastify/ajv-compiler),
// so a schema another server already compiled is not compiled again.
// test/http/route-schemas.test.ts compiles every route's schemas, so a
// broken one still fails the tests rather than its first request.
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

type BuildValidator = NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']>;
type Validate = ((data: unknown, context?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown };
// What Fastify passes and gets at run time (the package's own types describe Ajv's compile instead).
type Compile = (route: { schema: unknown; method: string; url: string; httpPart: string }) => Validate;

const ajvPool = AjvCompiler() as unknown as (externalSchemas: unknown, options: unknown) => Compile;

/** Fastify's `schemaController.compilersFactory.buildValidator`: Fastify's Ajv compiler, compiling on first use. */
export const buildLazyValidator = ((externalSchemas: unknown, options: unknown): Compile => {
  const compile = ajvPool(externalSchemas, options);
  return (route) => {
    let compiled: Validate | undefined;
    const validate: Validate = (data, context) => {
      compiled ??= compile(route);
      const result = compiled(data, context);
      validate.errors = compiled.errors;
      return result;
    };
    // Ajv's validators carry their schema environment, and Fastify then passes the
    // parent object so a validator may replace the root value; this one forwards it.
    validate.schemaEnv = true;
    return validate;
  };
}) as unknown as BuildValidator;
