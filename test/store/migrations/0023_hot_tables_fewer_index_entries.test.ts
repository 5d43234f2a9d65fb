// Migration 0023: the hot tables keep no index entries nobody reads. Live rows
// have no index by node (a gone node's rows are found by a scan), and a CDR is
// in calls_subaccount_end only when it is a subaccount's and in calls_parent
// only when it has a parent; the lists those serve still find their calls.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { accountsRepo } from '../../../src/store/repos/accounts.ts';
import { callsRepo, liveCallsRepo } from '../../../src/store/repos/calls.ts';
import type { NewCallRow, NewLiveCallRow } from '../../../src/store/tables/calls.ts';
import { databases, storeFor } from '../../helpers/pg.ts';

const cdr = (uuid: string, subaccount: string | null, parent: string | null, endedAt: number): NewCallRow => ({
  call_uuid: uuid,
  request_uuid: uuid,
  account_id: 'MA1',
  subaccount_id: subaccount,
  call_direction: 'inbound',
  from_number: '14155550100',
  to_number: '14155550101',
  caller_name: '',
  parent_call_uuid: parent,
  initiated_at: endedAt - 5_000,
  conference_uuid: null,
  call_state: 'ANSWER',
  answered_at: endedAt - 4_000,
  ended_at: endedAt,
  call_duration: 4,
  billed_duration: 60,
  total_amount: 0,
  total_rate: 0,
  hangup_cause_code: 4000,
  hangup_cause_name: 'Normal Hangup',
  hangup_cause: 'NORMAL_CLEARING',
  hangup_source: 'Callee',
  stir_verification: 'Not Applicable',
  source_ip: '',
});

const live = (uuid: string, node: string): NewLiveCallRow => ({
  call_uuid: uuid,
  request_uuid: uuid,
  account_id: 'MA1',
  subaccount_id: null,
  call_direction: 'inbound',
  from_number: '14155550100',
  to_number: '14155550101',
  caller_name: '',
  parent_call_uuid: null,
  initiated_at: 1,
  node_id: node,
  number_type: null,
  answered_at: null,
  hangup_url: null,
  hangup_method: null,
  params: '{}',
});

for (const db of databases) {
  describe(`migration 0023: fewer index entries on the hot tables (${db.name})`, { skip: db.skip }, () => {
    const storeOf = storeFor(db, '0023');

    /** Each index of the table with its definition (PostgreSQL's, or SQLite's CREATE INDEX text). */
    async function indexes(table: string): Promise<Map<string, string>> {
      const rows =
        db.name === 'sqlite'
          ? (await sql<{ name: string; def: string }>`select name, sql as def from sqlite_master where type = 'index' and tbl_name = ${table} and sql is not null`.execute(storeOf().db)).rows
          : (await sql<{ name: string; def: string }>`select indexname as name, indexdef as def from pg_indexes where tablename = ${table}`.execute(storeOf().db)).rows;
      return new Map(rows.map((r) => [r.name, r.def.toLowerCase()]));
    }

    test('no index of live rows by node; the CDR indexes by subaccount and by parent hold only rows with one', async () => {
      assert.equal((await indexes('live_calls')).has('live_calls_node'), false);
      const calls = await indexes('calls');
      assert.match(calls.get('calls_subaccount_end')!, /where .*subaccount_id.? is not null/);
      assert.match(calls.get('calls_parent')!, /where .*parent_call_uuid.? is not null/);
      assert.doesNotMatch(calls.get('calls_account_end')!, /where/);
    });

    test('the lists they serve still find their calls, and a node’s live rows are found', async () => {
      const d = storeOf().db;
      await accountsRepo.insert(d, { auth_id: 'MA1', parent_id: null, auth_token: 't', name: 'a', city: '', address: '', state: '', timezone: 'UTC', account_type: 'standard', billing_mode: 'prepaid', auto_recharge: 0, enabled: 1, cash_credits: 0, created_at: 1, modified_at: null });
      await callsRepo.insert(d, [cdr('c-main', null, null, 10), cdr('c-sub', 'SA1', null, 20), cdr('c-child', 'SA1', 'c-sub', 30), cdr('c-main-child', null, 'c-main', 40)]);
      const list = async (f: Parameters<typeof callsRepo.list>[1]) => (await callsRepo.list(d, f, 20, 0)).map((r) => r.call_uuid);
      const none = { duration: {}, ended: {} };
      assert.deepEqual(await list({ accountId: 'MA1', ...none }), ['c-main-child', 'c-child', 'c-sub', 'c-main']);
      assert.deepEqual(await list({ accountId: 'MA1', subaccountId: 'SA1', ...none }), ['c-child', 'c-sub']);
      assert.deepEqual(await list({ accountId: 'MA1', subaccountId: null, ...none }), ['c-main-child', 'c-main']);
      assert.deepEqual(await list({ accountId: 'MA1', parentCallUuid: 'c-main', ...none }), ['c-main-child']);
      assert.equal(await callsRepo.count(d, { accountId: 'MA1', subaccountId: 'SA1', ...none }), 2);
      await liveCallsRepo.insert(d, [live('l1', 'node-a'), live('l2', 'node-b'), live('l3', 'node-a')]);
      assert.deepEqual((await liveCallsRepo.ofNode(d, 'node-a')).map((r) => r.call_uuid).sort(), ['l1', 'l3']);
    });
  });
}
