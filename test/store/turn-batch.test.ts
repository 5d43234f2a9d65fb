// Batches written in one turn share one transaction, and a batch that fails
// takes only its own writes with it — on SQLite and PostgreSQL.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Executor } from '../../src/store/repos/accounts.ts';
import { TurnBatch } from '../../src/store/turn-batch.ts';
import { databases, storeFor } from '../helpers/pg.ts';

for (const db of databases) {
  describe(`turn batches (${db.name})`, { skip: db.skip }, () => {
    const storeOf = storeFor(db, 'turn');

    before(async () => {
      await sql`create table scratch (v text primary key)`.execute(storeOf().db);
    });

    const insert = async (trx: Executor, values: string[]) => void (await sql`insert into scratch (v) values ${sql.join(values.map((v) => sql`(${v})`))}`.execute(trx));
    const stored = async () => (await sql<{ v: string }>`select v from scratch`.execute(storeOf().db)).rows.map((r) => r.v).sort();

    test('a failing batch rolls back its own writes; the turn’s other batches commit, their after-commit work runs', async () => {
      const committed: string[] = [];
      const good = new TurnBatch<string>(storeOf().db, async (items, trx, afterCommit) => {
        await insert(trx, items);
        afterCommit(() => committed.push(...items));
      });
      const bad = new TurnBatch<string>(storeOf().db, async (items, trx, afterCommit) => {
        await insert(trx, items);
        afterCommit(() => committed.push('never'));
        throw new Error('this batch fails after writing');
      });
      const later = new TurnBatch<string>(storeOf().db, (items, trx) => insert(trx, items));
      const results = await Promise.allSettled([good.add('a1'), bad.add('b1'), good.add('a2'), later.add('c1')]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
      );
      assert.deepEqual(await stored(), ['a1', 'a2', 'c1']);
      assert.deepEqual(committed, ['a1', 'a2']);
    });

    test('a batch failing on the database (a duplicate key) fails alone, alone in its turn or not', async () => {
      const batch = new TurnBatch<string>(storeOf().db, (items, trx) => insert(trx, items));
      const other = new TurnBatch<string>(storeOf().db, (items, trx) => insert(trx, items));
      await assert.rejects(batch.add('a1'));
      const [dup, fresh] = await Promise.allSettled([batch.add('a1'), other.add('d1')]);
      assert.equal(dup.status, 'rejected');
      assert.equal(fresh.status, 'fulfilled');
      assert.deepEqual(await stored(), ['a1', 'a2', 'c1', 'd1']);
    });

    test('a batch of standalone writes, alone in its turn, runs without a transaction: what it wrote before failing stays', async () => {
      const loose = new TurnBatch<string>(
        storeOf().db,
        async (items, trx) => {
          await insert(trx, items);
          throw new Error('failed after its first statement');
        },
        { atomic: false },
      );
      await assert.rejects(loose.add('g1'));
      assert.ok((await stored()).includes('g1'));
    });

    test('reads a batch needs come before the turn’s transaction; a batch whose reads fail is not written', async () => {
      const batch = new TurnBatch<{ v: string; upper?: string }>(storeOf().db, (items, trx) => insert(trx, items.map((i) => i.upper!)), {
        before: async (items) => {
          // On SQLite this read would wait forever inside the transaction, which holds the one connection.
          await sql`select count(*) from scratch`.execute(storeOf().db);
          for (const item of items) item.upper = item.v.toUpperCase();
        },
      });
      const failing = new TurnBatch<string>(storeOf().db, (items, trx) => insert(trx, items), { before: () => Promise.reject(new Error('no owner')) });
      const [a, b] = await Promise.allSettled([batch.add({ v: 'e1' }), failing.add('f1')]);
      assert.equal(a.status, 'fulfilled');
      assert.equal(b.status, 'rejected');
      assert.deepEqual(await stored(), ['E1', 'a1', 'a2', 'c1', 'd1', 'g1'].sort());
      await batch.drain();
    });

    test('a turn is written once while its batches succeed; one failing has the turn written again, each batch in a savepoint', async () => {
      const runs = { good: 0, bad: 0 };
      let failing = false;
      const good = new TurnBatch<string>(storeOf().db, async (items, trx) => {
        runs.good++;
        await insert(trx, items);
      });
      const bad = new TurnBatch<string>(storeOf().db, async (items, trx) => {
        runs.bad++;
        if (failing) throw new Error('fails');
        await insert(trx, items);
      });
      await Promise.all([good.add('s1'), bad.add('s2')]);
      assert.deepEqual(runs, { good: 1, bad: 1 }, 'once each');
      failing = true;
      const results = await Promise.allSettled([good.add('s3'), bad.add('s4')]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected']);
      assert.deepEqual(runs, { good: 3, bad: 3 }, 'together, then apart');
      const all = await stored();
      assert.deepEqual(['s1', 's2', 's3', 's4'].filter((v) => all.includes(v)), ['s1', 's2', 's3']);
    });
  });
}
