// Bindings of an address of record to contacts (RFC 3261 §10.3): expiry
// from the contact's expires parameter or the Expires header, clamped to
// [minExpires, maxExpires] with 423 below the minimum, removal by expires=0
// or `*` with Expires: 0, Call-ID/CSeq ordering per contact. Each binding
// keeps the flow it registered from, so a phone behind NAT is reached
// through the same address and port (and TCP connection) it registers from.
// Bindings live in memory; a port reports every change for persistence.
import type { Clock, Timer } from '../../../clock/clock.ts';
import { formatDate } from '../message/sip-header-values.ts';
import { type SipRequest } from '../message/sip-message.ts';
import { formatUri, uriKey } from '../message/sip-uri.ts';
import { parseBoundedInt, SipSyntaxError } from '../message/sip-syntax.ts';
import type { Flow } from '../transport/sip-flow.ts';

export interface Binding {
  /** The contact URI as registered (where the phone says it can be reached). */
  readonly contact: string;
  /** Platform time the binding lapses. */
  readonly expiresAt: number;
  readonly callId: string;
  readonly cseq: number;
  /** Where the REGISTER came from: requests to this contact go along this flow. */
  readonly flow: Flow;
  readonly userAgent: string;
  /** Platform time of the REGISTER that created or last refreshed it. */
  readonly updatedAt: number;
}

/** Reports every change of an AOR's bindings (an empty list: unregistered). */
export type BindingsChanged = (aor: string, bindings: readonly Binding[]) => void;

export interface RegistrarOptions {
  clock: Clock;
  /** Shorter requested expiries are refused with 423 and Min-Expires (0 always allowed: it unregisters). */
  minExpires?: number;
  /** Longer ones are shortened to this. */
  maxExpires?: number;
  /** When the REGISTER names none. */
  defaultExpires?: number;
  /** Most contacts one AOR may hold; the oldest goes when a new one comes. */
  maxBindingsPerAor?: number;
  changed?: BindingsChanged;
}

export type RegisterOutcome =
  | { status: 200; headers: Array<[string, string]> }
  | { status: 423; headers: Array<[string, string]> }
  | { status: 400 | 500; reason: string };

interface Entry {
  binding: Binding;
  key: string;
  timer: Timer;
}

export class Registrar {
  private readonly aors = new Map<string, Entry[]>();
  readonly minExpires: number;
  readonly maxExpires: number;
  readonly defaultExpires: number;
  private readonly maxBindings: number;

  constructor(private readonly opts: RegistrarOptions) {
    this.minExpires = opts.minExpires ?? 60;
    this.maxExpires = opts.maxExpires ?? 3600;
    this.defaultExpires = opts.defaultExpires ?? 3600;
    this.maxBindings = opts.maxBindingsPerAor ?? 10;
  }

  /** Live bindings of `aor`, most recently refreshed first. */
  lookup(aor: string): Binding[] {
    return (this.aors.get(aor) ?? []).map((e) => e.binding).sort((a, b) => b.updatedAt - a.updatedAt);
  }

  get size(): number {
    return this.aors.size;
  }

  /**
   * Apply an (already authenticated) REGISTER for `aor` that arrived on
   * `flow`. Returns the response to send: its status and the headers to add.
   */
  register(req: SipRequest, aor: string, flow: Flow): RegisterOutcome {
    const now = this.opts.clock.now();
    let headerExpires: number | undefined;
    try {
      headerExpires = req.expires();
    } catch (err) {
      if (err instanceof SipSyntaxError) return { status: 400, reason: err.message };
      throw err;
    }
    const callId = req.callId();
    const cseq = req.cseq().seq;
    const entries = this.aors.get(aor) ?? [];

    if (req.isWildcardContact()) {
      if (headerExpires !== 0) return { status: 400, reason: 'Contact: * needs Expires: 0' };
      for (const e of entries) {
        if (e.binding.callId === callId && cseq <= e.binding.cseq) return { status: 500, reason: 'out-of-order REGISTER' };
      }
      for (const e of entries) e.timer.cancel();
      this.aors.delete(aor);
      if (entries.length) this.opts.changed?.(aor, []);
      return this.ok([]);
    }

    const contacts = req.contacts();
    const updates: Array<{ key: string; contact: string; expires: number }> = [];
    for (const c of contacts) {
      const raw = c.params.get('expires');
      let expires: number;
      try {
        expires = raw !== undefined ? parseBoundedInt(raw ?? '', 2 ** 32 - 1, 'Contact expires') : (headerExpires ?? this.defaultExpires);
      } catch (err) {
        if (err instanceof SipSyntaxError) return { status: 400, reason: err.message };
        throw err;
      }
      if (expires > 0 && expires < this.minExpires) return { status: 423, headers: [['min-expires', String(this.minExpires)]] };
      updates.push({ key: uriKey(c.uri), contact: formatUri(c.uri), expires: Math.min(expires, this.maxExpires) });
    }
    for (const u of updates) {
      const old = entries.find((e) => e.key === u.key);
      if (old && old.binding.callId === callId && cseq <= old.binding.cseq) return { status: 500, reason: 'out-of-order REGISTER' };
    }

    let changed = false;
    const userAgent = req.headers.get('user-agent') ?? '';
    for (const u of updates) {
      const i = entries.findIndex((e) => e.key === u.key);
      if (i >= 0) {
        entries[i]!.timer.cancel();
        entries.splice(i, 1);
        changed = true;
      }
      if (u.expires === 0) continue;
      const binding: Binding = { contact: u.contact, expiresAt: now + u.expires * 1000, callId, cseq, flow, userAgent, updatedAt: now };
      const entry: Entry = { binding, key: u.key, timer: this.opts.clock.after(u.expires * 1000, () => this.lapse(aor, entry)) };
      entries.push(entry);
      changed = true;
      if (entries.length > this.maxBindings) {
        const oldest = entries.reduce((a, b) => (a.binding.updatedAt <= b.binding.updatedAt ? a : b));
        oldest.timer.cancel();
        entries.splice(entries.indexOf(oldest), 1);
      }
    }
    if (entries.length) this.aors.set(aor, entries);
    else this.aors.delete(aor);
    if (changed) this.opts.changed?.(aor, this.lookup(aor));
    return this.ok(entries);
  }

  private ok(entries: Entry[]): RegisterOutcome {
    const now = this.opts.clock.now();
    const headers: Array<[string, string]> = entries.map((e) => ['contact', `<${e.binding.contact}>;expires=${Math.max(0, Math.round((e.binding.expiresAt - now) / 1000))}`]);
    headers.push(['date', formatDate(now)]);
    return { status: 200, headers };
  }

  private lapse(aor: string, entry: Entry): void {
    const entries = this.aors.get(aor);
    if (!entries) return;
    const i = entries.indexOf(entry);
    if (i < 0) return;
    entries.splice(i, 1);
    if (entries.length === 0) this.aors.delete(aor);
    this.opts.changed?.(aor, this.lookup(aor));
  }

  /** Forget everything (shutdown), without reporting. */
  clear(): void {
    for (const entries of this.aors.values()) for (const e of entries) e.timer.cancel();
    this.aors.clear();
  }
}
