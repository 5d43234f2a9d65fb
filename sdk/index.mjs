// Point the official `plivo` npm SDK at a Switchboard server.
//
// Plain JavaScript (with index.d.ts beside it) so applications can import it
// without a TypeScript loader: `import { switchboardClient } from 'switchboard/sdk'`.
//
// The SDK takes a `url` option for most resources but hard-codes
// https://api.plivo.com for "voice" requests (calls, applications, …),
// https://phlorunner.plivo.com for PHLO and https://stats.plivo.com for call
// quality feedback. We install one adapter on the SDK's own axios that
// rewrites those platform hosts to the Switchboard base URL registered for
// the request's auth id (read from its Basic auth header); other requests
// pass untouched. Only the host changes, never what the SDK sends, so what
// works here works against the platform.
import { createRequire } from 'node:module';

const PLATFORM_HOSTS = /^https:\/\/(api|phlorunner|stats)\.plivo\.com(?=\/|$)/;
const targets = new Map();
const patched = new WeakSet();

function authIdOf(config) {
  const h = config.headers;
  const value = typeof h?.get === 'function' ? h.get('Authorization') : h?.Authorization;
  if (typeof value !== 'string' || !value.startsWith('Basic ')) return undefined;
  return Buffer.from(value.slice(6), 'base64').toString('utf8').split(':')[0];
}

/** The axios instance the installed `plivo` package uses (resolved from the application's directory first). */
function sdkAxios() {
  for (const from of [`${process.cwd()}/`, import.meta.url]) {
    try {
      const plivoEntry = createRequire(from).resolve('plivo');
      return createRequire(plivoEntry)('axios');
    } catch {
      // try the next place
    }
  }
  throw new Error('switchboard/sdk: the `plivo` package is not installed');
}

function installRewrite(axios) {
  if (patched.has(axios)) return;
  patched.add(axios);
  const http = axios.getAdapter('http');
  axios.defaults.adapter = (config) => {
    const id = authIdOf(config);
    const base = id ? targets.get(id) : undefined;
    if (base && config.url && PLATFORM_HOSTS.test(config.url)) {
      config.url = base + config.url.replace(PLATFORM_HOSTS, '');
    }
    return http(config);
  };
}

/** Route every SDK request made with `authId` to `baseUrl`; returns the `{ url }` option for `new plivo.Client`. */
export function pointPlivoAt({ authId, baseUrl }) {
  const base = baseUrl.replace(/\/+$/, '');
  installRewrite(sdkAxios());
  targets.set(authId, base);
  return { url: `${base}/v1/Account/${authId}` };
}

/** A ready `plivo.Client` talking to Switchboard. */
export function switchboardClient(plivo, target, options = {}) {
  return new plivo.Client(target.authId, target.authToken, { ...options, ...pointPlivoAt(target) });
}

/** The same for PHLO: `plivo.PhloClient` against Switchboard's PHLO runner routes. */
export function switchboardPhloClient(plivo, target, options = {}) {
  pointPlivoAt(target);
  return new plivo.PhloClient(target.authId, target.authToken, { ...options, url: `${target.baseUrl.replace(/\/+$/, '')}/v1` });
}
