// Which incoming carrier a SIP packet's source address belongs to, which
// account a call from it reaches, and the numbers that live and die with a carrier.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from '../helpers/pg.ts';
import { platformOn, type Platform } from './numbers-fixture.ts';
import { normalizeIp } from '../../src/platform/carriers.ts';
import type { Scope } from '../../src/platform/scope.ts';
import { newAccountAuthId, newAuthToken } from '../../src/ids.ts';

test('addresses have one spelling', () => {
  assert.equal(normalizeIp(' 192.0.2.1 '), '192.0.2.1');
  assert.equal(normalizeIp('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
  assert.equal(normalizeIp('::ffff:192.0.2.9'), '192.0.2.9');
  assert.equal(normalizeIp('192.0.2.256'), undefined);
  assert.equal(normalizeIp('example.com'), undefined);
});

for (const db of databases) {
  describe(`carrier lookup (${db.name})`, { skip: db.skip }, () => {
    let p: Platform;
    before(async () => {
      p = await platformOn(db.name);
    });
    after(async () => p?.close());

    test('a call from a carrier is matched by its source address in any spelling, and follows the carrier’s ip_set', async () => {
      const { carriers, numbers } = p.services;
      const account = p.scope.accountId;
      const trunk = await carriers.create(p.scope, { name: 'Trunk', ip_set: '192.0.2.20,2001:db8::20' });
      await numbers.addOwn(p.scope, { numbers: '4930901860', carrier: trunk.carrier_id, region: 'Berlin' });
      const from = async (ip: string) => (await numbers.fromCarrier(ip, '4930901860'))?.carrier;
      assert.equal((await from('192.0.2.20'))?.carrier_id, trunk.carrier_id);
      assert.equal((await from('::ffff:192.0.2.20'))?.carrier_id, trunk.carrier_id);
      assert.equal((await from('2001:DB8:0::20'))?.carrier_id, trunk.carrier_id);
      assert.equal(await from('192.0.2.21'), undefined);
      assert.equal(await from('garbage'), undefined);

      await carriers.update(p.scope, trunk.carrier_id, { ip_set: '192.0.2.21' });
      assert.equal(await from('192.0.2.20'), undefined);
      assert.equal((await from('192.0.2.21'))?.account_id, account);
      await carriers.delete(p.scope, trunk.carrier_id);
      assert.equal(await from('192.0.2.21'), undefined);
    });

    test('two accounts may list one address; the called number decides which account a call from it reaches', async () => {
      const { carriers, numbers, accounts } = p.services;
      const other: Scope = { accountId: newAccountAuthId(), subaccountId: null, callerId: '' };
      other.callerId = other.accountId;
      await accounts.createMain({ authId: other.accountId, authToken: newAuthToken() }, 'Other tenant');
      const shared = '198.51.100.40';
      const mine = await carriers.create(p.scope, { name: 'Upstream', ip_set: shared });
      const theirs = await carriers.create(other, { name: 'Upstream too', ip_set: `${shared},198.51.100.41` });
      // Within one account an address still names one carrier.
      await assert.rejects(carriers.create(p.scope, { name: 'Twice', ip_set: shared }), { status: 400, message: /198\.51\.100\.40 already belongs to another incoming carrier of this account/ });

      await numbers.addOwn(p.scope, { numbers: '4930901850', carrier: mine.carrier_id, region: 'Berlin' });
      await numbers.addOwn(other, { numbers: '4930901851', carrier: theirs.carrier_id, region: 'Berlin' });
      const toMine = await numbers.fromCarrier(shared, '4930901850');
      assert.equal(toMine?.accountId, p.scope.accountId);
      assert.equal(toMine?.carrier.carrier_id, mine.carrier_id);
      assert.equal(toMine?.carriersOwn, true);
      const toTheirs = await numbers.fromCarrier(shared, '+4930901851');
      assert.equal(toTheirs?.accountId, other.accountId);
      assert.equal(toTheirs?.carrier.carrier_id, theirs.carrier_id);
      assert.equal(toTheirs?.carriersOwn, true);
      // An address only the other tenant lists does not reach my number; unknown numbers reach nobody.
      assert.equal(await numbers.fromCarrier('198.51.100.41', '4930901850'), undefined);
      assert.equal(await numbers.fromCarrier(shared, '4930901859'), undefined);
      // A number added for one carrier is not another carrier's of the same account (the SIP driver refuses it: no open relay).
      const second = await carriers.create(p.scope, { name: 'Second trunk', ip_set: '198.51.100.42' });
      assert.equal((await numbers.fromCarrier('198.51.100.42', '4930901850'))?.carriersOwn, false);
      // Every listed address, of every account, is known (the SIP driver trusts them from the start).
      const known = await carriers.addresses();
      for (const ip of [shared, '198.51.100.41', '198.51.100.42']) assert.ok(known.includes(ip), ip);
      assert.equal(known.filter((ip) => ip === shared).length, 1, 'an address two accounts list, once');
      await carriers.delete(p.scope, second.carrier_id);
      assert.ok(!(await carriers.addresses()).includes('198.51.100.42'), 'a deleted carrier\'s address is gone');
    });

    test('deleting a carrier deletes the numbers added for it, and only those', async () => {
      const { carriers, numbers } = p.services;
      const gone = await carriers.create(p.scope, { name: 'Going away', ip_set: '192.0.2.30' });
      const stays = await carriers.create(p.scope, { name: 'Staying', ip_set: '192.0.2.31' });
      await numbers.addOwn(p.scope, { numbers: '4930901860,4930901861', carrier: gone.carrier_id, region: 'Berlin' });
      await numbers.addOwn(p.scope, { numbers: '4930901862', carrier: stays.carrier_id, region: 'Berlin' });
      await carriers.delete(p.scope, gone.carrier_id);
      await assert.rejects(numbers.get(p.scope, '4930901860'), /not found/);
      await assert.rejects(numbers.get(p.scope, '4930901861'), /not found/);
      assert.equal((await numbers.get(p.scope, '4930901862')).carrier, stays.carrier_id);
    });

    test('an own-carrier number must name an incoming carrier of the account', async () => {
      const { numbers } = p.services;
      await assert.rejects(numbers.addOwn(p.scope, { numbers: '4930901870', carrier: 'acme-trunk', region: 'Berlin' }), {
        status: 400,
        message: /carrier acme-trunk is not an incoming carrier of this account/,
      });
      await assert.rejects(numbers.get(p.scope, '4930901870'), /not found/);
    });
  });
}
