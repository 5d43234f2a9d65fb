// HTTP Request: calls the customer's API (GET, POST, PUT, DELETE) with
// headers, basic or bearer auth, query params and a JSON or form body.
// `success` on a 2xx answer, `failed` otherwise; a JSON answer is parsed so
// the next nodes read it by path ({{Lookup.response.reply}}). status_code is
// 0 when no answer came (timeout, connection refused). The timeout is network
// time; the clock is held while the request is out (Clock.track).
import { request } from 'undici';
import type { NodeComponent } from '../phlo-node.ts';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;
const MAX_RESPONSE_BYTES = 1024 * 1024;

type Auth = { type?: string; username?: string; password?: string; token?: string };

function headersFor(config: Record<string, unknown>): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': 'Switchboard-PHLO/1.0' };
  for (const [k, v] of Object.entries((config.headers as Record<string, unknown>) ?? {})) headers[k.toLowerCase()] = String(v);
  const auth = config.auth as Auth | undefined;
  if (auth?.type === 'basic') headers.authorization = `Basic ${Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64')}`;
  if (auth?.type === 'bearer') headers.authorization = `Bearer ${auth.token ?? ''}`;
  return headers;
}

function bodyFor(config: Record<string, unknown>, headers: Record<string, string>): string | undefined {
  const body = config.body;
  if (body === undefined || body === null || body === '' || config.method === 'GET') return undefined;
  if (config.body_type === 'form') {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    if (typeof body === 'string') return body;
    return new URLSearchParams(Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
  }
  headers['content-type'] ??= 'application/json';
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function urlFor(config: Record<string, unknown>): URL {
  const url = new URL(String(config.url));
  for (const [k, v] of Object.entries((config.params as Record<string, unknown>) ?? {})) url.searchParams.append(k, String(v));
  return url;
}

async function readLimited(body: AsyncIterable<unknown> & { destroy(): void }): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** JSON answers become objects the next nodes can address; anything else stays text. */
function parsed(text: string, contentType: string): unknown {
  if (!/json/i.test(contentType)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const httpRequest: NodeComponent = {
  type: 'http_request',
  label: 'HTTP Request',
  needsCall: false,
  waitsOutside: true,
  states: () => ['success', 'failed'],
  check(c) {
    c.string('method', { required: true, enum: HTTP_METHODS });
    c.string('url', { required: true, url: true });
    c.stringMap('headers');
    c.stringMap('params');
    const auth = c.object('auth');
    const type = auth?.string('type', { required: true, enum: ['basic', 'bearer'] });
    if (type === 'basic') auth?.string('username', { required: true });
    if (type === 'bearer') auth?.string('token', { required: true });
    c.string('body_type', { enum: ['json', 'form'] });
    c.integer('timeout', { min: 1, max: 60 });
  },
  async run({ config, services }) {
    const timeoutMs = Number(config.timeout ?? 10) * 1000;
    const headers = headersFor(config);
    const body = bodyFor(config, headers);
    const attempt = async () => {
      try {
        const res = await request(urlFor(config), {
          method: String(config.method) as (typeof HTTP_METHODS)[number],
          headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        const contentType = String(res.headers['content-type'] ?? '');
        const text = await readLimited(res.body);
        if (text === undefined) return { status_code: res.statusCode, content_type: contentType, response: '', error: `response larger than ${MAX_RESPONSE_BYTES} bytes` };
        return { status_code: res.statusCode, content_type: contentType, response: parsed(text, contentType) };
      } catch (err) {
        return { status_code: 0, content_type: '', response: '', error: (err as Error).message };
      }
    };
    const variables = await services.clock.track(attempt);
    const ok = variables.status_code >= 200 && variables.status_code < 300 && !('error' in variables);
    return { state: ok ? 'success' : 'failed', variables };
  },
};
