// Update routes with raw bodies exactly as the official Python SDK (plivo
// 4.59.6) sends them: it sends every parameter of some methods, unset ones as
// JSON null or as its defaults, and repeats path ids. A null means "not
// given" (issue 18); only a number's `app_id: null` has a meaning (unlink).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifiedCallerIdsRepo } from '../../src/store/repos/caller-ids.ts';
import { apiOn, type Api, type Creds } from '../helpers/api.ts';
import { databases } from '../helpers/pg.ts';

for (const { name: dbName, skip } of databases) {
  describe(`SDK request bodies on update routes (${dbName})`, { skip }, () => {
    let api: Api;
    let sub: Creds;
    const base = () => `/v1/Account/${api.main.authId}`;
    const get = async (path: string) => (await api.request('GET', `${base()}${path}`)).body;
    const post = (path: string, json: unknown, creds?: Creds) => api.request('POST', `${base()}${path}`, { json, creds });

    before(async () => {
      api = await apiOn(dbName);
      sub = await api.subaccount('Team');
    });
    after(async () => api?.close());

    test('account update (plivo/resources/accounts.py sends name, city and address, unset ones null)', async () => {
      assert.equal((await post('/', { name: 'Acme', city: 'Paris', address: '1 rue de la Paix' })).status, 202);
      // client.account.update(name="Acme Ltd")
      assert.equal((await post('/', { name: 'Acme Ltd', city: null, address: null })).status, 202);
      let account = await get('/');
      assert.deepEqual([account.name, account.city, account.address], ['Acme Ltd', 'Paris', '1 rue de la Paix']);
      // client.account.update(city="Lyon"): no name, and no "name must not be empty"
      assert.equal((await post('/', { name: null, city: 'Lyon', address: null })).status, 202);
      account = await get('/');
      assert.deepEqual([account.name, account.city, account.address], ['Acme Ltd', 'Lyon', '1 rue de la Paix']);
      // Nothing but nulls changes nothing, and says so.
      const none = await post('/', { name: null, city: null, address: null });
      assert.equal(none.status, 400);
      assert.match(none.body.error, /^nothing to change: send at least one of name, city, address, state, timezone$/);
      // An empty string is a value, not "not given": the name may not be empty, the city may.
      assert.match((await post('/', { name: '' })).body.error, /name must not be empty/);
      assert.equal((await post('/', { city: '' })).status, 202);
      assert.equal((await get('/')).city, '');
    });

    test('a subaccount updates its own account the same way', async () => {
      const res = await api.request('POST', `/v1/Account/${sub.authId}/`, { creds: sub, json: { name: null, city: 'Berlin', address: null } });
      assert.equal(res.status, 202);
      const account = (await api.request('GET', `/v1/Account/${sub.authId}/`, { creds: sub })).body;
      assert.deepEqual([account.name, account.city], ['Team', 'Berlin']);
    });

    test('subaccounts.update sends auth_id again and enabled (False unless given)', async () => {
      // client.subaccounts.update(auth_id, "Team B", enabled=True)
      assert.equal((await post(`/Subaccount/${sub.authId}/`, { auth_id: sub.authId, name: 'Team B', enabled: true })).status, 202);
      let row = await get(`/Subaccount/${sub.authId}/`);
      assert.deepEqual([row.name, row.enabled], ['Team B', true]);
      // enabled=None is left out by the SDK; a null from another client is "not given" too.
      assert.equal((await post(`/Subaccount/${sub.authId}/`, { auth_id: sub.authId, name: 'Team C', enabled: null })).status, 202);
      row = await get(`/Subaccount/${sub.authId}/`);
      assert.deepEqual([row.name, row.enabled], ['Team C', true]);
      // The SDK's default enabled=False is a value: it disables, as the platform documents.
      assert.equal((await post(`/Subaccount/${sub.authId}/`, { auth_id: sub.authId, name: 'Team C', enabled: false })).status, 202);
      assert.equal((await get(`/Subaccount/${sub.authId}/`)).enabled, false);
      await post(`/Subaccount/${sub.authId}/`, { name: 'Team', enabled: true });
    });

    test('applications.update resends its defaults and may add callback_url', async () => {
      const created = await post('/Application/', { app_name: 'IVR', answer_url: 'https://example.com/a', hangup_url: 'https://example.com/h', message_url: 'https://example.com/m', default_number_app: true });
      const id = created.body.app_id;
      // client.applications.update(app_id, answer_url="https://example.com/b", callback_url=…)
      const res = await post(`/Application/${id}/`, {
        answer_url: 'https://example.com/b', answer_method: 'POST', hangup_method: 'POST', fallback_method: 'POST', message_method: 'POST',
        default_number_app: false, default_endpoint_app: false, log_incoming_messages: true, callback_url: 'https://example.com/cb',
      });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const app = await get(`/Application/${id}/`);
      assert.equal(app.app_name, 'IVR');
      assert.equal(app.answer_url, 'https://example.com/b');
      assert.equal(app.hangup_url, 'https://example.com/h');
      assert.equal(app.message_url, 'https://example.com/m');
      assert.equal(app.default_number_app, false, 'the SDK default false is a value');
      // Nulls (another client's unset fields) keep what is there; they are never coerced to "".
      assert.equal((await post(`/Application/${id}/`, { app_name: null, answer_url: null, hangup_url: 'https://example.com/h2', message_url: null, public_uri: null })).status, 202);
      const after = await get(`/Application/${id}/`);
      assert.deepEqual([after.app_name, after.answer_url, after.hangup_url, after.message_url], ['IVR', 'https://example.com/b', 'https://example.com/h2', 'https://example.com/m']);
      assert.match((await post(`/Application/${id}/`, { app_name: null, callback_url: 'https://example.com/cb' })).body.error, /^nothing to change/);
    });

    test('endpoints.update sends only what is given; null is not given', async () => {
      const { endpoint_id } = (await post('/Endpoint/', { username: 'desk', password: 'secret1', alias: 'Desk', callback_url: 'https://example.com/cb' })).body;
      assert.equal((await post(`/Endpoint/${endpoint_id}/`, { alias: 'Front', callback_method: 'POST' })).status, 202);
      assert.equal((await post(`/Endpoint/${endpoint_id}/`, { alias: null, password: null, app_id: null })).status, 400);
      assert.equal((await get(`/Endpoint/${endpoint_id}/`)).alias, 'Front');
    });

    test('numbers.update repeats the number; app_id null unlinks, other nulls are not given', async () => {
      const [n] = (await get('/PhoneNumber/?country_iso=US&limit=1')).objects;
      const { app_id } = (await post('/Application/', { app_name: 'Numbers', answer_url: 'https://example.com/n' })).body;
      // client.numbers.buy(number, app_id=…) sends the number again
      assert.equal((await post(`/PhoneNumber/${n.number}/`, { number: n.number, app_id })).status, 201);
      // client.numbers.update(number, alias="Sales")
      assert.equal((await post(`/Number/${n.number}/`, { number: n.number, alias: 'Sales' })).status, 202);
      let owned = await get(`/Number/${n.number}/`);
      assert.equal(owned.alias, 'Sales');
      assert.match(owned.application, new RegExp(`/Application/${app_id}/$`));
      assert.equal((await post(`/Number/${n.number}/`, { alias: null, subaccount: null, cnam_lookup: null })).status, 400);
      assert.equal((await post(`/Number/${n.number}/`, { app_id: null, alias: null })).status, 202);
      owned = await get(`/Number/${n.number}/`);
      assert.deepEqual([owned.application, owned.alias], [null, 'Sales']);
    });

    test('verify_callerids.update sends phone_number; the PHP example sends subaccount null', async () => {
      const now = api.platform.clock.now();
      await verifiedCallerIdsRepo.upsert(api.platform.db, {
        account_id: api.main.authId, subaccount_id: sub.authId, phone_number: '14155550123', alias: 'Desk', country: 'US', channel: 'sms',
        verification_uuid: '00000000-0000-4000-8000-000000000002', created_at: now, modified_at: now,
      });
      const res = await post('/VerifiedCallerId/+14155550123/', { phone_number: '+14155550123', alias: 'Test update', subaccount: null });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.alias, 'Test update');
      assert.equal(res.body.subaccount, sub.authId, 'subaccount null leaves it where it is');
    });

    test('null never becomes a value: a required field sent null is missing', async () => {
      const res = await post('/Application/', { app_name: null });
      assert.equal(res.status, 400);
      assert.match(res.body.error, /app_name is required/);
      const sms = await post('/Message/', { src: null, dst: '14155550100', text: null, media_urls: [null] });
      assert.equal(sms.status, 400);
      assert.match(sms.body.error, /media_urls\.0 must be a string/);
    });
  });
}
