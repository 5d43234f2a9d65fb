import type { Kysely } from 'kysely';

// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('calls')
    .addColumn('call_uuid', 'text', (c) => c.primaryKey())
    .addColumn('request_uuid', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.auth_id'))
    .addColumn('subaccount_id', 'text')
    .addColumn('call_direction', 'text', (c) => c.notNull())
    .addColumn('from_number', 'text', (c) => c.notNull())
    .addColumn('to_number', 'text', (c) => c.notNull())
    .addColumn('caller_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('parent_call_uuid', 'text')
    .addColumn('conference_uuid', 'text')
    .addColumn('call_state', 'text', (c) => c.notNull())
    .addColumn('initiated_at', 'bigint', (c) => c.notNull())
    .addColumn('answered_at', 'bigint')
    .addColumn('ended_at', 'bigint', (c) => c.notNull())
    .addColumn('call_duration', 'integer', (c) => c.notNull())
    .addColumn('billed_duration', 'integer', (c) => c.notNull())
    .addColumn('total_amount', 'bigint', (c) => c.notNull())
    .addColumn('total_rate', 'bigint', (c) => c.notNull())
    .addColumn('hangup_cause_code', 'integer', (c) => c.notNull())
    .addColumn('hangup_cause_name', 'text', (c) => c.notNull())
    .addColumn('hangup_cause', 'text', (c) => c.notNull())
    .addColumn('hangup_source', 'text', (c) => c.notNull())
    .addColumn('stir_verification', 'text', (c) => c.notNull())
    .addColumn('source_ip', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('calls_account_end').on('calls').columns(['account_id', 'ended_at']).execute();
  await db.schema.createIndex('calls_subaccount_end').on('calls').columns(['account_id', 'subaccount_id', 'ended_at']).execute();
  await db.schema.createIndex('calls_parent').on('calls').columns(['parent_call_uuid']).execute();

  await db.schema
    .createTable('sandbox_phones')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.auth_id'))
    .addColumn('subaccount_key', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('behaviour', 'text', (c) => c.notNull())
    .addColumn('ring_ms', 'integer', (c) => c.notNull())
    .addColumn('script', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sandbox_phones_pk', ['account_id', 'subaccount_key', 'number'])
    .execute();
}
