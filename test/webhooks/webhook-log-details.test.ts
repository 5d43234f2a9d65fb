// What a webhook attempt's debug-log entry keeps for the call timeline: the
// headers sent (signatures; never the credentials of a URL's user:password)
// and the document answered, bounded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newUuid } from '../../src/ids.ts';
import { bench, customerServer, xml, type Bench, type CustomerServer } from './fixture.ts';

describe('webhook entries in the call log', () => {
  let b: Bench;
  let server: CustomerServer;
  const long = `<Response>${'<Speak>x</Speak>'.repeat(2000)}</Response>`;
  before(async () => {
    b = await bench();
    server = await customerServer((req, res) => xml(res, req.url.startsWith('/long') ? long : undefined));
  });
  after(async () => {
    await server.close();
    await b.close();
  });

  async function entryOf(url: string) {
    const callUuid = newUuid();
    await b.services.webhooks.fetch({ url, method: 'POST', params: { CallUUID: callUuid }, authToken: b.authToken, accountId: b.authId, callUuid, kind: 'answer' });
    const { objects } = await b.services.callLog.list({ accountId: b.authId, subaccountId: null, callerId: b.authId }, callUuid, { limit: 20, offset: 0 });
    return objects[0]!.data as Record<string, unknown>;
  }

  test('keeps the signature headers sent and the XML answered', async () => {
    const d = await entryOf(`${server.origin}/answer`);
    const headers = d.request_headers as Record<string, string>;
    assert.match(headers['X-Plivo-Signature-V3']!, /^[A-Za-z0-9+/=]+$/);
    assert.ok(headers['X-Plivo-Signature-V3-Nonce']);
    assert.equal(d.response_body, '<Response><Speak>Hello</Speak></Response>');
    assert.equal(d.response_type, 'application/xml');
    assert.equal(d.response_truncated, false);
  });

  test('never keeps credentials, and keeps at most 16,000 characters of a document', async () => {
    const d = await entryOf(`${server.origin.replace('http://', 'http://user:secret@')}/long`);
    assert.equal('authorization' in (d.request_headers as object), false);
    assert.equal(JSON.stringify(d).includes('secret'), false);
    assert.equal((d.response_body as string).length, 16_000);
    assert.equal(d.response_truncated, true);
  });
});
