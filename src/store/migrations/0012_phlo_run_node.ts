import type { Kysely } from 'kysely';

// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  // A run lives in the node (server process) that runs it; when that node is
  // gone, whoever notices ends its running runs.
  await db.schema.alterTable('phlo_runs').addColumn('node_id', 'text').execute();
  await db.schema.createIndex('phlo_runs_node_status').on('phlo_runs').columns(['node_id', 'status']).execute();
  // Runs left running before runs named their node belong to no live server
  // (when they ended is unknown: their start stands in).
  await db.updateTable('phlo_runs').set((eb) => ({ status: 'failed', reason: 'interrupted', ended_at: eb.ref('created_at') })).where('status', '=', 'running').execute();
}
