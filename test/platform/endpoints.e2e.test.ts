// SIP endpoints through the official SDK: CRUD, unique suffixed usernames,
// passwords shown only as their MD5 and never logged, subaccount isolation and the cascade
// rules of subaccount and application deletion, on SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { databases } from '../helpers/pg.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { assertEvery } from '../helpers/assert.ts';

const PASSWORD = 'Xy7-very-secret-pass';
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

for (const db of databases) {
  describe(`endpoints (${db.name})`, { skip: db.skip }, () => {
    let server: TestServer;
    const passwordsUsed: string[] = [PASSWORD];
    before(async () => {
      // Most verbose logging, so the password check covers every log line the server can write.
      server = await startTestServer({ db: db.name, env: { LOG_LEVEL: 'trace' } });
    });
    after(async () => server?.stop());

    const raw = async (path: string, init: Parameters<TestServer['fetch']>[1] = {}) => {
      const res = await server.fetch(`/v1/Account/${server.authId}${path}`, init);
      const text = await res.text();
      return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
    };

    test('creates an endpoint with a suffixed username and reads it back with the MD5 of its password', async () => {
      const client = server.client();
      const created = await client.endpoints.create('alice', PASSWORD, 'Front desk');
      assert.equal(created.message, 'created');
      assert.equal(created.alias, 'Front desk');
      assert.match(created.username, /^alice\d{12}$/);
      assert.match(created.endpointId, /^\d+$/);

      const got = await client.endpoints.get(created.endpointId);
      assert.equal(got.username, created.username);
      assert.equal(got.alias, 'Front desk');
      assert.equal(got.endpointId, created.endpointId);
      assert.equal(got.sipRegistered, 'false');
      assert.equal(got.sipUri, `sip:${created.username}@switchboard.local`);
      assert.equal(got.subAccount, null);
      assert.equal(got.application, null);
      assert.equal(got.resourceUri, `/v1/Account/${server.authId}/Endpoint/${created.endpointId}/`);
      // The platform returns the MD5 hash of the password in `password`.
      assert.equal(got.password, md5(PASSWORD));

      const one = await raw(`/Endpoint/${created.endpointId}/`);
      assert.equal(one.status, 200);
      assert.equal(one.body.password, md5(PASSWORD));
      assert.equal('sip_contact' in one.body, false, 'registration fields appear only while registered');
      assert.ok(!one.text.includes(PASSWORD));
    });

    test('the same username twice gets two distinct suffixed usernames', async () => {
      const client = server.client();
      const a = await client.endpoints.create('bob', PASSWORD, 'one');
      const b = await client.endpoints.create('bob', PASSWORD, 'two');
      assert.match(a.username, /^bob\d{12}$/);
      assert.match(b.username, /^bob\d{12}$/);
      assert.notEqual(a.username, b.username);
      assert.notEqual(a.endpointId, b.endpointId);
    });

    test('lists endpoints with meta and only password hashes', async () => {
      const client = server.client();
      await client.endpoints.create('carol', PASSWORD, 'carol');
      const list = await client.endpoints.list({ limit: 2, offset: 0 });
      assert.equal(list.length, 2);
      assert.equal(list.meta.limit, 2);
      assert.ok(list.meta.totalCount >= 4);
      const page = await raw('/Endpoint/?limit=20');
      assert.ok(page.body.objects.length >= 4);
      assertEvery(page.body.objects, (o: { password: string }) => o.password === md5(PASSWORD), 'the password shown as its MD5');
      assert.ok(!page.text.includes(PASSWORD));
    });

    test('modifies alias, password and application; username cannot change', async () => {
      const client = server.client();
      const { appId } = await client.applications.create('Desk app', { answerUrl: 'https://example.com/answer' });
      const { endpointId } = await client.endpoints.create('dave', PASSWORD, 'dave');
      const newPassword = 'another-Secret-99';
      passwordsUsed.push(newPassword);
      const res = await client.endpoints.update(endpointId, { alias: 'Dave_2', password: newPassword, appId });
      assert.equal(res.message, 'changed');
      const got = await client.endpoints.get(endpointId);
      assert.equal(got.alias, 'Dave_2');
      assert.equal(got.password, md5(newPassword), 'the hash follows a password change');
      assert.equal(got.application, `/v1/Account/${server.authId}/Application/${appId}/`);

      const unlink = await raw(`/Endpoint/${endpointId}/`, { method: 'POST', json: { app_id: '' } });
      assert.equal(unlink.status, 202);
      assert.equal((await client.endpoints.get(endpointId)).application, null);

      const rename = await raw(`/Endpoint/${endpointId}/`, { method: 'POST', json: { username: 'eve' } });
      assert.equal(rename.status, 400);
      assert.match(rename.body.error, /username cannot be changed/);
    });

    test('an endpoint created without app_id points at the default endpoint app of the moment', async () => {
      const client = server.client();
      const sub = await client.subaccounts.create('Endpoint defaults', true);
      const subClient = server.client(sub);
      const before = await subClient.endpoints.create('early', PASSWORD, 'early');
      const { appId } = await subClient.applications.create('Desk default', { answerUrl: 'https://example.com/answer', defaultEndpointApp: true });
      const after = await subClient.endpoints.create('late', PASSWORD, 'late');
      assert.equal((await subClient.endpoints.get(after.endpointId)).application, `/v1/Account/${server.authId}/Application/${appId}/`);
      assert.equal((await subClient.endpoints.get(before.endpointId)).application, null, 'a default set later moves no older endpoint');
    });

    test('deletes an endpoint', async () => {
      const client = server.client();
      const { endpointId } = await client.endpoints.create('frank', PASSWORD, 'frank');
      assert.equal(await client.endpoints.delete(endpointId), true);
      await assert.rejects(client.endpoints.get(endpointId));
      const gone = await raw(`/Endpoint/${endpointId}/`);
      assert.equal(gone.status, 404);
      assert.match(gone.body.error, new RegExp(`endpoint ${endpointId} not found`));
      assert.equal((await raw(`/Endpoint/${endpointId}/`, { method: 'DELETE' })).status, 404);
      assert.equal((await raw(`/Endpoint/${endpointId}/`, { method: 'POST', json: { alias: 'x' } })).status, 404);
    });

    test('bad input is refused with a message naming the field', async () => {
      const cases: Array<[object, RegExp]> = [
        [{ password: PASSWORD, alias: 'a' }, /username is required/],
        [{ username: 'gina', alias: 'a' }, /password is required/],
        [{ username: 'gina', password: PASSWORD }, /alias is required/],
        [{ username: '1gina', password: PASSWORD, alias: 'a' }, /username has an invalid format \(expected letters and digits, starting with a letter\)/],
        [{ username: 'gi.na', password: PASSWORD, alias: 'a' }, /username has an invalid format/],
        [{ username: 'gina', password: 'abcd', alias: 'a' }, /password must be at least 5 characters long/],
        [{ username: 'gina', password: PASSWORD, alias: 'a/b' }, /alias has an invalid format/],
        [{ username: 'gina', password: PASSWORD, alias: 'a', app_id: '123' }, /app_id 123 is not an application of this account/],
      ];
      for (const [json, message] of cases) {
        const res = await raw('/Endpoint/', { method: 'POST', json });
        assert.equal(res.status, 400, JSON.stringify(json));
        assert.match(res.body.error, message);
        assert.match(res.body.api_id, /^[0-9a-f-]{36}$/);
      }
      // Nothing was created by the failed requests.
      const list = await raw('/Endpoint/?limit=20');
      assertEvery(list.body.objects, (o: { username: string }) => !o.username.startsWith('gina'), 'no gina among the endpoints');
    });

    test('a subaccount sees only its endpoints; the main account sees all of them', async () => {
      const main = server.client();
      const subA = await main.subaccounts.create('Endpoints A', true);
      const subB = await main.subaccounts.create('Endpoints B', true);
      const a = server.client(subA);
      const b = server.client(subB);
      const ofA = await a.endpoints.create('subalice', PASSWORD, 'A');
      const ofMain = await main.endpoints.create('mainonly', PASSWORD, 'M');

      const seenByMain = await main.endpoints.get(ofA.endpointId);
      assert.equal(seenByMain.subAccount, `/v1/Account/${server.authId}/Subaccount/${subA.authId}/`);
      await assert.rejects(b.endpoints.get(ofA.endpointId));
      await assert.rejects(a.endpoints.get(ofMain.endpointId));
      assert.deepEqual((await b.endpoints.list()).map((e: { endpointId: string }) => e.endpointId), []);
      assert.deepEqual((await a.endpoints.list()).map((e: { endpointId: string }) => e.endpointId), [ofA.endpointId]);
      await assert.rejects(b.endpoints.delete(ofA.endpointId));
      await assert.rejects(b.endpoints.update(ofA.endpointId, { alias: 'stolen' }));

      const filtered = await raw(`/Endpoint/?subaccount=${subA.authId}`);
      assert.deepEqual(filtered.body.objects.map((e: { endpoint_id: string }) => e.endpoint_id), [ofA.endpointId]);
      // The main account acting on the subaccount's path creates for the subaccount.
      const viaPath = await server.fetch(`/v1/Account/${subA.authId}/Endpoint/`, { method: 'POST', json: { username: 'viapath', password: PASSWORD, alias: 'p' } });
      assert.equal(viaPath.status, 201);
      const created = await viaPath.json();
      assert.equal((await a.endpoints.get(created.endpoint_id)).alias, 'p');
      // A subaccount cannot link another owner's application.
      const { appId } = await main.applications.create('Main app', { answerUrl: 'https://example.com/a' });
      const res = await server.fetch(`/v1/Account/${subA.authId}/Endpoint/${ofA.endpointId}/`, { method: 'POST', json: { app_id: appId }, creds: subA });
      assert.equal(res.status, 400);
    });

    test('deleting a subaccount moves its endpoints to the main account, or deletes them with cascade', async () => {
      const main = server.client();
      const keep = await main.subaccounts.create('Keep endpoints', true);
      const drop = await main.subaccounts.create('Drop endpoints', true);
      const kept = await server.client(keep).endpoints.create('kept', PASSWORD, 'k');
      const dropped = await server.client(drop).endpoints.create('dropped', PASSWORD, 'd');
      await main.subaccounts.delete(keep.authId, false);
      await main.subaccounts.delete(drop.authId, true);
      assert.equal((await main.endpoints.get(kept.endpointId)).subAccount, null);
      await assert.rejects(main.endpoints.get(dropped.endpointId));
    });

    test('deleting an application unlinks, re-points or (cascade) deletes its endpoints', async () => {
      const client = server.client();
      const first = await client.applications.create('First', { answerUrl: 'https://example.com/1' });
      const second = await client.applications.create('Second', { answerUrl: 'https://example.com/2' });
      const third = await client.applications.create('Third', { answerUrl: 'https://example.com/3' });
      const e1 = await client.endpoints.create('linked', PASSWORD, 'l', first.appId);
      const e2 = await client.endpoints.create('repointed', PASSWORD, 'r', second.appId);
      const e3 = await client.endpoints.create('cascaded', PASSWORD, 'c', third.appId);

      await client.applications.delete(first.appId);
      assert.equal((await client.endpoints.get(e1.endpointId)).application, null);

      const repoint = await server.fetch(`/v1/Account/${server.authId}/Application/${second.appId}/`, { method: 'DELETE', json: { new_endpoint_application: third.appId } });
      assert.equal(repoint.status, 204);
      assert.equal((await client.endpoints.get(e2.endpointId)).application, `/v1/Account/${server.authId}/Application/${third.appId}/`);

      const cascade = await server.fetch(`/v1/Account/${server.authId}/Application/${third.appId}/`, { method: 'DELETE', json: { cascade: true } });
      assert.equal(cascade.status, 204);
      await assert.rejects(client.endpoints.get(e3.endpointId));
      await assert.rejects(client.endpoints.get(e2.endpointId));
    });

    test('no password ever reaches the server log', async () => {
      // One more failing request carrying a password, to cover error paths too.
      await raw('/Endpoint/', { method: 'POST', json: { username: '9bad', password: PASSWORD, alias: 'x' } });
      await server.restart(); // flushes the buffered log
      const log = server.output();
      assert.match(log, /"msg":"request"/, 'the server did log requests');
      for (const p of passwordsUsed) assert.ok(!log.includes(p), `password ${p} appears in the log`);
    });
  });
}
