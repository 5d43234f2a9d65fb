// Number services against a real store: inbound routing for the voice and
// messaging layers, and the inventory file format.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { parsePoolCsv, SHIPPED_POOL_FILE } from '../../src/platform/number-pool.ts';
import { Pricing } from '../../src/platform/pricing.ts';
import { platformOn, type Platform } from './numbers-fixture.ts';

const pricing = Pricing.fromEnv({});
const NOW = Date.UTC(2026, 0, 1);

test('the shipped inventory: at least 20 countries, every type, every row valid', () => {
  const rows = parsePoolCsv(fs.readFileSync(SHIPPED_POOL_FILE, 'utf8'), pricing, 'shipped', NOW);
  const countries = new Set(rows.map((r) => r.country_iso));
  assert.ok(countries.size >= 20, `${countries.size} countries`);
  assert.deepEqual(new Set(rows.map((r) => r.number_type)), new Set(['local', 'mobile', 'tollfree', 'national']));
  for (const r of rows) {
    assert.ok(r.monthly_rental_rate > 0, `${r.number} has a rental rate`);
    // Shipped rates agree with the rate file, so search results and pricing tell the same story.
    assert.equal(r.monthly_rental_rate, pricing.numberPrice(r.country_iso, r.number_type)!.rental, r.number);
  }
});

test('an imported file needs only numbers; country, type, rates and capabilities are filled in', () => {
  const [us, gb] = parsePoolCsv('number\n+12125550199\n447400987654\n', pricing, 'import', NOW);
  assert.deepEqual([us.number, us.country_iso, us.number_type, us.prefix, us.monthly_rental_rate, us.sms_enabled, us.mms_enabled], ['12125550199', 'US', 'local', '212', 500_000, 1, 1]);
  assert.deepEqual([gb.country_iso, gb.number_type, gb.monthly_rental_rate, gb.setup_rate, gb.sms_enabled], ['GB', 'mobile', 1_500_000, 0, 1]);
  const [custom] = parsePoolCsv('number,type,monthly_rental_rate,setup_rate,sms,region,city\n74951234567,local,2.5,1,no,Moscow,Moscow\n', pricing, 'import', NOW);
  assert.deepEqual([custom.country_iso, custom.monthly_rental_rate, custom.setup_rate, custom.sms_enabled, custom.city], ['RU', 2_500_000, 1_000_000, 0, 'Moscow']);
});

test('a bad inventory file names every bad line', () => {
  assert.throws(
    () => parsePoolCsv('number,type,sms\n12125550199,local,yes\nabc,,\n74951234567,,\n12125550199,,\n12125550198,,maybe\n', pricing, 'import', NOW),
    (err: Error) =>
      /4 bad line\(s\)/.test(err.message) &&
      /line 3: number "abc" is not a valid phone number/.test(err.message) &&
      /line 4: monthly_rental_rate is required: the rate file has no local numbers for RU/.test(err.message) &&
      /line 5: 12125550199 appears more than once/.test(err.message) &&
      /line 6: sms must be true or false, got "maybe"/.test(err.message),
  );
});

describe('inbound routing', () => {
  let p: Platform;
  before(async () => {
    p = await platformOn('sqlite');
  });
  after(async () => p?.close());

  test('a number routes to its application; one added without app_id is linked to its owner’s default number application of that moment', async () => {
    const { numbers, applications, accounts } = p.services;
    const [a, b, c, d] = (await numbers.search(p.scope, { country_iso: 'CA', limit: 4, offset: 0 })).objects.map((n) => n.number);
    const ivr = await applications.create(p.scope, { app_name: 'IVR', answer_url: 'https://example.com/ivr' });
    await numbers.buy(p.scope, a, { app_id: ivr.app_id });
    await numbers.buy(p.scope, b, {});

    const linked = await numbers.routeInbound('+' + a);
    assert.equal(linked?.accountId, p.scope.accountId);
    assert.equal(linked?.subaccountId, null);
    assert.equal(linked?.number.number, a);
    assert.equal(linked?.application?.app_id, ivr.app_id);

    assert.equal((await numbers.routeInbound(b))?.application, undefined, 'no app and no default when it was bought');
    const fallback = await applications.create(p.scope, { app_name: 'Default', answer_url: 'https://example.com/default', default_number_app: true });
    assert.equal((await numbers.routeInbound(b))?.application, undefined, 'a default set later does not move older numbers');
    await numbers.buy(p.scope, d, {});
    assert.equal((await numbers.get(p.scope, d)).app_id, fallback.app_id);
    assert.equal((await numbers.routeInbound(d))?.application?.app_id, fallback.app_id);

    const subRow = await accounts.createSubaccount(p.scope, { name: 'Routing sub', enabled: true });
    const sub = { accountId: p.scope.accountId, subaccountId: subRow.auth_id, callerId: subRow.auth_id };
    const subDefault = await applications.create(sub, { app_name: 'Sub default', answer_url: 'https://example.com/sub', default_number_app: true });
    await numbers.buy(sub, c, {});
    const subRoute = await numbers.routeInbound(c);
    assert.equal(subRoute?.subaccountId, subRow.auth_id);
    assert.equal(subRoute?.application?.app_id, subDefault.app_id);

    // Own-carrier numbers route like rented ones; unknown numbers do not route.
    const trunk = await p.services.carriers.create(p.scope, { name: 'Trunk', ip_set: '192.0.2.81' });
    await numbers.addOwn(p.scope, { numbers: '4930901840', carrier: trunk.carrier_id, region: 'Berlin', app_id: ivr.app_id });
    assert.equal((await numbers.routeInbound('4930901840'))?.application?.app_id, ivr.app_id);
    assert.equal(await numbers.routeInbound('4930901841'), undefined);
  });

  test('a call from a carrier is routed by what its carrier check found (the number and its application), not by reading them again', async () => {
    const { numbers, applications } = p.services;
    const app = await applications.create(p.scope, { app_name: 'Trunk app', answer_url: 'https://example.com/trunk' });
    const other = await applications.create(p.scope, { app_name: 'Other', answer_url: 'https://example.com/other' });
    const trunk = await p.services.carriers.create(p.scope, { name: 'Known trunk', ip_set: '192.0.2.82' });
    await numbers.addOwn(p.scope, { numbers: '4930901850,4930901851', carrier: trunk.carrier_id, region: 'Berlin', app_id: app.app_id });
    const found = await numbers.fromCarrier('192.0.2.82', '4930901850');
    assert.equal(found?.number.number, '4930901850');
    assert.equal(found?.carrier.carrier_id, trunk.carrier_id);
    assert.deepEqual(found?.application, app, 'the application row, every column');
    assert.deepEqual(found?.number, await p.services.store.db.selectFrom('numbers').selectAll().where('number', '=', '4930901850').executeTakeFirst(), 'the number row, nothing joined in it');
    // What was found is what routes (here another application, as if the number had moved meanwhile) …
    const moved = { ...found!, number: { ...found!.number, app_id: other.app_id }, application: other };
    assert.equal((await numbers.routeInbound('+4930901850', moved))?.application?.app_id, other.app_id);
    // … but only for its own number: for another number the number and its application are read.
    assert.equal((await numbers.routeInbound('4930901851', moved))?.application?.app_id, app.app_id);
    assert.equal((await numbers.routeInbound('4930901851', { number: 'not a row' }))?.number.number, '4930901851');
    // An address that is not the owner's carrier finds nothing.
    assert.equal(await numbers.fromCarrier('192.0.2.83', '4930901850'), undefined);
    assert.equal(await numbers.fromCarrier('not an address', '4930901850'), undefined);
  });
});
