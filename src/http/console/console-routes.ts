// /console/ — the web console, served by the API server itself: its browser
// modules (src/http/console/web/), the few libraries it imports straight from
// node_modules (no build step, no CDN: it works offline), and sign-in /
// sign-out. Every other request the console makes is an ordinary API request
// authenticated by its session cookie (sessions.ts).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import compress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../errors.ts';
import type { Services } from '../../services.ts';
import type { App } from '../types.ts';
import { CSRF_HEADER, IDLE_MS, SESSION_COOKIE, type ConsoleSession, type ConsoleSessions } from './sessions.ts';

const WEB_ROOT = path.join(import.meta.dirname, 'web');
const require = createRequire(import.meta.url);
/** A package's folder (not every package exports its package.json): up from its main file to the package.json naming it. */
function packageDir(name: string): string {
  for (let dir = path.dirname(require.resolve(name)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
  }
  throw new Error(`package ${name} not found`);
}

/**
 * The only files served from node_modules: URL name → file. The browser's
 * import map (web/index.html) names the same URLs; elkjs is loaded only by
 * the flows page, so the first load stays small.
 */
const VENDOR: Record<string, string> = {
  'preact.mjs': path.join(packageDir('preact'), 'dist/preact.mjs'),
  'preact-hooks.mjs': path.join(packageDir('preact'), 'hooks/dist/hooks.mjs'),
  'htm.mjs': path.join(packageDir('htm'), 'dist/htm.module.js'),
  'elk.bundled.js': path.join(packageDir('elkjs'), 'lib/elk.bundled.js'),
};

const SignIn = Type.Object({
  auth_id: Type.String({ minLength: 1, maxLength: 64, description: 'your auth id (MA… or SA…)' }),
  auth_token: Type.String({ minLength: 1, maxLength: 128, description: 'your auth token' }),
});

const PUBLIC = { public: true } as const;

/** The API's own credential check (auth.ts), failed-attempt budget included. */
type Authenticate = (req: FastifyRequest) => void | Promise<void>;

export function consoleRoutes(sessions: ConsoleSessions, authenticate: Authenticate) {
  return async function (app: App, services: Services): Promise<void> {
    await app.register(async (scoped) => {
      // Compression for the console's files only: API responses are small and latency-bound.
      await scoped.register(compress, { global: true, encodings: ['br', 'gzip'] });
      await scoped.register(fastifyStatic, { root: WEB_ROOT, serve: false, cacheControl: true, maxAge: 0, etag: true, lastModified: true });

      scoped.get('/console/', { config: PUBLIC }, (_req, reply) => reply.header('content-security-policy', CSP).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(INDEX));
      scoped.get('/console/app/*', { config: PUBLIC }, (req, reply) => {
        const file = (req.params as { '*': string })['*'];
        return reply.sendFile(file, WEB_ROOT);
      });
      scoped.get('/console/vendor/:file', { config: PUBLIC }, (req, reply) => {
        const name = (req.params as { file: string }).file;
        const file = Object.hasOwn(VENDOR, name) ? VENDOR[name] : undefined;
        if (!file) throw new ApiError(404, `no such console library: ${name}`);
        return reply.type('text/javascript; charset=utf-8').sendFile(path.basename(file), path.dirname(file));
      });
    });

    // Who is signed in (and the CSRF token to send). Not being signed in is an answer, not an error: the page asks on every load.
    app.get('/console/session', { config: PUBLIC }, async (req) => {
      const session = sessions.of(req);
      if (!session) return { api_id: req.id, signed_in: false };
      return { api_id: req.id, ...(await sessionView(services, session)) };
    });

    app.post('/console/session', { config: PUBLIC, schema: { body: SignIn } }, async (req, reply) => {
      checkSignInOrigin(req.headers);
      // Checked exactly as an API request's Basic auth: same answers, same budget of failures per address.
      const token = req.body.auth_token.trim();
      req.headers.authorization = `Basic ${Buffer.from(`${req.body.auth_id.trim()}:${token}`).toString('base64')}`;
      await authenticate(req);
      const session = sessions.create(req.scope.callerId, token);
      const secure = req.protocol === 'https' || services.origin.url.startsWith('https:');
      const cookie = [`${SESSION_COOKIE}=${session.id}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${IDLE_MS / 1000}`, ...(secure ? ['Secure'] : [])];
      return reply.code(201).header('set-cookie', cookie.join('; ')).send({ api_id: req.id, ...(await sessionView(services, session)) });
    });

    app.delete('/console/session', { config: PUBLIC }, async (req, reply) => {
      const session = sessions.of(req);
      if (session) {
        sessions.checkCsrf(req, session);
        sessions.end(session);
      }
      return reply.code(204).header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`).send();
    });
  };
}

const INDEX = fs.readFileSync(path.join(WEB_ROOT, 'index.html'), 'utf8');
/** The import map is the page's one inline script; the policy allows exactly it, by hash. */
const IMPORT_MAP = /<script type="importmap">([\s\S]*?)<\/script>/.exec(INDEX)![1]!;
const IMPORT_MAP_HASH = `'sha256-${createHash('sha256').update(IMPORT_MAP).digest('base64')}'`;

/**
 * The console's own pages and modules only: no other inline script, no
 * other origin (everything it needs is served here), audio from this server.
 */
const CSP = `default-src 'self'; script-src 'self' ${IMPORT_MAP_HASH}; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'`;

async function sessionView(services: Services, session: ConsoleSession) {
  const account = await services.accounts.find(session.authId);
  return {
    signed_in: true,
    auth_id: session.authId,
    name: account?.name ?? '',
    is_subaccount: !!account?.parent_id,
    main_auth_id: account?.parent_id ?? session.authId,
    csrf_token: session.csrfToken,
    csrf_header: CSRF_HEADER,
  };
}

/**
 * Sign-in makes no use of an existing session, so SameSite does not guard
 * it: a form on another site could sign a victim in to the attacker's
 * account. Sign-in takes JSON only (a cross-site form cannot send it
 * without a CORS preflight we never answer) and, when the browser names an
 * Origin, it must be this server's.
 */
function checkSignInOrigin(headers: Record<string, string | string[] | undefined>): void {
  const type = String(headers['content-type'] ?? '');
  if (!type.startsWith('application/json')) throw new ApiError(415, 'sign in with a JSON body {"auth_id", "auth_token"}');
  const origin = headers.origin;
  if (typeof origin === 'string') {
    const host = headers.host;
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = '';
    }
    if (originHost !== host) throw new ApiError(403, `sign-in from another site (${origin}) is refused`);
  }
}
