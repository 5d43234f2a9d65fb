import type { Kysely } from 'kysely';

// Call quality feedback (POST /v1/Call/{uuid}/Feedback/ on the stats host)
// is kept on the call's record: JSON {rating, issues, notes, posted_at}.
// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('calls').addColumn('feedback', 'text').execute();
}
