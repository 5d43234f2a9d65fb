// Applications through the official SDK: every field, filters, defaults,
// subaccount ownership and cascade rules, on SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from '../helpers/pg.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const ANSWER = 'https://example.com/answer';
/** Basic auth alone, as `curl -u id:token -X DELETE …` sends it: no body, no Content-Type. */
const basic = (s: TestServer) => ({ authorization: 'Basic ' + Buffer.from(`${s.authId}:${s.authToken}`).toString('base64') });

for (const db of databases) {
  describe(`applications (${db.name})`, { skip: db.skip }, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ db: db.name });
    });
    after(async () => server?.stop());

    test('creates an application and reads back every field', async () => {
      const client = server.client();
      const created = await client.applications.create('IVR', {
        answerUrl: 'https://example.com/answer',
        answerMethod: 'GET',
        hangupUrl: 'https://example.com/hangup',
        fallbackAnswerUrl: 'https://example.com/fallback',
        messageUrl: 'https://example.com/message',
        defaultNumberApp: true,
        logIncomingMessages: false,
      });
      assert.equal(created.message, 'created');
      assert.match(created.appId, /^\d+$/);

      const app = await client.applications.get(created.appId);
      assert.equal(app.appName, 'IVR');
      assert.equal(app.answerUrl, 'https://example.com/answer');
      assert.equal(app.answerMethod, 'GET');
      // The SDK's response class drops hangup_url; read it raw.
      const raw = await (await server.fetch(`/v1/Account/${server.authId}/Application/${created.appId}/`)).json();
      assert.equal(raw.hangup_url, 'https://example.com/hangup');
      assert.equal(raw.message_url, 'https://example.com/message');
      assert.equal(raw.log_incoming_messages, false);
      assert.equal(raw.public_uri, false);
      assert.equal(raw.default_number_app, true);
      assert.equal(app.hangupMethod, 'POST');
      assert.equal(app.fallbackAnswerUrl, 'https://example.com/fallback');
      assert.equal(app.messageMethod, 'POST');
      assert.equal(app.applicationType, 'XML');
      assert.equal(app.defaultApp, true);
      assert.equal(app.defaultEndpointApp, false);
      assert.equal(app.enabled, true);
      assert.equal(app.logIncomingMessage, false);
      assert.equal(app.subAccount, null);
      assert.equal(app.resourceUri, `/v1/Account/${server.authId}/Application/${created.appId}/`);
      assert.equal(app.sipUri, `sip:${created.appId}@app.switchboard.local`);
    });

    test('hangup_url defaults to answer_url', async () => {
      const client = server.client();
      const { appId } = await client.applications.create('Defaults', { answerUrl: 'https://example.com/a' });
      const app = await (await server.fetch(`/v1/Account/${server.authId}/Application/${appId}/`)).json();
      assert.equal(app.hangup_url, 'https://example.com/a');
      assert.equal(app.answer_method, 'POST');
    });

    test('modifies and deletes', async () => {
      const client = server.client();
      const { appId } = await client.applications.create('Temp', { answerUrl: 'https://example.com/a' });
      const res = await client.applications.update(appId, { answerUrl: 'https://example.com/b', appName: 'Renamed' });
      assert.equal(res.message, 'changed');
      const app = await client.applications.get(appId);
      assert.equal(app.answerUrl, 'https://example.com/b');
      assert.equal(app.appName, 'Renamed');
      await client.applications.delete(appId);
      await assert.rejects(client.applications.get(appId), /not found/);
      await assert.rejects(client.applications.delete(appId), /not found/);
    });

    test('only one default number app and one default endpoint app per owner', async () => {
      const client = server.client();
      const a = await client.applications.create('First default', { answerUrl: ANSWER, defaultNumberApp: true, defaultEndpointApp: true });
      const b = await client.applications.create('Second default', { answerUrl: ANSWER, defaultNumberApp: true });
      assert.equal((await client.applications.get(a.appId)).defaultApp, false);
      assert.equal((await client.applications.get(a.appId)).defaultEndpointApp, true);
      assert.equal((await client.applications.get(b.appId)).defaultApp, true);
    });

    test('lists with pagination meta and name filter', async () => {
      const client = server.client();
      for (const n of ['alpha-1', 'alpha-2', 'beta-1']) await client.applications.create(n, { answerUrl: ANSWER });
      const page = await client.applications.list({ limit: 2, offset: 0 });
      assert.equal(page.length, 2);
      assert.equal(page.meta.limit, 2);
      assert.equal(page.meta.offset, 0);
      assert.ok(page.meta.total_count >= 3 || page.meta.totalCount >= 3);
      assert.match(page.meta.next, /limit=2&offset=2/);
      assert.equal(page.meta.previous, null);
      const alphas = await client.applications.list({ app_name: 'ALPHA' });
      assert.deepEqual(alphas.map((a: { appName: string }) => a.appName).sort(), ['alpha-1', 'alpha-2']);
    });

    test('a subaccount sees only its applications; the main account sees and acts on them', async () => {
      const main = server.client();
      const subA = await main.subaccounts.create('Sub A', true);
      const subB = await main.subaccounts.create('Sub B', true);
      const clientA = server.client(subA);
      const clientB = server.client(subB);

      const mainApp = await main.applications.create('Main only', { answerUrl: ANSWER });
      const appA = await clientA.applications.create('A app', { answerUrl: 'https://example.com/a' });
      const appOfA = await main.applications.get(appA.appId);
      assert.equal(appOfA.subAccount, `/v1/Account/${server.authId}/Subaccount/${subA.authId}/`);

      const listA = await clientA.applications.list();
      assert.deepEqual(listA.map((a: { appId: string }) => a.appId), [appA.appId]);
      await assert.rejects(clientA.applications.get(mainApp.appId), /not found/);
      await assert.rejects(clientB.applications.get(appA.appId), /not found/);
      await assert.rejects(clientB.applications.update(appA.appId, { appName: 'hijack' }), /not found/);
      await assert.rejects(clientB.applications.delete(appA.appId), /not found/);

      // The main account filters by subaccount and modifies the subaccount's app.
      const filtered = await main.applications.list({ subaccount: subA.authId });
      assert.deepEqual(filtered.map((a: { appId: string }) => a.appId), [appA.appId]);
      await main.applications.update(appA.appId, { appName: 'A app (by main)' });
      assert.equal((await clientA.applications.get(appA.appId)).appName, 'A app (by main)');

      // The main account may also address the subaccount's path.
      const viaPath = await server.fetch(`/v1/Account/${subA.authId}/Application/`);
      assert.equal(viaPath.status, 200);
      assert.deepEqual((await viaPath.json()).objects.map((a: { app_id: string }) => a.app_id), [appA.appId]);
    });

    test('deleting a subaccount moves its applications to the main account, or deletes them with cascade', async () => {
      const main = server.client();
      const keep = await main.subaccounts.create('Keep apps', true);
      const drop = await main.subaccounts.create('Drop apps', true);
      const kept = await server.client(keep).applications.create('kept', { answerUrl: ANSWER });
      const dropped = await server.client(drop).applications.create('dropped', { answerUrl: ANSWER });

      await main.subaccounts.delete(keep.authId, false);
      assert.equal((await main.applications.get(kept.appId)).subAccount, null);

      await main.subaccounts.delete(drop.authId, true);
      await assert.rejects(main.applications.get(dropped.appId), /not found/);
    });

    test('cascade also comes in the query string of a DELETE without a body, as curl sends it', async () => {
      const main = server.client();
      const keep = await main.subaccounts.create('Keep apps (query)', true);
      const drop = await main.subaccounts.create('Drop apps (query)', true);
      const kept = await server.client(keep).applications.create('kept', { answerUrl: ANSWER });
      const dropped = await server.client(drop).applications.create('dropped', { answerUrl: ANSWER });

      const keepRes = await fetch(`${server.url}/v1/Account/${server.authId}/Subaccount/${keep.authId}/?cascade=false`, { method: 'DELETE', headers: basic(server) });
      assert.equal(keepRes.status, 204);
      assert.equal((await main.applications.get(kept.appId)).subAccount, null);

      const dropRes = await fetch(`${server.url}/v1/Account/${server.authId}/Subaccount/${drop.authId}/?cascade=true`, { method: 'DELETE', headers: basic(server) });
      assert.equal(dropRes.status, 204);
      await assert.rejects(main.applications.get(dropped.appId), /not found/);
      await assert.rejects(main.subaccounts.get(drop.authId), /not found/);
    });

    test('answer_url and app_name are required to create an application', async () => {
      await assert.rejects(server.client().applications.create('No answer url', {}), { status: 400, message: 'answer_url is required' });
      const noName = await server.fetch(`/v1/Account/${server.authId}/Application/`, { method: 'POST', json: { answer_url: ANSWER } });
      assert.equal(noName.status, 400);
      assert.match((await noName.json()).error, /app_name is required/);
    });

    test('a subaccount cannot assign an application to another subaccount', async () => {
      const main = server.client();
      const a = await main.subaccounts.create('Owner', true);
      const b = await main.subaccounts.create('Other', true);
      const res = await server.fetch(`/v1/Account/${a.authId}/Application/`, { method: 'POST', json: { app_name: 'x', answer_url: ANSWER, subaccount: b.authId }, creds: a });
      assert.equal(res.status, 401);
      const unknown = await server.fetch(`/v1/Account/${server.authId}/Application/`, { method: 'POST', json: { app_name: 'x', answer_url: ANSWER, subaccount: 'SA00000000000000000X' } });
      assert.equal(unknown.status, 400);
      assert.match((await unknown.json()).error, /SA00000000000000000X/);
    });
  });
}
