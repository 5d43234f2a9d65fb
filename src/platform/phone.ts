// Phone number and country checks shared by numbers, pricing and the number
// import: one place decides what a well-formed number and a known country are.
import { getCountryCallingCode, isSupportedCountry, parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js/max';
import { ApiError } from '../errors.ts';
import type { NumberType } from '../store/tables/numbers.ts';

export const NUMBER_TYPES: readonly NumberType[] = ['local', 'mobile', 'tollfree', 'national'];

/**
 * The last numbers parsed: a call's destination is parsed for its format,
 * then for its country and type by pricing, within one request (a parse
 * and its type cost about 28 µs). Callers only read what a parse returns.
 */
const recent = new Map<string, PhoneNumber | undefined>();
const RECENT = 256;

function parse(digits: string): PhoneNumber | undefined {
  if (recent.has(digits)) return recent.get(digits);
  const parsed = parsePhoneNumberFromString('+' + digits);
  if (recent.size >= RECENT) recent.delete(recent.keys().next().value!);
  recent.set(digits, parsed);
  return parsed;
}

/**
 * A number as the API stores it: country code and digits, no '+'. Accepts an
 * optional leading '+'; anything that cannot be a phone number → 400.
 */
export function normalizeNumber(input: string, field = 'number'): string {
  const digits = input.trim().replace(/^\+/, '');
  const parsed = /^[1-9]\d{6,14}$/.test(digits) ? parse(digits) : undefined;
  if (!parsed || !parsed.isPossible()) {
    throw new ApiError(400, `${field} "${input}" is not a valid phone number: give the country code and digits only, e.g. 14155550123`);
  }
  return digits;
}

/** A number in a list filter, as the store keeps numbers: the leading '+' dropped, nothing else checked (a prefix may be short). */
export const filterDigits = (n: string | undefined): string | undefined => n?.replace(/^\+/, '');

/** The ISO country a number belongs to (undefined for non-geographic or unknown codes). */
export function countryOf(digits: string): string | undefined {
  return parse(digits)?.country;
}

export function isTollFree(digits: string): boolean {
  return parse(digits)?.getType() === 'TOLL_FREE';
}

/** Best guess of the number's type from the numbering plan (for imports that leave it out). */
export function numberTypeOf(digits: string): NumberType {
  switch (parse(digits)?.getType()) {
    case 'TOLL_FREE':
      return 'tollfree';
    case 'MOBILE':
      return 'mobile';
    case 'FIXED_LINE':
    case 'FIXED_LINE_OR_MOBILE':
    case undefined:
      return 'local';
    default:
      return 'national';
  }
}

/** An ISO 3166-1 alpha-2 code the numbering plan knows, upper-cased; otherwise 400. */
export function requireCountryIso(input: string, field = 'country_iso'): CountryCode {
  const iso = input.trim().toUpperCase();
  if (!isSupportedCountry(iso)) {
    throw new ApiError(400, `${field} "${input}" is not a known ISO 3166-1 alpha-2 country code (for example US, GB, DE)`);
  }
  return iso;
}

export function callingCode(iso: string): string {
  return getCountryCallingCode(iso as CountryCode);
}

const names = new Intl.DisplayNames(['en'], { type: 'region' });
export function countryName(iso: string): string {
  return names.of(iso) ?? iso;
}
