// GET /v1/Account/{id}/Call/{uuid}/Log/: a call's debug log through the API,
// paginated like every list, and scoped like every resource.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { buildApp, type App } from '../../src/http/app.ts';
import { newUuid } from '../../src/ids.ts';
import { bench, customerServer, xml, type Bench, type CustomerServer } from './fixture.ts';

describe('call debug log route', () => {
  let b: Bench;
  let app: App;
  let server: CustomerServer;
  let sub: { authId: string; authToken: string };
  const mainCall = newUuid();
  const subCall = newUuid();
  const longCall = newUuid();

  const get = (path: string, creds = { authId: b.authId, authToken: b.authToken }) =>
    app.inject({ method: 'GET', url: path, headers: { authorization: `Basic ${Buffer.from(`${creds.authId}:${creds.authToken}`).toString('base64')}` } });

  before(async () => {
    b = await bench();
    app = await buildApp(b.services, pino({ level: 'silent' }));
    server = await customerServer((_r, res) => xml(res));
    const row = await b.services.accounts.createSubaccount({ accountId: b.authId, subaccountId: null, callerId: b.authId }, { name: 'Team', enabled: true });
    sub = { authId: row.auth_id, authToken: row.auth_token };

    await b.services.webhooks.fetch({ url: `${server.origin}/answer`, method: 'POST', params: { CallUUID: mainCall }, authToken: b.authToken, accountId: b.authId, callUuid: mainCall, kind: 'answer' });
    await b.services.callLog.append(mainCall, b.authId, { kind: 'event', message: 'call answered', data: { state: 'in-progress' } });
    await b.services.callLog.append(subCall, sub.authId, { kind: 'xml', message: 'unknown element <Spek> at line 1' });
    // A queued callback of the subaccount's call, owner given explicitly.
    await b.services.webhooks.start();
    await new Promise((resolve) =>
      void b.services.webhooks.enqueue(
        { url: `${server.origin}/hangup`, method: 'POST', params: {}, authToken: sub.authToken, accountId: b.authId, subaccountId: sub.authId, callUuid: subCall, kind: 'hangup' },
        resolve,
      ),
    );
    // Appends not awaited one by one still land in the order they were made.
    await Promise.all(Array.from({ length: 25 }, (_, i) => b.services.callLog.append(longCall, b.authId, { kind: 'event', message: `step ${i + 1}` })));
  });
  after(async () => {
    await app.close();
    await server.close();
    await b.close();
  });

  test('the main account reads a call log: webhook attempts and events, oldest first', async () => {
    const res = await get(`/v1/Account/${b.authId}/Call/${mainCall}/Log/`);
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(typeof body.api_id, 'string');
    assert.deepEqual(body.meta, { limit: 20, offset: 0, next: null, previous: null, total_count: 2 });
    const [hook, event] = body.objects;
    assert.equal(hook.kind, 'webhook');
    assert.equal(hook.call_uuid, mainCall);
    assert.equal(hook.sequence, 1);
    assert.match(hook.time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00$/);
    assert.equal(hook.data.url, `${server.origin}/answer`);
    assert.equal(hook.data.status, 200);
    assert.equal(hook.data.error, null);
    assert.equal(typeof hook.data.latency_ms, 'number');
    assert.deepEqual(event, { sequence: 2, call_uuid: mainCall, time: hook.time, epoch_ms: hook.epoch_ms, kind: 'event', message: 'call answered', data: { state: 'in-progress' } });
  });

  test('long logs are paginated with the shared meta', async () => {
    const first = (await get(`/v1/Account/${b.authId}/Call/${longCall}/Log/`)).json();
    assert.equal(first.objects.length, 20);
    assert.equal(first.meta.total_count, 25);
    assert.equal(first.meta.next, `/v1/Account/${b.authId}/Call/${longCall}/Log/?limit=20&offset=20`);
    assert.deepEqual(first.objects.slice(0, 3).map((o: { message: string }) => o.message), ['step 1', 'step 2', 'step 3']);
    const rest = (await get(`/v1/Account/${b.authId}/Call/${longCall}/Log/?limit=20&offset=20`)).json();
    assert.deepEqual(rest.objects.map((o: { message: string }) => o.message), ['step 21', 'step 22', 'step 23', 'step 24', 'step 25']);
    const bad = await get(`/v1/Account/${b.authId}/Call/${longCall}/Log/?limit=50`);
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error, /limit/);
  });

  test('a subaccount sees only its own calls; the main account sees them too', async () => {
    const own = await get(`/v1/Account/${sub.authId}/Call/${subCall}/Log/`, sub);
    assert.equal(own.statusCode, 200);
    assert.deepEqual(own.json().objects.map((o: { kind: string }) => o.kind), ['xml', 'webhook']);
    assert.equal(own.json().objects[0].message, 'unknown element <Spek> at line 1');
    assert.equal(own.json().objects[1].data.hook, 'hangup');
    const theirs = await get(`/v1/Account/${sub.authId}/Call/${mainCall}/Log/`, sub);
    assert.equal(theirs.statusCode, 404);
    assert.equal((await get(`/v1/Account/${b.authId}/Call/${subCall}/Log/`)).statusCode, 200);
  });

  test('an unknown call is a 404 in the error envelope', async () => {
    const res = await get(`/v1/Account/${b.authId}/Call/${newUuid()}/Log/`);
    assert.equal(res.statusCode, 404);
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['api_id', 'error']);
    assert.match(body.error, /has no debug log/);
  });
});
