// Point the official `plivo` npm SDK at a Switchboard server.
//
// The SDK takes a `url` option for most resources but hard-codes
// https://api.plivo.com for "voice" requests (calls, applications, …). We
// install one axios adapter on the SDK's own axios that rewrites those
// platform hosts to the Switchboard base URL registered for the request's
// auth id (read from its Basic auth header); other requests pass untouched.
import { createRequire } from 'node:module';

type AxiosLike = {
  defaults: { adapter?: unknown };
  getAdapter(name: string | string[]): (config: AdapterConfig) => Promise<unknown>;
};
interface AdapterConfig {
  url?: string;
  headers?: { get?(name: string): unknown; [k: string]: unknown };
}

const PLATFORM_HOSTS = /^https:\/\/(api\.plivo\.com|phlorunner\.plivo\.com)(?=\/|$)/;
const targets = new Map<string, string>();
const patched = new WeakSet<object>();

function authIdOf(config: AdapterConfig): string | undefined {
  const h = config.headers;
  const value = (typeof h?.get === 'function' ? h.get('Authorization') : h?.Authorization) as string | undefined;
  if (!value?.startsWith('Basic ')) return undefined;
  return Buffer.from(value.slice(6), 'base64').toString('utf8').split(':')[0];
}

function sdkAxios(): AxiosLike {
  const requireFromHere = createRequire(import.meta.url);
  const plivoEntry = requireFromHere.resolve('plivo');
  return createRequire(plivoEntry)('axios') as AxiosLike;
}

function installRewrite(axios: AxiosLike): void {
  if (patched.has(axios)) return;
  patched.add(axios);
  const http = axios.getAdapter('http');
  axios.defaults.adapter = (config: AdapterConfig) => {
    const id = authIdOf(config);
    const base = id ? targets.get(id) : undefined;
    if (base && config.url && PLATFORM_HOSTS.test(config.url)) {
      const rest = config.url.replace(PLATFORM_HOSTS, '');
      // phlorunner paths start at /v1/phlo…; Switchboard serves them under the same base.
      config.url = base + rest;
    }
    return http(config);
  };
}

export interface PlivoTarget {
  authId: string;
  authToken: string;
  /** e.g. http://127.0.0.1:8080 */
  baseUrl: string;
}

/** Route every SDK request made with `authId` to `baseUrl`. Returns the options to pass to `new plivo.Client`. */
export function pointPlivoAt(target: PlivoTarget): { url: string } {
  const base = target.baseUrl.replace(/\/+$/, '');
  installRewrite(sdkAxios());
  targets.set(target.authId, base);
  return { url: `${base}/v1/Account/${target.authId}` };
}

/**
 * A ready `plivo.Client` talking to Switchboard:
 *
 *   import plivo from 'plivo';
 *   import { switchboardClient } from 'switchboard/sdk';
 *   const client = switchboardClient(plivo, { authId, authToken, baseUrl: 'http://127.0.0.1:8080' });
 */
export function switchboardClient<C>(
  plivo: { Client: new (authId: string, authToken: string, options?: object) => C },
  target: PlivoTarget,
  options: object = {},
): C {
  return new plivo.Client(target.authId, target.authToken, { ...options, ...pointPlivoAt(target) });
}

/** The same for PHLO: `plivo.PhloClient` against Switchboard's PHLO runner routes. */
export function switchboardPhloClient<C>(
  plivo: { PhloClient: new (authId: string, authToken: string, options?: object) => C },
  target: PlivoTarget,
  options: object = {},
): C {
  pointPlivoAt(target);
  return new plivo.PhloClient(target.authId, target.authToken, { ...options, url: `${target.baseUrl.replace(/\/+$/, '')}/v1` });
}
