// Critical-path fetches: retries, timeouts, fallback, per-host limits, and
// the debug log entry every attempt leaves behind.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newUuid } from '../../src/ids.ts';
import type { WebhookRequest } from '../../src/webhooks/types.ts';
import { bench, closedPort, customerServer, hookRequest, until, xml, type Bench, type CustomerServer } from './fixture.ts';
import { assertEvery } from '../helpers/assert.ts';

/** Log entries of a call as the main account sees them. */
async function logOf(b: Bench, callUuid: string) {
  const { objects } = await b.services.callLog.list({ accountId: b.authId, subaccountId: null, callerId: b.authId }, callUuid, { limit: 20, offset: 0 });
  return objects;
}

describe('critical-path webhooks', () => {
  let b: Bench;
  const servers: CustomerServer[] = [];
  const serve = async (...args: Parameters<typeof customerServer>) => {
    const s = await customerServer(...args);
    servers.push(s);
    return s;
  };
  const request = (url: string, fields: Partial<WebhookRequest> = {}) => hookRequest(b, url, fields);

  before(async () => {
    b = await bench();
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await b.close();
  });

  test('a dropped connection is retried after the retry wait on the clock, then succeeds', async () => {
    const flaky = await serve((r, res) => {
      if (flaky.received.length === 1) res.socket?.destroy();
      else xml(res);
    });
    const callUuid = newUuid();
    const pending = b.webhooks().fetch(request(`${flaky.origin}/answer`, { callUuid }));
    await flaky.receivedCount(1);
    await until(() => b.clock.pending() > 0, 'the retry wait to be scheduled');
    assert.equal(flaky.received.length, 1, 'no retry before the clock moves');
    await b.clock.advance(1_000);
    const result = await pending;
    assert.equal(result.ok, true);
    assert.equal(result.attempts, 2);
    assert.match(result.body!, /<Speak>Hello<\/Speak>/);
    assert.equal(result.contentType, 'application/xml');

    const log = await logOf(b, callUuid);
    assert.equal(log.length, 2);
    const [first, second] = log.map((e) => e.data as Record<string, unknown>);
    assert.equal(first!.url, `${flaky.origin}/answer`);
    assert.equal(first!.status, null);
    assert.match(String(first!.error), /connection closed/);
    assert.equal(typeof first!.latency_ms, 'number');
    assert.equal(first!.attempt, 1);
    assert.equal(second!.status, 200);
    assert.equal(second!.error, null);
    assert.equal(second!.attempt, 2);
    assert.equal(log[0]!.kind, 'webhook');
    assert.match(log[1]!.message, /^answer POST http:\/\/127\.0\.0\.1:\d+\/answer → 200 in \d+ ms \(attempt 2 of 2\)$/);
  });

  test('an error status is not retried by default but is with rp=5xx, and rc sets the number of retries', async () => {
    const failing = await serve((_r, res) => void res.writeHead(503).end('down for maintenance'));
    const once = await b.webhooks().fetch(request(`${failing.origin}/a`));
    assert.deepEqual({ ok: once.ok, status: once.status, attempts: once.attempts, error: once.error }, { ok: false, status: 503, attempts: 1, error: 'HTTP 503' });

    const callUuid = newUuid();
    const pending = b.webhooks().fetch(request(`${failing.origin}/b#rp=5xx&rc=2`, { callUuid }));
    for (const n of [2, 3]) {
      await failing.receivedCount(n);
      await until(() => b.clock.pending() > 0, 'a retry wait');
      await b.clock.advance(1_000);
    }
    const result = await pending;
    assert.equal(result.attempts, 3);
    assert.equal(failing.received.length, 4);
    assertEvery(failing.received, (r) => !r.url.includes('#'), 'the fragment is never sent');
    const log = await logOf(b, callUuid);
    assert.deepEqual(log.map((e) => (e.data as { status: number }).status), [503, 503, 503]);
    assert.equal((log[0]!.data as { response_excerpt: string }).response_excerpt, 'down for maintenance');
  });

  test('a server that never answers fails at the timeout without holding up a request to another host', async () => {
    const held: Array<{ destroy(): void }> = [];
    const slow = await serve((_r, res) => void held.push({ destroy: () => res.socket?.destroy() })); // never responds
    const fast = await serve((_r, res) => xml(res));
    const webhooks = b.webhooks({ perHostConcurrency: 1 });
    const callUuid = newUuid();
    // While a request to one host hangs (its timeout far away), a request to another host goes through.
    let slowDone = false;
    const hanging = webhooks.fetch(request(`${slow.origin}/answer#rc=0`, { callUuid, timeoutMs: 60_000 })).then((r) => {
      slowDone = true;
      return r;
    });
    await slow.receivedCount(1);
    const fastResult = await webhooks.fetch(request(`${fast.origin}/answer`));
    assert.equal(fastResult.ok, true);
    assert.equal(slowDone, false, 'the other host is still waited on');
    held[0]!.destroy();
    assert.match((await hanging).error!, /connection closed/);

    // And a host that never answers fails at the request's timeout.
    const r = await webhooks.fetch(request(`${slow.origin}/answer#rc=0`, { callUuid, timeoutMs: 500 }));
    assert.equal(r.ok, false);
    assert.equal(r.status, undefined);
    assert.equal(r.error, 'no response within 500 ms');
    const entries = await logOf(b, callUuid);
    assert.equal(entries.length, 2);
    assert.equal((entries[1]!.data as { error: string }).error, 'no response within 500 ms');
  });

  test('fallback_url is used when the answer_url fails, and its attempts are logged too', async () => {
    const port = await closedPort();
    const backup = await serve((_r, res) => xml(res, '<Response><Speak>Backup</Speak></Response>'));
    const callUuid = newUuid();
    const pending = b.webhooks().fetchWithFallback(request(`http://127.0.0.1:${port}/answer`, { callUuid }), `${backup.origin}/fallback`, 'GET');
    await until(() => b.clock.pending() > 0, 'the retry wait after a refused connection');
    await b.clock.advance(1_000);
    const result = await pending;
    assert.equal(result.ok, true);
    assert.equal(result.usedFallback, true);
    assert.equal(result.attempts, 3);
    assert.match(result.body!, /Backup/);
    assert.equal(backup.received[0]!.method, 'GET');
    assert.match(backup.received[0]!.url, /^\/fallback\?CallUUID=x&From=14155550100$/);

    const log = await logOf(b, callUuid);
    assert.deepEqual(
      log.map((e) => (e.data as { hook: string }).hook),
      ['answer', 'answer', 'fallback'],
    );
    assert.match((log[0]!.data as { error: string }).error, /ECONNREFUSED/);

    const ok = await b.webhooks().fetchWithFallback(request(`${backup.origin}/answer`), `${backup.origin}/fallback`);
    assert.equal(ok.usedFallback, false);
  });

  test('requests to one host never exceed its concurrency limit', async () => {
    const busy = await serve((_r, res) => {
      setTimeout(() => xml(res), 20);
    });
    const webhooks = b.webhooks({ perHostConcurrency: 2 });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => webhooks.fetch(request(`${busy.origin}/n${i}`))));
    assertEvery(results, (r) => r.ok, 'all delivered');
    assert.equal(busy.received.length, 8);
    assert.equal(busy.maxInFlight, 2);
  });

  test('a slow route delays only its own requests: another application on the same host is answered meanwhile', async () => {
    const held: Array<() => void> = [];
    const host = await serve((r, res) => {
      if (r.url === '/slow') held.push(() => xml(res));
      else xml(res);
    });
    const webhooks = b.webhooks();
    const slow = Array.from({ length: 20 }, () => webhooks.fetch(request(`${host.origin}/slow`)));
    await host.receivedCount(10);
    const healthy = await Promise.all(Array.from({ length: 30 }, () => webhooks.fetch(request(`${host.origin}/answer`))));
    assertEvery(healthy, (r) => r.ok, 'every healthy set-up answered while the slow route is full');
    assert.equal(held.length, 10, 'the slow route has its 10 slots, no more');
    while (held.length > 0) held.shift()!();
    await until(() => held.length > 0 || host.received.length === 50, 'the waiting slow requests to go out');
    while (held.length > 0) held.shift()!();
    assertEvery(await Promise.all(slow), (r) => r.ok, 'every slow request answered once released');
  });

  test('waiting for a slot does not use up a request\'s total timeout', async () => {
    let releaseFirst: (() => void) | undefined;
    const host = await serve((r, res) => {
      if (r.url === '/first') releaseFirst = () => xml(res);
      else xml(res);
    });
    const webhooks = b.webhooks({ perHostConcurrency: 1 });
    const first = webhooks.fetch(request(`${host.origin}/first#tt=5000&rc=0`));
    await host.receivedCount(1);
    const second = webhooks.fetch(request(`${host.origin}/second#tt=400&rc=0`));
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(host.received.length, 1, 'the second waits for the host slot');
    releaseFirst!();
    assert.equal((await first).ok, true);
    const r = await second;
    assert.deepEqual([r.ok, r.error], [true, undefined], 'its 400 ms count from when it is sent');
  });

  test('redirects are not followed, oversized bodies are refused, bad URLs are reported', async () => {
    const odd = await serve((r, res) => {
      if (r.url === '/moved') res.writeHead(302, { location: 'https://elsewhere.example/' }).end();
      else res.writeHead(200, { 'content-type': 'application/xml' }).end('x'.repeat(2048));
    });
    const webhooks = b.webhooks({ maxResponseBytes: 1024 });
    const moved = await webhooks.fetch(request(`${odd.origin}/moved`));
    assert.equal(moved.ok, false);
    assert.equal(moved.status, 302);
    assert.equal(moved.error, 'redirect to https://elsewhere.example/ not followed (HTTP 302)');
    const big = await webhooks.fetch(request(`${odd.origin}/big`));
    assert.equal(big.ok, false);
    assert.equal(big.error, 'response body larger than 1024 bytes');
    assert.equal(big.attempts, 1, 'not a retryable failure');

    const callUuid = newUuid();
    const bad = await webhooks.fetch(request('ftp://example.com/x', { callUuid }));
    assert.deepEqual(bad, { ok: false, error: 'invalid answer URL "ftp://example.com/x"', attempts: 0 });
    const [entry] = await logOf(b, callUuid);
    assert.match(entry!.message, /not an http\(s\) URL/);
  });

  test('credentials in the URL become Basic auth and are not logged', async () => {
    const guarded = await serve((_r, res) => xml(res));
    const callUuid = newUuid();
    const r = await b.webhooks().fetch(request(`http://user:s%40cret@127.0.0.1:${guarded.port}/answer`, { callUuid }));
    assert.equal(r.ok, true);
    assert.equal(guarded.received[0]!.headers.authorization, `Basic ${Buffer.from('user:s@cret').toString('base64')}`);
    const [entry] = await logOf(b, callUuid);
    assert.ok(!JSON.stringify(entry).includes('cret'));
  });

  test('stopping aborts a request in flight without throwing', async () => {
    const hanging = await serve(() => {});
    const webhooks = b.webhooks();
    const pending = webhooks.fetch(request(`${hanging.origin}/answer`));
    await hanging.receivedCount(1);
    await webhooks.stop();
    const r = await pending;
    assert.equal(r.ok, false);
    assert.equal(r.error, 'stopped: the server is shutting down');
    assert.equal(r.attempts, 1);
  });
});
