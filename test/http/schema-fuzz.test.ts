// Property-based fuzz over every route's schema (fast-check): requests built
// from each route's own parameters, with hostile values (null, "", Infinity,
// 1e308, -0, NaN, hex, huge strings, nested objects) and hostile keys (column
// names, `name[]`, `__proto__`), as JSON and as forms. No answer is a 5xx,
// and a rejected write (4xx) leaves every table exactly as it was.
// Bounded and seeded (FUZZ_SEED, FUZZ_RUNS to explore further).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { verifiedCallerIdsRepo } from '../../src/store/repos/caller-ids.ts';
import { apiOn, type Api } from '../helpers/api.ts';
import { databases } from '../helpers/pg.ts';
import { routeTable, type RouteInfo } from '../helpers/routes.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const RUNS = (db: string) => Number(process.env.FUZZ_RUNS ?? (db === 'sqlite' ? 10 : 4));

/** Routes whose 4xx may store something by design. */
const STORES_ON_REJECT = new Set([
  // A wrong code is counted (five and the verification locks).
  'POST /v1/Account/:authId/VerifiedCallerId/Verification/:verificationUuid/',
]);

const HOSTILE_VALUES: unknown[] = [null, '', ' ', 'Infinity', '-Infinity', 'NaN', '1e308', '-0', '0x10', '+5', '1.5', 'null', 'True', '\u0000', 'é😀', "x'); drop table accounts; --", '__proto__', 1e308, -1, 0, -0, 2 ** 53, 1.5, true, false, [], {}, ['a', 'b'], { a: { b: 1 } }, 'a'.repeat(3000)];
const HOSTILE_KEYS = ['name[]', '__proto__', 'constructor', 'prototype', 'toString', 'cash_credits', 'parent_id', 'auth_token', 'enabled', 'account_id', 'subaccount_id', 'auth_id', 'app_id', 'callback_url', ''];
const URLS = ['http://127.0.0.1:9/a', 'https://127.0.0.1:9/b?x=1', 'ftp://example.com', 'http://', 'not a url', 'ws://127.0.0.1:9/s'];

function typedArb(s: any): fc.Arbitrary<unknown> {
  if (!s || typeof s !== 'object') return fc.anything();
  if (s.anyOf) return fc.oneof(...s.anyOf.map(typedArb));
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  switch (s.type) {
    case 'string':
      if (typeof s.pattern === 'string' && s.pattern.includes('http')) return fc.constantFrom(...URLS);
      return fc.oneof(fc.string({ maxLength: Math.min(s.maxLength ?? 40, 40) }), fc.constantFrom('14155550100', '+14155550100', 'sip:desk@switchboard.local', 'POST', 'true', 'all', '1'));
    case 'integer':
      return fc.integer({ min: Math.max(s.minimum ?? -1e6, -1e9), max: Math.min(s.maximum ?? 1e6, 1e9) }).chain((n) => fc.constantFrom<unknown>(n, String(n)));
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.constantFrom(true, false, 'true', 'False');
    case 'array':
      return fc.array(typedArb(s.items), { maxLength: 3 });
    case 'object':
      return fc.constant({});
    default:
      return fc.anything({ maxDepth: 1 });
  }
}

const HOSTILE_NUMBERS: unknown[] = ['Infinity', '-Infinity', 'NaN', '1e308', '-0', '0x10', '', '+5', '1.5', '1e3', '99999999999999999999', 1e308, -1, -0, 2 ** 53, 1.5];

function isNumeric(s: any): boolean {
  return s?.type === 'integer' || s?.type === 'number' || (s?.anyOf ?? []).some(isNumeric);
}

/** Mostly values of the field's type, often hostile ones (numeric fields get the numeric tricks). */
const valueArb = (s: any) =>
  fc.oneof(
    { arbitrary: typedArb(s), weight: 3 },
    { arbitrary: fc.constantFrom(...(isNumeric(s) ? HOSTILE_NUMBERS : HOSTILE_VALUES)), weight: 2 },
    { arbitrary: fc.constantFrom(...HOSTILE_VALUES), weight: 1 },
  );

function objectArb(schema: any): fc.Arbitrary<Record<string, unknown>> {
  const props = Object.fromEntries(Object.entries<any>(schema?.properties ?? {}).map(([k, s]) => [k, valueArb(s)]));
  const extras = fc.dictionary(fc.constantFrom(...HOSTILE_KEYS), fc.constantFrom(...HOSTILE_VALUES), { maxKeys: 2 });
  return fc.tuple(fc.record(props, { requiredKeys: [] }), fc.oneof({ arbitrary: fc.constant({}), weight: 3 }, { arbitrary: extras, weight: 1 })).map(([a, b]) => ({ ...b, ...a }));
}

/** A JSON body (raw text, so `__proto__` is a real key) or a form (values as text). */
function encode(obj: Record<string, unknown>, form: boolean): { json?: string; form?: Record<string, string> } {
  if (!form) return { json: `{${Object.entries(obj).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}` };
  return { form: Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? ''])) };
}

for (const { name: dbName, skip } of databases) {
  describe(`schema fuzz (${dbName})`, { skip }, () => {
    let api: Api;
    let routes: RouteInfo[];
    let tables: string[];
    const ids: Record<string, string[]> = {};
    let requests = 0;
    let known: Map<string, string> | undefined;

    /** One digest per table: a rejected write must leave all of them as they were. */
    let spent = 0;
    const fingerprint = async (): Promise<Map<string, string>> => {
      const t0 = performance.now();
      const out = new Map<string, string>();
      // One round trip for all tables (PostgreSQL's latency, not the rows, is the cost).
      const results = await Promise.all(tables.map((t) => sql`select * from ${sql.table(t)}`.execute(api.platform.db)));
      tables.forEach((t, i) => out.set(t, createHash('sha1').update(results[i]!.rows.map((r) => JSON.stringify(r)).sort().join('\n')).digest('hex')));
      spent += performance.now() - t0;
      return out;
    };

    before(async () => {
      api = await apiOn(dbName);
      routes = (await routeTable(api.platform.services)).filter((r) => !r.public);
      // The inventory is reference data no request writes (renting adds a row to numbers).
      tables = (await api.platform.db.introspection.getTables()).map((t) => t.name).filter((t) => !t.startsWith('kysely_') && t !== 'number_pool');
      const m = api.main.authId;
      const sub = await api.subaccount('Fuzz team');
      const post = async (path: string, json: unknown) => (await api.request('POST', `/v1/Account/${m}/${path}`, { json })).body;
      const app = (await post('Application/', { app_name: 'Fuzz', answer_url: 'http://127.0.0.1:9/answer' })).app_id;
      const endpoint = (await post('Endpoint/', { username: 'fuzz', password: 'secret1', alias: 'Fuzz' })).endpoint_id;
      const carrier = (await post('IncomingCarrier/', { name: 'Trunk', ip_set: '192.0.2.20' })).carrier_id;
      const [n] = (await api.request('GET', `/v1/Account/${m}/PhoneNumber/?country_iso=US&limit=1`)).body.objects;
      await post(`PhoneNumber/${n.number}/`, {});
      const now = api.platform.clock.now();
      await verifiedCallerIdsRepo.upsert(api.platform.db, {
        account_id: m, subaccount_id: null, phone_number: '14155550123', alias: 'Desk', country: 'US', channel: 'sms',
        verification_uuid: '00000000-0000-4000-8000-000000000003', created_at: now, modified_at: now,
      });
      const odd = ['0', '..', '%00', 'x'.repeat(300), 'null'];
      Object.assign(ids, {
        authId: [m], subId: [sub.authId, m], appId: [app], endpointId: [endpoint], carrierId: [carrier], number: [n.number, '14155550100'],
        phoneNumber: ['14155550123', '+14155550123'], callUuid: ['00000000-0000-4000-8000-000000000009'], recordingId: ['00000000-0000-4000-8000-00000000000a'],
        mpcId: ['name_room', 'uuid_00000000-0000-4000-8000-00000000000b'], memberId: ['all', '1', '1,2'], name: ['room'], username: ['fuzz'],
        verificationUuid: ['00000000-0000-4000-8000-00000000000c'], streamId: ['00000000-0000-4000-8000-00000000000d'], requestUuid: ['00000000-0000-4000-8000-00000000000e'],
        messageUuid: ['00000000-0000-4000-8000-00000000000f'], ext: ['mp3'],
      });
      for (const k of Object.keys(ids)) if (k !== 'authId') ids[k]!.push(...odd);
    });
    after(async () => api?.close());

    test('no route answers 5xx, and no rejected write stores anything', async () => {
      for (const route of routes) {
        const key = `${route.method} ${route.url}`;
        const paramNames = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
        const paramsArb = fc.record(Object.fromEntries(paramNames.map((p) => [p, fc.constantFrom(...(ids[p] ?? ['x']))])));
        const isGet = route.method === 'GET';
        const requestArb = fc.record({
          params: paramsArb,
          query: isGet && route.schema.querystring ? objectArb(route.schema.querystring) : fc.constant({}),
          body: isGet ? fc.constant({}) : objectArb(route.schema.body),
          form: fc.boolean(),
        });
        await fc.assert(
          fc.asyncProperty(requestArb, async ({ params, query, body, form }) => {
            let url = route.url.replace(/:(\w+)/g, (_, p: string) => encodeURIComponent(params[p] as string));
            const qs = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v) ?? '')}`).join('&');
            if (qs) url += `?${qs}`;
            // State changes only through requests here, so the last rejected write's fingerprint is still true.
            const before = isGet ? undefined : (known ??= await fingerprint());
            const res = await api.app.inject({
              method: route.method as 'GET',
              url,
              headers: {
                authorization: 'Basic ' + Buffer.from(`${api.main.authId}:${api.main.authToken}`).toString('base64'),
                ...(isGet ? {} : { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' }),
              },
              payload: isGet ? undefined : form ? new URLSearchParams(encode(body, true).form).toString() : encode(body, false).json,
              // A live response never ends: its status is what counts (closing the app ends it).
              payloadAsStream: route.live,
            });
            requests++;
            const what = `${key} ${url} ${form ? 'form' : 'json'} ${JSON.stringify(body)} → ${res.statusCode} ${route.live ? '(live)' : res.body.slice(0, 200)}`;
            assert.ok(res.statusCode < 500, what);
            if (isGet) return;
            known = undefined;
            if (res.statusCode >= 400 && !STORES_ON_REJECT.has(key)) {
              const after = await fingerprint();
              for (const [t, digest] of before!) assert.equal(after.get(t), digest, `table ${t} changed on a rejected request: ${what}`);
              known = after;
            }
          }),
          { numRuns: RUNS(dbName), seed: SEED, endOnFailure: true },
        );
      }
      console.log(`schema fuzz (${dbName}): ${routes.length} routes, ${requests} requests, seed ${SEED}, fingerprints ${Math.round(spent)} ms, tables ${tables.length}`);
    });
  });
}
