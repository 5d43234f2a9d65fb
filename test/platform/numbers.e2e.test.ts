// Phone numbers through the official SDK against a real server, on SQLite and
// PostgreSQL: search, rent, list/get/modify, unrent, own-carrier numbers,
// credit, the documented errors, concurrent purchases and subaccount isolation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from '../helpers/pg.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { assertEvery } from '../helpers/assert.ts';

const ANSWER = 'https://example.com/answer';

type Creds = { authId: string; authToken: string };

for (const db of databases) {
  describe(`numbers (${db.name})`, { skip: db.skip }, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ db: db.name });
    });
    after(async () => server?.stop());

    const balance = async (creds?: Creds) => Number((await server.client(creds).accounts.get()).cashCredits);
    const topUp = async (amount: string, creds?: Creds) => {
      const res = await server.fetch(`/v1/Account/${(creds ?? server).authId}/Sandbox/Credit/`, { method: 'POST', json: { amount }, creds });
      assert.equal(res.status, 202);
      return res.json();
    };
    /** The first available number of a search, for tests that need one to rent. */
    const available = async (country: string, params: object = {}) => {
      const found = await server.client().numbers.search(country, { limit: 1, ...params });
      assert.ok(found.length > 0, `the shipped inventory has ${country} numbers`);
      return found[0];
    };

    test('searches the inventory by country, type, pattern, region and services, with pagination', async () => {
      const client = server.client();
      const page = await client.numbers.search('US', { type: 'fixed', pattern: '415', limit: 3 });
      assert.equal(page.length, 3);
      assert.equal(page.meta.limit, 3);
      assert.ok(page.meta.totalCount >= 6);
      assert.match(page.meta.next, /country_iso=US.*offset=3/);
      for (const n of page) {
        assert.match(n.number, /^1415\d{7}$/);
        assert.equal(n.type, 'fixed');
        assert.equal(n.subType, 'local');
        assert.equal(n.country, 'UNITED STATES');
        assert.equal(n.city, 'San Francisco');
        assert.equal(n.rateCenter, 'SNFC CNTRL');
        assert.equal(n.lata, 722);
        assert.equal(n.monthlyRentalRate, '0.50000');
        assert.equal(n.setupRate, '0.00000');
        assert.equal(n.voiceEnabled, true);
        assert.equal(n.voiceRate, '0.00550');
        assert.equal(n.resourceUri, `/v1/Account/${server.authId}/PhoneNumber/${n.number}/`);
      }
      const second = await client.numbers.search('US', { type: 'fixed', pattern: '415', limit: 3, offset: 3 });
      assert.equal(new Set([...page, ...second].map((n: { number: string }) => n.number)).size, page.length + second.length);

      const mobiles = await client.numbers.search('gb', { type: 'mobile', services: 'voice,sms' });
      assertEvery(mobiles, (n: { type: string; smsEnabled: boolean }) => n.type === 'mobile' && n.smsEnabled, 'SMS-enabled mobiles');
      const berlin = await client.numbers.search('DE', { region: 'berl' });
      assertEvery(berlin, (n: { city: string }) => n.city === 'Berlin', 'in Berlin');
      const tollfree = await client.numbers.search('US', { type: 'tollfree' });
      assertEvery(tollfree, (n: { type: string }) => n.type === 'tollfree', 'toll-free');
      const byLata = await client.numbers.search('US', { lata: 132 });
      assertEvery(byLata, (n: { city: string }) => n.city === 'New York', 'in LATA 132 (New York)');
      const mms = await client.numbers.search('GB', { services: 'mms' });
      assert.equal(mms.length, 0);
    });

    test('rents a number: setup and first month come off the credit, and it leaves the inventory', async () => {
      const client = server.client();
      const pick = await available('GB', { type: 'mobile' });
      const before = await balance();
      const res = await client.numbers.buy(pick.number);
      assert.equal(res.message, 'created');
      assert.equal(res.status, 'fulfilled');
      assert.deepEqual(res.numbers, [{ number: pick.number, status: 'Success' }]);
      assert.equal((before - (await balance())).toFixed(5), (Number(pick.setupRate) + Number(pick.monthlyRentalRate)).toFixed(5));

      const again = await client.numbers.search('GB', { type: 'mobile', limit: 20 });
      assert.ok(!again.some((n: { number: string }) => n.number === pick.number));

      const owned = await client.numbers.get(pick.number);
      assert.equal(owned.number, pick.number);
      assert.equal(owned.numberType, 'mobile');
      assert.equal(owned.carrier, 'Switchboard');
      assert.equal(owned.region, 'United Kingdom, UNITED KINGDOM');
      assert.equal(owned.monthlyRentalRate, '1.50000');
      assert.equal(owned.smsEnabled, true);
      assert.equal(owned.application, null);
      assert.equal(owned.subAccount, null);
      assert.match(owned.addedOn, /^\d{4}-\d{2}-\d{2}$/);
      assert.match(owned.renewalDate, /^\d{4}-\d{2}-\d{2}$/);
      assert.equal(owned.resourceUri, `/v1/Account/${server.authId}/Number/${pick.number}/`);
    });

    test('lists, filters, links an application, modifies and unrents', async () => {
      const client = server.client();
      const { appId } = await client.applications.create('Numbers IVR', { answerUrl: 'https://example.com/answer' });
      const local = await available('US', { pattern: '212' });
      const tollfree = await available('US', { type: 'tollfree' });
      await client.numbers.buy(local.number, appId);
      await client.numbers.buy(tollfree.number);

      assert.equal((await client.numbers.get(local.number)).application, `/v1/Account/${server.authId}/Application/${appId}/`);
      const changed = await client.numbers.update(tollfree.number, { appId, alias: 'support line' });
      assert.equal(changed.message, 'changed');
      const linked = await client.numbers.get(tollfree.number);
      assert.equal(linked.alias, 'support line');
      assert.equal(linked.application, `/v1/Account/${server.authId}/Application/${appId}/`);

      const tollfrees = await client.numbers.list({ type: 'tollfree' });
      assert.ok(tollfrees.some((n: { number: string }) => n.number === tollfree.number));
      assertEvery(tollfrees, (n: { numberType: string }) => n.numberType === 'tollfree', 'toll-free');
      assert.deepEqual((await client.numbers.list({ alias: 'support line' })).map((n: { number: string }) => n.number), [tollfree.number]);
      assert.deepEqual((await client.numbers.list({ numberStartswith: local.number.slice(0, 8) })).map((n: { number: string }) => n.number), [local.number]);
      const page = await client.numbers.list({ limit: 1 });
      assert.equal(page.length, 1);
      assert.ok(page.meta.totalCount >= 2);

      // Deleting the application unlinks its numbers.
      await client.applications.delete(appId);
      assert.equal((await client.numbers.get(tollfree.number)).application, null);

      // Unlink explicitly with null, as the platform documents.
      const unlinked = await server.fetch(`/v1/Account/${server.authId}/Number/${local.number}/`, { method: 'POST', json: { app_id: null } });
      assert.equal(unlinked.status, 202);

      assert.equal(await client.numbers.unrent(local.number), true);
      await assert.rejects(client.numbers.get(local.number), /not found/);
      const back = await client.numbers.search('US', { pattern: local.number.slice(1, 10) });
      assert.ok(back.some((n: { number: string }) => n.number === local.number), 'an unrented number returns to the inventory');
      await assert.rejects(client.numbers.unrent(local.number), /not found/);
    });

    test('a number bought without app_id points at the default number app of the moment; a later default moves no older number', async () => {
      const client = server.client();
      const sub = await client.subaccounts.create('Defaults', true);
      const subClient = server.client(sub);
      const first = await subClient.applications.create('First default', { answerUrl: ANSWER, defaultNumberApp: true });
      const uri = (appId: string) => `/v1/Account/${server.authId}/Application/${appId}/`;
      const older = await available('CA', { pattern: '416' });
      await subClient.numbers.buy(older.number);
      assert.equal((await subClient.numbers.get(older.number)).application, uri(first.appId));

      const second = await subClient.applications.create('Second default', { answerUrl: ANSWER, defaultNumberApp: true });
      assert.equal((await subClient.numbers.get(older.number)).application, uri(first.appId), 'the older number keeps its application');
      const newer = await available('CA', { pattern: '416' });
      await subClient.numbers.buy(newer.number);
      assert.equal((await subClient.numbers.get(newer.number)).application, uri(second.appId));
      // The main account's default is its own: a subaccount's purchase does not take it, nor the reverse.
      const mainNumber = await available('CA', { pattern: '416' });
      await client.numbers.buy(mainNumber.number);
      assert.equal((await client.numbers.get(mainNumber.number)).application, null);
    });

    test('adds numbers from one of the account’s incoming carriers; deleting the carrier deletes them', async () => {
      const client = server.client();
      // The SDK has no IncomingCarrier resource: the carrier is made over HTTP.
      const carrier = await server.fetch(`/v1/Account/${server.authId}/IncomingCarrier/`, { method: 'POST', json: { name: 'Acme trunk', ip_set: '192.0.2.90' } });
      assert.equal(carrier.status, 201);
      const { carrier_id: carrierId } = await carrier.json();
      const { appId } = await client.applications.create('Trunk app', { answerUrl: ANSWER });
      const res = await client.numbers.addOwnNumber('4930901820,+4930901821', carrierId, 'Berlin', { numberType: 'local', appId });
      assert.equal(res.message, 'changed');
      const own = await client.numbers.get('4930901821');
      assert.equal(own.carrier, carrierId);
      assert.equal(own.region, 'Berlin');
      assert.equal(own.monthlyRentalRate, '0.00000');
      assert.equal(own.renewalDate, null);
      assert.equal(own.application, `/v1/Account/${server.authId}/Application/${appId}/`);
      // Adding a number the platform already serves is refused as a whole.
      await assert.rejects(client.numbers.addOwnNumber('4930901822,4930901820', carrierId, 'Berlin', {}), /already in your account/);
      await assert.rejects(client.numbers.get('4930901822'), /not found/);
      // The carrier must be an incoming carrier of the account.
      await assert.rejects(client.numbers.addOwnNumber('4930901823', 'acme-trunk', 'Berlin', {}), {
        status: 400,
        message: /carrier acme-trunk is not an incoming carrier of this account/,
      });
      await assert.rejects(client.numbers.get('4930901823'), /not found/);
      assert.equal(await client.numbers.unrent('4930901820'), true);

      // Removing the carrier removes every number associated with it.
      assert.equal((await server.fetch(`/v1/Account/${server.authId}/IncomingCarrier/${carrierId}/`, { method: 'DELETE' })).status, 204);
      await assert.rejects(client.numbers.get('4930901821'), { status: 404 });
    });

    test('documented errors: unknown country, malformed or unknown number, already owned, insufficient credit', async () => {
      const client = server.client();
      const id = server.authId;
      const unknownCountry = await server.fetch(`/v1/Account/${id}/PhoneNumber/?country_iso=ZZ`);
      assert.equal(unknownCountry.status, 400);
      assert.match((await unknownCountry.json()).error, /country_iso "ZZ" is not a known ISO 3166-1 alpha-2 country code/);
      await assert.rejects(client.numbers.search('ZZ', {}), /not a known ISO/);
      const missing = await server.fetch(`/v1/Account/${id}/PhoneNumber/`);
      assert.equal(missing.status, 400);
      assert.match((await missing.json()).error, /country_iso is required/);

      await assert.rejects(client.numbers.buy('12ab34'), /not a valid phone number/);
      await assert.rejects(client.numbers.buy('14155550000'), /is not available/);
      await assert.rejects(client.numbers.get('not-a-number'), /not a valid phone number/);

      const pick = await available('US', { pattern: '312' });
      await client.numbers.buy(pick.number);
      const twice = await server.fetch(`/v1/Account/${id}/PhoneNumber/${pick.number}/`, { method: 'POST', json: {} });
      assert.equal(twice.status, 400);
      assert.match((await twice.json()).error, /already in your account/);

      // A Japanese toll-free number costs more than the credit left: nothing changes.
      const pricey = await available('JP', { type: 'tollfree' });
      const credit = await balance();
      assert.ok(credit < Number(pricey.monthlyRentalRate) + Number(pricey.setupRate));
      const refused = await server.fetch(`/v1/Account/${id}/PhoneNumber/${pricey.number}/`, { method: 'POST', json: {} });
      assert.equal(refused.status, 400);
      assert.match((await refused.json()).error, /insufficient credit: this needs 40\.00000 but the account balance is/);
      assert.equal(await balance(), credit);
      await assert.rejects(client.numbers.get(pricey.number), /not found/);

      await topUp('50');
      await client.numbers.buy(pricey.number);
      assert.equal((await balance()).toFixed(5), (credit + 50 - 40).toFixed(5));
    });

    test('two concurrent purchases of one number: exactly one wins and pays', async () => {
      const main = server.client();
      const sub = await main.subaccounts.create('Racer', true);
      const pick = await available('FR', { type: 'fixed' });
      const before = await balance();
      const results = await Promise.allSettled([main.numbers.buy(pick.number), server.client(sub).numbers.buy(pick.number)]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.match(String(lost.reason), /already rented/);
      assert.equal((before - (await balance())).toFixed(5), (Number(pick.setupRate) + Number(pick.monthlyRentalRate)).toFixed(5));
    });

    test('a subaccount sees and changes only its own numbers; its rentals draw on the main account', async () => {
      const main = server.client();
      const a = await main.subaccounts.create('Numbers A', true);
      const b = await main.subaccounts.create('Numbers B', true);
      const clientA = server.client(a);
      const clientB = server.client(b);
      const mainNumber = (await available('ES')).number;
      await main.numbers.buy(mainNumber);
      const aNumber = (await available('IT')).number;
      const before = await balance();
      await clientA.numbers.buy(aNumber);
      assert.ok((await balance()) < before, 'the main account paid for the subaccount');
      assert.equal(await balance(a), await balance(), 'the subaccount shows its parent’s balance');

      assert.deepEqual((await clientA.numbers.list()).map((n: { number: string }) => n.number), [aNumber]);
      assert.equal((await clientA.numbers.get(aNumber)).subAccount, `/v1/Account/${server.authId}/Subaccount/${a.authId}/`);
      await assert.rejects(clientA.numbers.get(mainNumber), /not found/);
      await assert.rejects(clientB.numbers.get(aNumber), /not found/);
      await assert.rejects(clientB.numbers.update(aNumber, { alias: 'hijack' }), /not found/);
      await assert.rejects(clientB.numbers.unrent(aNumber), /not found/);
      await assert.rejects(clientA.numbers.update(aNumber, { subAccount: b.authId }), { status: 401, message: /cannot assign resources to/ });
      // B's application cannot be linked to A's number.
      const { appId: bApp } = await clientB.applications.create('B app', { answerUrl: ANSWER });
      await assert.rejects(clientA.numbers.update(aNumber, { appId: bApp }), /not an application of this account/);

      // The main account filters by subaccount and moves numbers between its subaccounts.
      assert.deepEqual((await main.numbers.list({ subAccount: a.authId })).map((n: { number: string }) => n.number), [aNumber]);
      await main.numbers.update(aNumber, { subAccount: b.authId });
      assert.deepEqual((await clientB.numbers.list()).map((n: { number: string }) => n.number), [aNumber]);
      assert.equal((await clientA.numbers.list()).length, 0);

      // Deleting B without cascade moves its number to the main account; with cascade a number is released.
      await main.subaccounts.delete(b.authId, false);
      assert.equal((await main.numbers.get(aNumber)).subAccount, null);
      const cNumber = (await available('NL')).number;
      await clientA.numbers.buy(cNumber);
      await main.subaccounts.delete(a.authId, true);
      await assert.rejects(main.numbers.get(cNumber), /not found/);
      assert.ok((await main.numbers.search('NL', { pattern: cNumber.slice(2, 8) })).some((n: { number: string }) => n.number === cNumber));
    });

    test('POST /Sandbox/Number/ rents the first number for sale with a new application linked, in one step; a sold-out country gets a sibling number; none at all → 404, nothing left behind', async () => {
      const sub = await server.client().subaccounts.create('Shortcut', true);
      const client = server.client(sub);
      const rent = (json: object) => server.fetch(`/v1/Account/${sub.authId}/Sandbox/Number/`, { method: 'POST', json, creds: sub });
      await topUp('200');
      const before = await balance();
      const res = await rent({ answer_url: ANSWER, hangup_url: 'https://example.com/hangup', country_iso: 'DK' });
      assert.equal(res.status, 201);
      const body = await res.json();
      assert.equal(body.message, 'created');
      const owned = await client.numbers.get(body.number);
      assert.equal(owned.subAccount, `/v1/Account/${server.authId}/Subaccount/${sub.authId}/`);
      assert.equal(owned.application, `/v1/Account/${server.authId}/Application/${body.app_id}/`);
      assert.equal((before - (await balance())).toFixed(5), (Number(owned.setupRate ?? 0) + Number(owned.monthlyRentalRate)).toFixed(5));
      const app = await (await server.fetch(`/v1/Account/${sub.authId}/Application/${body.app_id}/`, { creds: sub })).json();
      assert.equal(app.app_name, `test-${body.number}`);
      assert.equal(app.answer_url, ANSWER);
      assert.equal(app.hangup_url, 'https://example.com/hangup');

      // Requests at once get different numbers until the country's are all rented.
      const rest = await Promise.all(Array.from({ length: 6 }, () => rent({ answer_url: ANSWER, country_iso: 'DK' })));
      const numbers = await Promise.all(rest.map(async (r) => (assert.equal(r.status, 201), (await r.json()).number)));
      assert.equal(new Set([body.number, ...numbers]).size, 7);
      // The country's inventory is sold out: the next is a shipped number with other last two digits, rented the same way.
      const shipped = new Set([body.number, ...numbers]);
      const extra = await rent({ answer_url: ANSWER, country_iso: 'DK' });
      assert.equal(extra.status, 201);
      const sibling = (await extra.json()).number;
      assert.ok(!shipped.has(sibling), `${sibling} is a new number`);
      assert.ok([...shipped].some((n) => n.slice(0, -2) === sibling.slice(0, -2)), `${sibling} is a sibling of a shipped DK number`);
      assert.equal((await client.numbers.get(sibling)).country, 'Denmark');

      // A country without numbers with voice in the inventory: 404, and no application is left behind.
      const apps = (await client.applications.list()).length;
      const none = await rent({ answer_url: ANSWER, country_iso: 'AR' });
      assert.equal(none.status, 404);
      assert.match((await none.json()).error, /no AR number with voice is for sale/);
      assert.equal((await client.applications.list()).length, apps, 'no application is left behind');

      const unknown = await rent({ answer_url: ANSWER, colour: 'blue' });
      assert.equal(unknown.status, 400);
    });

    test('sandbox credit top-up answers with the new balance and rejects bad amounts', async () => {
      const before = await balance();
      const body = await topUp('12.5');
      assert.equal(body.message, 'credited');
      assert.equal(body.amount, '12.50000');
      assert.equal(body.cash_credits, (before + 12.5).toFixed(5));
      for (const amount of ['-5', 'ten', '0', '1.1234567']) {
        const res = await server.fetch(`/v1/Account/${server.authId}/Sandbox/Credit/`, { method: 'POST', json: { amount } });
        assert.equal(res.status, 400, amount);
        assert.match((await res.json()).error, /amount/);
      }
    });
  });
}
