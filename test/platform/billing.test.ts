// Billing on a real store (SQLite, and PostgreSQL when reachable): a seeded
// random walk of purchases, releases, top-ups, messages and charges keeps the
// balance equal to the ledger and never below zero; calls may overdraw but
// then block new paid actions; concurrent spending cannot overspend.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors.ts';
import { poolRepo } from '../../src/store/repos/numbers.ts';
import { databases } from '../helpers/pg.ts';
import { platformOn, type Platform } from './numbers-fixture.ts';

/** mulberry32: a small seeded PRNG, so a failing walk can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DESTINATIONS = ['14155550123', '447400123456', '4915123456789', '33612345678', '61491570123', '81312345678'];

for (const db of databases) {
  describe(`billing (${db.name})`, { skip: db.skip }, () => {
    let p: Platform;
    before(async () => {
      p = await platformOn(db.name);
    });
    after(async () => p?.close());

    const sameMoney = async (why: string) => {
      const { cash, ledger } = await p.money();
      assert.equal(cash, ledger, `cash_credits equals the ledger sum (${why})`);
      return cash;
    };

    test('random operations keep cash_credits equal to the ledger and never negative', async () => {
      const seed = Number(process.env.BILLING_SEED ?? 4242);
      const rnd = prng(seed);
      const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
      const { numbers, billing, pricing } = p.services;
      const candidates = [
        ...(await numbers.search(p.scope, { country_iso: 'US', limit: 20, offset: 0 })).objects,
        ...(await numbers.search(p.scope, { country_iso: 'JP', limit: 10, offset: 0 })).objects,
        ...(await numbers.search(p.scope, { country_iso: 'CH', limit: 10, offset: 0 })).objects,
      ].map((n) => n.number);
      const owned = new Set<string>();
      const outcomes: Record<string, number> = {};

      for (let step = 0; step < 150; step++) {
        const before = await sameMoney(`seed ${seed}, before step ${step}`);
        const op = pick(['buy', 'buy', 'unrent', 'message', 'charge', 'topup', 'rate']);
        let expected = before;
        try {
          switch (op) {
            case 'buy': {
              const number = pick(candidates);
              const pool = (await poolRepo.find(p.services.store.db, number))!;
              expected = before - pool.setup_rate - pool.monthly_rental_rate;
              await numbers.buy(p.scope, number, {});
              owned.add(number);
              break;
            }
            case 'unrent': {
              const number = pick([...owned, candidates[0]]);
              await numbers.unrent(p.scope, number);
              owned.delete(number);
              break;
            }
            case 'message': {
              const number = pick(DESTINATIONS);
              const units = 1 + Math.floor(rnd() * 3);
              const cost = pricing.rate({ service: 'sms', direction: 'outbound', number }).rate * units;
              expected = before - cost;
              const charged = await p.services.store.db.transaction().execute((trx) =>
                billing.chargeMessage(trx, p.scope, { messageUuid: `m${step}`, direction: 'outbound', service: 'sms', number, units }),
              );
              assert.equal(charged.amount, cost);
              break;
            }
            case 'charge': {
              const amount = Math.floor(rnd() * 8_000_000);
              expected = before - amount;
              await p.services.store.db.transaction().execute((trx) => billing.charge(trx, p.scope, 'call', amount, `step ${step}`, null));
              break;
            }
            case 'topup': {
              const amount = 1_000_000 + Math.floor(rnd() * 5_000_000);
              expected = before + amount;
              assert.equal(await billing.credit(p.scope, amount, `step ${step}`), expected);
              break;
            }
            case 'rate': {
              const seconds = Math.floor(rnd() * 600);
              const rate = pricing.rate({ service: 'voice', direction: pick(['inbound', 'outbound']), number: pick(DESTINATIONS) });
              const { billed, amount } = pricing.cost(rate, seconds);
              assert.ok(billed >= seconds && billed % 60 === 0 && billed - seconds < 60);
              assert.equal(amount, (rate.rate * billed) / 60);
              break;
            }
          }
          outcomes[`${op} ok`] = (outcomes[`${op} ok`] ?? 0) + 1;
        } catch (err) {
          // Refusals are the documented ones, and change nothing.
          assert.ok(err instanceof ApiError && [400, 404].includes(err.status), `seed ${seed} step ${step} ${op}: ${String(err)}`);
          const credit = /insufficient credit/.test(err.message);
          if (credit) assert.ok(expected < 0, `seed ${seed} step ${step}: refused for credit only when the balance cannot cover the cost`);
          const outcome = `${op} ${credit ? 'no credit' : err.status}`;
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
          expected = before;
        }
        const afterOp = await sameMoney(`seed ${seed}, after step ${step} (${op})`);
        assert.equal(afterOp, expected, `seed ${seed} step ${step} (${op}) moved the balance by the expected amount`);
        assert.ok(afterOp >= 0, `seed ${seed} step ${step}: balance never negative`);
      }
      // The walk must have gone both ways: paid actions that succeeded and ones refused for credit.
      for (const kind of ['buy ok', 'buy no credit', 'unrent ok', 'message ok', 'charge ok', 'charge no credit', 'topup ok']) {
        assert.ok(outcomes[kind] > 0, `seed ${seed}: the walk exercised "${kind}" (${JSON.stringify(outcomes)})`);
      }
    });

    test('a finished call is billed even past zero; then new paid actions are refused until a top-up', async () => {
      const { billing, numbers, store } = p.services;
      const cash = await sameMoney('start');
      // Spend down to 0.01 with a plain charge, then place a long call to a mobile.
      await store.db.transaction().execute((trx) => billing.charge(trx, p.scope, 'call', cash - 10_000, 'spend down', null));
      const call = await store.db.transaction().execute((trx) =>
        billing.chargeCall(trx, p.scope, { callUuid: 'c-1', direction: 'outbound', number: '447400123456', durationSeconds: 130 }),
      );
      assert.equal(call.billed, 180);
      assert.equal(call.amount, 105_000);
      assert.equal(await sameMoney('after the call'), 10_000 - 105_000);

      await assert.rejects(billing.assertCanSpend(p.scope, 1), (e: unknown) => e instanceof ApiError && e.status === 400 && /insufficient credit/.test(e.message));
      const pick = (await numbers.search(p.scope, { country_iso: 'SE', limit: 1, offset: 0 })).objects[0];
      await assert.rejects(numbers.buy(p.scope, pick.number, {}), /insufficient credit/);
      await assert.rejects(
        store.db.transaction().execute((trx) => billing.chargeMessage(trx, p.scope, { messageUuid: 'm-x', direction: 'outbound', service: 'sms', number: '14155550123', units: 1 })),
        /insufficient credit/,
      );
      // Inbound traffic is still billed; an unanswered call costs nothing and writes no entry.
      await store.db.transaction().execute((trx) => billing.chargeMessage(trx, p.scope, { messageUuid: 'm-in', direction: 'inbound', service: 'sms', number: '14155550123', units: 1 }));
      const unanswered = await store.db.transaction().execute((trx) =>
        billing.chargeCall(trx, p.scope, { callUuid: 'c-2', direction: 'outbound', number: '14155550123', durationSeconds: 0 }),
      );
      assert.deepEqual([unanswered.billed, unanswered.amount], [0, 0]);

      await billing.credit(p.scope, 50_000_000, 'top-up');
      await billing.assertCanSpend(p.scope, 1_000_000);
      await numbers.buy(p.scope, pick.number, {});
      await sameMoney('after recovery');
    });

    test('concurrent purchases cannot spend credit twice', async () => {
      const { billing, numbers, store } = p.services;
      const picks = (await numbers.search(p.scope, { country_iso: 'AU', type: 'tollfree', limit: 2, offset: 0 })).objects;
      assert.equal(picks.length, 2);
      const cost = 20_000_000;
      const cash = await sameMoney('start');
      // Leave credit for exactly one and a half purchases.
      if (cash > 0) await store.db.transaction().execute((trx) => billing.charge(trx, p.scope, 'call', cash, 'spend down', null));
      await billing.credit(p.scope, cost * 1.5 - (await p.money()).cash, 'exactly one and a half');
      const results = await Promise.allSettled(picks.map((n) => numbers.buy(p.scope, n.number, {})));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      assert.match(String((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason), /insufficient credit/);
      assert.equal(await sameMoney('after the race'), cost * 0.5);
    });
  });
}
