// SQLite's WAL checkpoints run on a thread of their own once a store writes
// a lot: the pages reach the database file without the writer copying them,
// and a writer busy all the time still gets its WAL started over.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { Checkpointer } from '../../src/store/checkpointer.ts';
import { openStore } from '../../src/store/db.ts';
import { until } from '../helpers/until.ts';

let dir: string;
before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-checkpoint-'))));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** About `kib` KiB of rows, in transactions of about 64 KiB. */
function rowsOf(kib: number): string[][] {
  return Array.from({ length: Math.ceil(kib / 64) }, (_, t) => Array.from({ length: 64 }, (_, i) => `${t}-${i}-`.padEnd(1000, 'x')));
}

test('a store that writes megabytes has its WAL copied into the database file by a thread', async () => {
  const store = await openStore({ dataDir: path.join(dir, 'store') });
  const file = path.join(dir, 'store', 'switchboard.db');
  try {
    await sql`create table scratch (v text not null)`.execute(store.db);
    const before = fs.statSync(file).size;
    // 3 MiB: past the thread's start, short of the 1,000 pages at which the writer would checkpoint itself.
    for (const batch of rowsOf(3 * 1024)) await store.db.transaction().execute((trx) => trx.insertInto('scratch' as never).values(batch.map((v) => ({ v })) as never).execute());
    await until(() => fs.statSync(file).size >= before + 3 * 1024 * 1024, 'the WAL copied into the database file');
    const { n } = (await sql<{ n: number }>`select count(*) as n from scratch`.execute(store.db)).rows[0]!;
    assert.equal(n, rowsOf(3 * 1024).flat().length);
  } finally {
    await store.close();
  }
});

test('a writer busy all the time still has its WAL start over, far short of the back-stop', async () => {
  const file = path.join(dir, 'busy.db');
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.exec('create table scratch (v text not null)');
  const insert = db.prepare('insert into scratch (v) values (?)');
  const write = db.transaction((rows: string[]) => rows.forEach((v) => insert.run(v)));
  const checkpointer = new Checkpointer(db, file, async () => db.pragma('wal_checkpoint(PASSIVE)'), { threadAfterBytes: 256 * 1024, watchMs: 10, everyMs: 5, behindPages: 200 });
  // Bytes 12–15 of the WAL header count the times the WAL started over.
  const restarts = () => fs.readFileSync(`${file}-wal`).readUInt32BE(12);
  try {
    const first = restarts();
    let t = 0;
    const batches = rowsOf(64);
    await until(() => {
      for (let i = 0; i < 20; i++) write(batches[t++ % batches.length]!);
      return restarts() > first + 1;
    }, 'the WAL to start over twice');
    assert.ok(fs.statSync(`${file}-wal`).size < 40 * 1024 * 1024, 'the WAL stays far short of the back-stop');
  } finally {
    await checkpointer.close();
    db.close();
  }
});
