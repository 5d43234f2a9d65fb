import type { Kysely } from 'kysely';

// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('phlos')
    .addColumn('phlo_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.auth_id'))
    .addColumn('subaccount_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('nodes', 'text', (c) => c.notNull())
    .addColumn('warnings', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('phlos_owner').on('phlos').columns(['account_id', 'subaccount_id', 'created_at']).execute();

  await db.schema
    .createTable('phlo_runs')
    .addColumn('run_id', 'text', (c) => c.primaryKey())
    .addColumn('phlo_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.auth_id'))
    .addColumn('subaccount_id', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .addColumn('call_uuids', 'text', (c) => c.notNull())
    .addColumn('message_uuids', 'text', (c) => c.notNull())
    .addColumn('recording_ids', 'text', (c) => c.notNull())
    .addColumn('steps', 'text', (c) => c.notNull())
    .addColumn('variables', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('phlo_runs_phlo').on('phlo_runs').columns(['phlo_id', 'created_at']).execute();

  // A number or endpoint runs either its application or a PHLO.
  await db.schema.alterTable('numbers').addColumn('phlo_id', 'text').execute();
  await db.schema.alterTable('endpoints').addColumn('phlo_id', 'text').execute();
}
