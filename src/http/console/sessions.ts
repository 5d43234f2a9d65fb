// Console sign-in sessions. The browser holds only an unguessable session id
// in an HttpOnly cookie; the server keeps who signed in and the CSRF token
// that every state-changing request must echo in `X-CSRF-Token`. A signed-in
// request is then authenticated exactly like an API request (the same
// credential check, so a disabled subaccount or a changed token ends the
// session's access at once).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../errors.ts';

export const SESSION_COOKIE = 'sb_console';
export const CSRF_HEADER = 'x-csrf-token';

/** A session ends after this long unused, and after MAX_AGE_MS however used. */
export const IDLE_MS = 8 * 3600_000;
export const MAX_AGE_MS = 24 * 3600_000;
/** Memory bound: the oldest session goes first past this many. */
const MAX_SESSIONS = 10_000;

export interface ConsoleSession {
  id: string;
  authId: string;
  authToken: string;
  csrfToken: string;
  createdAt: number;
  usedAt: number;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const token = (): string => randomBytes(32).toString('base64url');

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Sessions live in this process's memory: a restart signs everyone out, and
 * several nodes behind one address need sticky routing for the console
 * (docs/console.md). Expiry is wall time on purpose: a browser session is
 * not platform time, and a virtual clock must not sign anyone out.
 */
export class ConsoleSessions {
  private readonly byId = new Map<string, ConsoleSession>();

  constructor(private readonly now: () => number = Date.now) {}

  create(authId: string, authToken: string): ConsoleSession {
    const at = this.now();
    const session: ConsoleSession = { id: token(), authId, authToken, csrfToken: token(), createdAt: at, usedAt: at };
    if (this.byId.size >= MAX_SESSIONS) this.byId.delete(this.byId.keys().next().value!);
    this.byId.set(session.id, session);
    return session;
  }

  /** The live session named by the request's cookie, or undefined. */
  of(req: FastifyRequest): ConsoleSession | undefined {
    const header = req.headers.cookie;
    if (!header || !header.includes(SESSION_COOKIE)) return undefined;
    const id = parseCookies(header)[SESSION_COOKIE];
    const session = id ? this.byId.get(id) : undefined;
    if (!session) return undefined;
    const at = this.now();
    if (at - session.usedAt > IDLE_MS || at - session.createdAt > MAX_AGE_MS) {
      this.byId.delete(session.id);
      return undefined;
    }
    session.usedAt = at;
    return session;
  }

  end(session: ConsoleSession): void {
    this.byId.delete(session.id);
  }

  /** Throws 403 unless a state-changing request carries the session's CSRF token. */
  checkCsrf(req: FastifyRequest, session: ConsoleSession): void {
    if (SAFE_METHODS.has(req.method)) return;
    const sent = req.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken)) {
      throw new ApiError(403, `CSRF check failed: a console request that changes something must send the ${CSRF_HEADER} header from GET /console/session`);
    }
  }

  /**
   * A request with no Authorization header but a console session cookie is
   * given the session's credentials, so the one API authenticator (and its
   * rules on paths, subaccounts and disabled accounts) decides as for any
   * API client. Basic auth sent explicitly always wins.
   */
  authorize(req: FastifyRequest): void {
    if (req.headers.authorization) return;
    const session = this.of(req);
    if (!session) return;
    this.checkCsrf(req, session);
    req.headers.authorization = `Basic ${Buffer.from(`${session.authId}:${session.authToken}`).toString('base64')}`;
  }
}
