// HTTP conventions against a real server: envelope, validation messages,
// body formats, slashes, pagination bounds, bad input that must change nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('HTTP conventions', () => {
  let server: TestServer;
  let appsPath: string;
  before(async () => {
    server = await startTestServer();
    appsPath = `/v1/Account/${server.authId}/Application/`;
  });
  after(async () => server?.stop());

  const count = async () => (await (await server.fetch(appsPath)).json()).meta.total_count as number;

  test('GET /health needs no auth', async () => {
    const res = await fetch(`${server.url}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  test('every response carries a fresh api_id', async () => {
    const a = await (await server.fetch(`/v1/Account/${server.authId}/`)).json();
    const b = await (await server.fetch(`/v1/Account/${server.authId}/`)).json();
    assert.match(a.api_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(a.api_id, b.api_id);
  });

  test('paths with and without a trailing slash, and with doubled slashes, are served', async () => {
    for (const p of [appsPath, appsPath.slice(0, -1), appsPath.replace('/Application/', '//Application/')]) {
      assert.equal((await server.fetch(p)).status, 200, p);
    }
  });

  test('form-encoded bodies are accepted like JSON', async () => {
    const res = await server.fetch(appsPath, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'app_name=form+app&answer_url=https%3A%2F%2Fexample.com%2Fa&default_number_app=True',
    });
    assert.equal(res.status, 201);
    const { app_id } = await res.json();
    const app = await (await server.fetch(`${appsPath}${app_id}/`)).json();
    assert.equal(app.app_name, 'form app');
    assert.equal(app.default_number_app, true);
  });

  test('malformed JSON → 400 naming the problem, nothing written', async () => {
    const before = await count();
    const res = await server.fetch(appsPath, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"app_name": "x",' });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.match(body.error, /not valid JSON/);
    assert.ok(body.api_id);
    assert.equal(await count(), before);
  });

  test('missing and wrong-typed fields → 400 naming the field and what is allowed', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /app_name is required/],
      [{ app_name: '', answer_url: 'https://example.com/a' }, /app_name must not be empty/],
      [{ app_name: 'x' }, /answer_url is required/],
      [{ app_name: 'x', answer_url: 'https://example.com/a', answer_method: 'PUT' }, /answer_method must be one of: GET, POST/],
      [{ app_name: 'x', answer_url: 'ftp://example.com' }, /answer_url .*http\(s\) URL/],
      [{ app_name: 'x', answer_url: 'https://example.com/a', default_number_app: 'maybe' }, /default_number_app must be true or false/],
      [{ app_name: ['a', 'b'], answer_url: 'https://example.com/a' }, /app_name must be a string/],
    ];
    const before = await count();
    for (const [json, message] of cases) {
      const res = await server.fetch(appsPath, { method: 'POST', json });
      assert.equal(res.status, 400, JSON.stringify(json));
      assert.match((await res.json()).error, message);
    }
    assert.equal(await count(), before);
  });

  test('unknown fields are ignored, as the platform does', async () => {
    const res = await server.fetch(appsPath, { method: 'POST', json: { app_name: 'extra', answer_url: 'https://example.com/a', colour: 'blue' } });
    assert.equal(res.status, 201);
  });

  test('a method a path does not serve → 405 with the envelope and Allow; an unknown path → 404', async () => {
    for (const [method, path, allow] of [
      ['PUT', appsPath, 'GET, POST'],
      ['PATCH', `${appsPath}123/`, 'GET, POST, DELETE'],
      ['DELETE', `/v1/Account/${server.authId}/`, 'GET, POST'],
    ] as const) {
      const res = await server.fetch(path, { method });
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.get('allow'), allow);
      const body = await res.json();
      assert.match(body.api_id, /^[0-9a-f-]{36}$/);
      assert.match(body.error, new RegExp(`method ${method} is not allowed`));
    }
    const unknown = await server.fetch(`/v1/Account/${server.authId}/Nothing/`, { method: 'PUT' });
    assert.equal(unknown.status, 404);
    // Credentials are still checked first.
    const anonymous = await fetch(`${server.url}${appsPath}`, { method: 'PUT' });
    assert.equal(anonymous.status, 401);
  });

  test('limit outside 1..20, negative offsets and numbers that are not decimal digits are rejected', async () => {
    const odd = ['Infinity', '-Infinity', 'NaN', '1e308', '1e3', '0x10', '+5', '1.5', '', '99999999999999999999'];
    for (const q of ['limit=0', 'limit=21', 'offset=-1', 'limit=abc', ...odd.flatMap((v) => [`limit=${encodeURIComponent(v)}`, `offset=${encodeURIComponent(v)}`])]) {
      const res = await server.fetch(`${appsPath}?${q}`);
      assert.equal(res.status, 400, q);
      assert.match((await res.json()).error, /limit|offset/);
    }
  });

  test('-0 is 0, and unknown query parameters are ignored', async () => {
    const res = await server.fetch(`${appsPath}?offset=-0&limit=5&colour=blue`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).meta.offset, 0);
  });

  test('a key the route does not name is refused where no SDK sends one, naming it', async () => {
    const res = await server.fetch(`/v1/Account/${server.authId}/`, { method: 'POST', json: { city: 'Paris', cash_credits: '1000000' } });
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /^cash_credits is not a parameter of POST \/v1\/Account\/\{authId\}\/; it takes address, city, name, state, timezone$/);
    const form = await server.fetch(`/v1/Account/${server.authId}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name%5B%5D=x' });
    assert.equal(form.status, 400);
    assert.match((await form.json()).error, /^name\[\] is not a parameter/);
    const proto = await server.fetch(appsPath, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"app_name":"p","__proto__":{"admin":true}}' });
    assert.equal(proto.status, 400);
    assert.match((await proto.json()).error, /not valid JSON: .*prototype/);
  });

  test('oversize bodies → 413 and nothing written', async () => {
    const before = await count();
    const res = await server.fetch(appsPath, { method: 'POST', json: { app_name: 'big', answer_url: 'https://example.com/' + 'a'.repeat(300_000) } });
    assert.equal(res.status, 413);
    assert.match((await res.json()).error, /larger than/);
    assert.equal(await count(), before);
  });

  test('SQL-looking input is stored as text, and unknown ids are 404', async () => {
    const evil = "x'); DROP TABLE applications; --";
    const res = await server.fetch(appsPath, { method: 'POST', json: { app_name: evil, answer_url: 'https://example.com/a' } });
    assert.equal(res.status, 201);
    const { app_id } = await res.json();
    assert.equal((await (await server.fetch(`${appsPath}${app_id}/`)).json()).app_name, evil);
    const like = await (await server.fetch(`${appsPath}?app_name=${encodeURIComponent("%' OR 1=1 --")}`)).json();
    assert.equal(like.meta.total_count, 0);
    const missing = await server.fetch(`${appsPath}${encodeURIComponent("1' OR '1'='1")}/`);
    assert.equal(missing.status, 404);
    assert.match((await missing.json()).error, /application .* not found/);
  });

  test('unknown routes → 404 envelope', async () => {
    const res = await server.fetch(`/v1/Account/${server.authId}/NoSuchThing/`);
    assert.equal(res.status, 404);
    assert.match((await res.json()).error, /no such resource/);
  });

  test('request logs are structured and carry the api_id', async () => {
    const res = await server.fetch(`/v1/Account/${server.authId}/`);
    const { api_id } = await res.json();
    // Log lines are buffered and flushed within a fraction of a second: wait for it, up to 5 s.
    for (let i = 0; i < 100 && !server.output().includes(api_id); i++) await new Promise((r) => setTimeout(r, 50));
    const line = server.output().split('\n').find((l) => l.includes(api_id) && l.includes('"msg":"request"'));
    assert.ok(line, 'request log line with api_id');
    const entry = JSON.parse(line!);
    assert.equal(entry.status, 200);
    assert.equal(entry.method, 'GET');
    assert.ok(!server.output().includes(server.authToken), 'auth token never logged');
  });
});
