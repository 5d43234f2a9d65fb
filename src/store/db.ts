// Opens the database the configuration asks for and brings its schema up to
// date. SQLite (WAL) in the data dir by default; PostgreSQL with DATABASE_URL.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, sql, type MigrationProvider } from 'kysely';
import type { DB } from './schema.ts';
import { migrations } from './migrations/index.ts';
import { Checkpointer } from './checkpointer.ts';
import { FifoSqliteDialect } from './sqlite-fifo-driver.ts';

export type Database = Kysely<DB>;
export type DialectName = 'sqlite' | 'postgres';

export interface Store {
  db: Database;
  dialect: DialectName;
  close(): Promise<void>;
}

// int8 (bigint) and numeric come back from pg as strings to protect precision;
// our bigints are epoch ms and micros, both far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export interface OpenOptions {
  dataDir: string;
  databaseUrl?: string;
}

export async function openStore(opts: OpenOptions): Promise<Store> {
  if (opts.databaseUrl) return migrated(openPostgres(opts.databaseUrl));
  const file = path.join(opts.dataDir, 'switchboard.db');
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const fresh = !fs.existsSync(file);
  if (fresh && freshSqlite) writeNew(file, freshSqlite);
  const { store, sqlite } = openSqlite(file);
  await migrated(store);
  if (fresh) freshSqlite ??= sqlite.serialize();
  return store;
}

/**
 * A new SQLite store just migrated, as bytes, kept per process: a test run
 * starts many servers, each on a new store, and migrating one took 20–25 ms
 * of CPU, a third of a later start. A new store is written from it instead
 * (its migrations are then found done).
 */
let freshSqlite: Buffer | undefined;

/** Write `bytes` as a new file; one made meanwhile (another process opening the same directory) is left as it is. */
function writeNew(file: string, bytes: Buffer): void {
  try {
    fs.writeFileSync(file, bytes, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

async function migrated(store: Store): Promise<Store> {
  try {
    await migrate(store.db);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

function openSqlite(file: string): { store: Store; sqlite: SQLite.Database } {
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  // Undo pages of savepoints (each batch of a turn is one) and of multi-row statements in memory: on a file
  // they spilled past 64 KiB into a new temp file per transaction (open, unlink, a write per page, close).
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<DB>({ dialect: new FifoSqliteDialect({ database: withStatementCache(sqlite) }) });
  const checkpointer = new Checkpointer(sqlite, file, () => sql`pragma wal_checkpoint(PASSIVE)`.execute(db));
  const close = async () => {
    await checkpointer.close();
    await db.destroy();
  };
  return { store: { db, dialect: 'sqlite', close }, sqlite };
}

/**
 * Kysely prepares every query it runs; preparing is most of the cost of a
 * point read on SQLite. Our queries are built from a fixed set of shapes, so
 * caching statements by their SQL text makes repeated queries cheap. The
 * cache is bounded so ad-hoc SQL cannot grow it without limit.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (source: string) => {
        let stmt = cache.get(source);
        if (!stmt) {
          stmt = prepare(source);
          if (cache.size >= max) cache.delete(cache.keys().next().value!);
          cache.set(source, stmt);
        }
        return stmt;
      };
    },
  });
}

function openPostgres(url: string): Store {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrate(db: Database): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`);
  }
}
