// Virtual phone behaviours set through the sandbox API, per owner: a
// subaccount's setting applies to its own calls and falls back to its main
// account's, then to the default phone (answers after 1 s, silent).
import { ApiError } from '../errors.ts';
import type { Accounts } from '../platform/accounts.ts';
import type { PlatformContext } from '../platform/context.ts';
import type { Scope } from '../platform/scope.ts';
import { sandboxPhonesRepo } from '../store/repos/calls.ts';
import type { SandboxPhoneRow } from '../store/tables/calls.ts';
import type { Tenant } from '../telephony/driver.ts';
import { addressKey, BEHAVIOURS, DEFAULT_PHONE, DTMF_MODES, type Behaviour, type DtmfMode, type PhoneBehaviour, type PhoneDirectory, type ScriptStep } from '../telephony/sim/behaviour.ts';

export const MAX_SCRIPT_STEPS = 100;
const MAX_AFTER_MS = 24 * 3600_000;
const CACHE_LIMIT = 10_000;

export interface PhoneInput {
  number: string;
  behaviour?: string;
  ring_seconds?: number;
  script?: unknown[];
  dtmf_mode?: string;
}

/** How keys are sent, as the API takes it (default rfc4733). */
export function dtmfModeOf(input: string | undefined, field = 'dtmf_mode'): DtmfMode {
  if (input === undefined) return 'rfc4733';
  if ((DTMF_MODES as readonly string[]).includes(input)) return input as DtmfMode;
  throw new ApiError(400, `${field} must be one of: ${DTMF_MODES.join(', ')} (got "${input}")`);
}

/** A virtual phone's address as the API takes it: country code and digits (optional +), or a SIP URI. */
export function phoneNumberOf(input: string, field = 'number'): string {
  const t = input.trim();
  if (/^\+?\d{3,20}$/.test(t) || /^sips?:[^\s@]+@\S+$/i.test(t)) return addressKey(t);
  throw new ApiError(400, `${field} "${input}" is not a phone number (country code and digits, e.g. 14155550100) or a sip: URI`);
}

/** Check a script from the API; each bad step is named with what it needs. */
export function scriptOf(raw: unknown[] | undefined, field = 'script'): ScriptStep[] {
  if (raw === undefined) return [];
  if (raw.length > MAX_SCRIPT_STEPS) throw new ApiError(400, `${field} has ${raw.length} steps; at most ${MAX_SCRIPT_STEPS} are allowed`);
  return raw.map((s, i) => {
    const at = `${field}[${i}]`;
    if (typeof s !== 'object' || s === null) throw new ApiError(400, `${at} must be an object with an action`);
    const step = s as Record<string, unknown>;
    const timing: { after_ms?: number; on_hear?: string } = {};
    if (step.after_ms !== undefined) {
      if (!Number.isInteger(step.after_ms) || (step.after_ms as number) < 0 || (step.after_ms as number) > MAX_AFTER_MS) {
        throw new ApiError(400, `${at}.after_ms must be an integer from 0 to ${MAX_AFTER_MS}`);
      }
      timing.after_ms = step.after_ms as number;
    }
    if (step.on_hear !== undefined) {
      if (typeof step.on_hear !== 'string' || step.on_hear.trim() === '') throw new ApiError(400, `${at}.on_hear must be the words to listen for`);
      timing.on_hear = step.on_hear;
    }
    switch (step.action) {
      case 'dtmf':
        if (typeof step.digits !== 'string' || !/^[0-9*#A-Dw W]+$/.test(step.digits)) throw new ApiError(400, `${at}.digits must be DTMF keys (0-9, *, #, A-D; w or W to pause)`);
        return { action: 'dtmf', digits: step.digits.replace(/ /g, ''), ...timing };
      case 'say':
        if (typeof step.text !== 'string' || step.text.trim() === '') throw new ApiError(400, `${at}.text must be the text to say`);
        return { action: 'say', text: step.text, ...timing };
      case 'play':
        if (typeof step.url !== 'string' || !/^https?:\/\/\S+$/.test(step.url)) throw new ApiError(400, `${at}.url must be an http(s) URL of a WAV or MP3 file`);
        return { action: 'play', url: step.url, ...timing };
      case 'hangup':
        return { action: 'hangup', ...timing };
      default:
        throw new ApiError(400, `${at}.action must be one of: dtmf, say, play, hangup`);
    }
  });
}

export function phoneView(number: string, b: PhoneBehaviour) {
  return { number, behaviour: b.behaviour, ring_seconds: b.ring_seconds, dtmf_mode: b.dtmf_mode ?? 'rfc4733', script: b.script };
}

const behaviourOfRow = (row: SandboxPhoneRow): PhoneBehaviour => ({
  behaviour: row.behaviour as Behaviour,
  ring_seconds: row.ring_ms / 1000,
  dtmf_mode: row.dtmf_mode as DtmfMode,
  script: JSON.parse(row.script) as ScriptStep[],
});

const subKey = (subaccountId: string | null): string => subaccountId ?? '';

export class PhoneBook implements PhoneDirectory {
  private readonly cache = new Map<string, PhoneBehaviour | null>();

  constructor(
    private readonly ctx: PlatformContext,
    accounts: Accounts,
  ) {
    const forget = async (trx: Parameters<typeof sandboxPhonesRepo.deleteForSubaccount>[0], a: string, s: string) => {
      await sandboxPhonesRepo.deleteForSubaccount(trx, a, s);
      this.cache.clear();
    };
    // A subaccount's phone settings shaped its own tests only: they go with it.
    accounts.registerDependent({ moveToMain: forget, deleteAll: forget });
  }

  async set(scope: Scope, input: PhoneInput): Promise<{ number: string; behaviour: PhoneBehaviour }> {
    const number = phoneNumberOf(input.number);
    const behaviour = (input.behaviour ?? 'answer') as Behaviour;
    if (!BEHAVIOURS.includes(behaviour)) throw new ApiError(400, `behaviour must be one of: ${BEHAVIOURS.join(', ')}`);
    const ringSeconds = input.ring_seconds ?? DEFAULT_PHONE.ring_seconds;
    if (!(ringSeconds >= 0 && ringSeconds <= 600)) throw new ApiError(400, 'ring_seconds must be a number from 0 to 600');
    const b: PhoneBehaviour = { behaviour, ring_seconds: ringSeconds, dtmf_mode: dtmfModeOf(input.dtmf_mode), script: scriptOf(input.script) };
    await sandboxPhonesRepo.upsert(this.ctx.db, {
      account_id: scope.accountId,
      subaccount_key: subKey(scope.subaccountId),
      number,
      behaviour,
      ring_ms: Math.round(ringSeconds * 1000),
      script: JSON.stringify(b.script),
      dtmf_mode: b.dtmf_mode!,
      updated_at: this.ctx.clock.now(),
    });
    this.cache.clear();
    return { number, behaviour: b };
  }

  /** What `number` does for `scope`'s calls. */
  async get(scope: Scope, numberInput: string): Promise<{ number: string; behaviour: PhoneBehaviour }> {
    const number = phoneNumberOf(numberInput);
    return { number, behaviour: await this.behaviourOf(scope, number) };
  }

  async list(scope: Scope, limit: number, offset: number) {
    const key = scope.subaccountId === null ? undefined : subKey(scope.subaccountId);
    const [rows, total] = await Promise.all([
      sandboxPhonesRepo.list(this.ctx.db, scope.accountId, key, limit, offset),
      sandboxPhonesRepo.count(this.ctx.db, scope.accountId, key),
    ]);
    return { objects: rows.map((r) => ({ ...phoneView(r.number, behaviourOfRow(r)), subaccount: r.subaccount_key || null })), total };
  }

  async reset(scope: Scope, numberInput: string): Promise<void> {
    await sandboxPhonesRepo.delete(this.ctx.db, scope.accountId, subKey(scope.subaccountId), phoneNumberOf(numberInput));
    this.cache.clear();
  }

  async behaviourOf(tenant: Tenant, number: string): Promise<PhoneBehaviour> {
    return (await this.configured(tenant, number)) ?? DEFAULT_PHONE;
  }

  /** The behaviour set for `number` for the tenant's calls (its own, or its main account's), or null when none was set: a virtual phone the tests configured. */
  async configured(tenant: Tenant, number: string): Promise<PhoneBehaviour | null> {
    const own = await this.lookup(tenant.accountId, subKey(tenant.subaccountId), number);
    return own ?? (tenant.subaccountId ? await this.lookup(tenant.accountId, '', number) : null);
  }

  private async lookup(accountId: string, key: string, number: string): Promise<PhoneBehaviour | null> {
    const k = `${accountId}\u0000${key}\u0000${number}`;
    const hit = this.cache.get(k);
    if (hit !== undefined) return hit;
    const row = await sandboxPhonesRepo.find(this.ctx.db, accountId, key, number);
    const b = row ? behaviourOfRow(row) : null;
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(k, b);
    return b;
  }
}
