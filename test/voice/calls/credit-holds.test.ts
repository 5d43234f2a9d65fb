// Credit held for calls in progress, property-tested on the real services
// (SQLite, and PostgreSQL when reachable) with a virtual clock: an account
// starts with little credit, then random bursts of concurrent outbound calls
// (each waiting a random while once answered) and outbound messages, time
// passing and top-ups. Whatever happens, after every step the balance equals
// the ledger, is never negative, and never less than what calls in progress
// hold; once every call has ended nothing is held any more.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ApiError } from '../../../src/errors.ts';
import { newAccountAuthId, newAuthToken } from '../../../src/ids.ts';
import type { Scope } from '../../../src/platform/scope.ts';
import { response, wait } from '../../../src/plivo-xml/build.ts';
import { accountsRepo, ledgerRepo } from '../../../src/store/repos/accounts.ts';
import { billingRepo } from '../../../src/store/repos/billing.ts';
import { databases } from '../../helpers/pg.ts';
import { platformOn, type Platform } from '../../platform/numbers-fixture.ts';

// Destinations at different rates (US 0.007, GB mobile 0.035, DE mobile 0.055, JP mobile 0.09 a minute).
const DESTINATIONS = ['14155550123', '447400123456', '4915123456789', '819012345678'];

type Op =
  | { kind: 'calls'; to: string[]; waitS: number }
  | { kind: 'message'; to: string }
  | { kind: 'advance'; ms: number }
  | { kind: 'topup'; amount: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('calls' as const), to: fc.subarray(DESTINATIONS, { minLength: 1 }), waitS: fc.integer({ min: 5, max: 400 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('message' as const), to: fc.constantFrom(...DESTINATIONS) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 150_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('topup' as const), amount: fc.integer({ min: 1, max: 100_000 }) }) },
);

for (const db of databases) {
  describe(`credit held for calls in progress (${db.name})`, { skip: db.skip }, () => {
    let p: Platform;
    before(async () => {
      p = await platformOn(db.name);
    });
    after(async () => p?.close());

    /** One main account for every run, with a number to text from; each run starts it at its own credit. */
    let scope: Scope;
    let number: string;
    before(async () => {
      const { accounts, numbers } = p.services;
      const authId = newAccountAuthId();
      await accounts.createMain({ authId, authToken: newAuthToken() }, 'credit property');
      scope = { accountId: authId, subaccountId: null, callerId: authId };
      [{ number }] = (await numbers.search(scope, { country_iso: 'US', limit: 1, offset: 0 })).objects;
      await numbers.buy(scope, number, {});
    });

    async function startWith(credit: number): Promise<void> {
      const { billing } = p.services;
      const cash = await billing.balance(scope);
      if (cash > credit) await p.db.transaction().execute((trx) => billing.charge(trx, scope, 'call', cash - credit, 'down to the run’s credit', null));
      else if (cash < credit) await billing.credit(scope, credit - cash, 'up to the run’s credit');
    }

    async function invariants(authId: string, why: string): Promise<{ cash: number; held: number }> {
      const [row, ledger, held] = await Promise.all([accountsRepo.find(p.db, authId), ledgerRepo.sum(p.db, authId), billingRepo.sumOfHolds(p.db, authId)]);
      const cash = Number(row!.cash_credits);
      assert.equal(cash, ledger, `the balance equals the ledger (${why})`);
      assert.equal(Number(row!.held_credits), held, `the account's held total equals its holds (${why})`);
      assert.ok(cash >= 0, `the balance is never negative: ${cash} (${why})`);
      assert.ok(cash - held >= 0, `the balance covers what calls hold: ${cash} < ${held} (${why})`);
      return { cash, held };
    }

    const refusedForCredit = (r: PromiseSettledResult<unknown>) =>
      r.status === 'fulfilled' || (r.reason instanceof ApiError && /insufficient credit/.test(r.reason.message));

    test('concurrent calls and messages never take the balance below what calls hold, nor below zero', async () => {
      const { voice, messages } = p.services;
      const live = () => [...voice.engine.live()].length > 0;
      const seen = { placed: 0, refused: 0, outOfCredits: 0, messages: 0 };
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 300_000 }), fc.array(op, { minLength: 3, maxLength: 14 }), async (credit, ops) => {
          await startWith(credit);
          const placeCalls = (o: Extract<Op, { kind: 'calls' }>) =>
            voice.calls
              .place(scope, {
              from: number,
              to: o.to,
                setup: { answer: { url: '', method: 'POST' }, document: response(wait({ length: o.waitS })), callerName: number, timeLimitS: 86_400, ringTimeoutS: 60, sipHeaders: {} },
              })
              .then(
                (r) => {
                  seen.placed += r.requestUuids.length;
                  for (const uuid of r.requestUuids) {
                    const call = voice.engine.find(uuid);
                    call?.onEnd(() => void (call.end?.cause.code === 1010 && seen.outOfCredits++));
                  }
                },
                (err: unknown) => {
                  seen.refused++;
                  throw err;
                },
              );
          let burst: Array<Promise<unknown>> = [];
          const settleBurst = async (why: string) => {
            const results = await Promise.allSettled(burst);
            burst = [];
            for (const r of results) assert.ok(refusedForCredit(r), `only refusals for credit: ${r.status === 'rejected' ? String(r.reason) : ''}`);
            await invariants(scope.accountId, why);
          };
          for (const [i, o] of ops.entries()) {
            if (o.kind === 'calls') burst.push(placeCalls(o));
            else if (o.kind === 'message') burst.push(messages.send(scope, { src: number, dst: o.to, text: 'hi' }).then(() => seen.messages++));
            else if (o.kind === 'topup') burst.push(p.services.billing.credit(scope, o.amount, 'top-up'));
            else {
              await settleBurst(`before step ${i}`);
              await p.clock.advance(o.ms);
              await invariants(scope.accountId, `after advancing at step ${i}`);
            }
          }
          await settleBurst('after the last burst');
          // Until every call has ended and its record (with its charge) is written.
          await p.clock.runWhile(live, 24 * 3600_000);
          const end = await invariants(scope.accountId, 'once every call ended');
          assert.equal(end.held, 0, 'nothing is held once every call has ended');
        }),
        { numRuns: db.name === 'sqlite' ? 25 : 8, seed: Number(process.env.CREDIT_SEED ?? 20261206) },
      );
      // The runs went both ways: calls placed and refused, calls cut short for credit, messages sent.
      for (const [what, n] of Object.entries(seen)) assert.ok(n > 0, `the runs exercised ${what} (${JSON.stringify(seen)})`);
    });
  });
}
