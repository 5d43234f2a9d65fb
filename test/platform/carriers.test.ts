// Which incoming carrier a SIP packet's source address belongs to.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from '../helpers/pg.ts';
import { platformOn, type Platform } from './numbers-fixture.ts';
import { normalizeIp } from '../../src/platform/carriers.ts';

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

    test('carrierForSource finds the carrier whose ip_set holds the address, in any spelling', async () => {
      const { carriers } = p.services;
      const trunk = await carriers.create(p.scope, { name: 'Trunk', ip_set: '192.0.2.20,2001:db8::20' });
      assert.equal((await carriers.carrierForSource('192.0.2.20'))?.carrier_id, trunk.carrier_id);
      assert.equal((await carriers.carrierForSource('::ffff:192.0.2.20'))?.carrier_id, trunk.carrier_id);
      assert.equal((await carriers.carrierForSource('2001:DB8:0::20'))?.carrier_id, trunk.carrier_id);
      assert.equal(await carriers.carrierForSource('192.0.2.21'), undefined);
      assert.equal(await carriers.carrierForSource('garbage'), undefined);

      await carriers.update(p.scope, trunk.carrier_id, { ip_set: '192.0.2.21' });
      assert.equal(await carriers.carrierForSource('192.0.2.20'), undefined);
      assert.equal((await carriers.carrierForSource('192.0.2.21'))?.account_id, p.scope.accountId);
      await carriers.delete(p.scope, trunk.carrier_id);
      assert.equal(await carriers.carrierForSource('192.0.2.21'), undefined);
    });

    test('deleting a carrier calls its dependents (numbers of that carrier)', async () => {
      const { carriers } = p.services;
      const seen: string[] = [];
      carriers.registerDependent({ deleteForCarrier: async (_trx, _account, carrierId) => void seen.push(carrierId) });
      const trunk = await carriers.create(p.scope, { name: 'Dependent', ip_set: '192.0.2.30' });
      await carriers.delete(p.scope, trunk.carrier_id);
      assert.deepEqual(seen, [trunk.carrier_id]);
    });
  });
}
