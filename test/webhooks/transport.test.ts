// An attempt builds its request (body, signature) only once it has its
// route's slot: requests queued behind a slow server hold neither.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transport, type Outgoing } from '../../src/webhooks/transport.ts';
import { until, within } from '../helpers/until.ts';

test('a request waiting for its route\'s slot is built when it gets the slot, and sent as built', async () => {
  const held: Array<() => void> = [];
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      bodies.push(`${req.headers['x-n']} ${body}`);
      held.push(() => res.end('ok'));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const transport = new Transport({ perRoute: 1, perHost: 50, maxResponseBytes: 1024, userAgent: 'test' });
  try {
    const route = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
    const built: number[] = [];
    const build = (n: number) => (): Outgoing => (built.push(n), { url: route, method: 'POST', headers: { 'x-n': String(n), 'content-type': 'text/plain' }, body: `body ${n}` });
    const limits = { priority: 'critical' as const, connectTimeoutMs: 5_000, readTimeoutMs: 5_000, budgetMs: 10_000, stop: new AbortController().signal };
    const first = transport.send(route, build(1), limits);
    const second = transport.send(route, build(2), limits);
    await until(() => held.length === 1, 'the first request at the server');
    assert.deepEqual(built, [1], 'the second waits for the slot unbuilt');
    held.shift()!();
    assert.equal((await within(first, 'the first answer')).ok, true);
    await until(() => held.length === 1, 'the second request at the server');
    assert.deepEqual(built, [1, 2]);
    held.shift()!();
    assert.equal((await within(second, 'the second answer')).ok, true);
    assert.deepEqual(bodies, ['1 body 1', '2 body 2']);
  } finally {
    await transport.close();
    server.close();
  }
});
