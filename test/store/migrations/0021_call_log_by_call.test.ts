// Migration 0021 rebuilds the call debug log keyed by (call_uuid, seq): every
// entry written before it is still listed, in the same order, with the same
// numbers (entries of a call that shared one are numbered apart in list
// order), and the log keeps numbering from there — on SQLite and PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect } from 'kysely';
import { openStore, type Store } from '../../../src/store/db.ts';
import { migrations } from '../../../src/store/migrations/index.ts';
import { callLogRepo } from '../../../src/store/repos/call-log.ts';
import { createPgDatabase, databases, type PgDatabase } from '../../helpers/pg.ts';

const entry = (call: string, seq: number, at: number, subaccount: string | null = null) => ({
  entry_id: `${call}-${seq}-${at}`,
  call_uuid: call,
  account_id: 'MA1',
  subaccount_id: subaccount,
  seq,
  kind: 'state',
  message: `at ${at}`,
  data: at % 2 ? null : `{"at":${at}}`,
  created_at: at,
});

for (const db of databases) {
  describe(`migration 0021: the call log keyed by call (${db.name})`, { skip: db.skip }, () => {
    let store: Store;
    let pgdb: PgDatabase | undefined;
    let dataDir: string;

    before(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-0021-'));
      if (db.name === 'postgres') pgdb = await createPgDatabase();
      // A store as the release before this migration left it, with entries in it.
      const old = new Kysely<any>({
        dialect: pgdb ? new PostgresDialect({ pool: new pg.Pool({ connectionString: pgdb.url, max: 1 }) }) : new SqliteDialect({ database: new SQLite(path.join(dataDir, 'switchboard.db')) }),
      });
      const { error } = await new Migrator({ db: old, provider: { getMigrations: async () => migrations } }).migrateTo('0020_held_credits');
      assert.equal(error, undefined);
      await old
        .insertInto('call_log_entries')
        .values([entry('c1', 2, 20), entry('c2', 1, 5, 'SA1'), entry('c1', 1, 10), entry('c1', 3, 30), entry('c3', 1, 7), entry('c3', 2, 9), entry('c3', 2, 8), entry('c2', 2, 6, 'SA1')])
        .execute();
      await old.destroy();
      store = await openStore({ dataDir, databaseUrl: pgdb?.url });
    });
    after(async () => {
      await store?.close();
      await pgdb?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    const listed = async (call: string, subaccountId?: string | null) =>
      (await callLogRepo.list(store.db, { accountId: 'MA1', subaccountId }, call, 20, 0)).map((r) => [r.seq, r.entry_id, r.message, r.data, r.subaccount_id]);

    test('every entry is kept, listed in the same order with the same numbers; a number two entries shared is split in that order', async () => {
      assert.deepEqual(await listed('c1'), [
        [1, 'c1-1-10', 'at 10', '{"at":10}', null],
        [2, 'c1-2-20', 'at 20', '{"at":20}', null],
        [3, 'c1-3-30', 'at 30', '{"at":30}', null],
      ]);
      assert.deepEqual(await listed('c2', 'SA1'), [
        [1, 'c2-1-5', 'at 5', null, 'SA1'],
        [2, 'c2-2-6', 'at 6', '{"at":6}', 'SA1'],
      ]);
      assert.deepEqual(await listed('c3'), [
        [1, 'c3-1-7', 'at 7', null, null],
        [2, 'c3-2-8', 'at 8', '{"at":8}', null],
        [3, 'c3-2-9', 'at 9', null, null],
      ]);
      assert.equal(await callLogRepo.count(store.db, { accountId: 'MA1' }, 'c3'), 3);
    });

    test('appends go on numbering from the entries copied; a subaccount\'s move to its main account still finds its rows', async () => {
      const seqs = await store.db.transaction().execute((trx) => callLogRepo.append(trx, [0, 1].map((i) => ({ entry_id: `new-${i}`, call_uuid: 'c3', account_id: 'MA1', subaccount_id: null, kind: 'state', message: 'after', data: null, created_at: 40 + i }))));
      assert.deepEqual(seqs, [4, 5]);
      await callLogRepo.moveToMain(store.db, 'MA1', 'SA1');
      assert.deepEqual((await listed('c2', null)).map((r) => r[4]), [null, null]);
    });

    test('two b-trees per entry written: the rows and their key (call_uuid, seq); besides, only the subaccounts\' partial index', async () => {
      if (store.dialect === 'sqlite') {
        const indexes = (await sql<{ name: string; sql: string | null }>`select name, sql from sqlite_master where type = 'index' and tbl_name = 'call_log_entries' order by name`.execute(store.db)).rows;
        assert.deepEqual(indexes.map((i) => i.name), ['call_log_entries_subaccount', 'sqlite_autoindex_call_log_entries_1']);
        const key = (await sql<{ name: string }>`select name from pragma_index_info('sqlite_autoindex_call_log_entries_1') order by seqno`.execute(store.db)).rows;
        assert.deepEqual(key.map((c) => c.name), ['call_uuid', 'seq']);
        assert.match(indexes[0]!.sql!, /where "subaccount_id" is not null$/i, "a main account's entries are in no index but the key");
        const plan = (await sql<{ detail: string }>`explain query plan update call_log_entries set subaccount_id = null where account_id = ${'MA1'} and subaccount_id = ${'SA1'}`.execute(store.db)).rows;
        assert.match(plan.map((p) => p.detail).join('\n'), /USING INDEX call_log_entries_subaccount/);
      } else {
        const indexes = (await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes where tablename = 'call_log_entries' order by indexname`.execute(store.db)).rows;
        assert.deepEqual(indexes.map((i) => i.indexname), ['call_log_entries_by_call_pk', 'call_log_entries_subaccount']);
        assert.match(indexes[0]!.indexdef, /\(call_uuid, seq, entry_id\)$/, 'the entry id last since 0022: two nodes may number an entry of a call alike');
        assert.match(indexes[1]!.indexdef, /\(subaccount_id\) WHERE \(subaccount_id IS NOT NULL\)$/, "a main account's entries are in no index but the key");
      }
    });
  });
}
