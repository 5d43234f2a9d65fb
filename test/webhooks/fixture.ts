// Webhook tests run the module against real customer servers (node:http on
// 127.0.0.1, port 0) and a real store, with a virtual clock for retry waits.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { VirtualClock } from '../../src/clock/clock.ts';
import { resolveConfig } from '../../src/config.ts';
import { newAccountAuthId, newAuthToken } from '../../src/ids.ts';
import { createServices, type Services } from '../../src/services.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import type { WebhookRequest } from '../../src/webhooks/types.ts';
import { Webhooks, type WebhookDeps, type WebhookOptions } from '../../src/webhooks/webhooks.ts';
import { createPgDatabase, type PgDatabase } from '../helpers/pg.ts';
import { within } from '../helpers/until.ts';

export interface Received {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (req: Received, res: http.ServerResponse) => void | Promise<void>;

export interface CustomerServer {
  port: number;
  /** `http://127.0.0.1:port` */
  origin: string;
  received: Received[];
  /** Requests being handled right now, and the most at once so far. */
  inFlight: number;
  maxInFlight: number;
  /** Resolves when the server has received `n` requests in total. */
  receivedCount(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function customerServer(handler: Handler, port = 0): Promise<CustomerServer> {
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const s: CustomerServer = {
    port: 0,
    origin: '',
    received: [],
    inFlight: 0,
    maxInFlight: 0,
    receivedCount: (n) => (s.received.length >= n ? Promise.resolve() : within(new Promise((resolve) => waiters.push({ n, resolve })), () => `${n} requests at the customer server (it has ${s.received.length})`)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const r: Received = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    s.received.push(r);
    s.inFlight++;
    s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
    res.on('close', () => s.inFlight--);
    for (const w of waiters.filter((w) => s.received.length >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
    await handler(r, res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  s.port = (server.address() as AddressInfo).port;
  s.origin = `http://127.0.0.1:${s.port}`;
  return s;
}

export const xml = (res: http.ServerResponse, body = '<Response><Speak>Hello</Speak></Response>'): void => {
  res.writeHead(200, { 'content-type': 'application/xml' }).end(body);
};

/** A port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export { until } from '../helpers/until.ts';

export interface Bench {
  store: Store;
  services: Services;
  clock: VirtualClock;
  authId: string;
  authToken: string;
  /** A Webhooks instance on this bench's store (closed with the bench); `node` sets its wall clock and node id. */
  webhooks(options?: WebhookOptions, node?: Pick<WebhookDeps, 'wall' | 'nodeId'>): Webhooks;
  close(): Promise<void>;
}

export async function bench(db: 'sqlite' | 'postgres' = 'sqlite'): Promise<Bench> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-webhooks-'));
  const pg: PgDatabase | undefined = db === 'postgres' ? await createPgDatabase() : undefined;
  const store = await openStore({ dataDir, databaseUrl: pg?.url });
  const clock = new VirtualClock();
  const services = createServices(resolveConfig({}, { dataDir, databaseUrl: pg?.url }), store, clock);
  const authId = newAccountAuthId();
  const authToken = newAuthToken();
  await services.accounts.createMain({ authId, authToken }, 'Webhooks test');
  const made: Webhooks[] = [];
  return {
    store,
    services,
    clock,
    authId,
    authToken,
    webhooks(options, node) {
      const w = new Webhooks({ db: store.db, dialect: store.dialect, clock, logger: pino({ level: 'silent' }), callLog: services.callLog, options, ...node });
      made.push(w);
      return w;
    },
    async close() {
      await Promise.all(made.map((w) => w.stop()));
      await services.webhooks.stop();
      await store.close();
      await pg?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A POST webhook of the bench's main account; `fields` override any part. */
export function hookRequest(b: Bench, url: string, fields: Partial<WebhookRequest> = {}): WebhookRequest {
  return { url, method: 'POST', params: { CallUUID: 'x', From: '14155550100' }, authToken: b.authToken, accountId: b.authId, kind: 'answer', ...fields };
}
