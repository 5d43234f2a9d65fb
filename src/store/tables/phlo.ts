// PHLOs (flows as data) and their runs. The flow's nodes and a run's steps
// and variables are JSON text; times epoch ms.
import type { Insertable, Selectable } from 'kysely';

export interface PhlosTable {
  phlo_id: string;
  account_id: string;
  subaccount_id: string | null;
  name: string;
  description: string;
  /** 1 on create, +1 on every replace (If-Match compares it). */
  version: number;
  /** JSON: the normalised nodes (PhloNode[]). */
  nodes: string;
  /** JSON: the validation warnings of this version. */
  warnings: string;
  created_at: number;
  updated_at: number;
}

export type RunStatus = 'running' | 'completed' | 'failed';

export interface PhloRunsTable {
  run_id: string;
  phlo_id: string;
  account_id: string;
  subaccount_id: string | null;
  /** The flow version the run executes (a replace does not change a started run). */
  version: number;
  trigger: string;
  status: RunStatus;
  /** Why a run failed ("loop limit", …). */
  reason: string | null;
  created_at: number;
  ended_at: number | null;
  /** JSON lists. */
  call_uuids: string;
  message_uuids: string;
  recording_ids: string;
  /** JSON: [{node_id, name, node_type, entered_at, left_at, state, variables}]. */
  steps: string;
  /** JSON: node name → that node's variables at the run's end. */
  variables: string;
  /** The server process running it (nodes.node_id); null for runs from before runs named their node. */
  node_id: string | null;
}

export interface PhloTables {
  phlos: PhlosTable;
  phlo_runs: PhloRunsTable;
}

export type PhloRow = Selectable<PhlosTable>;
export type NewPhloRow = Insertable<PhlosTable>;
/** What replacing a flow changes (owner, id and creation never). */
export const PHLO_COLUMNS = ['name', 'description', 'version', 'nodes', 'warnings', 'updated_at'] as const;
export type PhloPatch = Partial<Pick<PhlosTable, (typeof PHLO_COLUMNS)[number]>>;
export type RunRow = Selectable<PhloRunsTable>;
export type NewRunRow = Insertable<PhloRunsTable>;
/** What a run's record changes as it goes. */
export const RUN_COLUMNS = ['status', 'reason', 'ended_at', 'call_uuids', 'message_uuids', 'recording_ids', 'steps', 'variables'] as const;
export type RunPatch = Partial<Pick<PhloRunsTable, (typeof RUN_COLUMNS)[number]>>;
