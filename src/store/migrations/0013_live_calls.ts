import type { Kysely } from 'kysely';

// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('live_calls')
    .addColumn('call_uuid', 'text', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('request_uuid', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('subaccount_id', 'text')
    .addColumn('call_direction', 'text', (c) => c.notNull())
    .addColumn('from_number', 'text', (c) => c.notNull())
    .addColumn('to_number', 'text', (c) => c.notNull())
    .addColumn('caller_name', 'text', (c) => c.notNull())
    .addColumn('parent_call_uuid', 'text')
    .addColumn('number_type', 'text')
    .addColumn('initiated_at', 'bigint', (c) => c.notNull())
    .addColumn('answered_at', 'bigint')
    .addColumn('hangup_url', 'text')
    .addColumn('hangup_method', 'text')
    .addColumn('params', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('live_calls_node').on('live_calls').column('node_id').execute();

  // Platform time at each heartbeat: until when a gone node's calls are known to have been live.
  await db.schema.alterTable('nodes').addColumn('clock_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}
