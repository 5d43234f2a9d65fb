// A throw-away PostgreSQL database per test file, so files can run in
// parallel against one server. Skips (never fakes) when none is reachable.
import pg from 'pg';
import { randomBytes } from 'node:crypto';

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
