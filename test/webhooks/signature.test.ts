// A customer verifies our requests with the official SDK's validators, from
// what its server received: the URL it was called on, the nonce headers and
// (for POST) the form body.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import querystring from 'node:querystring';
import plivo from 'plivo';
import { newAuthToken } from '../../src/ids.ts';
import { signV2, signV3 } from '../../src/webhooks/signature.ts';
import type { HttpMethod } from '../../src/webhooks/types.ts';
import { bench, customerServer, xml, type Bench, type CustomerServer, type Received } from './fixture.ts';

const UNICODE = 'héllo wörld ✓ 日本語 😀';

function header(r: Received, name: string): string {
  const v = r.headers[name.toLowerCase()];
  assert.equal(typeof v, 'string', `${name} header is present`);
  return v as string;
}

/** What a customer's handler passes to the validators. */
function asCustomer(server: CustomerServer, r: Received) {
  const url = server.origin + r.url;
  const params: Record<string, string> = r.method === 'POST' ? { ...(querystring.parse(r.body) as Record<string, string>) } : {};
  return { url, params };
}

describe('signatures validate with the official SDK', () => {
  let b: Bench;
  let server: CustomerServer;
  const mainToken = newAuthToken();
  const subToken = newAuthToken();

  before(async () => {
    b = await bench();
    server = await customerServer((_r, res) => xml(res));
  });
  after(async () => {
    await server.close();
    await b.close();
  });

  const cases: Array<{ name: string; method: HttpMethod; path: string; params: Record<string, string> }> = [
    { name: 'GET with parameters merged into the query', method: 'GET', path: '/answer', params: { From: '14155550100', To: '14155550199', CallUUID: 'c1' } },
    { name: 'GET on a URL that already has a query string', method: 'GET', path: '/answer?app=demo&From=preset&x=a+b%20c', params: { From: '14155550100', Digits: '1#' } },
    { name: 'GET with unicode and reserved characters', method: 'GET', path: '/answer', params: { Speech: UNICODE, Odd: 'a&b=c+d%e/f?g' } },
    { name: 'POST with parameters', method: 'POST', path: '/answer/', params: { From: '14155550100', To: '14155550199', Direction: 'inbound' } },
    { name: 'POST on a URL that already has a query string', method: 'POST', path: '/hook?tenant=42&b=2&a=1', params: { CallStatus: 'completed' } },
    { name: 'POST with unicode and reserved characters', method: 'POST', path: '/hook', params: { Text: UNICODE, Odd: 'a&b=c+d%e', Empty: '' } },
    { name: 'POST without parameters', method: 'POST', path: '/hook?only=query', params: {} },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const before = server.received.length;
      const r0 = await b.webhooks().fetch({
        url: server.origin + c.path,
        method: c.method,
        params: c.params,
        authToken: subToken,
        mainAuthToken: mainToken,
        accountId: b.authId,
        kind: 'answer',
      });
      assert.equal(r0.ok, true, r0.error);
      const r = server.received[before]!;
      assert.equal(r.method, c.method);
      const { url, params } = asCustomer(server, r);
      if (c.method === 'POST') {
        assert.deepEqual(params, c.params, 'the form body carries the parameters');
        assert.equal(header(r, 'content-type'), 'application/x-www-form-urlencoded');
      } else {
        const got = new URL(url).searchParams;
        for (const [k, v] of Object.entries(c.params)) assert.ok(got.getAll(k).includes(v), `query carries ${k}`);
      }

      const v3Nonce = header(r, 'X-Plivo-Signature-V3-Nonce');
      assert.match(v3Nonce, /^\d{20}$/);
      assert.equal(plivo.validateV3Signature(c.method, url, v3Nonce, subToken, header(r, 'X-Plivo-Signature-V3'), params), true, 'V3 with the owner token');
      assert.equal(plivo.validateV3Signature(c.method, url, v3Nonce, mainToken, header(r, 'X-Plivo-Signature-Ma-V3'), params), true, 'Ma-V3 with the main token');
      assert.equal(plivo.validateV3Signature(c.method, url, v3Nonce, mainToken, header(r, 'X-Plivo-Signature-V3'), params), false, 'V3 does not validate with another token');

      const v2Nonce = header(r, 'X-Plivo-Signature-V2-Nonce');
      assert.equal(plivo.validateSignature(url, v2Nonce, header(r, 'X-Plivo-Signature-V2'), subToken), true, 'V2 with the owner token');
      assert.equal(plivo.validateSignature(url, v2Nonce, header(r, 'X-Plivo-Signature-Ma-V2'), mainToken), true, 'Ma-V2 with the main token');
    });
  }

  test('a tampered parameter fails validation', async () => {
    const before = server.received.length;
    await b.webhooks().fetch({ url: `${server.origin}/hook`, method: 'POST', params: { Amount: '10' }, authToken: subToken, accountId: b.authId, kind: 'callback' });
    const r = server.received[before]!;
    const { url } = asCustomer(server, r);
    const sig = header(r, 'X-Plivo-Signature-V3');
    const nonce = header(r, 'X-Plivo-Signature-V3-Nonce');
    assert.equal(plivo.validateV3Signature('POST', url, nonce, subToken, sig, { Amount: '10' }), true);
    assert.equal(plivo.validateV3Signature('POST', url, nonce, subToken, sig, { Amount: '11' }), false);
    assert.equal(header(r, 'X-Plivo-Signature-Ma-V3'), sig, 'without a main token, the owner is the main account');
  });

  test('signV3 for GET is the same with parameters merged into the URL or passed alongside', () => {
    const token = newAuthToken();
    const nonce = '05429567804466091622';
    const merged = signV3('GET', 'https://example.com/a?x=1&From=1415&Text=h%C3%A9+y', {}, token, nonce);
    assert.equal(signV3('GET', 'https://example.com/a?x=1', { From: '1415', Text: 'hé y' }, token, nonce), merged);
    assert.equal(plivo.validateV3Signature('GET', 'https://example.com/a?x=1&From=1415&Text=h%C3%A9+y', nonce, token, merged), true);
    assert.equal(plivo.validateSignature('https://example.com/a/?q=1', nonce, signV2('https://example.com/a/?q=2', nonce, token), token), true, 'V2 ignores the query');
  });
});
