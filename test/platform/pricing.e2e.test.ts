// GET /Pricing/ through the official SDK: the platform's shape for a country,
// and clear errors for unknown or unpriced countries.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => server?.stop());

test('pricing for a country has voice, message, mms and phone number rates', async () => {
  const gb = await server.client().pricings.get('GB');
  assert.equal(gb.country, 'United Kingdom');
  assert.equal(gb.countryCode, 44);
  assert.equal(gb.countryIso, 'GB');
  assert.deepEqual(gb.voice.outbound.rates, [{ prefix: ['44'], rate: '0.00950' }, { prefix: ['447'], rate: '0.03500' }]);
  assert.deepEqual(gb.voice.outbound.local, { rate: '0.00950' });
  assert.deepEqual(gb.voice.inbound.local, { rate: '0.00600' });
  assert.deepEqual(gb.voice.inbound.tollfree, { rate: '0.03000' });
  assert.deepEqual(gb.voice.inbound.ip, { rate: '0.00300' });
  assert.deepEqual(gb.message.outbound, { rate: '0.04000' });
  assert.deepEqual(gb.message.outboundNetworksList, [{ groupName: 'United Kingdom', rate: '0.04000' }]);
  assert.deepEqual(gb.mms.outbound, { rate: null });
  assert.equal(gb.phoneNumbers.local.rate, '0.80000');
  assert.deepEqual(gb.phoneNumbers.tollfree.rates, [{ capabilities: ['voice'], rentalRate: '3.00000', setupRate: '0.00000' }]);

  const raw = await (await server.fetch(`/v1/Account/${server.authId}/Pricing/?country_iso=us`)).json();
  assert.deepEqual(Object.keys(raw).sort(), ['api_id', 'country', 'country_code', 'country_iso', 'message', 'mms', 'phone_numbers', 'voice']);
  // A country with toll-free numbers has an outbound toll-free rate, as a decimal string.
  assert.equal(raw.voice.outbound.tollfree.rate, '0.00700');
  assert.deepEqual((await server.client().pricings.get('CA')).voice.outbound.tollfree, { rate: '0.00700' });
  assert.deepEqual(raw.mms.outbound, { rate: '0.02000' });
});

test('unknown or unpriced countries get clear errors', async () => {
  await assert.rejects(server.client().pricings.get('XX'), /country_iso "XX" is not a known ISO 3166-1 alpha-2 country code/);
  const unpriced = await server.fetch(`/v1/Account/${server.authId}/Pricing/?country_iso=RU`);
  assert.equal(unpriced.status, 404);
  assert.match((await unpriced.json()).error, /no pricing for country RU/);
  const missing = await server.fetch(`/v1/Account/${server.authId}/Pricing/`);
  assert.equal(missing.status, 400);
  assert.match((await missing.json()).error, /country_iso is required/);
});
