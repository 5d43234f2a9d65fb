// Tenant isolation: every resource × read / modify / delete × the owning
// subaccount, another subaccount and the main account. A subaccount reaches
// only its own resources (another's answer 404, as if they did not exist;
// the main account's carriers and subaccounts 401, the documented answer
// for credentials not allowed there); the main account reaches
// all. A refused attempt changes nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifiedCallerIdsRepo } from '../../src/store/repos/caller-ids.ts';
import { apiOn, type Api, type Creds } from '../helpers/api.ts';
import { databases } from '../helpers/pg.ts';

type Op = 'read' | 'modify' | 'delete';
type Owner = 'main' | 'a' | 'b';

interface Resource {
  name: string;
  /** Owners an instance is made for (carriers exist only for the main account). */
  owners: Owner[];
  create(api: Api, owner: Creds, ownerKey: Owner, i: number): Promise<string>;
  path(id: string): string;
  modify?: Record<string, unknown>;
  ops: Op[];
  /** What a subaccount gets for someone else's instance. */
  denied: number;
}

const methodOf: Record<Op, string> = { read: 'GET', modify: 'POST', delete: 'DELETE' };

for (const { name: dbName, skip } of databases) {
  describe(`tenant isolation matrix (${dbName})`, { skip }, () => {
    let api: Api;
    const creds = {} as Record<Owner, Creds>;
    let spare: Array<{ number: string }> = [];
    let cells = 0;

    before(async () => {
      api = await apiOn(dbName);
      creds.main = api.main;
      creds.a = await api.subaccount('A');
      creds.b = await api.subaccount('B');
      spare = (await api.request('GET', `/v1/Account/${api.main.authId}/PhoneNumber/?country_iso=US&services=sms&limit=20`)).body.objects;
      assert.ok(spare.length >= 9);
    });
    after(async () => api?.close());

    const post = async (c: Creds, path: string, json: unknown) => {
      const res = await api.request('POST', `/v1/Account/${c.authId}/${path}`, { creds: c, json });
      assert.ok(res.status < 300, `${path} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    let next = 0;
    const number = () => spare[next++]!.number;

    const resources: Resource[] = [
      { name: 'application', owners: ['main', 'a', 'b'], ops: ['read', 'modify', 'delete'], denied: 404, modify: { app_name: 'taken over' },
        create: async (_api, c, o) => (await post(c, 'Application/', { app_name: `app ${o}`, answer_url: 'https://example.com/a' })).app_id, path: (id) => `Application/${id}/` },
      { name: 'endpoint', owners: ['main', 'a', 'b'], ops: ['read', 'modify', 'delete'], denied: 404, modify: { alias: 'taken over' },
        create: async (_api, c, o) => (await post(c, 'Endpoint/', { username: `ep${o}`, password: 'secret1', alias: `ep ${o}` })).endpoint_id, path: (id) => `Endpoint/${id}/` },
      { name: 'number', owners: ['main', 'a', 'b'], ops: ['read', 'modify', 'delete'], denied: 404, modify: { alias: 'taken over' },
        create: async (_api, c) => { const n = number(); await post(c, `PhoneNumber/${n}/`, {}); return n; }, path: (id) => `Number/${id}/` },
      { name: 'verified caller ID', owners: ['main', 'a', 'b'], ops: ['read', 'modify', 'delete'], denied: 404, modify: { alias: 'taken over' },
        create: async (api, _c, o, i) => {
          const phone = `1415555019${i}`;
          const now = api.platform.clock.now();
          await verifiedCallerIdsRepo.upsert(api.platform.db, { account_id: api.main.authId, subaccount_id: o === 'main' ? null : creds[o].authId, phone_number: phone, alias: o, country: 'US', channel: 'sms', verification_uuid: `00000000-0000-4000-8000-00000000010${i}`, created_at: now, modified_at: now });
          return phone;
        }, path: (id) => `VerifiedCallerId/${id}/` },
      { name: 'message', owners: ['main', 'a', 'b'], ops: ['read'], denied: 404,
        create: async (_api, c) => { const n = number(); await post(c, `PhoneNumber/${n}/`, {}); return (await post(c, 'Message/', { src: n, dst: '14155550100', text: 'hello' })).message_uuid[0]; }, path: (id) => `Message/${id}/` },
      { name: 'incoming carrier', owners: ['main'], ops: ['read', 'modify', 'delete'], denied: 401, modify: { name: 'taken over' },
        create: async (_api, c, _o, i) => (await post(c, 'IncomingCarrier/', { name: 'Trunk', ip_set: `192.0.2.${30 + i}` })).carrier_id, path: (id) => `IncomingCarrier/${id}/` },
      { name: 'subaccount', owners: ['a', 'b'], ops: ['read', 'modify', 'delete'], denied: 401, modify: { name: 'taken over', enabled: false },
        create: async (_api, c) => c.authId, path: (id) => `Subaccount/${id}/` },
    ];

    for (const r of resources) {
      test(`${r.name}: ${r.ops.join(', ')} by its owner, another subaccount and the main account`, async () => {
        const ids = {} as Record<Owner, string>;
        for (const [i, o] of r.owners.entries()) ids[o] = await r.create(api, creds[o], o, i);
        // Subaccounts' own resources are read and changed through the main account's path for subaccounts.
        const asMain = (id: string) => api.request('GET', `/v1/Account/${api.main.authId}/${r.path(id)}`);
        const attempt = (actor: Owner, op: Op, id: string) =>
          api.request(methodOf[op], `/v1/Account/${creds[actor].authId}/${r.path(id)}`, { creds: creds[actor], json: op === 'modify' ? r.modify : op === 'delete' ? {} : undefined });

        for (const actor of ['a', 'b'] as const) {
          for (const owner of r.owners) {
            if (owner === actor || r.name === 'subaccount') continue;
            for (const op of r.ops) {
              const before = await asMain(ids[owner]);
              const res = await attempt(actor, op, ids[owner]);
              cells++;
              assert.equal(res.status, r.denied, `${actor} ${op} ${r.name} of ${owner}: ${JSON.stringify(res.body)}`);
              const after = await asMain(ids[owner]);
              assert.deepEqual({ ...after.body, api_id: 0 }, { ...before.body, api_id: 0 }, `${actor} ${op} ${r.name} of ${owner} changed it`);
            }
          }
        }
        if (r.name === 'subaccount') {
          // A subaccount manages no subaccount, not even itself.
          for (const actor of ['a', 'b'] as const) {
            for (const owner of ['a', 'b'] as const) {
              for (const op of r.ops) {
                const res = await api.request(methodOf[op], `/v1/Account/${creds[actor].authId}/${r.path(ids[owner])}`, { creds: creds[actor], json: op === 'modify' ? r.modify : op === 'delete' ? {} : undefined });
                cells++;
                assert.equal(res.status, 401, `${actor} ${op} subaccount ${owner}`);
              }
            }
          }
          // A subaccount's credentials name only itself in the path.
          const other = await api.request('GET', `/v1/Account/${creds.b.authId}/`, { creds: creds.a });
          assert.equal(other.status, 401);
          assert.equal((await api.request('GET', `/v1/Account/${api.main.authId}/`, { creds: creds.a })).status, 401);
          cells += 2;
          return;
        }
        // Owners and the main account reach their instances.
        for (const owner of r.owners) {
          for (const actor of owner === 'main' ? (['main'] as const) : ([owner, 'main'] as const)) {
            if (r.ops.includes('read')) {
              const path = actor === 'main' && owner !== 'main' ? `/v1/Account/${api.main.authId}/${r.path(ids[owner])}` : `/v1/Account/${creds[actor].authId}/${r.path(ids[owner])}`;
              assert.equal((await api.request('GET', path, { creds: creds[actor] })).status, 200, `${actor} reads ${r.name} of ${owner}`);
              cells++;
            }
            if (r.ops.includes('modify')) {
              const res = await api.request('POST', `/v1/Account/${creds[actor].authId}/${r.path(ids[owner])}`, { creds: creds[actor], json: r.modify });
              assert.ok(res.status >= 200 && res.status < 300, `${actor} modifies ${r.name} of ${owner}: ${JSON.stringify(res.body)}`);
              cells++;
            }
          }
        }
        if (r.ops.includes('delete')) {
          for (const owner of r.owners) {
            const actor = owner === 'b' ? 'main' : owner;
            const res = await api.request('DELETE', `/v1/Account/${creds[actor].authId}/${r.path(ids[owner])}`, { creds: creds[actor] });
            assert.equal(res.status, 204, `${actor} deletes ${r.name} of ${owner}: ${JSON.stringify(res.body)}`);
            assert.equal((await asMain(ids[owner])).status, 404);
            cells++;
          }
        }
      });
    }

    test('the matrix covered every cell', () => {
      assert.ok(cells >= 90, `${cells} cells`);
      console.log(`tenant isolation matrix (${dbName}): ${cells} cells`);
    });
  });
}
