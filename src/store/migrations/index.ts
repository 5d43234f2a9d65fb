// Every migration, in order. New files are appended here; names never change
// once released because the database records them.
import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.ts';
import * as m0002 from './0002_numbers.ts';
import * as m0003 from './0003_endpoints.ts';
import * as m0004 from './0004_webhooks.ts';
import * as m0005 from './0005_calls.ts';
import * as m0006 from './0006_messages.ts';
import * as m0007 from './0007_recordings.ts';
import * as m0008 from './0008_conferences.ts';
import * as m0009 from './0009_endpoint_password.ts';
import * as m0010 from './0010_phlo.ts';
import * as m0011 from './0011_nodes.ts';
import * as m0012 from './0012_phlo_run_node.ts';
import * as m0013 from './0013_live_calls.ts';
import * as m0014 from './0014_carrier_ips_per_account.ts';
import * as m0015 from './0015_call_feedback.ts';
import * as m0016 from './0016_mpc_participants.ts';
import * as m0017 from './0017_sandbox_dtmf_mode.ts';
import * as m0018 from './0018_credit_holds.ts';
import * as m0019 from './0019_endpoint_sha256_ha1.ts';
import * as m0020 from './0020_held_credits.ts';
import * as m0021 from './0021_call_log_by_call.ts';
import * as m0022 from './0022_call_log_key_across_nodes.ts';
import * as m0023 from './0023_hot_tables_fewer_index_entries.ts';

export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_numbers': m0002,
  '0003_endpoints': m0003,
  '0004_webhooks': m0004,
  '0005_calls': m0005,
  '0006_messages': m0006,
  '0007_recordings': m0007,
  '0008_conferences': m0008,
  '0009_endpoint_password': m0009,
  '0010_phlo': m0010,
  '0011_nodes': m0011,
  '0012_phlo_run_node': m0012,
  '0013_live_calls': m0013,
  '0014_carrier_ips_per_account': m0014,
  '0015_call_feedback': m0015,
  '0016_mpc_participants': m0016,
  '0017_sandbox_dtmf_mode': m0017,
  '0018_credit_holds': m0018,
  '0019_endpoint_sha256_ha1': m0019,
  '0020_held_credits': m0020,
  '0021_call_log_by_call': m0021,
  '0022_call_log_key_across_nodes': m0022,
  '0023_hot_tables_fewer_index_entries': m0023,
};
