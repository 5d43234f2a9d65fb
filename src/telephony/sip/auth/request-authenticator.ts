// Digest authentication of requests from endpoints (REGISTER, INVITE): a
// request without credentials is challenged (401); wrong credentials —
// whether the user is unknown or the password wrong — are refused with the
// same 403, counted against the source (password guessing gets it
// blocked) and logged with the source and the real reason.
import type { SipLog } from '../sip-log.ts';
import type { SipRequest } from '../message/sip-message.ts';
import type { SourceGuard } from '../security/source-guard.ts';
import { formatFlow, type Flow } from '../transport/sip-flow.ts';
import type { CredentialLookup, DigestServer } from './digest-server.ts';

export type Answer = (status: number, headers: Array<[string, string]>, reason?: string) => void;

export interface Authenticated<Identity> {
  username: string;
  identity: Identity;
}

export class RequestAuthenticator<Identity> {
  constructor(
    private readonly digest: DigestServer<Identity>,
    private readonly lookup: CredentialLookup<Identity>,
    private readonly guard?: SourceGuard,
    private readonly logger?: SipLog,
  ) {}

  /** Who sent `req`, or undefined after `answer` has been called with the challenge or refusal. */
  async authenticate(req: SipRequest, flow: Flow, answer: Answer): Promise<Authenticated<Identity> | undefined> {
    const verdict = await this.digest.verify(req, 'authorization', this.lookup);
    if (verdict.ok) return { username: verdict.username, identity: verdict.identity };
    if (verdict.outcome === 'rejected') {
      this.guard?.authFailed(flow.address, verdict.username);
      this.logger?.warn({ source: formatFlow(flow), method: req.method, username: verdict.username, reason: verdict.reason, user_agent: req.headers.get('user-agent') }, 'sip authentication failed');
      answer(403, []);
      return undefined;
    }
    this.logger?.debug({ source: formatFlow(flow), method: req.method, reason: verdict.reason }, 'sip challenge');
    answer(401, this.digest.challenge(verdict.outcome === 'stale').map((c) => ['www-authenticate', c]));
    return undefined;
  }
}
