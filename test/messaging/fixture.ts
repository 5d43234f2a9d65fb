// A customer's application server for messaging tests: records every request
// Switchboard makes to it (status callbacks, inbound messages), answers
// through an optional handler, and lets a test wait for requests as they
// arrive instead of sleeping.
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import plivo from 'plivo';
import type { TestServer } from '../helpers/server.ts';
import { WAIT_MS } from '../helpers/until.ts';

export interface Received {
  method: string;
  /** The URL as Switchboard called it (what signatures cover). */
  url: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  params: Record<string, string>;
}

export interface Answer {
  status?: number;
  body?: string;
  contentType?: string;
}

export interface CustomerServer {
  url: string;
  requests: Received[];
  /** Resolves with the requests to `path` once `count` of them arrived (or rejects after `timeoutMs`). */
  waitFor(path: string, count?: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function customerServer(handler?: (r: Received) => Answer | Promise<Answer>): Promise<CustomerServer> {
  const requests: Received[] = [];
  const waiters = new Set<() => void>();
  let base = '';
  const server = http.createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url ?? '/', base);
    const type = req.headers['content-type'] ?? '';
    const params = type.includes('json') ? (JSON.parse(raw || '{}') as Record<string, string>) : Object.fromEntries(new URLSearchParams(req.method === 'GET' ? url.search : raw));
    const received: Received = { method: req.method ?? 'GET', url: base + (req.url ?? '/'), path: url.pathname, headers: req.headers, params };
    requests.push(received);
    for (const w of waiters) w();
    const answer = (await handler?.(received)) ?? {};
    res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'text/plain' });
    res.end(answer.body ?? '');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    requests,
    waitFor(path, count = 1, timeoutMs = WAIT_MS) {
      const matching = () => requests.filter((r) => r.path === path);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (matching().length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(matching());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} request(s) to ${path} within ${timeoutMs} ms, got ${matching().length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Does the request carry a valid X-Plivo-Signature-V3 for `authToken`, checked with the official SDK? */
export function validSignature(r: Received, authToken: string): boolean {
  const signature = r.headers['x-plivo-signature-v3'];
  const nonce = r.headers['x-plivo-signature-v3-nonce'];
  if (typeof signature !== 'string' || typeof nonce !== 'string') return false;
  return plivo.validateV3Signature(r.method, r.url, nonce, authToken, signature, r.method === 'POST' ? r.params : {}).valueOf();
}

/** Re-run `probe` until it returns something truthy; for state only readable by asking (inboxes, records). */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Platform time after which a text to a virtual phone with the default delays (sent after 100 ms, delivered 500 ms later) has been delivered. */
export const DELIVERED_MS = 600;

/** Move a virtual-clock server's platform time on by `ms` for `creds`' account (a subaccount keeps its own); returns once what came due is done. */
export async function advance(server: TestServer, ms: number, creds?: { authId: string; authToken: string }): Promise<void> {
  const res = await server.fetch(`/v1/Account/${(creds ?? server).authId}/Sandbox/Clock/Advance/`, { method: 'POST', json: { ms }, creds });
  assert.equal(res.status, 200, await res.text());
}
