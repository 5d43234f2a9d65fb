// Queries on the registry of server processes sharing the database.
import type { NewNodeRow, NodeRow } from '../tables/nodes.ts';
import type { Executor } from './accounts.ts';

export const nodesRepo = {
  async insert(db: Executor, row: NewNodeRow): Promise<void> {
    await db.insertInto('nodes').values(row).execute();
  },

  /** False when the row is gone: another node judged this one dead and took its work. */
  async heartbeat(db: Executor, nodeId: string, at: { wall: number; clock: number }): Promise<boolean> {
    const r = await db.updateTable('nodes').set({ heartbeat_at: at.wall, clock_at: at.clock }).where('node_id', '=', nodeId).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  others(db: Executor, nodeId: string): Promise<NodeRow[]> {
    return db.selectFrom('nodes').selectAll().where('node_id', '<>', nodeId).execute();
  },

  async delete(db: Executor, nodeId: string): Promise<void> {
    await db.deleteFrom('nodes').where('node_id', '=', nodeId).execute();
  },
};
