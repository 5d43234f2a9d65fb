import type { Kysely } from 'kysely';

// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('endpoints')
    .addColumn('endpoint_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.auth_id'))
    .addColumn('subaccount_id', 'text')
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text')
    .addColumn('ha1', 'text', (c) => c.notNull())
    .addColumn('realm', 'text', (c) => c.notNull())
    .addColumn('sip_contact', 'text')
    .addColumn('sip_expires_at', 'bigint')
    .addColumn('sip_user_agent', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('endpoints_owner').on('endpoints').columns(['account_id', 'subaccount_id', 'created_at']).execute();
  await db.schema.createIndex('endpoints_app').on('endpoints').columns(['account_id', 'app_id']).execute();

  await db.schema
    .createTable('incoming_carriers')
    .addColumn('carrier_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.auth_id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('ip_set', 'text', (c) => c.notNull())
    .addColumn('prefix_set', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('voice', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('sms', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incoming_carriers_account').on('incoming_carriers').columns(['account_id', 'created_at']).execute();

  await db.schema
    .createTable('incoming_carrier_ips')
    .addColumn('ip', 'text', (c) => c.primaryKey())
    .addColumn('carrier_id', 'text', (c) => c.notNull().references('incoming_carriers.carrier_id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incoming_carrier_ips_carrier').on('incoming_carrier_ips').column('carrier_id').execute();

  await db.schema
    .createTable('caller_id_verifications')
    .addColumn('verification_uuid', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.auth_id'))
    .addColumn('subaccount_id', 'text')
    .addColumn('phone_number', 'text', (c) => c.notNull())
    .addColumn('alias', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('otp_hash', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('verified_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('caller_id_verifications_number').on('caller_id_verifications').columns(['account_id', 'phone_number', 'created_at']).execute();

  await db.schema
    .createTable('verified_caller_ids')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.auth_id'))
    .addColumn('phone_number', 'text', (c) => c.notNull())
    .addColumn('subaccount_id', 'text')
    .addColumn('alias', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('verification_uuid', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('verified_caller_ids_pk', ['account_id', 'phone_number'])
    .execute();
  await db.schema.createIndex('verified_caller_ids_owner').on('verified_caller_ids').columns(['account_id', 'subaccount_id', 'created_at']).execute();

  await db.schema
    .createTable('sandbox_inbox')
    .addColumn('message_uuid', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.auth_id'))
    .addColumn('subaccount_id', 'text')
    .addColumn('to_number', 'text', (c) => c.notNull())
    .addColumn('from_number', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('type', 'text', (c) => c.notNull().defaultTo('sms'))
    .addColumn('media_urls', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sandbox_inbox_phone').on('sandbox_inbox').columns(['account_id', 'to_number', 'seq']).execute();
  await db.schema.createIndex('sandbox_inbox_seq').on('sandbox_inbox').column('seq').execute();
}
