// A customer's answer server (real HTTP on port 0) and a client for the
// sandbox API, for end-to-end voice tests against a real server process.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import plivo from 'plivo';
import { EspeakTts } from '../../src/media/tts/espeak.ts';
import { soundExtent } from '../../src/media/voice-activity.ts';
import type { TestServer } from '../helpers/server.ts';
import { within } from '../helpers/until.ts';

export interface Received {
  path: string;
  method: string;
  /** The full URL as the customer server sees it (what signatures cover). */
  url: string;
  headers: http.IncomingHttpHeaders;
  /** POST form body or GET query. */
  params: Record<string, string>;
}

/** What a route answers: an XML document, or a status with a body. */
export type Reply = string | { status: number; body?: string | Uint8Array; contentType?: string };
export type Route = (params: Record<string, string>, req: Received) => Reply;

export interface AnswerServer {
  origin: string;
  received: Received[];
  routes: Map<string, Route | Reply>;
  /** The first request to `path` matching `pred`, waiting for it if needed (a request arriving resolves it; one that never comes fails, naming what came instead, after `WAIT_MS`). */
  next(path: string, pred?: (r: Received) => boolean): Promise<Received>;
  close(): Promise<void>;
}

export async function answerServer(routes: Record<string, Route | Reply> = {}): Promise<AnswerServer> {
  const received: Received[] = [];
  const table = new Map(Object.entries(routes));
  const waiters: Array<{ path: string; pred: (r: Received) => boolean; resolve: (r: Received) => void }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', `http://${req.headers.host}`);
      const params = req.method === 'GET' ? Object.fromEntries(u.searchParams) : Object.fromEntries(new URLSearchParams(body));
      const r: Received = { path: u.pathname, method: req.method ?? 'GET', url: u.href, headers: req.headers, params };
      received.push(r);
      const route = table.get(u.pathname);
      const reply: Reply = typeof route === 'function' ? route(params, r) : (route ?? { status: 200, body: '' });
      const { status, body: out, contentType } = typeof reply === 'string' ? { status: 200, body: reply, contentType: 'application/xml' } : reply;
      res.writeHead(status, { 'content-type': contentType ?? 'text/plain' });
      res.end(out ?? '');
      for (const w of [...waiters]) {
        if (w.path === r.path && w.pred(r)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(r);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    received,
    routes: table,
    next(path, pred = () => true) {
      const hit = received.find((r) => r.path === path && pred(r));
      if (hit) return Promise.resolve(hit);
      return within(new Promise((resolve) => waiters.push({ path, pred, resolve })), () => `a request to ${path} at the answer server (it received: ${received.map((r) => r.path).join(', ') || 'nothing'})`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Assert both signatures of a request validate with the official SDK for `authToken`. */
export function assertSigned(r: Received, authToken: string): void {
  const h = r.headers;
  const nonce = String(h['x-plivo-signature-v3-nonce']);
  const sig = String(h['x-plivo-signature-v3']);
  const params = r.method === 'POST' ? r.params : {};
  assert.ok(plivo.validateV3Signature(r.method, r.url, nonce, authToken, sig, params), `V3 signature of ${r.method} ${r.path} validates`);
  assert.ok(plivo.validateSignature(r.url, String(h['x-plivo-signature-v2-nonce']), String(h['x-plivo-signature-v2']), authToken), `V2 signature of ${r.path} validates`);
}

export interface TranscriptEvent {
  at_ms: number;
  type: string;
  text?: string;
  digits?: string;
  url?: string;
  by?: string;
  duration_ms?: number;
}

export interface Transcript {
  call_uuid: string;
  state: string;
  events: TranscriptEvent[];
}

/** The sandbox API of one account. */
export function sandboxOf(server: TestServer, authId = server.authId, creds?: { authId: string; authToken: string }) {
  const base = `/v1/Account/${authId}/Sandbox`;
  const call = async (method: string, path: string, json?: unknown) => {
    const res = await server.fetch(base + path, { method, json, creds });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const ok = async (method: string, path: string, json: unknown, status: number) => {
    const r = await call(method, path, json);
    assert.equal(r.status, status, `${method} ${path} → ${JSON.stringify(r.body)}`);
    return r.body;
  };
  return {
    call,
    phone: (number: string, behaviour: Record<string, unknown>) => ok('POST', '/Phone/', { number, ...behaviour }, 201),
    callIn: async (from: string, to: string, extra: Record<string, unknown> = {}) => (await ok('POST', '/Call/', { from, to, ...extra }, 201)).call_uuid as string,
    dtmf: (uuid: string, digits: string, dtmfMode?: string) => ok('POST', `/Call/${uuid}/DTMF/`, dtmfMode ? { digits, dtmf_mode: dtmfMode } : { digits }, 202),
    say: (uuid: string, text: string) => ok('POST', `/Call/${uuid}/Say/`, { text }, 202),
    hangup: (uuid: string) => ok('POST', `/Call/${uuid}/Hangup/`, {}, 202),
    transcript: async (uuid: string) => (await ok('GET', `/Call/${uuid}/Transcript/`, undefined, 200)) as unknown as Transcript,
    wait: async (uuid: string, until: 'answered' | 'ended' | 'hears', text?: string, timeout_ms = 600_000) =>
      (await ok('POST', `/Call/${uuid}/Wait/`, { until, text, timeout_ms }, 200)) as unknown as Transcript,
    advance: (json: { ms?: number; until_idle?: boolean }) => ok('POST', '/Clock/Advance/', json, 200),
    clock: () => ok('GET', '/Clock/', undefined, 200),
    phoneCalls: async (number: string) => (await ok('GET', `/Phone/${number}/Calls/`, undefined, 200)).objects as Array<Record<string, string>>,
  };
}

export const spoken = (t: Transcript): string[] => t.events.filter((e) => e.type === 'speak').map((e) => e.text!);

/**
 * Where the sound ends (ms from its start) in what a sandbox phone says:
 * the phones speak with eSpeak's WOMAN voice in en-US, whose utterances end
 * with a quiet tail, and the platform hears an utterance end where its sound
 * does. Measured with the same synthesizer and voice activity detector.
 */
export async function phoneSpeechSoundEnd(text: string): Promise<number> {
  const tts = new EspeakTts();
  try {
    const extent = soundExtent(await tts.synthesize({ text, voice: 'WOMAN', language: 'en-US' }));
    assert.ok(extent, `"${text}" has sound`);
    return extent[1];
  } finally {
    await tts.close();
  }
}
