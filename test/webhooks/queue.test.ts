// Callbacks off the critical path are written down before they are sent and
// survive a restart; retries wait on the platform clock.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newUuid } from '../../src/ids.ts';
import { messageHooks } from '../../src/messaging/message-hooks.ts';
import type { WebhookRequest, WebhookResult } from '../../src/webhooks/types.ts';
import { databases } from '../helpers/pg.ts';
import { bench, closedPort, customerServer, hookRequest, until, type Bench, type CustomerServer } from './fixture.ts';

const ok = (_r: unknown, res: import('node:http').ServerResponse) => void res.writeHead(200).end('ok');

for (const db of databases) {
  describe(`durable callbacks (${db.name})`, { skip: db.skip }, () => {
    let b: Bench;
    const servers: CustomerServer[] = [];
    const jobs = () => b.store.db.selectFrom('webhook_jobs').selectAll().execute();
    const hangup = (url: string, fields: Partial<WebhookRequest> = {}) =>
      hookRequest(b, url, { kind: 'hangup', params: { CallUUID: 'c', CallStatus: 'completed' }, ...fields });

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

      await b.store.db
        .insertInto('webhook_jobs')
        .values({
          job_id: newUuid(),
          account_id: b.authId,
          subaccount_id: null,
          call_uuid: null,
          kind: 'hangup',
          url: `${server.origin}/held`,
          method: 'POST',
          params: '{}',
          auth_token: b.authToken,
          main_auth_token: null,
          policy: '{"connectTimeoutMs":2000,"readTimeoutMs":40000,"totalTimeoutMs":55000,"retries":1,"retryOn":["ct","rt"]}',
          attempts: 0,
          next_attempt_at: b.clock.now(),
          lease_owner: 'another-node',
          lease_until: b.clock.now() + 60_000,
          last_error: null,
          created_at: b.clock.now(),
        })
        .execute();
      const other = b.webhooks();
      await other.start();
      await other.stop();
      assert.equal(server.received.length, 1, 'the held job was not sent');
      await b.store.db.deleteFrom('webhook_jobs').execute();
      await webhooks.stop();
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
