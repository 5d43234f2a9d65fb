// A prepared query runs the SQL Kysely writes for the same values, binds
// each run's own values whatever the shape (values it does not use left
// out), and refuses a query whose SQL depends on its values (Kysely writes
// some into the text) — on SQLite and PostgreSQL.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { prepared } from '../../src/store/prepared.ts';
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
  });
}
