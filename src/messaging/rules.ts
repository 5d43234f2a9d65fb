// The checks a send request passes before anything is stored or charged:
// who may appear as the sender, which destinations are numbers, and how long
// a text may be. Every failure names the field and what is allowed.
import { ApiError } from '../errors.ts';
import { countryOf, normalizeNumber } from '../platform/phone.ts';
import type { NumberRow } from '../store/tables/numbers.ts';
import type { MessageType } from '../store/tables/messages.ts';
import { analyseText, MULTI_UCS2, type TextInfo } from './encoding.ts';

/** Documented limits: 1,600 GSM characters or 737 Unicode ones (11 segments of 67). */
export const MAX_GSM_LENGTH = 1600;
export const MAX_UCS2_LENGTH = 11 * MULTI_UCS2;
export const MAX_MEDIA = 10;
/** Destinations one request may name. */
export const MAX_DESTINATIONS = 1000;

/** Alphanumeric sender IDs: up to 11 letters, digits and spaces, at least one letter. */
const ALPHANUMERIC = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;

/** Countries where only the sender's own platform number may appear as the sender. */
const NUMBER_ONLY_COUNTRIES = new Set(['US', 'CA']);

export type SenderKind = 'number' | 'caller_id' | 'alphanumeric';
export interface Sender {
  /** Digits for numbers, the ID as given otherwise. */
  from: string;
  kind: SenderKind;
}

export interface SenderLookups {
  ownedNumber(digits: string): Promise<NumberRow | undefined>;
  isVerifiedCallerId(digits: string): Promise<boolean>;
}

export async function resolveSender(src: string, type: MessageType, lookups: SenderLookups): Promise<Sender> {
  const trimmed = src.trim();
  if (/^\+?\d+$/.test(trimmed)) {
    const digits = trimmed.replace(/^\+/, '');
    const owned = await lookups.ownedNumber(digits);
    if (owned) {
      if (type === 'sms' && !owned.sms_enabled) throw new ApiError(400, `src ${digits} cannot send SMS: the number is not SMS-enabled`);
      if (type === 'mms' && !owned.mms_enabled) throw new ApiError(400, `src ${digits} cannot send MMS: the number is not MMS-enabled`);
      return { from: digits, kind: 'number' };
    }
    if (type === 'sms' && (await lookups.isVerifiedCallerId(digits))) return { from: digits, kind: 'caller_id' };
    throw new ApiError(
      400,
      `src ${digits} is not a number of this account${type === 'sms' ? ' nor one of its verified caller IDs' : ''}; ` +
        'send from a number you rent (GET /Number/ lists them)',
    );
  }
  if (ALPHANUMERIC.test(trimmed)) {
    if (type === 'mms') throw new ApiError(400, `src "${trimmed}": MMS must be sent from a number of this account, not an alphanumeric sender ID`);
    return { from: trimmed, kind: 'alphanumeric' };
  }
  throw new ApiError(400, `src "${src}" is not a valid sender: give a number of this account (country code and digits) or an alphanumeric sender ID of 1-11 letters, digits and spaces`);
}

/** A sender that is not the account's own number may not reach the US or Canada. */
export function checkSenderReach(sender: Sender, destination: string): void {
  const iso = countryOf(destination);
  if (sender.kind !== 'number' && iso && NUMBER_ONLY_COUNTRIES.has(iso)) {
    throw new ApiError(400, `src "${sender.from}" cannot send to ${destination} (${iso}): messages to the US and Canada must come from a number of this account`);
  }
}

export interface Destinations {
  /** Country code and digits, in request order, without duplicates. */
  valid: string[];
  invalid: Array<{ input: string; reason: string }>;
}

/** `dst` names one or more numbers separated by '<'; the ones that are not numbers are reported, not fatal. */
export function parseDestinations(dst: string): Destinations {
  const parts = dst.split('<').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new ApiError(400, 'dst is required: one or more numbers separated by <');
  if (parts.length > MAX_DESTINATIONS) throw new ApiError(400, `dst names ${parts.length} numbers; at most ${MAX_DESTINATIONS} are allowed per request`);
  const out: Destinations = { valid: [], invalid: [] };
  for (const input of parts) {
    try {
      const digits = normalizeNumber(input, 'dst');
      if (!out.valid.includes(digits)) out.valid.push(digits);
    } catch (err) {
      out.invalid.push({ input, reason: (err as Error).message });
    }
  }
  return out;
}

export interface Content {
  text: string;
  info: TextInfo;
  /** What the message is billed as: SMS segments, or one per MMS. */
  units: number;
}

export function checkContent(type: MessageType, text: string | undefined, mediaUrls: string[], mediaIds: string[]): Content {
  if (mediaIds.length) throw new ApiError(400, `media_ids: no uploaded media with id ${mediaIds[0]}; pass media_urls instead`);
  const body = text ?? '';
  const info = analyseText(body);
  const max = info.encoding === 'GSM' ? MAX_GSM_LENGTH : MAX_UCS2_LENGTH;
  if (info.length > max) {
    throw new ApiError(400, `text is too long: ${info.length} ${info.encoding === 'GSM' ? 'GSM' : 'Unicode'} characters, at most ${max} are allowed`);
  }
  if (type === 'sms') {
    if (body === '') throw new ApiError(400, 'text is required for type sms');
    if (mediaUrls.length) throw new ApiError(400, 'media_urls may only be sent with type mms');
    return { text: body, info, units: info.units };
  }
  if (body === '' && mediaUrls.length === 0) throw new ApiError(400, 'an MMS needs text or media_urls');
  if (mediaUrls.length > MAX_MEDIA) throw new ApiError(400, `media_urls has ${mediaUrls.length} URLs; at most ${MAX_MEDIA} are allowed`);
  return { text: body, info, units: 1 };
}
