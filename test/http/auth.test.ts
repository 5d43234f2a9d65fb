// Basic auth under attack: failed attempts are budgeted per (address, auth
// id) and then refused with 429 before any token is checked; the owner at
// another address, and other auth ids, are unaffected; a wrong token answers
// the same whether or not the auth id exists. The limiter's clock is a fake.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthLimiter, AUTH_FAILURE_BUDGET, AUTH_REFILL_MS } from '../../src/http/auth-limiter.ts';
import { newAccountAuthId, newAuthToken } from '../../src/ids.ts';
import { apiOn, type Api, type Creds } from '../helpers/api.ts';

describe('authentication limits', () => {
  let api: Api;
  let now = 0;
  const ATTACKER = '203.0.113.7';
  const OWNER = '198.51.100.2';
  const get = (creds: Creds, remoteAddress: string) => api.request('GET', `/v1/Account/${creds.authId}/`, { creds, remoteAddress });

  before(async () => {
    api = await apiOn('sqlite', { authLimiter: new AuthLimiter({ now: () => now }) });
  });
  after(async () => api?.close());

  test('a wrong token answers exactly like an unknown auth id', async () => {
    const wrongToken = await get({ authId: api.main.authId, authToken: newAuthToken() }, '192.0.2.50');
    const unknownId = await get({ authId: newAccountAuthId(), authToken: newAuthToken() }, '192.0.2.51');
    const malformedId = await get({ authId: 'nobody', authToken: 'x' }, '192.0.2.52');
    for (const res of [wrongToken, unknownId, malformedId]) {
      assert.equal(res.status, 401);
      assert.equal(res.body.error, 'authentication failed: auth id or auth token is wrong');
      assert.deepEqual(Object.keys(res.body).sort(), ['api_id', 'error']);
    }
  });

  test(`after ${AUTH_FAILURE_BUDGET} failures an address gets 429 for that auth id, even with the right token`, async () => {
    const wrong = { authId: api.main.authId, authToken: newAuthToken() };
    for (let i = 0; i < AUTH_FAILURE_BUDGET; i++) assert.equal((await get(wrong, ATTACKER)).status, 401, `attempt ${i + 1}`);
    const refused = await get(wrong, ATTACKER);
    assert.equal(refused.status, 429);
    assert.match(refused.body.error, new RegExp(`^too many failed authentication attempts for ${api.main.authId} from your address; try again in 6 s$`));
    assert.equal(refused.headers['retry-after'], '6');
    assert.ok(refused.body.api_id);
    // Refused before the token is checked: the right token learns nothing here either.
    assert.equal((await get(api.main, ATTACKER)).status, 429);
    // The owner elsewhere is admitted, and another auth id from the attacker's address has its own budget.
    assert.equal((await get(api.main, OWNER)).status, 200);
    assert.equal((await get({ authId: newAccountAuthId(), authToken: 'x' }, ATTACKER)).status, 401);
  });

  test('the budget refills one attempt at a time', async () => {
    const wrong = { authId: api.main.authId, authToken: newAuthToken() };
    now += AUTH_REFILL_MS - 1;
    assert.equal((await get(wrong, ATTACKER)).status, 429);
    now += 1;
    assert.equal((await get(wrong, ATTACKER)).status, 401);
    assert.equal((await get(wrong, ATTACKER)).status, 429);
    now += AUTH_REFILL_MS;
    assert.equal((await get(api.main, ATTACKER)).status, 200, 'a refilled attempt with the right token is admitted');
    now += AUTH_REFILL_MS * AUTH_FAILURE_BUDGET;
    for (let i = 0; i < AUTH_FAILURE_BUDGET; i++) assert.equal((await get(wrong, ATTACKER)).status, 401, `attempt ${i + 1} after a full refill`);
    assert.equal((await get(wrong, ATTACKER)).status, 429);
  });

  test('correct logins never spend budget; a disabled subaccount or a wrong path is not a guess', async () => {
    const address = '192.0.2.99';
    for (let i = 0; i < 50; i++) assert.equal((await get(api.main, address)).status, 200);
    const sub = await api.subaccount('Quiet');
    await api.request('POST', `/v1/Account/${api.main.authId}/Subaccount/${sub.authId}/`, { json: { name: 'Quiet', enabled: false } });
    for (let i = 0; i < AUTH_FAILURE_BUDGET + 2; i++) {
      assert.equal((await get(sub, address)).status, 401);
      assert.equal((await api.request('GET', `/v1/Account/${newAccountAuthId()}/`, { remoteAddress: address })).status, 401);
    }
    assert.equal((await get(api.main, address)).status, 200);
  });

  test('1,000 wrong tokens from one address: ten are checked, the rest refused', async () => {
    const address = '192.0.2.123';
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const s = (await get({ authId: api.main.authId, authToken: newAuthToken() }, address)).status;
      statuses.set(s, (statuses.get(s) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(statuses), { 401: AUTH_FAILURE_BUDGET, 429: 1000 - AUTH_FAILURE_BUDGET });
  });

  test('the limiter forgets the oldest buckets beyond its bound', () => {
    const limiter = new AuthLimiter({ budget: 1, maxKeys: 2, now: () => 0 });
    limiter.failed('a', 'X');
    limiter.failed('b', 'X');
    limiter.failed('c', 'X');
    assert.equal(limiter.retryAfter('a', 'X'), 0);
    assert.ok(limiter.retryAfter('c', 'X') > 0);
  });
});
