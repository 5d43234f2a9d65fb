// Migration 0022: two nodes sharing a PostgreSQL database append to one call's
// debug log at once (the node running the call, another delivering one of its
// webhooks' retries). Each numbers its entry one past the highest it sees, so
// both take the same number: both entries must be kept (under 0021's key the
// second to commit failed on the key, with every entry of its batch).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openStore, type Store } from '../../../src/store/db.ts';
import { callLogRepo } from '../../../src/store/repos/call-log.ts';
import { createPgDatabase, pgSkipReason, type PgDatabase } from '../../helpers/pg.ts';
import { until, within } from '../../helpers/until.ts';

const entry = (id: string) => ({ entry_id: id, call_uuid: 'c1', account_id: 'MA1', subaccount_id: null, kind: 'state', message: id, data: null, created_at: 1 });

describe('migration 0022: one call logged by two nodes at once (postgres)', { skip: pgSkipReason ? `PostgreSQL skipped: ${pgSkipReason}` : false }, () => {
  let pgdb: PgDatabase;
  const nodes: Store[] = [];
  const dirs: string[] = [];

  before(async () => {
    pgdb = await createPgDatabase();
    for (let i = 0; i < 2; i++) {
      dirs.push(fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-0022-')));
      nodes.push(await openStore({ dataDir: dirs[i]!, databaseUrl: pgdb.url }));
    }
  });
  after(async () => {
    for (const n of nodes) await n.close();
    await pgdb?.drop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  test('both entries are kept, sharing the number each saw as next', async () => {
    const [a, b] = nodes as [Store, Store];
    // Node A has appended but not committed when node B appends; A commits once
    // B's append is done or is seen waiting on A's (under a unique key it waits).
    let appendedA!: () => void;
    const aAppended = new Promise<void>((resolve) => (appendedA = resolve));
    let bDone = false;
    const waiting = async () => (await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(a.db)).rows[0]!.n > 0;
    const nodeA = a.db.transaction().execute(async (trx) => {
      const seqs = await callLogRepo.append(trx, [entry('from-a')]);
      appendedA();
      await until(async () => bDone || (await waiting()), "node B's append to finish or wait");
      return seqs;
    });
    await aAppended;
    const nodeB = b.db
      .transaction()
      .execute((trx) => callLogRepo.append(trx, [entry('from-b')]))
      .finally(() => (bDone = true));
    const [seqsA, seqsB] = await within(Promise.all([nodeA, nodeB]), 'both appends to commit');
    assert.deepEqual([seqsA, seqsB], [[1], [1]]);
    const listed = await callLogRepo.list(a.db, { accountId: 'MA1' }, 'c1', 20, 0);
    assert.deepEqual(listed.map((r) => r.entry_id).sort(), ['from-a', 'from-b']);
  });
});
