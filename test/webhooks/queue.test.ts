// Callbacks off the critical path are written down before they are sent and
// survive a restart; retries wait on the platform clock.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { VirtualClock } from '../../src/clock/clock.ts';
import { newUuid } from '../../src/ids.ts';
import { messageHooks } from '../../src/messaging/message-hooks.ts';
import { IDEMPOTENCY_HEADER } from '../../src/webhooks/webhooks.ts';
import { webhookJobsRepo } from '../../src/store/repos/webhook-jobs.ts';
import type { WebhookJobRow } from '../../src/store/tables/webhooks.ts';
import type { WebhookRequest, WebhookResult } from '../../src/webhooks/types.ts';
import { databases } from '../helpers/pg.ts';
import { bench, closedPort, customerServer, hookRequest, until, type Bench, type CustomerServer } from './fixture.ts';

const ok = (_r: unknown, res: import('node:http').ServerResponse) => void res.writeHead(200).end('ok');

/** A full garbage collection (the flag set at run time exposes `gc` to new contexts). */
function collect(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

for (const db of databases) {
  describe(`durable callbacks (${db.name})`, { skip: db.skip }, () => {
    let b: Bench;
    const servers: CustomerServer[] = [];
    const jobs = () => b.store.db.selectFrom('webhook_jobs').selectAll().execute();
    const hangup = (url: string, fields: Partial<WebhookRequest> = {}) =>
      hookRequest(b, url, { kind: 'hangup', params: { CallUUID: 'c', CallStatus: 'completed' }, ...fields });
    /** A job as another node would have written it. */
    const insertJob = (fields: Pick<WebhookJobRow, 'url' | 'lease_owner' | 'lease_until'>) =>
      b.store.db
        .insertInto('webhook_jobs')
        .values({
          job_id: newUuid(),
          account_id: b.authId,
          subaccount_id: null,
          call_uuid: null,
          kind: 'hangup',
          method: 'POST',
          params: '{}',
          auth_token: b.authToken,
          main_auth_token: null,
          policy: '{"connectTimeoutMs":2000,"readTimeoutMs":40000,"totalTimeoutMs":55000,"retries":1,"retryOn":["ct","rt"]}',
          attempts: 0,
          next_attempt_at: b.clock.now(),
          last_error: null,
          created_at: b.clock.now(),
          ...fields,
        })
        .execute();

    before(async () => {
      b = await bench(db.name);
    });
    after(async () => {
      await Promise.all(servers.map((s) => s.close()));
      await b.close();
    });

    test('a callback queued while its server is down is delivered exactly once after a restart', async () => {
      const port = await closedPort();
      const callUuid = newUuid();
      const first = b.webhooks();
      await first.start();
      await first.enqueue(hangup(`http://127.0.0.1:${port}/hangup`, { callUuid }));
      await until(async () => (await jobs())[0]?.attempts === 1, 'the first attempt to fail and be counted');
      const [job] = await jobs();
      assert.equal(job!.next_attempt_at, b.clock.now() + 60_000, 'the first retry waits 60 s');
      assert.match(job!.last_error!, /ECONNREFUSED/);
      await first.stop();

      const second = b.webhooks();
      await second.start();
      const server = await customerServer(ok, port);
      servers.push(server);
      await b.clock.advance(59_000);
      assert.equal(server.received.length, 0, 'not before the retry is due');
      await b.clock.advance(1_000);
      await server.receivedCount(1);
      await until(async () => (await jobs()).length === 0, 'the delivered job to leave the queue');
      await b.clock.runUntilIdle();
      assert.equal(server.received.length, 1);
      assert.equal(server.received[0]!.body, 'CallUUID=c&CallStatus=completed');

      const { objects } = await b.services.callLog.list({ accountId: b.authId, subaccountId: null, callerId: b.authId }, callUuid, { limit: 20, offset: 0 });
      assert.deepEqual(
        objects.map((e) => [(e.data as { attempt: number }).attempt, (e.data as { status: number | null }).status]),
        [[1, null], [2, 200]],
      );
      await second.stop();
    });

    test('retries back off 60 s, 120 s, 240 s and the job is dropped once they run out', async () => {
      const failing = await customerServer((_r, res) => void res.writeHead(500).end());
      servers.push(failing);
      const webhooks = b.webhooks();
      await webhooks.start();
      const outcome = new Promise<WebhookResult>((resolve) => void webhooks.enqueue(hangup(`${failing.origin}/cb#rc=3&rp=all`), resolve));
      for (const [n, wait] of [[1, 60_000], [2, 120_000], [3, 240_000]] as const) {
        await failing.receivedCount(n);
        await until(async () => (await jobs())[0]?.attempts === n, `attempt ${n} to be recorded`);
        await b.clock.advance(wait - 1);
        assert.equal(failing.received.length, n, `retry ${n} waits ${wait} ms`);
        await b.clock.advance(1);
      }
      const result = await outcome;
      assert.deepEqual({ ok: result.ok, status: result.status, attempts: result.attempts }, { ok: false, status: 500, attempts: 4 });
      assert.equal((await jobs()).length, 0);
      await webhooks.stop();
    });

    test('a job queued before start waits for it; a job held by a live instance is left alone', async () => {
      const server = await customerServer(ok);
      servers.push(server);
      const webhooks = b.webhooks();
      await webhooks.enqueue(hangup(`${server.origin}/early`));
      assert.equal(server.received.length, 0);
      await webhooks.start();
      await server.receivedCount(1);
      await until(async () => (await jobs()).length === 0, 'delivery');

      // Leases are wall-clock time.
      await insertJob({ url: `${server.origin}/held`, lease_owner: 'another-node', lease_until: Date.now() + 60_000 });
      const other = b.webhooks();
      await other.start();
      await other.stop();
      assert.equal(server.received.length, 1, 'the held job was not sent');
      await b.store.db.deleteFrom('webhook_jobs').execute();
      await webhooks.stop();
    });

    test('a queued callback carries an idempotency key that stays the same on every attempt', async () => {
      const flaky = await customerServer((_r, res) => void res.writeHead(flaky.received.length === 1 ? 500 : 200).end());
      servers.push(flaky);
      const webhooks = b.webhooks();
      await webhooks.start();
      await webhooks.enqueue(hangup(`${flaky.origin}/cb#rp=5xx`));
      await flaky.receivedCount(1);
      await until(async () => (await jobs())[0]?.attempts === 1, 'the failed attempt to be recorded');
      const [job] = await jobs();
      await b.clock.advance(60_000);
      await flaky.receivedCount(2);
      const keys = flaky.received.map((r) => r.headers[IDEMPOTENCY_HEADER.toLowerCase()]);
      assert.deepEqual(keys, [job!.job_id, job!.job_id]);
      await until(async () => (await jobs()).length === 0, 'delivery');
      await webhooks.stop();
    });

    test('a callback waiting for its route\'s slot holds no copy of its stored row, and is sent from its request once it has the slot', async () => {
      const held: Array<import('node:http').ServerResponse> = [];
      const slow = await customerServer((_r, res) => void held.push(res));
      servers.push(slow);
      const webhooks = b.webhooks({ perRouteConcurrency: 1 });
      await webhooks.start();
      // The rows as written: each is referenced by the queue only as long as it holds it.
      const written: Array<WeakRef<object>> = [];
      const insert = webhookJobsRepo.insert;
      webhookJobsRepo.insert = (db, rows) => {
        for (const row of rows) written.push(new WeakRef(row));
        return insert.call(webhookJobsRepo, db, rows);
      };
      try {
        await webhooks.enqueue(hangup(`${slow.origin}/cb`, { params: { CallUUID: 'first' } }));
        await slow.receivedCount(1);
        // The second callback is written in its caller's transaction (as a call's record writes its hangup callback), then waits.
        let send: (() => void) | undefined;
        await b.store.db.transaction().execute(async (trx) => void (send = await webhooks.enqueueIn(trx, [hangup(`${slow.origin}/cb`, { params: { CallUUID: 'second' } })])));
        send!();
        send = undefined;
        await turn();
        collect();
        await turn();
        collect();
        assert.equal(written.length, 2);
        assert.equal(written[1]!.deref(), undefined, 'the waiting callback still holds its stored row');
        assert.equal(slow.received.length, 1, 'the route has one slot');
      } finally {
        webhookJobsRepo.insert = insert;
      }
      held.shift()!.writeHead(200).end();
      await slow.receivedCount(2);
      assert.match(slow.received[1]!.body, /CallUUID=second/);
      held.shift()!.writeHead(200).end();
      await until(async () => (await jobs()).length === 0, 'both delivered');
      await webhooks.stop();
    });

    test('a lease is held only while a callback is being sent, renewed meanwhile; one that runs out is taken over (a duplicate the key reveals)', async () => {
      let answer: (() => void) | undefined;
      const slow = await customerServer((_r, res) => {
        if (slow.received.length === 1) answer = () => void res.writeHead(200).end();
        else res.writeHead(200).end();
      });
      servers.push(slow);
      const start = Date.now();
      // Two nodes, each with its own wall clock: the first one's "crash" is a clock that stops.
      const wallA = new VirtualClock(start);
      const wallB = new VirtualClock(start);
      const a = b.webhooks({ queue: { leaseMs: 30_000, pollMs: 1_000 } }, { wall: wallA, nodeId: 'node-a' });
      const bNode = b.webhooks({ queue: { leaseMs: 30_000, pollMs: 1_000 } }, { wall: wallB, nodeId: 'node-b' });
      await a.start();
      await bNode.start();
      await a.enqueue(hangup(`${slow.origin}/hangup`));
      await slow.receivedCount(1);
      const [job] = await jobs();
      assert.deepEqual([job!.lease_owner, job!.lease_until], ['node-a', start + 30_000], 'leased by the node sending it');

      // Polls run on each node's wall clock; step it until node a has renewed the lease of its attempt in flight.
      const step = (wall: VirtualClock, cond: () => Promise<boolean>, what: string) =>
        until(async () => (await cond()) || (await wall.advance(1_000), false), what);
      await step(wallA, async () => (await jobs())[0]!.lease_until! > start + 30_000, 'the lease to be renewed while the attempt is in flight');
      const renewedUntil = (await jobs())[0]!.lease_until!;

      // Node a stops renewing (its clock stands still, as a crashed process's would).
      await wallB.advanceTo(renewedUntil - 1);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(slow.received.length, 1, 'a live lease is not taken over');
      await step(wallB, async () => slow.received.length === 2, 'node b to send the job once the lease has run out');
      await until(async () => (await jobs()).length === 0, 'node b to deliver and delete the job');
      const keys = slow.received.map((r) => r.headers[IDEMPOTENCY_HEADER.toLowerCase()]);
      assert.equal(keys[0], keys[1], 'the receiver can tell the second delivery is a duplicate');
      answer!();
      await a.stop();
      await bNode.stop();
    });

    test('the callbacks a gone node was sending are sent again at once when the registry hands them over', async () => {
      const server = await customerServer(ok);
      servers.push(server);
      await insertJob({ url: `${server.origin}/orphan`, lease_owner: 'crashed-node', lease_until: Date.now() + 30_000 });
      const webhooks = b.webhooks();
      await webhooks.start();
      assert.equal(server.received.length, 0, 'leased by a node not yet known to be gone');
      await webhooks.takeOver('crashed-node');
      await server.receivedCount(1);
      await until(async () => (await jobs()).length === 0, 'delivery');
      await webhooks.stop();
    });

    test('nodes sharing the queue claim every due job exactly once, and a job one node queued before starting is sent by the other', async () => {
      const server = await customerServer(ok);
      servers.push(server);
      const wall = new VirtualClock(Date.now());
      const idle = b.webhooks(undefined, { wall, nodeId: 'node-idle' });
      await Promise.all(Array.from({ length: 300 }, (_, i) => idle.enqueue(hangup(`${server.origin}/n${i}`))));
      assert.equal((await jobs()).filter((j) => j.lease_owner === null).length, 300, 'queued before start: unleased');
      const one = b.webhooks({ queue: { pollMs: 1_000 } }, { wall, nodeId: 'node-1' });
      const two = b.webhooks({ queue: { pollMs: 1_000 } }, { wall, nodeId: 'node-2' });
      await Promise.all([one.start(), two.start()]);
      await server.receivedCount(300);
      await until(async () => (await jobs()).length === 0, 'every job to be deleted');
      const paths = server.received.map((r) => r.url);
      assert.equal(new Set(paths).size, 300);
      assert.equal(paths.length, 300, 'no job was sent twice');

      // One more, queued by a node that never starts: the others find it on their poll.
      await idle.enqueue(hangup(`${server.origin}/late`));
      await wall.advance(1_000);
      await server.receivedCount(301);
      await one.stop();
      await two.stop();
      await idle.stop();
    });

    test('messaging hooks: status callbacks are queued, inbound deliveries report their outcome', async () => {
      const server = await customerServer((r, res) => void res.writeHead(200, { 'content-type': 'application/xml' }).end(r.url === '/inbound' ? '<Response/>' : ''));
      servers.push(server);
      const webhooks = b.webhooks();
      await webhooks.start();
      const hooks = messageHooks(webhooks);
      const base = { method: 'POST' as const, params: { MessageUUID: 'm' }, authToken: b.authToken, accountId: b.authId };
      await hooks.notify({ ...base, url: `${server.origin}/status`, kind: 'message_status' });
      const outcome = await new Promise<{ ok: boolean; body?: string }>((resolve) => {
        void hooks.deliver({ ...base, url: `${server.origin}/inbound`, kind: 'message_inbound' }, async (o) => resolve(o));
      });
      assert.deepEqual(outcome, { ok: true, body: '<Response/>' });
      await server.receivedCount(2);
      assert.deepEqual(server.received.map((r) => r.url).sort(), ['/inbound', '/status']);
      await webhooks.stop();
    });
  });
}
