import { sql, SqliteAdapter, type Kysely } from 'kysely';

// A call's debug log keyed by (call_uuid, seq), its only lookup (list, count,
// the next number): two b-trees per entry written instead of four (the rows by
// row id, a unique index on entry_id, an index on (call_uuid, seq), one on the
// owner). Each commit had dirtied a page of each; the call index's at a random
// place per call (issue #13). The owner index is kept only for subaccounts'
// rows, whose one use is moving a deleted subaccount's calls to its main account.
// Not WITHOUT ROWID on SQLite: whole rows at a random place per call split
// pages more often than index entries do (measured dearer, bench/README).
// entry_id stays, unindexed: nothing looks an entry up by it.
// Rows are copied over, numbered 1… per call in the order the API lists them
// (seq, then time): the same numbers unless two entries of a call shared one.
// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  // SQLite's DDL is transactional, though Kysely runs its migrations outside one there: a crash mid-copy leaves the old table.
  await (db.getExecutor().adapter instanceof SqliteAdapter ? db.transaction().execute(rebuild) : rebuild(db));
}

const columns = ['call_uuid', 'seq', 'entry_id', 'account_id', 'subaccount_id', 'kind', 'message', 'data', 'created_at'] as const;

async function rebuild(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('call_log_entries_by_call')
    .addColumn('call_uuid', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('entry_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('subaccount_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('data', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('call_log_entries_by_call_pk', ['call_uuid', 'seq'])
    .execute();
  await db
    .insertInto('call_log_entries_by_call')
    .columns([...columns])
    .expression(
      db
        .selectFrom('call_log_entries')
        .select(['call_uuid', sql<number>`row_number() over (partition by call_uuid order by seq, created_at, entry_id)`.as('seq'), 'entry_id', 'account_id', 'subaccount_id', 'kind', 'message', 'data', 'created_at']),
    )
    .execute();
  await db.schema.dropTable('call_log_entries').execute();
  await db.schema.alterTable('call_log_entries_by_call').renameTo('call_log_entries').execute();
  await db.schema.createIndex('call_log_entries_subaccount').on('call_log_entries').column('subaccount_id').where('subaccount_id', 'is not', null).execute();
}
