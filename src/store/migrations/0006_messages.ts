import type { Kysely } from 'kysely';

// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('messages')
    .addColumn('message_uuid', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.auth_id'))
    .addColumn('subaccount_id', 'text')
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('from_number', 'text', (c) => c.notNull())
    .addColumn('to_number', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('log', 'text', (c) => c.notNull().defaultTo('true'))
    .addColumn('encoding', 'text', (c) => c.notNull())
    .addColumn('units', 'integer', (c) => c.notNull())
    .addColumn('total_rate', 'bigint', (c) => c.notNull())
    .addColumn('total_amount', 'bigint', (c) => c.notNull())
    .addColumn('destination_country_iso2', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('error_code', 'text')
    .addColumn('callback_url', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('callback_method', 'text', (c) => c.notNull().defaultTo('POST'))
    .addColumn('callbacks_sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('requester_ip', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addColumn('reported_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messages_account').on('messages').columns(['account_id', 'seq']).execute();
  await db.schema.createIndex('messages_subaccount').on('messages').columns(['account_id', 'subaccount_id', 'seq']).execute();

  await db.schema
    .createTable('message_media')
    .addColumn('media_id', 'text', (c) => c.primaryKey())
    .addColumn('message_uuid', 'text', (c) => c.notNull().references('messages.message_uuid').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('media_url', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('message_media_message').on('message_media').columns(['message_uuid', 'position']).execute();

  await db.schema
    .createTable('sandbox_message_behaviours')
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.auth_id'))
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('sent_after_ms', 'bigint', (c) => c.notNull())
    .addColumn('delivered_after_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sandbox_message_behaviours_pk', ['owner_id', 'number'])
    .execute();
}
