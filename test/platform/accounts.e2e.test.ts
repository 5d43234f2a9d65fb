// The official SDK against a real server process: account, subaccounts,
// isolation and restart persistence, on SQLite and on PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from '../helpers/pg.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

for (const db of databases) {
  describe(`accounts and subaccounts (${db.name})`, { skip: db.skip }, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ db: db.name });
    });
    after(async () => server?.stop());

    test('reads the account with every field of the spec', async () => {
      const account = await server.client().accounts.get();
      assert.equal(account.accountType, 'standard');
      assert.equal(account.billingMode, 'prepaid');
      assert.equal(account.autoRecharge, false);
      assert.match(account.cashCredits, /^\d+\.\d{5}$/);
      assert.equal(account.resourceUri, `/v1/Account/${server.authId}/`);
      assert.match(account.apiId, /^[0-9a-f-]{36}$/);
    });

    test('modifies name, city and address', async () => {
      const res = await server.client().accounts.update({ name: 'Wayne Enterprises', city: 'Gotham', address: '1007 Mountain Drive' });
      assert.equal(res.message, 'changed');
      const account = await server.client().accounts.get();
      assert.equal(account.name, 'Wayne Enterprises');
      assert.equal(account.city, 'Gotham');
      assert.equal(account.address, '1007 Mountain Drive');
    });

    test('creates, reads, lists, modifies and deletes a subaccount', async () => {
      const client = server.client();
      const created = await client.subaccounts.create('Robin', true);
      assert.match(created.authId, /^SA[A-Z0-9]{18}$/);
      assert.match(created.authToken, /^[A-Za-z0-9]{40}$/);
      assert.equal(created.message, 'created');

      const got = await client.subaccounts.get(created.authId);
      assert.equal(got.name, 'Robin');
      assert.equal(got.enabled, true);
      assert.equal(got.account, `/v1/Account/${server.authId}/`);
      assert.equal(got.resourceUri, `/v1/Account/${server.authId}/Subaccount/${created.authId}/`);
      assert.match(got.created, /^\d{4}-\d{2}-\d{2}$/);

      await client.subaccounts.update(created.authId, 'Nightwing', false);
      const changed = await client.subaccounts.get(created.authId);
      assert.equal(changed.name, 'Nightwing');
      assert.equal(changed.enabled, false);

      const list = await client.subaccounts.list({ limit: 5, offset: 0 });
      assert.ok(list.some((s: { authId: string }) => s.authId === created.authId));
      assert.equal(list.meta.limit, 5);

      assert.equal(await client.subaccounts.delete(created.authId, false), true);
      await assert.rejects(client.subaccounts.get(created.authId), /not found/);
    });

    test('subaccount credentials authenticate and see only their own account', async () => {
      const sub = await server.client().subaccounts.create('Alfred', true);
      const subClient = server.client({ authId: sub.authId, authToken: sub.authToken });
      const self = await server.fetch(`/v1/Account/${sub.authId}/`, { creds: sub });
      assert.equal(self.status, 200);
      assert.equal((await self.json()).auth_id, sub.authId);
      // The parent's path is out of reach for the subaccount.
      const parent = await server.fetch(`/v1/Account/${server.authId}/`, { creds: sub });
      assert.equal(parent.status, 401);
      // Subaccounts cannot manage subaccounts.
      await assert.rejects(subClient.subaccounts.create('Nope', true), { status: 401, message: /subaccounts cannot manage subaccounts/ });
    });

    test('a disabled subaccount cannot authenticate', async () => {
      const sub = await server.client().subaccounts.create('Disabled', false);
      const res = await server.fetch(`/v1/Account/${sub.authId}/`, { creds: sub });
      assert.equal(res.status, 401);
      assert.match((await res.json()).error, /disabled/);
    });

    test('wrong credentials get the 401 envelope', async () => {
      const res = await server.fetch(`/v1/Account/${server.authId}/`, { creds: { authId: server.authId, authToken: 'x'.repeat(40) } });
      assert.equal(res.status, 401);
      const body = await res.json();
      assert.match(body.api_id, /^[0-9a-f-]{36}$/);
      assert.match(body.error, /auth/);
      const none = await fetch(`${server.url}/v1/Account/${server.authId}/`);
      assert.equal(none.status, 401);
    });

    test('data survives a restart', async () => {
      const sub = await server.client().subaccounts.create('Persistent', true);
      await server.restart();
      const got = await server.client().subaccounts.get(sub.authId);
      assert.equal(got.name, 'Persistent');
    });
  });
}
