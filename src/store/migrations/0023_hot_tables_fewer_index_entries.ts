import type { Kysely } from 'kysely';

// Every call writes a live row (insert, update at the answer, delete at the
// end) and a CDR, and each index on those tables is one more b-tree page
// written at every commit. Three indexes kept entries nobody reads:
// - live_calls_node: only a node's recovery reads live rows by node, once,
//   when a node is gone; the table holds only calls in progress, so a scan
//   serves it.
// - calls_subaccount_end and calls_parent held a row for every call, though
//   they are read only for a subaccount's calls (subaccount_id = ?) and a
//   call's children (parent_call_uuid = ?): now partial, on rows with one. A
//   main account's call with no parent (most calls) writes neither. Listing
//   only the main account's own calls (subaccount_id is null) reads
//   calls_account_end and skips its subaccounts' rows.
// `any`: migrations describe history, so they must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('live_calls_node').execute();
  await db.schema.dropIndex('calls_subaccount_end').execute();
  await db.schema.createIndex('calls_subaccount_end').on('calls').columns(['account_id', 'subaccount_id', 'ended_at']).where('subaccount_id', 'is not', null).execute();
  await db.schema.dropIndex('calls_parent').execute();
  await db.schema.createIndex('calls_parent').on('calls').column('parent_call_uuid').where('parent_call_uuid', 'is not', null).execute();
}
