import type { Kysely } from 'kysely';

// Multiparty call participants who left (kicked, hung up, transferred, or
// released when the MPC ended), so an ended MPC and its participants stay
// readable with their exit time and cause, as the MPC API's examples show.
// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mpc_participants')
    .addColumn('mpc_uuid', 'text', (c) => c.notNull().references('multi_party_calls.mpc_uuid'))
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('subaccount_id', 'text')
    .addColumn('call_uuid', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('member_address', 'text', (c) => c.notNull())
    .addColumn('coach_mode', 'integer', (c) => c.notNull())
    .addColumn('hold', 'integer', (c) => c.notNull())
    .addColumn('mute', 'integer', (c) => c.notNull())
    .addColumn('end_mpc_on_exit', 'integer', (c) => c.notNull())
    .addColumn('start_mpc_on_enter', 'integer', (c) => c.notNull())
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .addColumn('exited_at', 'bigint', (c) => c.notNull())
    .addColumn('exit_cause', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mpc_participants_pk', ['mpc_uuid', 'member_id'])
    .execute();
}
