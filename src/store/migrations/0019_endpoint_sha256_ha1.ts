import type { Kysely } from 'kysely';

// SIP Digest with SHA-256 (RFC 7616/8760) needs sha256(username:realm:password)
// beside the MD5 HA1. The password is not kept, so endpoints made before this
// have none (null) until their password is set again.
// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('endpoints').addColumn('ha1_sha256', 'text').execute();
}
