// The server side of Digest: challenges with self-verifying nonces (an
// HMAC over their issue time, so no state is kept per challenge), expiry
// answered with stale=true, and replay protection by nonce count: a
// response is accepted once per (nonce, nc), with nc strictly increasing.
//
// An unknown user and a wrong password give the same outcome ('rejected')
// after the same work, so responses cannot be used to enumerate users; the
// reason kept for the log tells them apart.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../../clock/clock.ts';
import { parseAuth } from '../message/sip-header-values.ts';
import type { SipRequest } from '../message/sip-message.ts';
import { quote, SipSyntaxError } from '../message/sip-syntax.ts';
import { algorithmOf, digestResponse, type DigestAlgorithm } from './digest.ts';

/** What the credentials port returns for a username: HA1 per algorithm it can offer, and whose it is. */
export interface StoredCredentials<Identity> {
  ha1: Partial<Record<DigestAlgorithm, string>>;
  identity: Identity;
}

/** The port the driver fills from the Endpoint records. */
export type CredentialLookup<Identity> = (username: string, realm: string) => Promise<StoredCredentials<Identity> | undefined>;

export type DigestVerdict<Identity> =
  | { ok: true; username: string; identity: Identity }
  /** `stale`: right credentials on an expired nonce: challenge again with stale=true. */
  | { ok: false; outcome: 'challenge' | 'stale' | 'rejected'; reason: string; username?: string };

export interface DigestServerOptions {
  realm: string;
  clock: Clock;
  /**
   * Algorithms offered, preferred first (RFC 8760). Default MD5 alone: the
   * phones in Debian today (baresip 1.0) fail a challenge list that merely
   * contains SHA-256, and SIPp 3.6 answers only the first challenge.
   */
  algorithms?: DigestAlgorithm[];
  /** How long a nonce may be used. */
  nonceTtlMs?: number;
  /** Key of the nonce HMAC; a random one per process unless several nodes must accept each other's nonces. */
  secret?: Buffer;
}

const DEFAULT_NONCE_TTL_MS = 5 * 60_000;
/** Most nonces whose counts are tracked at once; the oldest are forgotten first (and then refused as stale). */
const MAX_TRACKED_NONCES = 200_000;

export class DigestServer<Identity> {
  readonly realm: string;
  readonly algorithms: DigestAlgorithm[];
  private readonly ttl: number;
  private readonly secret: Buffer;
  /** nonce → highest nc accepted; insertion order is issue order, so expired ones sit at the front. */
  private readonly counts = new Map<string, { nc: number; expires: number }>();
  /** HA1 of no one, hashed for unknown users so they cost what a wrong password costs. */
  private readonly decoy: string;

  constructor(private readonly opts: DigestServerOptions) {
    this.realm = opts.realm;
    this.algorithms = opts.algorithms ?? ['MD5'];
    this.ttl = opts.nonceTtlMs ?? DEFAULT_NONCE_TTL_MS;
    this.secret = opts.secret ?? randomBytes(32);
    this.decoy = randomBytes(16).toString('hex');
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url').slice(0, 22);
  }

  newNonce(): string {
    const body = `${this.opts.clock.now().toString(36)}.${randomBytes(9).toString('base64url')}`;
    return `${body}.${this.sign(body)}`;
  }

  /** 'ok', 'expired' or 'forged' (not ours, or tampered with). */
  private nonceState(nonce: string): 'ok' | 'expired' | 'forged' {
    const dot = nonce.lastIndexOf('.');
    if (dot < 0) return 'forged';
    const body = nonce.slice(0, dot);
    const sig = Buffer.from(nonce.slice(dot + 1));
    const want = Buffer.from(this.sign(body));
    if (sig.length !== want.length || !timingSafeEqual(sig, want)) return 'forged';
    const issued = parseInt(body.slice(0, body.indexOf('.')), 36);
    return this.opts.clock.now() - issued > this.ttl ? 'expired' : 'ok';
  }

  /** WWW-Authenticate / Proxy-Authenticate values: one per algorithm, preferred first. */
  challenge(stale = false): string[] {
    const nonce = this.newNonce();
    return this.algorithms.map(
      (a) => `Digest realm=${quote(this.realm)}, nonce=${quote(nonce)}, algorithm=${a}, qop="auth"${stale ? ', stale=true' : ''}`,
    );
  }

  /**
   * Check the credentials `req` carries in `header` (authorization for a
   * registrar/UAS, proxy-authorization for a proxy). The lookup runs only
   * for well-formed credentials for our realm.
   */
  async verify(req: SipRequest, header: 'authorization' | 'proxy-authorization', lookup: CredentialLookup<Identity>): Promise<DigestVerdict<Identity>> {
    const values = req.headers.getAll(header);
    let creds: Map<string, string> | undefined;
    for (const v of values) {
      let parsed;
      try {
        parsed = parseAuth(v, header);
      } catch (err) {
        if (err instanceof SipSyntaxError) return { ok: false, outcome: 'challenge', reason: err.message };
        throw err;
      }
      if (parsed.scheme.toLowerCase() === 'digest' && parsed.params.get('realm') === this.realm) creds = parsed.params;
    }
    if (!creds) return { ok: false, outcome: 'challenge', reason: values.length ? 'no Digest credentials for our realm' : 'no credentials' };
    const username = creds.get('username');
    const nonce = creds.get('nonce');
    const uri = creds.get('uri');
    const response = creds.get('response');
    const algorithm = algorithmOf(creds.get('algorithm'));
    if (username === undefined || nonce === undefined || uri === undefined || response === undefined) {
      return { ok: false, outcome: 'challenge', reason: 'incomplete Digest credentials', username };
    }
    if (!algorithm || !this.algorithms.includes(algorithm)) return { ok: false, outcome: 'challenge', reason: `algorithm ${creds.get('algorithm')} not offered`, username };
    const qop = creds.get('qop');
    if (qop === undefined || qop.toLowerCase() !== 'auth') return { ok: false, outcome: 'challenge', reason: 'qop=auth is required', username };
    const ncText = creds.get('nc') ?? '';
    const cnonce = creds.get('cnonce');
    if (!/^[0-9a-fA-F]{8}$/.test(ncText) || !cnonce) return { ok: false, outcome: 'challenge', reason: 'bad nc or cnonce', username };
    const state = this.nonceState(nonce);
    if (state === 'forged') return { ok: false, outcome: 'challenge', reason: 'nonce not issued by us', username };

    const stored = await this.opts.clock.track(lookup(username, this.realm));
    const storedHa1 = stored?.ha1[algorithm];
    const expected = digestResponse({ algorithm, ha1: storedHa1 ?? this.decoy, method: req.method, uri, nonce, qop: { nc: ncText, cnonce } });
    const a = Buffer.from(expected);
    const b = Buffer.from(response.toLowerCase());
    const match = a.length === b.length && timingSafeEqual(a, b);
    if (!stored || storedHa1 === undefined) return { ok: false, outcome: 'rejected', reason: stored ? `no ${algorithm} secret for ${username}` : `unknown user ${username}`, username };
    if (!match) return { ok: false, outcome: 'rejected', reason: `wrong password for ${username}`, username };
    if (state === 'expired') return { ok: false, outcome: 'stale', reason: 'nonce expired', username };
    const nc = parseInt(ncText, 16);
    if (!this.countOnce(nonce, nc)) return { ok: false, outcome: 'stale', reason: `replayed nonce count ${ncText}`, username };
    return { ok: true, username, identity: stored.identity };
  }

  /** Accept `nc` for `nonce` only if it is higher than any accepted before. */
  private countOnce(nonce: string, nc: number): boolean {
    const now = this.opts.clock.now();
    for (const [n, entry] of this.counts) {
      if (entry.expires > now && this.counts.size < MAX_TRACKED_NONCES) break;
      this.counts.delete(n);
    }
    const entry = this.counts.get(nonce);
    if (entry) {
      if (nc <= entry.nc) return false;
      entry.nc = nc;
      return true;
    }
    this.counts.set(nonce, { nc, expires: now + this.ttl });
    return true;
  }
}
