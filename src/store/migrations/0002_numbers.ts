import type { Kysely } from 'kysely';

// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('number_pool')
    .addColumn('number', 'text', (c) => c.primaryKey())
    .addColumn('country_iso', 'text', (c) => c.notNull())
    .addColumn('number_type', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('city', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('prefix', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('rate_center', 'text')
    .addColumn('lata', 'integer')
    .addColumn('voice_enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('sms_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('mms_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('monthly_rental_rate', 'bigint', (c) => c.notNull())
    .addColumn('setup_rate', 'bigint', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('number_pool_country').on('number_pool').columns(['country_iso', 'number_type', 'number']).execute();

  await db.schema
    .createTable('numbers')
    .addColumn('number', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.auth_id'))
    .addColumn('subaccount_id', 'text')
    .addColumn('app_id', 'text')
    .addColumn('alias', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('carrier', 'text', (c) => c.notNull())
    .addColumn('country_iso', 'text', (c) => c.notNull())
    .addColumn('number_type', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('voice_enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('sms_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('mms_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cnam_lookup', 'text')
    .addColumn('monthly_rental_rate', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('setup_rate', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addColumn('rental_periods', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('renewal_at', 'bigint')
    .execute();
  await db.schema.createIndex('numbers_owner').on('numbers').columns(['account_id', 'subaccount_id', 'added_at']).execute();
  await db.schema.createIndex('numbers_renewal').on('numbers').column('renewal_at').execute();
  await db.schema.createIndex('numbers_app').on('numbers').columns(['account_id', 'app_id']).execute();
}
