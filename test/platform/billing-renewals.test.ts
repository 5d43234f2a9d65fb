// Monthly rental renewal on a virtual clock, against a real store: each month
// is charged exactly once per rented number, on the day it falls due, and
// months that fell due while the scheduler was stopped are caught up on start.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Scope } from '../../src/platform/scope.ts';
import { addMonths, Renewals } from '../../src/platform/renewals.ts';
import { databases } from '../helpers/pg.ts';
import { platformOn, type Platform } from './numbers-fixture.ts';

const DAY = 86_400_000;

test('renewal dates keep the purchase day, or the month’s last day', () => {
  const jan31 = Date.UTC(2026, 0, 31, 12, 5);
  assert.equal(new Date(addMonths(jan31, 1)).toISOString(), '2026-02-28T12:05:00.000Z');
  assert.equal(new Date(addMonths(jan31, 2)).toISOString(), '2026-03-31T12:05:00.000Z');
  assert.equal(new Date(addMonths(jan31, 13)).toISOString(), '2027-02-28T12:05:00.000Z');
  assert.equal(new Date(addMonths(Date.UTC(2028, 0, 29), 1)).toISOString(), '2028-02-29T00:00:00.000Z');
});

for (const db of databases) {
  describe(`rental renewal (${db.name})`, { skip: db.skip }, () => {
    let p: Platform;
    let sub: Scope;
    const rented: string[] = [];
    let released: string;
    let own: string;

    before(async () => {
      p = await platformOn(db.name);
      const { numbers, accounts } = p.services;
      const row = await accounts.createSubaccount(p.scope, { name: 'Renewing sub', enabled: true });
      sub = { accountId: p.scope.accountId, subaccountId: row.auth_id, callerId: row.auth_id };
      const us = (await numbers.search(p.scope, { country_iso: 'US', limit: 3, offset: 0 })).objects.map((n) => n.number);
      await numbers.buy(p.scope, us[0], {});
      await numbers.buy(p.scope, us[1], {});
      await numbers.buy(sub, us[2], {});
      rented.push(us[0], us[1], us[2]);
      released = (await numbers.search(p.scope, { country_iso: 'GB', limit: 1, offset: 0 })).objects[0].number;
      await numbers.buy(p.scope, released, {});
      await numbers.unrent(p.scope, released);
      const trunk = await p.services.carriers.create(p.scope, { name: 'Trunk', ip_set: '192.0.2.80' });
      [own] = await numbers.addOwn(p.scope, { numbers: '4930901830', carrier: trunk.carrier_id, region: 'Berlin' });
      await p.services.renewals.start();
    });
    after(async () => p?.close());

    const renewalsOf = async (number: string) =>
      p.services.store.db.selectFrom('ledger').selectAll().where('kind', '=', 'number_renewal').where('reference', '=', number).execute();

    const advanceDays = async (days: number) => {
      await p.clock.advance(days * DAY);
      await p.services.renewals.settled();
    };

    const assertRenewals = async (expected: number) => {
      for (const n of rented) {
        const entries = await renewalsOf(n);
        // Each renewal charges the monthly rental.
        assert.deepEqual(entries.map((e) => e.amount), Array(expected).fill(-500_000), `${n} renewed ${expected} time(s)`);
      }
      assert.equal((await renewalsOf(released)).length, 0, 'a released number is not renewed');
      assert.equal((await renewalsOf(own)).length, 0, 'own-carrier numbers pay no rental');
      const { cash, ledger } = await p.money();
      assert.equal(cash, ledger);
    };

    test('nothing is charged before the month is over', async () => {
      await advanceDays(30);
      await assertRenewals(0);
    });

    test('advancing one month charges exactly one renewal per number, to whoever spent it', async () => {
      await advanceDays(1); // 2026-02-15, a month after purchase
      await assertRenewals(1);
      const [subEntry] = await renewalsOf(rented[2]);
      assert.equal(subEntry.subaccount_id, sub.subaccountId);
      assert.equal(subEntry.account_id, p.scope.accountId);
      assert.equal(p.services.numbers.numberView(await p.services.numbers.get(p.scope, rented[0])).renewal_date, '2026-03-15');
      await advanceDays(27);
      await assertRenewals(1);
      await advanceDays(1); // 2026-03-15
      await assertRenewals(2);
    });

    test('months that fell due while the scheduler was stopped are charged on start, once, even with two nodes racing', async () => {
      await p.services.renewals.stop();
      await p.clock.advance(3 * 31 * DAY); // past 04-15, 05-15 and 06-15
      await assertRenewals(2);
      const { store, billing } = p.services;
      const otherNode = new Renewals({ db: store.db, dialect: store.dialect, clock: p.clock }, billing);
      await Promise.all([p.services.renewals.start(), otherNode.renewDue(), otherNode.renewDue()]);
      await assertRenewals(5);
      await p.services.renewals.renewDue();
      await assertRenewals(5);
    });

    test('renewal is owed even past zero credit; then new rentals are refused', async () => {
      const { billing, numbers, store } = p.services;
      const { cash } = await p.money();
      await store.db.transaction().execute((trx) => billing.charge(trx, p.scope, 'call', cash - 100_000, 'spend down', null));
      await advanceDays(31); // 07-15
      await assertRenewals(6);
      assert.equal((await p.money()).cash, 100_000 - 3 * 500_000);
      const pick = (await numbers.search(p.scope, { country_iso: 'US', limit: 1, offset: 0 })).objects[0];
      await assert.rejects(numbers.buy(p.scope, pick.number, {}), /insufficient credit/);
    });
  });
}

test('with a clock per subaccount, a subaccount\'s rental renews on the main account\'s time (its payer\'s)', async () => {
  const p = await platformOn('sqlite', undefined, { domains: true });
  try {
    const { numbers, accounts, renewals } = p.services;
    await renewals.start();
    const row = await accounts.createSubaccount(p.scope, { name: 'Own time', enabled: true });
    const sub: Scope = { accountId: p.scope.accountId, subaccountId: row.auth_id, callerId: row.auth_id };
    const [number] = (await numbers.search(p.scope, { country_iso: 'US', limit: 1, offset: 0 })).objects.map((n) => n.number);
    // Rented on the subaccount's time, which then runs 40 days ahead: the renewal does not follow it.
    await p.domains!.run(sub, async () => {
      await numbers.buy(sub, number!, {});
      await p.domains!.virtual().advance(40 * DAY);
    });
    await renewals.settled();
    const charged = () => p.db.selectFrom('ledger').selectAll().where('kind', '=', 'number_renewal').where('reference', '=', number!).execute();
    assert.equal((await charged()).length, 0);
    await p.clock.advance(32 * DAY);
    await renewals.settled();
    assert.equal((await charged()).length, 1);
  } finally {
    await p.close();
  }
});
