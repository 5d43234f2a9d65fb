import type { Kysely } from 'kysely';

// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('multi_party_calls')
    .addColumn('mpc_uuid', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.auth_id'))
    .addColumn('subaccount_id', 'text')
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('max_participants', 'integer', (c) => c.notNull())
    .addColumn('max_duration', 'integer', (c) => c.notNull())
    .addColumn('stay_alone', 'integer', (c) => c.notNull())
    .addColumn('termination_cause', 'text')
    .addColumn('termination_cause_code', 'integer')
    .execute();
  await db.schema.createIndex('multi_party_calls_account_created').on('multi_party_calls').columns(['account_id', 'created_at']).execute();
}

