// The node registry: a node sharing the database is gone when its heartbeat
// is stale, or at once when it ran on this machine and its process is gone;
// whoever notices takes over its work exactly once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { VirtualClock } from '../../src/clock/clock.ts';
import { hostKey, Nodes } from '../../src/platform/nodes.ts';
import { databases, storeFor } from '../helpers/pg.ts';
import { until } from '../helpers/until.ts';

const logger = pino({ level: 'silent' });

for (const db of databases) {
  describe(`node registry (${db.name})`, { skip: db.skip }, () => {
    const storeOf = storeFor(db, 'nodes');
    const rows = () => storeOf().db.selectFrom('nodes').selectAll().orderBy('node_id').execute();
    const insertNode = (node_id: string, fields: { host?: string; pid?: number; heartbeat_at: number }) =>
      storeOf().db.insertInto('nodes').values({ node_id, host: fields.host ?? hostKey(), pid: fields.pid ?? 1, started_at: 0, heartbeat_at: fields.heartbeat_at, clock_at: 7 }).execute();


    test('a start takes over nodes whose process is gone from this machine, or whose heartbeat is stale, and leaves live ones alone', async () => {
      const wall = new VirtualClock(1_000_000);
      const now = wall.now();
      await insertNode('crashed-here', { pid: 4242, heartbeat_at: now });
      await insertNode('earlier-life', { pid: process.pid, heartbeat_at: now });
      await insertNode('alive-here', { pid: 4343, heartbeat_at: now });
      await insertNode('silent-elsewhere', { host: 'other-machine', pid: 4242, heartbeat_at: now - 31_000 });
      await insertNode('alive-elsewhere', { host: 'other-machine', pid: 4242, heartbeat_at: now - 29_000 });
      const taken: string[] = [];
      const nodes = new Nodes({ db: storeOf().db, wall, clock: wall, logger, processExists: (pid) => pid === 4343 });
      nodes.onGone(async (gone) => {
        assert.equal(gone.lastSeenAt, 7, 'the platform time of its last heartbeat');
        taken.push(gone.nodeId);
      });
      await nodes.start();
      assert.deepEqual(taken.sort(), ['crashed-here', 'earlier-life', 'silent-elsewhere']);
      assert.deepEqual((await rows()).map((r) => r.node_id).sort(), ['alive-elsewhere', 'alive-here', nodes.id].sort());

      // The heartbeat keeps this node's row fresh; the silent one elsewhere is taken over once it is 30 s stale.
      await wall.advance(5_000);
      await until(async () => (await rows()).find((r) => r.node_id === nodes.id)!.heartbeat_at === now + 5_000, 'the heartbeat');
      await until(() => taken.length === 4, 'the next look for gone nodes');
      assert.deepEqual(taken.sort(), ['alive-elsewhere', 'crashed-here', 'earlier-life', 'silent-elsewhere']);
      await nodes.stop();
      assert.deepEqual((await rows()).map((r) => r.node_id), ['alive-here'], 'a clean stop leaves the registry');
      await storeOf().db.deleteFrom('nodes').execute();
    });

    test('a take-over step that fails keeps the gone node listed, and it is tried again', async () => {
      const wall = new VirtualClock(1_000_000);
      await insertNode('crashed', { pid: 4242, heartbeat_at: wall.now() });
      let failures = 1;
      const taken: string[] = [];
      const nodes = new Nodes({ db: storeOf().db, wall, clock: wall, logger, processExists: () => false });
      nodes.onGone(async (gone) => {
        if (failures-- > 0) throw new Error('database unavailable');
        taken.push(gone.nodeId);
      });
      await nodes.start();
      assert.deepEqual(taken, []);
      assert.ok((await rows()).some((r) => r.node_id === 'crashed'));
      await nodes.reap();
      assert.deepEqual(taken, ['crashed']);
      assert.deepEqual((await rows()).map((r) => r.node_id), [nodes.id]);
      await nodes.stop();
    });
  });
}
