import type { Kysely } from 'kysely';

// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('nodes')
    .addColumn('node_id', 'text', (c) => c.primaryKey())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .execute();

  // Webhook jobs are claimed by due time among the unleased (lease_owner null),
  // renewed and released by owner, and taken back when a lease runs out.
  await db.schema.dropIndex('webhook_jobs_due').execute();
  await db.schema.createIndex('webhook_jobs_owner_due').on('webhook_jobs').columns(['lease_owner', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_jobs_lease_until').on('webhook_jobs').column('lease_until').execute();
}
