import type { Kysely } from 'kysely';

// How a virtual phone sends its keys (rfc4733 events, inband tones, or both);
// phones set before this send events, as they always did.
// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sandbox_phones').addColumn('dtmf_mode', 'text', (c) => c.notNull().defaultTo('rfc4733')).execute();
}
