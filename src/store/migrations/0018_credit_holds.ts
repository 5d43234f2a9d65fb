import type { Kysely } from 'kysely';

// Credit held for calls in progress: what a live call may still cost, kept
// apart from the ledger so the balance stays the ledger's sum. A hold is
// removed in the transaction that bills its call.
// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('credit_holds')
    .addColumn('reference', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('credit_holds_account').on('credit_holds').columns(['account_id']).execute();
}
