import type { Kysely } from 'kysely';

// The Endpoint object's `password` is the MD5 of the password (as the
// platform returns it). Endpoints created before this have none (null).
// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('endpoints').addColumn('password_md5', 'text').execute();
}
