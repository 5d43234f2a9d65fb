import type { Kysely } from 'kysely';

// An address is unique among one account's incoming carriers, no longer
// platform-wide: tenants may share an upstream carrier. The primary key
// moves from (ip) to (account_id, ip); the table is rebuilt because SQLite
// cannot change a primary key in place.
// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('incoming_carrier_ips_by_account')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('carrier_id', 'text', (c) => c.notNull().references('incoming_carriers.carrier_id').onDelete('cascade'))
    .addPrimaryKeyConstraint('incoming_carrier_ips_account_ip_pk', ['account_id', 'ip'])
    .execute();
  await db
    .insertInto('incoming_carrier_ips_by_account')
    .columns(['account_id', 'ip', 'carrier_id'])
    .expression(db.selectFrom('incoming_carrier_ips').select(['account_id', 'ip', 'carrier_id']))
    .execute();
  await db.schema.dropTable('incoming_carrier_ips').execute();
  await db.schema.alterTable('incoming_carrier_ips_by_account').renameTo('incoming_carrier_ips').execute();
  await db.schema.createIndex('incoming_carrier_ips_carrier').on('incoming_carrier_ips').column('carrier_id').execute();
}
