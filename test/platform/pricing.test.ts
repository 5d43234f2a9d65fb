// The rating function and the rate file: prefixes, directions, increments.
import fs from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors.ts';
import { billedSeconds, DEFAULT_RATES_FILE, Pricing } from '../../src/platform/pricing.ts';

const pricing = Pricing.fromEnv({});

test('calls bill in whole 60-second increments, unanswered calls bill nothing', () => {
  assert.equal(billedSeconds(0), 0);
  assert.equal(billedSeconds(-3), 0);
  assert.equal(billedSeconds(1), 60);
  assert.equal(billedSeconds(10), 60);
  assert.equal(billedSeconds(60), 60);
  assert.equal(billedSeconds(61), 120);
  assert.equal(billedSeconds(70), 120);
  assert.equal(billedSeconds(7, 1), 7);
  assert.equal(pricing.billingIncrement, 60);
});

test('outbound voice uses the longest matching destination prefix', () => {
  const landline = pricing.rate({ service: 'voice', direction: 'outbound', number: '442079460000' });
  assert.deepEqual([landline.countryIso, landline.prefix, landline.rate, landline.unit], ['GB', '44', 9_500, 'minute']);
  const mobile = pricing.rate({ service: 'voice', direction: 'outbound', number: '+447400123456' });
  assert.deepEqual([mobile.countryIso, mobile.prefix, mobile.rate], ['GB', '447', 35_000]);
  // US toll-free destinations bill the country's outbound toll-free rate.
  const usFree = pricing.rate({ service: 'voice', direction: 'outbound', number: '18005550100' });
  assert.deepEqual([usFree.prefix, usFree.rate], [null, 7_000]);
  // A country with a toll-free rate uses it for toll-free destinations.
  const gbFree = pricing.rate({ service: 'voice', direction: 'outbound', number: '448081570027' });
  assert.equal(gbFree.rate, 19_000);
  assert.equal(pricing.cost(mobile, 70).billed, 120);
  assert.equal(pricing.cost(mobile, 70).amount, 70_000);
});

test('inbound voice bills by the platform number’s type; SIP by the SIP rate', () => {
  assert.equal(pricing.rate({ service: 'voice', direction: 'inbound', number: '14155550101', numberType: 'local' }).rate, 5_500);
  assert.equal(pricing.rate({ service: 'voice', direction: 'inbound', number: '18005550100', numberType: 'tollfree' }).rate, 22_000);
  // Without the type the numbering plan tells toll-free numbers apart.
  assert.equal(pricing.rate({ service: 'voice', direction: 'inbound', number: '18005550100' }).rate, 22_000);
  const sip = pricing.rate({ service: 'voice', direction: 'inbound', number: 'sip:alice@example.com' });
  assert.deepEqual([sip.countryIso, sip.rate], [null, 3_000]);
  // Own-carrier numbers in countries without rates receive for free.
  assert.equal(pricing.rate({ service: 'voice', direction: 'inbound', number: '74951234567' }).rate, 0);
});

test('messages bill per unit by destination country; MMS only where offered', () => {
  const sms = pricing.rate({ service: 'sms', direction: 'outbound', number: '4915123456789' });
  assert.deepEqual([sms.countryIso, sms.rate, sms.unit], ['DE', 80_000, 'message']);
  assert.equal(pricing.cost(sms, 3).amount, 240_000);
  assert.equal(pricing.rate({ service: 'mms', direction: 'outbound', number: '14155550101' }).rate, 20_000);
  assert.throws(() => pricing.rate({ service: 'mms', direction: 'outbound', number: '4915123456789' }), /MMS is not available/);
  assert.equal(pricing.rate({ service: 'sms', direction: 'inbound', number: '14155550101' }).rate, 0);
});

test('a destination without rates is refused with a 400 that says why', () => {
  assert.throws(
    () => pricing.rate({ service: 'voice', direction: 'outbound', number: '74951234567' }),
    (err: unknown) => err instanceof ApiError && err.status === 400 && /no voice rate for destination 74951234567/.test(err.message),
  );
  assert.throws(() => pricing.rate({ service: 'sms', direction: 'outbound', number: '74951234567' }), /RU is not in the rate file/);
});

test('the pricing view has the platform’s shape', () => {
  const gb = pricing.view('gb');
  assert.equal(gb.country, 'United Kingdom');
  assert.equal(gb.country_code, 44);
  assert.equal(gb.country_iso, 'GB');
  assert.deepEqual(gb.voice.outbound.rates, [{ prefix: ['44'], rate: '0.00950' }, { prefix: ['447'], rate: '0.03500' }]);
  assert.deepEqual(gb.voice.inbound.ip, { rate: '0.00300' });
  assert.deepEqual(gb.mms.outbound, { rate: null });
  assert.deepEqual(gb.phone_numbers.mobile, { rate: '1.50000', rates: [{ capabilities: ['voice', 'sms'], rental_rate: '1.50000', setup_rate: '0.00000' }] });
  assert.throws(() => pricing.view('XX'), /not a known ISO/);
  assert.throws(() => pricing.view('RU'), (e: unknown) => e instanceof ApiError && e.status === 404);
});

test('the shipped rate file covers at least 20 countries; a broken file names the bad field', () => {
  const rated = JSON.parse(fs.readFileSync(DEFAULT_RATES_FILE, 'utf8')).countries;
  assert.ok(Object.keys(rated).length >= 20);
  for (const iso of Object.keys(rated)) assert.equal(pricing.view(iso).country_iso, iso);
  assert.throws(
    () => Pricing.fromData({ currency: 'USD', sip: { inbound: '0.1', outbound: 'cheap' }, countries: {} }, 'rates.json'),
    /rates\.json is invalid at \/sip\/outbound/,
  );
});

test('a country with toll-free numbers needs an outbound toll-free rate, and every documented rate is a decimal string', () => {
  const file = JSON.parse(fs.readFileSync(DEFAULT_RATES_FILE, 'utf8'));
  file.countries.US.voice.outbound.tollfree = null;
  assert.throws(() => Pricing.fromData(file, 'rates.json'), /rates\.json is invalid at \/countries\/US\/voice\/outbound\/tollfree: US has toll-free numbers/);
  // Without toll-free numbers the view shows the local rate.
  delete file.countries.US.phone_numbers.tollfree;
  assert.deepEqual(Pricing.fromData(file).view('US').voice.outbound.tollfree, { rate: '0.00700' });

  const decimal = /^\d+\.\d{5}$/;
  for (const iso of Object.keys(file.countries)) {
    const v = pricing.view(iso);
    const rates = [
      v.message.inbound.rate,
      v.message.outbound.rate,
      ...v.message.outbound_networks_list.map((n) => n.rate),
      ...Object.values(v.phone_numbers).flatMap((p) => {
        const n = p as { rate: string; rates: Array<{ rental_rate: string; setup_rate: string }> };
        return [n.rate, ...n.rates.flatMap((r) => [r.rental_rate, r.setup_rate])];
      }),
      ...[v.voice.inbound.ip, v.voice.inbound.local, v.voice.inbound.tollfree, v.voice.outbound.ip, v.voice.outbound.local, v.voice.outbound.tollfree].map((r) => r.rate),
      ...v.voice.outbound.rates.map((r) => r.rate),
    ];
    for (const rate of rates) assert.match(String(rate), decimal, `${iso}: ${rate}`);
  }
});
