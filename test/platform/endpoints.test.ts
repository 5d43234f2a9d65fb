// The endpoint service as the SIP driver and the sandbox use it: digest
// secrets, registration state on the platform clock, lookup by username and
// the application an inbound call runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { databases } from '../helpers/pg.ts';
import { platformOn, type Platform } from './numbers-fixture.ts';
import { usernameSuffix } from '../../src/platform/endpoints.ts';

for (const db of databases) {
  describe(`endpoint service (${db.name})`, { skip: db.skip }, () => {
    let p: Platform;
    before(async () => {
      p = await platformOn(db.name, Date.UTC(2026, 0, 15, 9, 30, 5));
    });
    after(async () => p?.close());

    test('the suffix is the creation time as yyMMddHHmmss; clashes in one second take the next second', async () => {
      assert.equal(usernameSuffix(Date.UTC(2013, 9, 31, 14, 59, 58)), '131031145958');
      const { endpoints } = p.services;
      const a = await endpoints.create(p.scope, { username: 'zumba', password: 'secret1', alias: 'a' });
      const b = await endpoints.create(p.scope, { username: 'zumba', password: 'secret1', alias: 'b' });
      assert.equal(a.username, 'zumba260115093005');
      assert.equal(b.username, 'zumba260115093006');
    });

    test('stores HA1 = H(username:realm:password) with MD5 and SHA-256 for the configured realm, never the password', async () => {
      const { endpoints } = p.services;
      const h = (hash: string, username: string, password: string) => createHash(hash).update(`${username}:switchboard.local:${password}`).digest('hex');
      const row = await endpoints.create(p.scope, { username: 'digest', password: 'pa55word', alias: 'd' });
      assert.equal(row.realm, 'switchboard.local');
      assert.equal(row.ha1, h('md5', row.username, 'pa55word'));
      assert.equal(row.ha1_sha256, h('sha256', row.username, 'pa55word'));
      assert.ok(!JSON.stringify(row).includes('pa55word'));
      const changed = await endpoints.update(p.scope, row.endpoint_id, { password: 'n3wpass' });
      assert.equal(changed.ha1, h('md5', row.username, 'n3wpass'));
      assert.equal(changed.ha1_sha256, h('sha256', row.username, 'n3wpass'));
      const stored = (await endpoints.findEndpointByUsername(row.username))!;
      assert.deepEqual([stored.ha1, stored.ha1_sha256], [changed.ha1, changed.ha1_sha256]);

      // An endpoint whose password was set before the SHA-256 secret was kept has none until it is set again.
      const before = await endpoints.withoutSha256Secret();
      await p.db.updateTable('endpoints').set({ ha1_sha256: null }).where('endpoint_id', '=', row.endpoint_id).execute();
      assert.equal(await endpoints.withoutSha256Secret(), before + 1, 'counted for the start-up warning');
      assert.equal((await endpoints.update(p.scope, row.endpoint_id, { alias: 'renamed' })).ha1_sha256, null, 'other changes leave it missing');
      assert.equal((await endpoints.update(p.scope, row.endpoint_id, { password: 'an0ther' })).ha1_sha256, h('sha256', row.username, 'an0ther'));
      assert.equal(await endpoints.withoutSha256Secret(), before);
      assert.equal((await endpoints.findEndpointByUsername(row.username))!.ha1_sha256, h('sha256', row.username, 'an0ther'));
    });

    test('registration shows while it lasts on the platform clock, and can be cleared', async () => {
      const { endpoints } = p.services;
      const row = await endpoints.create(p.scope, { username: 'phone', password: 'secret1', alias: 'p' });
      const expiresAt = p.clock.now() + 3600_000;
      assert.equal(await endpoints.setRegistration(row.username, { contact: 'sip:phone@192.0.2.5:5060;ob', expiresAt, userAgent: 'Telephone 1.1.4' }), true);
      const registered = endpoints.view(await endpoints.find(p.scope, row.endpoint_id));
      assert.equal(registered.sip_registered, 'true');
      assert.equal(registered.sip_contact, 'sip:phone@192.0.2.5:5060;ob');
      assert.equal(registered.sip_user_agent, 'Telephone 1.1.4');
      assert.equal(registered.sip_expires, '2026-01-15 10:30:05');

      await p.clock.advance(3600_000);
      const lapsed = endpoints.view(await endpoints.find(p.scope, row.endpoint_id));
      assert.equal(lapsed.sip_registered, 'false');
      assert.equal('sip_contact' in lapsed, false);

      await endpoints.setRegistration(row.username, { contact: 'sip:phone@192.0.2.5:5060', expiresAt: p.clock.now() + 60_000, userAgent: 'x' });
      assert.equal(await endpoints.clearRegistration(row.username), true);
      assert.equal(endpoints.view(await endpoints.find(p.scope, row.endpoint_id)).sip_registered, 'false');
      assert.equal(await endpoints.setRegistration('nobody123', { contact: 'sip:x@y', expiresAt: 0, userAgent: '' }), false);
    });

    test('an inbound call runs the endpoint application; one created without app_id gets the owner default endpoint application of that moment', async () => {
      const { endpoints, applications } = p.services;
      const own = await applications.create(p.scope, { app_name: 'Own', answer_url: 'https://example.com/own' });
      const early = await endpoints.create(p.scope, { username: 'early', password: 'secret1', alias: 'e' });
      const fallback = await applications.create(p.scope, { app_name: 'Default', answer_url: 'https://example.com/default', default_endpoint_app: true });
      const linked = await endpoints.create(p.scope, { username: 'linked', password: 'secret1', alias: 'l', app_id: own.app_id });
      const defaulted = await endpoints.create(p.scope, { username: 'defaulted', password: 'secret1', alias: 'u' });

      const found = await endpoints.findEndpointByUsername(linked.username);
      assert.equal(found?.endpoint_id, linked.endpoint_id);
      assert.equal((await endpoints.applicationFor(found!))?.app_id, own.app_id);
      assert.equal(defaulted.app_id, fallback.app_id);
      assert.equal((await endpoints.applicationFor(defaulted))?.app_id, fallback.app_id);
      assert.equal(await endpoints.applicationFor(early), undefined, 'a default set later does not move older endpoints');
      assert.equal(await endpoints.findEndpointByUsername('linked'), undefined, 'the bare name without suffix is not a username');
    });
  });
}
