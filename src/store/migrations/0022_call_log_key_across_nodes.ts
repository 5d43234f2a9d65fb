import { sql, SqliteAdapter, type Kysely } from 'kysely';

// The call log's key on PostgreSQL takes the entry id as its last column:
// nodes sharing the database can append to one call's log at once (the node
// running the call, and another delivering one of its webhooks' retries), and
// each numbers its entries one past the highest it can see. Unique on
// (call_uuid, seq), the second to commit failed, and its whole batch of
// entries, of every call in its turn, was lost; now both are kept, sharing a
// number, as before 0021. The key still leads with (call_uuid, seq), so
// appends and lists read and write it as 0021 made them. SQLite serves one
// node, whose appends to a call run one after another: its key stays.
// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await sql`alter table call_log_entries drop constraint call_log_entries_by_call_pk, add constraint call_log_entries_by_call_pk primary key (call_uuid, seq, entry_id)`.execute(db);
}
