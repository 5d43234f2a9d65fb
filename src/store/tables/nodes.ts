// The server processes sharing this database. Times are epoch ms on the
// wall clock (liveness is real time even when calls run on a scaled or
// virtual platform clock).
import type { Insertable, Selectable } from 'kysely';

export interface NodesTable {
  node_id: string;
  /** The machine and process namespace the node runs in: within one, `pid` says whether it still exists. */
  host: string;
  pid: number;
  started_at: number;
  heartbeat_at: number;
  /** Platform time at the last heartbeat: the last moment the node's calls are known to have been live. */
  clock_at: number;
}

export interface NodesTables {
  nodes: NodesTable;
}

export type NodeRow = Selectable<NodesTable>;
export type NewNodeRow = Insertable<NodesTable>;
