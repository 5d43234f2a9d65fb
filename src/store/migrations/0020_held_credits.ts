import type { Kysely } from 'kysely';

// What an account's calls in progress hold, kept on the account row beside
// its balance and moved in the transaction that adds, raises or releases a
// hold: checking what an account may spend then reads one row instead of
// summing every hold (a sum per call start and per billing increment made
// thousands of concurrent calls cost n² — issue #20).
// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('held_credits', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  // Holds of calls that were live when the server stopped (recovery releases them).
  const sums = await db.selectFrom('credit_holds').select(['account_id', (eb) => eb.fn.sum<number>('amount').as('total')]).groupBy('account_id').execute();
  for (const s of sums) await db.updateTable('accounts').set({ held_credits: Number(s.total) }).where('auth_id', '=', s.account_id).execute();
}
