// The HTTP API in-process (Fastify's inject, no socket) over the real
// platform services on a real store: for tests that send hundreds of raw
// requests (mass assignment, schema fuzz, tenant isolation, SDK bodies).
import { pino } from 'pino';
import { buildApp, type App, type AppOptions } from '../../src/http/app.ts';
import { platformOn, type Platform } from '../platform/numbers-fixture.ts';

export interface Creds {
  authId: string;
  authToken: string;
}

export interface ApiResponse {
  status: number;
  body: any;
  headers: Record<string, unknown>;
}

export interface RequestOptions {
  creds?: Creds;
  /** Sent as application/json (a string is sent as it is). */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded, keys as given. */
  form?: Record<string, string>;
  /** The client address the server sees. */
  remoteAddress?: string;
}

export interface Api {
  platform: Platform;
  app: App;
  main: Creds;
  request(method: string, url: string, opts?: RequestOptions): Promise<ApiResponse>;
  /** A new enabled subaccount of the main account. */
  subaccount(name: string): Promise<Creds>;
  close(): Promise<void>;
}

export const basic = (c: Creds): string => 'Basic ' + Buffer.from(`${c.authId}:${c.authToken}`).toString('base64');

export async function apiOn(db: 'sqlite' | 'postgres', opts: AppOptions = {}): Promise<Api> {
  const platform = await platformOn(db);
  const app = await buildApp(platform.services, pino({ level: 'silent' }), opts);
  const row = (await platform.services.accounts.find(platform.scope.accountId))!;
  const main = { authId: row.auth_id, authToken: row.auth_token };
  return {
    platform,
    app,
    main,
    async request(method, url, opts = {}) {
      const headers: Record<string, string> = { authorization: basic(opts.creds ?? main) };
      let payload: string | undefined;
      if (opts.json !== undefined) {
        headers['content-type'] = 'application/json';
        payload = typeof opts.json === 'string' ? opts.json : JSON.stringify(opts.json);
      } else if (opts.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        payload = Object.entries(opts.form).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
      }
      const res = await app.inject({ method: method as 'GET', url, headers, payload, remoteAddress: opts.remoteAddress });
      return { status: res.statusCode, body: res.body ? res.json() : undefined, headers: res.headers };
    },
    async subaccount(name) {
      const sub = await platform.services.accounts.createSubaccount(platform.scope, { name, enabled: true });
      return { authId: sub.auth_id, authToken: sub.auth_token };
    },
    async close() {
      await app.close();
      await platform.close();
    },
  };
}
