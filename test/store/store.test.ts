// The same repository tests on SQLite and PostgreSQL: migrations, ledger
// balance, transactions that roll back on error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VirtualClock } from '../../src/clock/clock.ts';
import { newAccountAuthId, newAuthToken } from '../../src/ids.ts';
import { Accounts, STARTING_CREDIT } from '../../src/platform/accounts.ts';
import { Applications } from '../../src/platform/applications.ts';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/db.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { accountsRepo, ledgerRepo } from '../../src/store/repos/accounts.ts';
import { callsRepo, liveCallsRepo } from '../../src/store/repos/calls.ts';
import type { NewCallRow } from '../../src/store/tables/calls.ts';
import { createPgDatabase, databases, type PgDatabase } from '../helpers/pg.ts';

/** Tables with their columns, indexes, and the rows recording applied migrations (name and time). */
async function schemaOf(store: Store) {
  const tables = (await store.db.introspection.getTables()).map((t) => ({ name: t.name, columns: t.columns.map((c) => ({ ...c })) })).sort((a, b) => a.name.localeCompare(b.name));
  const indexes =
    store.dialect === 'sqlite'
      ? (await sql<{ name: string; sql: string | null }>`select name, sql from sqlite_master where type = 'index' order by name`.execute(store.db)).rows
      : (await sql<{ name: string; sql: string }>`select indexname as name, indexdef as sql from pg_indexes where schemaname = current_schema() order by indexname`.execute(store.db)).rows;
  const migrations = await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration order by name`.execute(store.db);
  return { tables, indexes, migrations: migrations.rows };
}

for (const db of databases) {
  describe(`store (${db.name})`, { skip: db.skip }, () => {
    let store: Store;
    let pgdb: PgDatabase | undefined;
    let dataDir: string;
    const clock = new VirtualClock();
    const open = () => openStore({ dataDir, databaseUrl: pgdb?.url });

    before(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-store-'));
      if (db.name === 'postgres') pgdb = await createPgDatabase();
      store = await open();
    });
    after(async () => {
      await store?.close();
      await pgdb?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    test('migrations are idempotent: opening again changes neither the schema nor the record of migrations', async () => {
      const before = await schemaOf(store);
      assert.deepEqual(
        before.migrations.map((m) => m.name),
        Object.keys(migrations),
        'every migration applied, once each, in order',
      );
      assert.ok(before.tables.length >= 20 && before.indexes.length > 0);
      const again = await open();
      try {
        assert.deepEqual(await schemaOf(again), before);
      } finally {
        await again.close();
      }
    });

    test('a second new store in a process is written from the first one just migrated: same schema and migrations, none of its rows', { skip: db.name === 'postgres' && 'SQLite only: a new store is a new file' }, async () => {
      const authId = newAccountAuthId();
      await new Accounts({ db: store.db, dialect: store.dialect, clock }).createMain({ authId, authToken: newAuthToken() }, 'First store');
      const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-store-'));
      const second = await openStore({ dataDir: otherDir });
      try {
        // The record of migrations too: the same times, copied, not run again.
        assert.deepEqual(await schemaOf(second), await schemaOf(store));
        assert.equal((await sql<{ integrity_check: string }>`pragma integrity_check`.execute(second.db)).rows[0]?.integrity_check, 'ok');
        assert.equal(await accountsRepo.find(second.db, authId), undefined);
        assert.equal((await sql<{ journal_mode: string }>`pragma journal_mode`.execute(second.db)).rows[0]?.journal_mode, 'wal');
      } finally {
        await second.close();
        fs.rmSync(otherDir, { recursive: true, force: true });
      }
    });

    test('a new main account starts with its credit recorded in the ledger', async () => {
      const accounts = new Accounts({ db: store.db, dialect: store.dialect, clock });
      const creds = { authId: newAccountAuthId(), authToken: newAuthToken() };
      await accounts.createMain(creds, 'Ledger test');
      const row = await accountsRepo.find(store.db, creds.authId);
      assert.equal(row!.cash_credits, STARTING_CREDIT);
      assert.equal(await ledgerRepo.sum(store.db, creds.authId), STARTING_CREDIT);
      await store.db.transaction().execute((trx) => accounts.addLedgerEntry(trx, creds.authId, null, 'debit', -1_234_567, 'test'));
      assert.equal((await accountsRepo.find(store.db, creds.authId))!.cash_credits, STARTING_CREDIT - 1_234_567);
      assert.equal(await ledgerRepo.sum(store.db, creds.authId), STARTING_CREDIT - 1_234_567);
    });

    test('a failure inside a transaction leaves nothing behind', async () => {
      const ctx = { db: store.db, dialect: store.dialect, clock };
      const accounts = new Accounts(ctx);
      const apps = new Applications(ctx, accounts);
      const creds = { authId: newAccountAuthId(), authToken: newAuthToken() };
      await accounts.createMain(creds, 'Rollback test');
      const scope = { accountId: creds.authId, subaccountId: null, callerId: creds.authId };
      const { app_id } = await apps.create(scope, { app_name: 'victim', answer_url: 'https://example.com/a' });
      await assert.rejects(apps.delete(scope, app_id, { newEndpointApplication: 'does-not-exist' }), /new_endpoint_application/);
      assert.equal((await apps.find(scope, app_id)).app_name, 'victim');
    });

    test('queries waiting for the one SQLite connection run in the order they asked, a transaction holding it until it ends', { skip: db.name === 'postgres' && 'PostgreSQL has a pool of connections' }, async () => {
      const order: string[] = [];
      const read = (tag: string) => store.db.selectFrom('accounts').select('auth_id').limit(1).execute().then(() => void order.push(tag));
      const trx = store.db.transaction().execute(async (t) => {
        await t.selectFrom('accounts').select('auth_id').limit(1).execute();
        order.push('trx');
      });
      await Promise.all([trx, ...Array.from({ length: 2_000 }, (_, i) => read(`q${i}`))]);
      assert.deepEqual(order, ['trx', ...Array.from({ length: 2_000 }, (_, i) => `q${i}`)]);
    });

    test('thousands of call records written at once are all stored (one INSERT would bind too many parameters)', async () => {
      const accounts = new Accounts({ db: store.db, dialect: store.dialect, clock });
      const creds = { authId: newAccountAuthId(), authToken: newAuthToken() };
      await accounts.createMain(creds, 'CDR batch');
      const row = (i: number): NewCallRow => ({
        call_uuid: `cdr-${creds.authId}-${i}`, request_uuid: `req-${i}`, account_id: creds.authId, subaccount_id: null,
        call_direction: 'outbound', from_number: '14155550100', to_number: '14155550101', caller_name: '', parent_call_uuid: null,
        conference_uuid: null, call_state: 'ANSWER', initiated_at: 1, answered_at: 2, ended_at: 3, call_duration: 1, billed_duration: 60,
        total_amount: 0, total_rate: 0, hangup_cause_code: 4000, hangup_cause_name: 'Normal Hangup', hangup_cause: 'NORMAL_CLEARING',
        hangup_source: 'Callee', stir_verification: 'Not Applicable', source_ip: '',
      });
      await store.db.transaction().execute((trx) => callsRepo.insert(trx, Array.from({ length: 3_000 }, (_, i) => row(i))));
      const { n } = await store.db.selectFrom('calls').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', creds.authId).executeTakeFirstOrThrow();
      assert.equal(Number(n), 3_000);
    });

    test('calls answering together have their live rows updated each with its own answer time and parameters', async () => {
      const accounts = new Accounts({ db: store.db, dialect: store.dialect, clock });
      const creds = { authId: newAccountAuthId(), authToken: newAuthToken() };
      await accounts.createMain(creds, 'live rows');
      const uuid = (i: number) => `live-${creds.authId}-${i}`;
      const rows = Array.from({ length: 1_200 }, (_, i) => ({
        call_uuid: uuid(i), request_uuid: uuid(i), account_id: creds.authId, subaccount_id: null, call_direction: 'outbound', from_number: '14155550100',
        to_number: '14155550101', caller_name: '', parent_call_uuid: null, initiated_at: 1, answered_at: null, node_id: 'n1', number_type: null,
        hangup_url: null, hangup_method: null, params: '{}',
      }));
      await store.db.transaction().execute((trx) => liveCallsRepo.insert(trx, rows));
      // Every other call answers, more than one statement's worth; the rest stay unanswered.
      const answered = rows.filter((_, i) => i % 2 === 0).map((r, i) => ({ uuid: r.call_uuid, at: 1_000_000_000_000 + i, params: JSON.stringify({ CallUUID: r.call_uuid }) }));
      await store.db.transaction().execute((trx) => liveCallsRepo.answered(trx, answered));
      const after = new Map((await liveCallsRepo.ofNode(store.db, 'n1')).filter((r) => r.account_id === creds.authId).map((r) => [r.call_uuid, r]));
      assert.equal(after.size, rows.length);
      for (const [i, r] of rows.entries()) {
        const row = after.get(r.call_uuid)!;
        const a = i % 2 === 0 ? answered[i / 2]! : undefined;
        assert.equal(row.answered_at === null ? null : Number(row.answered_at), a?.at ?? null, `answer time of call ${i}`);
        assert.equal(row.params, a?.params ?? '{}', `parameters of call ${i}`);
      }
    });

    test('a transaction keeps the undo pages of its savepoints in memory, never in a temp file', { skip: (db.name === 'postgres' && 'SQLite only') || (!fs.existsSync('/proc/self/fd') && 'needs /proc to list open files') }, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-store-'));
      const own = await openStore({ dataDir: dir });
      /** SQLite's temp files are unlinked as soon as opened: only the process's open descriptors show them. */
      const target = (fd: string) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return ''; // closed meanwhile (the listing's own descriptor)
        }
      };
      const tempFiles = () => fs.readdirSync('/proc/self/fd').map(target).filter((file) => /etilqs_/.test(file));
      try {
        await sql`create table pages (id integer primary key, body text not null)`.execute(own.db);
        await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < 400) insert into pages (body) select printf('%.1000c', 'a') from n`.execute(own.db);
        const open = await own.db.transaction().execute(async (trx) => {
          await sql`savepoint batch`.execute(trx);
          // ~100 pages changed under the savepoint: far past the 64 KiB SQLite keeps in memory before spilling to a file.
          await sql`update pages set body = printf('%.1000c', 'b')`.execute(trx);
          const open = tempFiles();
          await sql`release savepoint batch`.execute(trx);
          return open;
        });
        assert.deepEqual(open, []);
        assert.equal((await sql<{ n: number }>`select count(*) as n from pages where body like 'b%'`.execute(own.db)).rows[0]?.n, 400);
      } finally {
        await own.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
