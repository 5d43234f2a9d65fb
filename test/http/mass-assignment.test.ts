// Every update route, sent every column name of its table (and keys that
// must never reach SQL or a prototype), as JSON and as a form, alone and
// beside a valid change: no 5xx, and no column outside the route's
// documented writable fields changes — in any row of the table.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifiedCallerIdsRepo } from '../../src/store/repos/caller-ids.ts';
import { apiOn, type Api, type Creds } from '../helpers/api.ts';
import { databases } from '../helpers/pg.ts';

const ODD_KEYS = ['name[]', 'cash_credits[]', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'a.b', "name'; --", ''];

interface Case {
  route: string;
  table: string;
  key: string;
  /** Columns the route documents as writable (on the target row only). */
  writable: string[];
  /** A valid change, sent beside the hostile key. */
  valid: Record<string, string>;
  url: () => string;
  target: () => string;
  creds?: () => Creds;
  /** Unknown keys are refused (400) rather than dropped. */
  refuses?: boolean;
}

for (const { name: dbName, skip } of databases) {
  describe(`mass assignment matrix (${dbName})`, { skip }, () => {
    let api: Api;
    let sub: Creds;
    const ids: Record<string, string> = {};
    let requests = 0;

    before(async () => {
      api = await apiOn(dbName);
      sub = await api.subaccount('Team');
      const m = api.main.authId;
      const post = async (path: string, json: unknown) => (await api.request('POST', `/v1/Account/${m}/${path}`, { json })).body;
      ids.app = (await post('Application/', { app_name: 'App', answer_url: 'https://example.com/a' })).app_id;
      ids.endpoint = (await post('Endpoint/', { username: 'desk', password: 'secret1', alias: 'Desk' })).endpoint_id;
      ids.carrier = (await post('IncomingCarrier/', { name: 'Trunk', ip_set: '192.0.2.10' })).carrier_id;
      const [n] = (await api.request('GET', `/v1/Account/${m}/PhoneNumber/?country_iso=US&limit=1`)).body.objects;
      await post(`PhoneNumber/${n.number}/`, {});
      ids.number = n.number;
      const now = api.platform.clock.now();
      await verifiedCallerIdsRepo.upsert(api.platform.db, {
        account_id: m, subaccount_id: null, phone_number: '14155550123', alias: 'Desk', country: 'US', channel: 'sms',
        verification_uuid: '00000000-0000-4000-8000-000000000001', created_at: now, modified_at: now,
      });
    });
    after(async () => api?.close());

    const cases: Case[] = [
      { route: 'POST /Account/{main}/', table: 'accounts', key: 'auth_id', writable: ['name', 'city', 'address', 'state', 'timezone', 'modified_at'], valid: { city: 'Paris' }, url: () => `/v1/Account/${api.main.authId}/`, target: () => api.main.authId, refuses: true },
      { route: 'POST /Account/{sub}/ by the subaccount', table: 'accounts', key: 'auth_id', writable: ['name', 'city', 'address', 'state', 'timezone', 'modified_at'], valid: { city: 'Lyon' }, url: () => `/v1/Account/${sub.authId}/`, target: () => sub.authId, creds: () => sub, refuses: true },
      { route: 'POST /Subaccount/{sub}/', table: 'accounts', key: 'auth_id', writable: ['name', 'enabled', 'modified_at'], valid: { name: 'Team' }, url: () => `/v1/Account/${api.main.authId}/Subaccount/${sub.authId}/`, target: () => sub.authId },
      { route: 'POST /Application/{id}/', table: 'applications', key: 'app_id', writable: ['app_name', 'answer_url', 'answer_method', 'hangup_url', 'hangup_method', 'fallback_answer_url', 'fallback_method', 'message_url', 'message_method', 'default_number_app', 'default_endpoint_app', 'log_incoming_messages', 'public_uri', 'subaccount_id'], valid: { app_name: 'Renamed' }, url: () => `/v1/Account/${api.main.authId}/Application/${ids.app}/`, target: () => ids.app! },
      { route: 'POST /Endpoint/{id}/', table: 'endpoints', key: 'endpoint_id', writable: ['alias', 'app_id', 'phlo_id', 'ha1', 'realm', 'password_md5'], valid: { alias: 'Front' }, url: () => `/v1/Account/${api.main.authId}/Endpoint/${ids.endpoint}/`, target: () => ids.endpoint! },
      { route: 'POST /IncomingCarrier/{id}/', table: 'incoming_carriers', key: 'carrier_id', writable: ['name', 'ip_set', 'prefix_set', 'voice', 'sms'], valid: { name: 'Trunk B' }, url: () => `/v1/Account/${api.main.authId}/IncomingCarrier/${ids.carrier}/`, target: () => ids.carrier!, refuses: true },
      { route: 'POST /Number/{n}/', table: 'numbers', key: 'number', writable: ['app_id', 'phlo_id', 'subaccount_id', 'alias', 'cnam_lookup'], valid: { alias: 'Sales' }, url: () => `/v1/Account/${api.main.authId}/Number/${ids.number}/`, target: () => ids.number! },
      { route: 'POST /VerifiedCallerId/{n}/', table: 'verified_caller_ids', key: 'phone_number', writable: ['alias', 'subaccount_id', 'modified_at'], valid: { alias: 'Front desk' }, url: () => `/v1/Account/${api.main.authId}/VerifiedCallerId/14155550123/`, target: () => '14155550123' },
    ];

    const snapshot = async (table: string, key: string): Promise<Map<string, Record<string, unknown>>> => {
      const rows = (await api.platform.db.selectFrom(table as 'accounts').selectAll().execute()) as unknown as Array<Record<string, unknown>>;
      return new Map(rows.map((r) => [String(r[key]), r]));
    };

    for (const c of cases) {
      test(`${c.route}: only ${c.writable.join(', ')} can change`, async () => {
        let before = await snapshot(c.table, c.key);
        const columns = Object.keys(before.values().next().value!);
        const hostile = [...columns, ...ODD_KEYS];
        for (const key of hostile) {
          // Text and numbers, as JSON and as forms, alone and beside a valid change.
          for (const [value, encoding, withValid] of [['MASS', 'json', false], [999, 'json', true], ['MASS', 'form', true], ['999', 'form', false]] as const) {
            {
              {
                const fields: Record<string, unknown> = { ...(withValid ? c.valid : {}), [key]: value };
                const json = encoding === 'json' ? `{${Object.entries(fields).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}` : undefined;
                const res = await api.request('POST', c.url(), { creds: c.creds?.(), json, form: encoding === 'form' ? (fields as Record<string, string>) : undefined });
                requests++;
                const what = `${encoding} ${JSON.stringify(fields)} → ${res.status} ${JSON.stringify(res.body?.error ?? '')}`;
                assert.ok(res.status < 500, what);
                const isColumnOfRoute = c.writable.includes(key) || Object.keys(c.valid).includes(key);
                if (c.refuses && !isColumnOfRoute) assert.equal(res.status, 400, what);
                const afterRows = await snapshot(c.table, c.key);
                assert.deepEqual([...afterRows.keys()].sort(), [...before.keys()].sort(), `rows added or removed: ${what}`);
                for (const [id, row] of afterRows) {
                  const was = before.get(id)!;
                  for (const col of columns) {
                    if (id === c.target() && c.writable.includes(col)) continue;
                    assert.deepEqual(row[col], was[col], `${c.table}.${col} of ${id} changed: ${what}`);
                  }
                }
                before = afterRows;
              }
            }
          }
        }
      });
    }

    test('the matrix ran every request', () => {
      assert.ok(requests > 700, `${requests} requests`);
      console.log(`mass assignment matrix (${dbName}): ${requests} requests`);
    });
  });
}
