// A prepared query runs the SQL Kysely writes for the same values, binds
// each run's own values whatever the shape (values it does not use left
// out), and refuses a query whose SQL depends on its values (Kysely writes
// some into the text) — on SQLite and PostgreSQL.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { prepared } from '../../src/store/prepared.ts';
import { preparedSlices } from '../../src/store/repos/sql.ts';
import type { NewCallLogEntryRow } from '../../src/store/tables/webhooks.ts';
import { databases, storeFor } from '../helpers/pg.ts';

const insertEntries = prepared((db, rows: NewCallLogEntryRow[]) => db.insertInto('call_log_entries').values(rows));
const entriesOf = prepared((db, v: { uuids: string[]; account: string }) =>
  db.selectFrom('call_log_entries').selectAll().where('call_uuid', 'in', v.uuids).where('account_id', '=', v.account).orderBy('call_uuid').orderBy('seq'),
);

const entry = (call: string, seq: number, data: string | null = null): NewCallLogEntryRow => ({
  entry_id: `${call}-${seq}`,
  call_uuid: call,
  account_id: 'MA1',
  subaccount_id: null,
  seq,
  kind: 'event',
  message: `entry ${seq}`,
  data,
  created_at: 1_000 + seq,
});

for (const db of databases) {
  describe(`prepared queries (${db.name})`, { skip: db.skip }, () => {
    const storeOf = storeFor(db, 'prepared');


    test('each run binds its own values, in batches of any size, through transactions too', async () => {
      await insertEntries(storeOf().db, [entry('c1', 1), entry('c1', 2, '{"a":1}')]);
      await storeOf().db.transaction().execute((trx) => insertEntries(trx, [entry('c2', 1), entry('c2', 2), entry('c3', 1)]));
      await insertEntries(storeOf().db, [entry('c4', 1)]);
      const rows = (await entriesOf(storeOf().db, { uuids: ['c1', 'c2', 'c4'], account: 'MA1' })).rows;
      assert.deepEqual(
        rows.map((r) => [r.entry_id, r.message, r.data, Number(r.created_at)]),
        [
          ['c1-1', 'entry 1', null, 1001],
          ['c1-2', 'entry 2', '{"a":1}', 1002],
          ['c2-1', 'entry 1', null, 1001],
          ['c2-2', 'entry 2', null, 1002],
          ['c4-1', 'entry 1', null, 1001],
        ],
      );
      assert.deepEqual((await entriesOf(storeOf().db, { uuids: ['c3'], account: 'MA1' })).rows.map((r) => r.entry_id), ['c3-1']);
      assert.deepEqual((await entriesOf(storeOf().db, { uuids: ['c3'], account: 'MA2' })).rows, []);
    });

    test('the SQL is what Kysely writes for the same values', async () => {
      const seen: string[] = [];
      const db = storeOf().db;
      // The parts of an executor a prepared query uses, its runs' SQL noted.
      const spy = { getExecutor: () => db.getExecutor(), selectFrom: db.selectFrom.bind(db), executeQuery: (q: { sql: string }) => (seen.push(q.sql), db.executeQuery(q as never)) } as unknown as typeof db;
      await entriesOf(spy, { uuids: ['x', 'y'], account: 'MA1' });
      await entriesOf(spy, { uuids: ['z', 'w'], account: 'MA9' });
      const kysely = storeOf().db.selectFrom('call_log_entries').selectAll().where('call_uuid', 'in', ['x', 'y']).where('account_id', '=', 'MA1').orderBy('call_uuid').orderBy('seq').compile().sql;
      assert.deepEqual(seen, [kysely, kysely]);
    });

    test('a query whose SQL depends on a value is refused', async () => {
      const isNull = prepared((d, v: { sub: null }) => d.selectFrom('call_log_entries').selectAll().where('subaccount_id', 'is', v.sub));
      await assert.rejects(async () => isNull(storeOf().db, { sub: null }), /depends on its values/);
    });

    test('values the query does not use are left out', async () => {
      const rows = (await entriesOf(storeOf().db, { uuids: ['c4'], account: 'MA1', extra: 'unused' } as never)).rows;
      assert.deepEqual(rows.map((r) => r.entry_id), ['c4-1']);
    });

    test('rows of one batch with different columns are each their own part of its shape', async () => {
      const noData = (call: string, seq: number) => ({ ...entry(call, seq), data: undefined }) as unknown as NewCallLogEntryRow;
      // `data` as the last column: a row without it has the first columns of one with it.
      const dataLast = (call: string, seq: number, data?: string) => {
        const { data: _, ...row } = entry(call, seq);
        return { ...row, data } as NewCallLogEntryRow;
      };
      // The same length and first row, then a second row with or without `data`: two shapes, each bound right.
      await insertEntries(storeOf().db, [dataLast('d1', 1, 'first'), dataLast('d1', 2, 'second')]);
      await insertEntries(storeOf().db, [dataLast('d2', 1, 'first'), dataLast('d2', 2)]);
      await insertEntries(storeOf().db, [noData('d3', 1), entry('d3', 2, 'second'), noData('d3', 3)]);
      // A row without the last column is not the shape of one with it: Kysely writes the missing value into the text.
      const db = storeOf().db;
      const seen: string[] = [];
      const spy = { getExecutor: () => db.getExecutor(), insertInto: db.insertInto.bind(db), executeQuery: (q: { sql: string }) => (seen.push(q.sql), db.executeQuery(q as never)) } as unknown as typeof db;
      const full = [dataLast('e1', 1, 'first'), dataLast('e1', 2, 'second')];
      const short = [dataLast('e2', 1, 'first'), dataLast('e2', 2)];
      await insertEntries(spy, full);
      await insertEntries(spy, short);
      assert.deepEqual(seen, [db.insertInto('call_log_entries').values(full).compile().sql, db.insertInto('call_log_entries').values(short).compile().sql]);
      assert.notEqual(seen[0], seen[1]);
      const rows = (await entriesOf(storeOf().db, { uuids: ['d1', 'd2', 'd3'], account: 'MA1' })).rows;
      assert.deepEqual(
        rows.map((r) => [r.entry_id, r.message, r.data]),
        [
          ['d1-1', 'entry 1', 'first'],
          ['d1-2', 'entry 2', 'second'],
          ['d2-1', 'entry 1', 'first'],
          ['d2-2', 'entry 2', null],
          ['d3-1', 'entry 1', null],
          ['d3-2', 'entry 2', 'second'],
          ['d3-3', 'entry 3', null],
        ],
      );
    });

    test('a query run outside a transaction neither sees nor joins another one that is open', async () => {
      const db = storeOf().db;
      let inside!: () => void;
      const opened = new Promise<void>((resolve) => (inside = resolve));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const trx = db.transaction().execute(async (t) => {
        await insertEntries(t, [entry('t1', 1)]);
        inside();
        await held;
        throw new Error('rolled back');
      });
      await opened;
      // Meanwhile, on the database itself: a read and a write that must wait for (SQLite) or stay out of the transaction.
      // The read asks for the transaction's row only: on PostgreSQL it runs on its own connection, and whether the
      // write (on another) has committed before it is a race of the pool, not what this test is about.
      const seen = entriesOf(db, { uuids: ['t1'], account: 'MA1' });
      const written = insertEntries(db, [entry('t2', 1)]);
      release();
      await assert.rejects(trx, /rolled back/);
      await written;
      assert.deepEqual((await seen).rows.map((r) => r.entry_id), []);
      assert.deepEqual((await entriesOf(db, { uuids: ['t1', 't2'], account: 'MA1' })).rows.map((r) => r.entry_id), ['t2-1']);
    });
  });
}

test('lists for prepared statements go in few lengths: up to 16 as they are, longer ones in power-of-two pieces first', () => {
  const lengths = (n: number) => [...preparedSlices(Array.from({ length: n }, (_, i) => i))].map((s) => s.length);
  assert.deepEqual(lengths(0), []);
  assert.deepEqual(lengths(1), [1]);
  assert.deepEqual(lengths(16), [16]);
  assert.deepEqual(lengths(17), [16, 1]);
  assert.deepEqual(lengths(37), [32, 5]);
  assert.deepEqual(lengths(600), [256, 256, 64, 16, 8]);
  // In order, every row once.
  assert.deepEqual([...preparedSlices(Array.from({ length: 600 }, (_, i) => i))].flat(), Array.from({ length: 600 }, (_, i) => i));
});
