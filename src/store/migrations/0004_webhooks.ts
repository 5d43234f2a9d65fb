import type { Kysely } from 'kysely';

// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_jobs')
    .addColumn('job_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('subaccount_id', 'text')
    .addColumn('call_uuid', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('auth_token', 'text', (c) => c.notNull())
    .addColumn('main_auth_token', 'text')
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_jobs_due').on('webhook_jobs').column('next_attempt_at').execute();

  await db.schema
    .createTable('call_log_entries')
    .addColumn('entry_id', 'text', (c) => c.primaryKey())
    .addColumn('call_uuid', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('subaccount_id', 'text')
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('data', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('call_log_entries_call').on('call_log_entries').columns(['call_uuid', 'seq']).execute();
  await db.schema.createIndex('call_log_entries_owner').on('call_log_entries').columns(['account_id', 'subaccount_id']).execute();
}
