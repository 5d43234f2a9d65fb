// First line against toll fraud and scanners: per-source rate limits (a
// token bucket per address), blocking of known scanner user agents, and
// blocking a source after repeated authentication failures (password
// guessing such as svcrack). A blocked source is dropped before its bytes
// are parsed and gets no answer at all, so scanners learn nothing.
//
// Every refusal is logged with its source: the decision to block once,
// with the reason, and what a blocked source sent meanwhile as a count
// when the block ends (one line per dropped packet would let a flood fill
// the disk).
import type { SipLog } from '../sip-log.ts';
import type { Clock } from '../../../clock/clock.ts';

/** Substrings of User-Agent values of SIP scanners and war-diallers (lower-case). */
export const SCANNER_AGENTS = ['friendly-scanner', 'sipvicious', 'sipcli', 'sip-scan', 'sipscan', 'iwar', 'sundayddr', 'vaxsipuseragent', 'pplsip', 'smap', 'sipsak-scan', 'nmap nse'];

export interface SourceGuardOptions {
  clock: Clock;
  logger?: SipLog;
  /** Requests per second a source may send on average … */
  ratePerSecond?: number;
  /** … and in one burst. */
  burst?: number;
  /** Authentication failures from one source within `failureWindowMs` that get it blocked. */
  maxAuthFailures?: number;
  failureWindowMs?: number;
  /** How long a scanner or password guesser stays blocked. */
  blockMs?: number;
  /** How long a source over its rate stays blocked. */
  floodBlockMs?: number;
  /** Sources never limited or blocked (carriers' addresses, the operator's own). */
  trusted?(address: string): boolean;
  scannerAgents?: readonly string[];
}

interface Source {
  tokens: number;
  refilledAt: number;
  failures: number;
  failuresSince: number;
  blockedUntil: number;
  dropped: number;
  reason: string;
  lastSeen: number;
}

/** Sources tracked at once; idle ones are forgotten first. */
const MAX_SOURCES = 100_000;

export class SourceGuard {
  private readonly sources = new Map<string, Source>();
  private readonly rate: number;
  private readonly burst: number;
  private readonly maxFailures: number;
  private readonly failureWindow: number;
  private readonly blockMs: number;
  private readonly floodBlockMs: number;
  private readonly agents: readonly string[];

  constructor(private readonly opts: SourceGuardOptions) {
    this.rate = opts.ratePerSecond ?? 50;
    this.burst = opts.burst ?? 200;
    this.maxFailures = opts.maxAuthFailures ?? 10;
    this.failureWindow = opts.failureWindowMs ?? 60_000;
    this.blockMs = opts.blockMs ?? 3600_000;
    this.floodBlockMs = opts.floodBlockMs ?? 60_000;
    this.agents = opts.scannerAgents ?? SCANNER_AGENTS;
  }

  private source(address: string, now: number): Source {
    let s = this.sources.get(address);
    if (!s) {
      if (this.sources.size >= MAX_SOURCES) this.forgetIdle(now);
      s = { tokens: this.burst, refilledAt: now, failures: 0, failuresSince: now, blockedUntil: 0, dropped: 0, reason: '', lastSeen: now };
      this.sources.set(address, s);
    } else {
      // Map order is last-seen order: re-insert so idle sources drift to the front.
      this.sources.delete(address);
      this.sources.set(address, s);
    }
    s.lastSeen = now;
    return s;
  }

  private forgetIdle(now: number): void {
    for (const [addr, s] of this.sources) {
      if (this.sources.size < MAX_SOURCES * 0.9) break;
      if (s.blockedUntil > now) continue;
      this.sources.delete(addr);
    }
  }

  /** Whether bytes from `address` are to be dropped unread (blocked). Cheap: one map lookup. */
  isBlocked(address: string): boolean {
    const s = this.sources.get(address);
    if (!s || s.blockedUntil === 0) return false;
    const now = this.opts.clock.now();
    if (s.blockedUntil > now) {
      s.dropped++;
      return true;
    }
    this.opts.logger?.info({ source: address, dropped: s.dropped, reason: s.reason }, 'sip source unblocked');
    s.blockedUntil = 0;
    s.dropped = 0;
    s.failures = 0;
    s.tokens = this.burst;
    return false;
  }

  /**
   * Admit a parsed request from `address`: false (drop it) when its User-Agent
   * is a scanner's (the source is then blocked) or the source is over its rate.
   */
  admit(address: string, method: string, userAgent: string | undefined): boolean {
    if (this.opts.trusted?.(address)) return true;
    const now = this.opts.clock.now();
    const s = this.source(address, now);
    if (userAgent !== undefined) {
      const ua = userAgent.toLowerCase();
      for (const a of this.agents) {
        if (ua.includes(a)) {
          this.block(address, s, now, this.blockMs, `scanner user agent "${userAgent.slice(0, 60)}"`, method);
          return false;
        }
      }
    }
    s.tokens = Math.min(this.burst, s.tokens + ((now - s.refilledAt) / 1000) * this.rate);
    s.refilledAt = now;
    if (s.tokens < 1) {
      this.block(address, s, now, this.floodBlockMs, `more than ${this.rate} requests/s (burst ${this.burst})`, method);
      return false;
    }
    s.tokens -= 1;
    return true;
  }

  /** A request from `address` failed authentication (wrong password, unknown user). */
  authFailed(address: string, username: string | undefined): void {
    if (this.opts.trusted?.(address)) return;
    const now = this.opts.clock.now();
    const s = this.source(address, now);
    if (now - s.failuresSince > this.failureWindow) {
      s.failures = 0;
      s.failuresSince = now;
    }
    if (++s.failures >= this.maxFailures) this.block(address, s, now, this.blockMs, `${s.failures} failed authentications (last user ${username ?? '?'})`, 'auth');
  }

  private block(address: string, s: Source, now: number, ms: number, reason: string, method: string): void {
    s.blockedUntil = now + ms;
    s.reason = reason;
    this.opts.logger?.warn({ source: address, method, reason, blocked_for_s: ms / 1000 }, 'sip source blocked');
  }

  /** Sources blocked right now (for tests and the operator). */
  blocked(): string[] {
    const now = this.opts.clock.now();
    return [...this.sources].filter(([, s]) => s.blockedUntil > now).map(([a]) => a);
  }
}
