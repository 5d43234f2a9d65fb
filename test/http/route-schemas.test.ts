// Rules every route's schema keeps (docs/decisions.md, "Request parameters
// and updates"): a write declares its body and what it does with keys it does
// not name (documents such as PHLO flows go whole to their own validator);
// every number a request can carry is bounded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AjvCompiler } from '@fastify/ajv-compiler';
import { UNKNOWN_KEYS } from '../../src/http/schemas.ts';
import { AJV_OPTIONS } from '../../src/http/app.ts';
import { platformOn, type Platform } from '../platform/numbers-fixture.ts';
import { routeTable, type RouteInfo } from '../helpers/routes.ts';

function numbersIn(schema: any, path: string, out: Array<{ path: string; schema: any }>): void {
  if (!schema || typeof schema !== 'object') return;
  if (schema.type === 'integer' || schema.type === 'number') out.push({ path, schema });
  for (const b of schema.anyOf ?? []) numbersIn(b, path, out);
  if (schema.items) numbersIn(schema.items, `${path}[]`, out);
  for (const [k, s] of Object.entries(schema.properties ?? {})) numbersIn(s, `${path}.${k}`, out);
}

describe('route schemas', () => {
  let platform: Platform;
  let routes: RouteInfo[];
  before(async () => {
    platform = await platformOn('sqlite');
    routes = await routeTable(platform.services);
  });
  after(async () => platform?.close());

  test('every write declares a closed body that drops or refuses unknown keys', () => {
    const writes = routes.filter((r) => r.method !== 'GET' && !r.public);
    assert.ok(writes.length > 50, `${writes.length} writes`);
    for (const r of writes) {
      const body = r.schema.body;
      assert.ok(body, `${r.method} ${r.url} has no body schema`);
      assert.ok(['strip', 'refuse', 'document'].includes(body[UNKNOWN_KEYS]), `${r.method} ${r.url} body says nothing about unknown keys (use SdkBody, OwnBody or DocumentBody)`);
      if (body[UNKNOWN_KEYS] !== 'document') assert.equal(body.additionalProperties, false, `${r.method} ${r.url} body is not closed`);
    }
  });

  test('every number in a body or query string has a finite minimum and maximum', () => {
    const found: Array<{ path: string; schema: any }> = [];
    for (const r of routes) {
      numbersIn(r.schema.body, `${r.method} ${r.url} body`, found);
      numbersIn(r.schema.querystring, `${r.method} ${r.url} query`, found);
    }
    assert.ok(found.length > 20);
    for (const { path, schema } of found) {
      assert.ok(Number.isFinite(schema.minimum) && Number.isFinite(schema.maximum), `${path} is unbounded`);
      assert.ok(schema.maximum <= Number.MAX_SAFE_INTEGER, `${path} allows unsafe integers`);
    }
  });

  // The server compiles a route's validators on its first request (src/http/lazy-validators.ts): here, all at once.
  test('every schema compiles with the server\'s Ajv options', () => {
    const compile = (AjvCompiler() as unknown as (external: object, options: object) => (route: object) => unknown)({}, { customOptions: AJV_OPTIONS });
    let compiled = 0;
    for (const r of routes) {
      for (const httpPart of ['params', 'querystring', 'body'] as const) {
        const schema = r.schema[httpPart];
        if (!schema) continue;
        assert.doesNotThrow(() => compile({ schema, method: r.method, url: r.url, httpPart }), `${r.method} ${r.url} ${httpPart}`);
        compiled++;
      }
    }
    assert.ok(compiled > 100, `${compiled} schemas`);
  });
});
