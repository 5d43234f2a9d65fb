import type { Kysely } from 'kysely';

// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('recordings')
    .addColumn('recording_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.auth_id'))
    .addColumn('subaccount_id', 'text')
    .addColumn('call_uuid', 'text', (c) => c.notNull())
    .addColumn('from_number', 'text', (c) => c.notNull())
    .addColumn('to_number', 'text', (c) => c.notNull())
    .addColumn('recording_type', 'text', (c) => c.notNull())
    .addColumn('recording_format', 'text', (c) => c.notNull())
    .addColumn('conference_name', 'text')
    .addColumn('conference_uuid', 'text')
    .addColumn('mpc_name', 'text')
    .addColumn('mpc_uuid', 'text')
    .addColumn('recording_start_ms', 'bigint', (c) => c.notNull())
    .addColumn('recording_end_ms', 'bigint', (c) => c.notNull())
    .addColumn('recording_duration_ms', 'bigint', (c) => c.notNull())
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('recordings_account_added').on('recordings').columns(['account_id', 'added_at']).execute();
  await db.schema.createIndex('recordings_call').on('recordings').columns(['call_uuid']).execute();

  await db.schema
    .createTable('call_streams')
    .addColumn('stream_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.auth_id'))
    .addColumn('subaccount_id', 'text')
    .addColumn('call_uuid', 'text', (c) => c.notNull())
    .addColumn('service_url', 'text', (c) => c.notNull())
    .addColumn('audio_track', 'text', (c) => c.notNull())
    .addColumn('bidirectional', 'integer', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .execute();
  await db.schema.createIndex('call_streams_call').on('call_streams').columns(['call_uuid', 'created_at']).execute();
}
