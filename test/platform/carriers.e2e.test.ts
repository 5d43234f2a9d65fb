// Incoming carriers over HTTP (the official SDK has no IncomingCarrier
// resource; its path and fields follow the platform's older SDKs): CRUD,
// address normalisation, one carrier per address and account, main-account ownership.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from '../helpers/pg.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

for (const db of databases) {
  describe(`incoming carriers (${db.name})`, { skip: db.skip }, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ db: db.name });
    });
    after(async () => server?.stop());

    const call = async (method: string, path: string, json?: unknown, creds?: { authId: string; authToken: string }, authId = server.authId) => {
      const res = await server.fetch(`/v1/Account/${authId}/IncomingCarrier/${path}`, { method, json, creds });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };

    test('creates, reads, lists, modifies and deletes a carrier', async () => {
      const created = await call('POST', '', { name: 'Trunk One', ip_set: ' 192.0.2.10, 2001:DB8:0:0::1 ,192.0.2.10', prefix_set: '+1415, 1650', sms: 'true' });
      assert.equal(created.status, 201);
      assert.equal(created.body.message, 'created');
      assert.match(created.body.carrier_id, /^\d+$/);
      assert.match(created.body.api_id, /^[0-9a-f-]{36}$/);
      const id = created.body.carrier_id;

      const got = await call('GET', `${id}/`);
      assert.equal(got.status, 200);
      assert.deepEqual(
        { ...got.body, api_id: undefined },
        {
          api_id: undefined,
          carrier_id: id,
          name: 'Trunk One',
          ip_set: '192.0.2.10,2001:db8::1',
          prefix_set: '1415,1650',
          resource_uri: `/v1/Account/${server.authId}/IncomingCarrier/${id}/`,
          sms: true,
          voice: true,
        },
      );

      await call('POST', '', { name: 'Other trunk', ip_set: '198.51.100.7' });
      const filtered = await call('GET', '?name=trunk%20o');
      assert.equal(filtered.status, 200);
      assert.deepEqual(filtered.body.objects.map((c: { carrier_id: string }) => c.carrier_id), [id]);
      const all = await call('GET', '?limit=1');
      assert.equal(all.body.meta.total_count, 2);
      assert.equal(all.body.objects.length, 1);
      assert.match(all.body.meta.next, /offset=1/);

      const modified = await call('POST', `${id}/`, { name: 'Trunk 1', ip_set: '192.0.2.11', voice: false });
      assert.equal(modified.status, 202);
      assert.equal(modified.body.message, 'changed');
      const after = await call('GET', `${id}/`);
      assert.equal(after.body.name, 'Trunk 1');
      assert.equal(after.body.ip_set, '192.0.2.11');
      assert.equal(after.body.prefix_set, '1415,1650');
      assert.equal(after.body.voice, false);
      assert.equal(after.body.sms, true);

      // The address given up by the modification is free again.
      assert.equal((await call('POST', '', { name: 'Reuse', ip_set: '192.0.2.10' })).status, 201);

      assert.equal((await call('DELETE', `${id}/`)).status, 204);
      assert.equal((await call('GET', `${id}/`)).status, 404);
      assert.equal((await call('DELETE', `${id}/`)).status, 404);
      assert.equal((await call('POST', `${id}/`, { name: 'x' })).status, 404);
      // Deleting released its address.
      assert.equal((await call('POST', '', { name: 'Takes over', ip_set: '192.0.2.11' })).status, 201);
    });

    test('an address authorizes only one carrier of an account; a conflict is a 400 that changes nothing', async () => {
      const first = await call('POST', '', { name: 'Owner', ip_set: '203.0.113.1' });
      const before = (await call('GET', '')).body.meta.total_count;
      const clash = await call('POST', '', { name: 'Clash', ip_set: '203.0.113.2,203.0.113.1' });
      assert.equal(clash.status, 400);
      assert.match(clash.body.error, /ip_set: 203\.0\.113\.1 already belongs to another incoming carrier of this account/);
      assert.equal((await call('GET', '')).body.meta.total_count, before);
      // 203.0.113.2 was not claimed by the failed request.
      assert.equal((await call('POST', '', { name: 'Free', ip_set: '203.0.113.2' })).status, 201);

      const other = await call('POST', '', { name: 'Other', ip_set: '203.0.113.3' });
      const grab = await call('POST', `${other.body.carrier_id}/`, { ip_set: '203.0.113.1', name: 'Renamed' });
      assert.equal(grab.status, 400);
      const unchanged = await call('GET', `${other.body.carrier_id}/`);
      assert.equal(unchanged.body.ip_set, '203.0.113.3');
      assert.equal(unchanged.body.name, 'Other');
      // Keeping its own address on modify is not a conflict.
      assert.equal((await call('POST', `${first.body.carrier_id}/`, { ip_set: '203.0.113.1' })).status, 202);
    });

    test('bad input is refused with a message naming the field', async () => {
      const cases: Array<[object, RegExp]> = [
        [{ ip_set: '192.0.2.50' }, /name is required/],
        [{ name: 'x' }, /ip_set is required/],
        [{ name: 'x', ip_set: 'not-an-ip' }, /ip_set: "not-an-ip" is not an IPv4 or IPv6 address/],
        [{ name: 'x', ip_set: '192.0.2.300' }, /ip_set: "192\.0\.2\.300"/],
        [{ name: 'x', ip_set: ' , ' }, /ip_set must list at least one IP address/],
        [{ name: 'x', ip_set: '192.0.2.50', prefix_set: '14a' }, /prefix_set: "14a" is not a number prefix/],
        [{ name: 'x', ip_set: '192.0.2.50', voice: 'maybe' }, /voice must be true or false/],
      ];
      for (const [json, message] of cases) {
        const res = await call('POST', '', json);
        assert.equal(res.status, 400, JSON.stringify(json));
        assert.match(res.body.error, message);
      }
    });

    test('subaccounts can neither read nor change the main account carriers', async () => {
      const sub = await server.client().subaccounts.create('Carrier reader', true);
      const { body } = await call('POST', '', { name: 'Shared trunk', ip_set: '192.0.2.77' });
      for (const [method, path, json] of [
        ['GET', `${body.carrier_id}/`, undefined],
        ['GET', '?name=shared', undefined],
        ['POST', '', { name: 'Mine', ip_set: '192.0.2.78' }],
        ['POST', `${body.carrier_id}/`, { name: 'Mine' }],
        ['DELETE', `${body.carrier_id}/`, undefined],
      ] as const) {
        const res = await call(method, path, json, sub, sub.authId);
        assert.equal(res.status, 401, `${method} ${path}`);
        assert.match(res.body.error, /belong to the main account/);
      }
    });
  });
}
