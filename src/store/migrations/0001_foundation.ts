import type { Kysely } from 'kysely';

// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('auth_id', 'text', (c) => c.primaryKey())
    .addColumn('parent_id', 'text', (c) => c.references('accounts.auth_id'))
    .addColumn('auth_token', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('address', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .addColumn('account_type', 'text', (c) => c.notNull().defaultTo('standard'))
    .addColumn('billing_mode', 'text', (c) => c.notNull().defaultTo('prepaid'))
    .addColumn('auto_recharge', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('cash_credits', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint')
    .execute();
  await db.schema.createIndex('accounts_parent').on('accounts').columns(['parent_id', 'created_at']).execute();

  await db.schema
    .createTable('ledger')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.auth_id'))
    .addColumn('subaccount_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('reference', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_account').on('ledger').columns(['account_id', 'created_at']).execute();

  await db.schema
    .createTable('applications')
    .addColumn('app_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.auth_id'))
    .addColumn('subaccount_id', 'text')
    .addColumn('app_name', 'text', (c) => c.notNull())
    .addColumn('answer_url', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('answer_method', 'text', (c) => c.notNull().defaultTo('POST'))
    .addColumn('hangup_url', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('hangup_method', 'text', (c) => c.notNull().defaultTo('POST'))
    .addColumn('fallback_answer_url', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('fallback_method', 'text', (c) => c.notNull().defaultTo('POST'))
    .addColumn('message_url', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('message_method', 'text', (c) => c.notNull().defaultTo('POST'))
    .addColumn('default_number_app', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('default_endpoint_app', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('log_incoming_messages', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('public_uri', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('application_type', 'text', (c) => c.notNull().defaultTo('XML'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('applications_owner').on('applications').columns(['account_id', 'subaccount_id', 'created_at']).execute();
}
