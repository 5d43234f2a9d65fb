// Basic auth with auth id + token, and the rule that the `{auth_id}` in the
// path is the caller itself or, for a main account, one of its subaccounts.
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';
import { AuthLimiter } from './auth-limiter.ts';
import type { Accounts } from '../platform/accounts.ts';
import type { AccountRow } from '../store/schema.ts';
import type { Scope } from '../platform/scope.ts';

declare module 'fastify' {
  interface FastifyRequest {
    scope: Scope;
  }
}

// Case-insensitive: the PHLO runner's run path is /v1/account/{auth_id}/phlo/{phlo_id}.
const ACCOUNT_PATH = /^\/+v1\/+account\/+([^/?]+)/i;

function parseBasic(header: string | undefined): { id: string; token: string } | undefined {
  if (!header || !header.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decoded.slice(0, colon), token: decoded.slice(colon + 1) };
}

/**
 * Checks the caller and sets `req.scope`. Synchronous when the accounts it
 * needs are cached (nearly every request): a promise per request is a
 * measurable share of a cached GET (bench/api.ts).
 */
export function authenticator(accounts: Accounts, limiter = new AuthLimiter()) {
  function admit(req: FastifyRequest, authId: string, caller: AccountRow | undefined): void | Promise<void> {
    if (!caller) {
      // The same answer whether or not the auth id exists.
      limiter.failed(req.ip, authId);
      throw new ApiError(401, 'authentication failed: auth id or auth token is wrong');
    }
    if (!caller.enabled) throw new ApiError(401, `subaccount ${caller.auth_id} is disabled; enable it from the main account`);

    const pathId = ACCOUNT_PATH.exec(req.url)?.[1];
    if (!pathId || pathId === caller.auth_id) {
      req.scope = caller.parent_id
        ? { accountId: caller.parent_id, subaccountId: caller.auth_id, callerId: caller.auth_id }
        : { accountId: caller.auth_id, subaccountId: null, callerId: caller.auth_id };
      return;
    }
    const mismatch = new ApiError(401, `the auth id in the path (${pathId}) does not match your credentials (${caller.auth_id})`);
    if (caller.parent_id) throw mismatch;
    return accounts.find(pathId).then((sub) => {
      if (sub?.parent_id !== caller.auth_id) throw mismatch;
      req.scope = { accountId: caller.auth_id, subaccountId: sub.auth_id, callerId: caller.auth_id };
    });
  }

  return function authenticate(req: FastifyRequest): void | Promise<void> {
    const creds = parseBasic(req.headers.authorization);
    if (!creds) throw new ApiError(401, 'authentication required: send HTTP Basic auth with your auth id and auth token');
    const wait = limiter.retryAfter(req.ip, creds.id);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new ApiError(429, `too many failed authentication attempts for ${creds.id} from your address; try again in ${seconds} s`, undefined, { 'retry-after': String(seconds) });
    }
    const cached = accounts.authenticateCached(creds.id, creds.token);
    if (cached !== null) return admit(req, creds.id, cached);
    return accounts.authenticate(creds.id, creds.token).then((caller) => admit(req, creds.id, caller));
  };
}
