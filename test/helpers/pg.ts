// A throw-away PostgreSQL database per test file, so files can run in
// parallel against one server. Skips (never fakes) when none is reachable.
import pg from 'pg';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { openStore, type Store } from '../../src/store/db.ts';

export const pgUrl = process.env.TEST_DATABASE_URL;
export const pgSkipReason = pgUrl ? undefined : (process.env.SWITCHBOARD_PG_SKIP_REASON ?? 'TEST_DATABASE_URL is not set');

export interface PgDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createPgDatabase(): Promise<PgDatabase> {
  if (!pgUrl) throw new Error(pgSkipReason);
  const name = `sb_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(pgUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      // A closed pool (pg-pool's end()) resolves before its connections have
      // said goodbye: forcing the drop while they linger kills them, and the
      // test that closed them fails on an error from a connection it no
      // longer holds. So the drop waits for them to leave (or gives up and forces).
      for (let tries = 0; tries < 100; tries++) {
        const { rows } = await c.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
        if (rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** The databases a store-level test should run against: SQLite always, PostgreSQL when reachable. */
export const databases: Array<{ name: 'sqlite' | 'postgres'; skip: string | false }> = [
  { name: 'sqlite', skip: false },
  { name: 'postgres', skip: pgSkipReason ? `PostgreSQL skipped: ${pgSkipReason}` : false },
];

/**
 * A new store on `db` for the enclosing describe block: SQLite in a temp
 * dir, or a throw-away PostgreSQL database; closed and removed after it.
 * Returns a getter (the store exists once the block's `before` ran).
 */
export function storeFor(db: (typeof databases)[number], prefix: string): () => Store {
  let store: Store | undefined;
  let pgdb: PgDatabase | undefined;
  let dataDir: string;
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `switchboard-${prefix}-`));
    if (db.name === 'postgres') pgdb = await createPgDatabase();
    store = await openStore({ dataDir, databaseUrl: pgdb?.url });
  });
  after(async () => {
    await store?.close();
    await pgdb?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return () => store!;
}
