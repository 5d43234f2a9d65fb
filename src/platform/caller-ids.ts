// Verified caller IDs: proving control of a number (a one-time code sent by
// SMS or call) before outbound calls may present it as their caller ID.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { ApiError, notFound } from '../errors.ts';
import { newUuid } from '../ids.ts';
import { verificationsRepo, verifiedCallerIdsRepo } from '../store/repos/caller-ids.ts';
import type { VerificationRow, VerifiedCallerIdRow } from '../store/tables/endpoints.ts';
import type { Accounts } from './accounts.ts';
import type { PlatformContext } from './context.ts';
import { voiceOtpUnavailable, type OtpChannel, type OtpDelivery } from './otp-delivery.ts';
import { assignableSubaccount } from './owner.ts';
import { countryOf, normalizeNumber } from './phone.ts';
import { ownerFilter, type Scope } from './scope.ts';
import { assertSomethingToChange } from './patch.ts';

/** The platform documents codes as valid for 15 minutes. */
export const OTP_TTL_MS = 15 * 60_000;
/** Wrong codes accepted per verification; after that it is locked and a new one must be started. */
export const MAX_OTP_ATTEMPTS = 5;
/** Verifications a number may be sent per hour (per main account), so the API cannot be used to flood a phone. */
export const MAX_INITIATIONS_PER_HOUR = 5;
const OTP_DIGITS = 4;

export interface InitiateInput {
  phone_number: string;
  alias?: string;
  channel?: OtpChannel;
  subaccount?: string;
}

export interface CallerIdListQuery {
  alias?: string;
  subaccount?: string;
  country?: string;
  limit: number;
  offset: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const plus = (digits: string): string => `+${digits}`;
const otpHash = (uuid: string, otp: string): Buffer => createHash('sha256').update(`${uuid}:${otp}`).digest();

export function verifiedCallerIdView(row: VerifiedCallerIdRow) {
  return {
    alias: row.alias,
    // The caller ID object documents the channel the code went by.
    channel: row.channel,
    country: row.country,
    created_at: iso(row.created_at),
    modified_at: iso(row.modified_at),
    phone_number: plus(row.phone_number),
    // As in the spec's example: digits, no trailing slash.
    resource_uri: `/v1/Account/${row.account_id}/VerifiedCallerId/${row.phone_number}`,
    subaccount: row.subaccount_id ?? '',
    verification_uuid: row.verification_uuid,
  };
}

type VerifyOutcome = { ok: VerifiedCallerIdRow } | { wrong: number };

export class CallerIds {
  constructor(
    private readonly ctx: PlatformContext,
    private readonly accounts: Accounts,
    private readonly sms: OtpDelivery,
    /** The voice engine supplies this; until then calls are refused with 503. */
    private readonly call: OtpDelivery = voiceOtpUnavailable,
  ) {
    accounts.registerDependent({
      moveToMain: async (trx, a, s) => {
        await verifiedCallerIdsRepo.moveToMain(trx, a, s);
        await verificationsRepo.moveToMain(trx, a, s);
      },
      deleteAll: async (trx, a, s) => {
        await verifiedCallerIdsRepo.deleteForSubaccount(trx, a, s);
        await verificationsRepo.deleteForSubaccount(trx, a, s);
      },
    });
  }

  /**
   * Sends a code and records the pending verification. The code is sent
   * first: a delivery that fails leaves nothing behind.
   */
  async initiate(scope: Scope, input: InitiateInput): Promise<{ verificationUuid: string; phoneNumber: string }> {
    const phone = normalizeNumber(input.phone_number, 'phone_number');
    const channel = input.channel ?? 'sms';
    const subaccountId = await assignableSubaccount(this.accounts, scope, input.subaccount);
    const now = this.ctx.clock.now();
    if (await verifiedCallerIdsRepo.find(this.ctx.db, { accountId: scope.accountId }, phone)) {
      throw new ApiError(400, `phone_number ${plus(phone)} is already a verified caller ID of this account`);
    }
    if ((await verificationsRepo.countSince(this.ctx.db, scope.accountId, phone, now - 3600_000)) >= MAX_INITIATIONS_PER_HOUR) {
      throw new ApiError(429, `phone_number ${plus(phone)} was sent ${MAX_INITIATIONS_PER_HOUR} verification codes in the last hour; try again later`);
    }
    const uuid = newUuid();
    const code = String(randomInt(0, 10 ** OTP_DIGITS)).padStart(OTP_DIGITS, '0');
    const owner: Scope = { accountId: scope.accountId, subaccountId, callerId: scope.callerId };
    await (channel === 'call' ? this.call : this.sms).deliver({ channel, to: phone, code, scope: owner });
    await verificationsRepo.insert(this.ctx.db, {
      verification_uuid: uuid,
      account_id: scope.accountId,
      subaccount_id: subaccountId,
      phone_number: phone,
      alias: input.alias ?? '',
      channel,
      country: countryOf(phone) ?? '',
      otp_hash: otpHash(uuid, code).toString('hex'),
      attempts: 0,
      expires_at: now + OTP_TTL_MS,
      verified_at: null,
      created_at: now,
    });
    return { verificationUuid: uuid, phoneNumber: plus(phone) };
  }

  /** Checks the code; a wrong one counts against the verification even though the request fails. */
  async verify(scope: Scope, uuid: string, otp: string): Promise<VerifiedCallerIdRow> {
    const now = this.ctx.clock.now();
    const outcome = await this.ctx.db.transaction().execute(async (trx): Promise<VerifyOutcome> => {
      const v = await verificationsRepo.find(trx, ownerFilter(scope), uuid);
      if (!v) throw notFound(`verification ${uuid}`);
      checkOpen(v, now);
      if (!timingSafeEqual(otpHash(uuid, otp.trim()), Buffer.from(v.otp_hash, 'hex'))) {
        await verificationsRepo.addAttempt(trx, uuid);
        return { wrong: MAX_OTP_ATTEMPTS - v.attempts - 1 };
      }
      await verificationsRepo.markVerified(trx, uuid, now);
      const row: VerifiedCallerIdRow = {
        account_id: v.account_id,
        phone_number: v.phone_number,
        subaccount_id: v.subaccount_id,
        alias: v.alias,
        channel: v.channel,
        country: v.country,
        verification_uuid: uuid,
        created_at: now,
        modified_at: now,
      };
      await verifiedCallerIdsRepo.upsert(trx, row);
      return { ok: row };
    });
    if ('wrong' in outcome) {
      const left = outcome.wrong > 0 ? `${outcome.wrong} attempt${outcome.wrong === 1 ? '' : 's'} left` : 'no attempts left: start a new verification';
      throw new ApiError(400, `otp is incorrect (${left})`);
    }
    return outcome.ok;
  }

  async find(scope: Scope, phoneNumber: string): Promise<VerifiedCallerIdRow> {
    const phone = normalizeNumber(phoneNumber, 'phone_number');
    const row = await verifiedCallerIdsRepo.find(this.ctx.db, ownerFilter(scope), phone);
    if (!row) throw notFound(`verified caller ID ${plus(phone)}`);
    return row;
  }

  async list(scope: Scope, q: CallerIdListQuery) {
    if (q.subaccount) await assignableSubaccount(this.accounts, scope, q.subaccount);
    const filter = { ...ownerFilter(scope, q.subaccount), aliasContains: q.alias, country: q.country?.toUpperCase() };
    const [rows, total] = await Promise.all([verifiedCallerIdsRepo.list(this.ctx.db, filter, q.limit, q.offset), verifiedCallerIdsRepo.count(this.ctx.db, filter)]);
    return { objects: rows.map(verifiedCallerIdView), total };
  }

  /** alias, and (main account only) the subaccount it belongs to; "" moves it to the main account. */
  async update(scope: Scope, phoneNumber: string, input: { alias?: string; subaccount?: string }): Promise<VerifiedCallerIdRow> {
    assertSomethingToChange({ alias: input.alias, subaccount: input.subaccount });
    if (scope.subaccountId && input.subaccount !== undefined) {
      throw new ApiError(401, 'only the main account can change the subaccount of a verified caller ID');
    }
    const phone = normalizeNumber(phoneNumber, 'phone_number');
    const subaccountId = input.subaccount === undefined ? undefined : await assignableSubaccount(this.accounts, scope, input.subaccount);
    return this.ctx.db.transaction().execute(async (trx) => {
      const current = await verifiedCallerIdsRepo.find(trx, ownerFilter(scope), phone);
      if (!current) throw notFound(`verified caller ID ${plus(phone)}`);
      const next: VerifiedCallerIdRow = {
        ...current,
        alias: input.alias ?? current.alias,
        subaccount_id: subaccountId === undefined ? current.subaccount_id : subaccountId,
        modified_at: this.ctx.clock.now(),
      };
      await verifiedCallerIdsRepo.update(trx, current.account_id, phone, { alias: next.alias, subaccount_id: next.subaccount_id, modified_at: next.modified_at });
      return next;
    });
  }

  async delete(scope: Scope, phoneNumber: string): Promise<void> {
    const phone = normalizeNumber(phoneNumber, 'phone_number');
    await this.ctx.db.transaction().execute(async (trx) => {
      if (!(await verifiedCallerIdsRepo.find(trx, ownerFilter(scope), phone))) throw notFound(`verified caller ID ${plus(phone)}`);
      await verifiedCallerIdsRepo.delete(trx, scope.accountId, phone);
    });
  }

  /** May outbound calls in `scope` present `number` (with or without '+') as their caller ID? */
  async isVerifiedCallerId(scope: Scope, number: string): Promise<boolean> {
    const digits = number.trim().replace(/^\+/, '');
    if (!/^\d+$/.test(digits)) return false;
    return (await verifiedCallerIdsRepo.find(this.ctx.db, ownerFilter(scope), digits)) !== undefined;
  }
}

function checkOpen(v: VerificationRow, now: number): void {
  if (v.verified_at !== null) throw new ApiError(400, `verification ${v.verification_uuid} is already complete: ${plus(v.phone_number)} is verified`);
  if (v.attempts >= MAX_OTP_ATTEMPTS) {
    throw new ApiError(429, `verification ${v.verification_uuid} had ${MAX_OTP_ATTEMPTS} wrong codes and is locked; start a new verification`);
  }
  if (now >= v.expires_at) throw new ApiError(400, `otp has expired (codes are valid for ${OTP_TTL_MS / 60_000} minutes); start a new verification`);
}
