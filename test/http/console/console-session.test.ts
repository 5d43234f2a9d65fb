// The console's sign-in: a session cookie (HttpOnly, SameSite=Strict, Secure
// over https), CSRF on every state-changing request made with it, sign-out;
// the files it serves (CSP, compression, nothing outside its list); and the
// ledger API its balance page reads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { VirtualClock } from '../../../src/clock/clock.ts';
import { resolveConfig } from '../../../src/config.ts';
import { buildApp, type App } from '../../../src/http/app.ts';
import { newAccountAuthId, newAuthToken } from '../../../src/ids.ts';
import { createServices, type Services } from '../../../src/services.ts';
import { openStore, type Store } from '../../../src/store/db.ts';

describe('console sessions', () => {
  let dataDir: string;
  let store: Store;
  let services: Services;
  let app: App;
  const clock = new VirtualClock();
  const authId = newAccountAuthId();
  const authToken = newAuthToken();
  let sub: { auth_id: string; auth_token: string };

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-console-'));
    store = await openStore({ dataDir });
    services = createServices(resolveConfig({}, { dataDir }), store, clock);
    await services.accounts.createMain({ authId, authToken }, 'Console test');
    const row = await services.accounts.createSubaccount({ accountId: authId, subaccountId: null, callerId: authId }, { name: 'Team', enabled: true });
    sub = { auth_id: row.auth_id, auth_token: row.auth_token };
    app = await buildApp(services, pino({ level: 'silent' }));
  });
  after(async () => {
    await app.close();
    await services.webhooks.stop();
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function signIn(creds = { auth_id: authId, auth_token: authToken }, headers: Record<string, string> = {}) {
    const res = await app.inject({ method: 'POST', url: '/console/session', payload: creds, headers: { host: 'localhost', ...headers } });
    const cookie = String(res.headers['set-cookie'] ?? '').split(';')[0];
    return { res, cookie, csrf: res.statusCode === 201 ? (res.json().csrf_token as string) : '' };
  }

  test('signing in sets an HttpOnly, SameSite=Strict session cookie and answers who signed in', async () => {
    const { res } = await signIn();
    assert.equal(res.statusCode, 201);
    const setCookie = String(res.headers['set-cookie']);
    assert.match(setCookie, /^sb_console=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const body = res.json();
    assert.equal(body.auth_id, authId);
    assert.equal(body.is_subaccount, false);
    assert.equal(body.csrf_header, 'x-csrf-token');
    assert.ok(body.csrf_token.length >= 40);
  });

  test('the cookie is Secure when the server is reached over https', async () => {
    const res = await app.inject({ method: 'POST', url: '/console/session', payload: { auth_id: authId, auth_token: authToken }, headers: { 'x-forwarded-proto': 'https' } });
    // Without a trusted proxy the header is ignored: plain http stays without Secure…
    assert.doesNotMatch(String(res.headers['set-cookie']), /Secure/);
    // …and a public https URL makes every cookie Secure.
    const before = services.origin.url;
    services.origin.url = 'https://switchboard.example.com';
    try {
      const secure = await signIn();
      assert.match(String(secure.res.headers['set-cookie']), /; Secure$/);
    } finally {
      services.origin.url = before;
    }
  });

  test('wrong credentials, a form post and another site are refused', async () => {
    const wrong = await signIn({ auth_id: authId, auth_token: 'x'.repeat(40) });
    assert.equal(wrong.res.statusCode, 401);
    assert.equal(wrong.res.headers['set-cookie'], undefined);
    assert.match(wrong.res.json().error, /auth id or auth token is wrong/);
    const form = await app.inject({ method: 'POST', url: '/console/session', payload: `auth_id=${authId}&auth_token=${authToken}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.statusCode, 415);
    const foreign = await signIn(undefined, { origin: 'https://evil.example' });
    assert.equal(foreign.res.statusCode, 403);
  });

  test('failed sign-ins spend the same budget as failed API requests', async () => {
    const guessed = newAccountAuthId();
    let last = 0;
    for (let i = 0; i < 12; i++) last = (await signIn({ auth_id: guessed, auth_token: 'y'.repeat(40) })).res.statusCode;
    assert.equal(last, 429);
  });

  test('a signed-in browser reads with its cookie, and changes only with the CSRF token', async () => {
    const { cookie, csrf } = await signIn();
    const read = await app.inject({ method: 'GET', url: `/v1/Account/${authId}/`, headers: { cookie } });
    assert.equal(read.statusCode, 200);
    assert.equal(read.json().auth_id, authId);

    const body = { app_name: 'Console', answer_url: 'https://example.com/answer' };
    const forged = await app.inject({ method: 'POST', url: `/v1/Account/${authId}/Application/`, headers: { cookie }, payload: body });
    assert.equal(forged.statusCode, 403);
    assert.match(forged.json().error, /CSRF/);
    const wrong = await app.inject({ method: 'POST', url: `/v1/Account/${authId}/Application/`, headers: { cookie, 'x-csrf-token': 'nope' }, payload: body });
    assert.equal(wrong.statusCode, 403);
    const made = await app.inject({ method: 'POST', url: `/v1/Account/${authId}/Application/`, headers: { cookie, 'x-csrf-token': csrf }, payload: body });
    assert.equal(made.statusCode, 201);
    const gone = await app.inject({ method: 'DELETE', url: `/v1/Account/${authId}/Application/${made.json().app_id}/`, headers: { cookie } });
    assert.equal(gone.statusCode, 403, 'a DELETE changes state too');
  });

  test('a subaccount signs in and stays within its own account', async () => {
    const { res, cookie } = await signIn(sub);
    assert.equal(res.statusCode, 201);
    assert.equal(res.json().is_subaccount, true);
    assert.equal(res.json().main_auth_id, authId);
    assert.equal((await app.inject({ method: 'GET', url: `/v1/Account/${sub.auth_id}/Call/`, headers: { cookie } })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: `/v1/Account/${authId}/Call/`, headers: { cookie } })).statusCode, 401);
  });

  test('signing out needs the CSRF token and ends the session', async () => {
    const { cookie, csrf } = await signIn();
    const who = await app.inject({ method: 'GET', url: '/console/session', headers: { cookie } });
    assert.equal(who.json().signed_in, true);
    assert.equal(who.json().csrf_token, csrf);
    assert.equal((await app.inject({ method: 'DELETE', url: '/console/session', headers: { cookie } })).statusCode, 403);
    const out = await app.inject({ method: 'DELETE', url: '/console/session', headers: { cookie, 'x-csrf-token': csrf } });
    assert.equal(out.statusCode, 204);
    assert.match(String(out.headers['set-cookie']), /Max-Age=0/);
    assert.equal((await app.inject({ method: 'GET', url: '/console/session', headers: { cookie } })).json().signed_in, false);
    assert.equal((await app.inject({ method: 'GET', url: `/v1/Account/${authId}/`, headers: { cookie } })).statusCode, 401);
  });

  test('Basic auth sent explicitly wins over a cookie', async () => {
    const { cookie } = await signIn(sub);
    const basic = `Basic ${Buffer.from(`${authId}:${authToken}`).toString('base64')}`;
    const res = await app.inject({ method: 'POST', url: `/v1/Account/${authId}/Application/`, headers: { cookie, authorization: basic }, payload: { app_name: 'API', answer_url: 'https://example.com/a' } });
    assert.equal(res.statusCode, 201);
  });

  test('the page, its modules and its libraries are served compressed, with a strict content policy', async () => {
    const page = await app.inject({ method: 'GET', url: '/console/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'; /);
    assert.match(page.body, /<script type="module" src="\/console\/app\/main.js">/);
    for (const url of ['/console/app/main.js', '/console/vendor/preact.mjs', '/console/vendor/htm.mjs']) {
      const res = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
      assert.equal(res.statusCode, 200, url);
      assert.match(String(res.headers['content-type']), /javascript/, url);
    }
    const big = await app.inject({ method: 'GET', url: '/console/vendor/preact.mjs', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(big.headers['content-encoding'], 'gzip');
    assert.equal((await app.inject({ method: 'GET', url: '/console/vendor/kysely.js' })).statusCode, 404);
    assert.notEqual((await app.inject({ method: 'GET', url: '/console/app/..%2f..%2f..%2f..%2fpackage.json' })).statusCode, 200);
    assert.notEqual((await app.inject({ method: 'GET', url: '/console/app/../../../../package.json' })).statusCode, 200);
  });

  test('the ledger lists the entries behind the balance, newest first, a subaccount seeing its own', async () => {
    const basic = (id: string, token: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${token}`).toString('base64')}` });
    await app.inject({ method: 'POST', url: `/v1/Account/${authId}/Sandbox/Credit/`, headers: basic(authId, authToken), payload: { amount: '5.00' } });
    await clock.advance(1000);
    await app.inject({ method: 'POST', url: `/v1/Account/${sub.auth_id}/Sandbox/Credit/`, headers: basic(sub.auth_id, sub.auth_token), payload: { amount: '2.50' } });
    const all = (await app.inject({ method: 'GET', url: `/v1/Account/${authId}/Ledger/`, headers: basic(authId, authToken) })).json();
    assert.ok(all.meta.total_count >= 2);
    const [newest] = all.objects;
    assert.equal(newest.amount, '2.50000');
    assert.equal(newest.kind, 'credit');
    assert.equal(newest.subaccount, sub.auth_id);
    assert.match(newest.time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    const own = (await app.inject({ method: 'GET', url: `/v1/Account/${sub.auth_id}/Ledger/`, headers: basic(sub.auth_id, sub.auth_token) })).json();
    assert.deepEqual(own.objects.map((e: { subaccount: string }) => e.subaccount), [sub.auth_id]);
  });
});
