// The console speaks the public API with its session cookie: every path is
// the documented one, and errors are the API's own messages.
let session = null;
let onSignedOut = () => {};

export function useSession(s, signedOut) {
  session = s;
  if (signedOut) onSignedOut = signedOut;
}
export const currentSession = () => session;

export class ApiFailure extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** `path` is relative to /v1/Account/{auth_id}/ unless it starts with '/'. */
export function accountPath(path) {
  return path.startsWith('/') ? path : `/v1/Account/${session.auth_id}/${path}`;
}

export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && session) headers[session.csrf_header] = session.csrf_token;
  const res = await fetch(accountPath(path), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (res.status === 204) return null;
  const type = res.headers.get('content-type') || '';
  const data = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    if (res.status === 401 && session && path.startsWith('/console/') === false && !(data && /auth id in the path/.test(data.error))) onSignedOut();
    throw new ApiFailure(res.status, (data && data.error) || `${res.status} ${res.statusText}`);
  }
  return data;
}

export const get = (path, query) => api('GET', query ? `${path}?${new URLSearchParams(clean(query))}` : path);
export const post = (path, body = {}) => api('POST', path, body);
export const del = (path) => api('DELETE', path);

/** Every page of a list (the API serves at most 20 objects a request). */
export async function getAll(path, query = {}, max = 500) {
  const out = [];
  for (let offset = 0; offset < max; offset += 20) {
    const page = await get(path, { ...query, limit: 20, offset });
    out.push(...page.objects);
    if (!page.meta.next) break;
  }
  return out;
}

/** Drops empty values, so an untouched filter field is not sent. */
export function clean(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) if (v !== '' && v !== undefined && v !== null) out[k] = v;
  return out;
}
