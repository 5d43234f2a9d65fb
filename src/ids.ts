// Every identifier the platform hands out comes from here, so formats stay
// those of the spec's examples and tests can recognise them.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(alphabet: string, length: number): string {
  // Rejection-free mapping: alphabets here are < 64 symbols, so take 6 bits per
  // byte and re-draw the few values past the alphabet to stay unbiased.
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      const v = byte & 63;
      if (v < alphabet.length) out += alphabet[v];
      if (out.length === length) break;
    }
  }
  return out;
}

/** Main account auth id: `MA` + 18 upper-case alphanumerics. */
export const newAccountAuthId = (): string => 'MA' + randomString(UPPER_ALNUM, 18);
/** Subaccount auth id: `SA` + 18 upper-case alphanumerics. */
export const newSubaccountAuthId = (): string => 'SA' + randomString(UPPER_ALNUM, 18);
/** Auth token: 40 alphanumerics. */
export const newAuthToken = (): string => randomString(ALNUM, 40);
/** Call, request, recording, message uuids and api ids. */
export const newUuid = (): string => randomUUID();

let rowBase = '';
let rowCount = 2 ** 48;

/**
 * Ids of rows written by the thousand that nobody guesses or looks up by
 * anything but equality (debug-log and ledger entries, webhook jobs): a
 * UUID of the same shape whose last 48 bits count up from a random UUID
 * drawn per process. A random key lands each insert on a random page of
 * its index, so a batch of n rows rewrites about n index pages; consecutive
 * keys share the index's last page.
 */
export function newRowUuid(): string {
  if (rowCount >= 2 ** 48) {
    rowBase = randomUUID().slice(0, 24);
    rowCount = 0;
  }
  return rowBase + (rowCount++).toString(16).padStart(12, '0');
}
/** Numeric string ids (applications, endpoints): 17 digits, never a leading zero. */
export const newNumericId = (): string =>
  String(randomInt(1, 10)) + String(randomInt(0, 1e8)).padStart(8, '0') + String(randomInt(0, 1e8)).padStart(8, '0');

export const isAccountAuthId = (s: string): boolean => /^MA[A-Z0-9]{18}$/.test(s);
export const isSubaccountAuthId = (s: string): boolean => /^SA[A-Z0-9]{18}$/.test(s);

/** Random octets drawn in blocks: SIP stacks need several tokens per call, and one draw per token would dominate. */
let pool = Buffer.alloc(0);
let poolAt = 0;

/**
 * SIP tags, Call-IDs and branch tails: 16 unguessable base64url characters
 * (96 bits), so a third party cannot forge an in-dialog request or CANCEL.
 */
export function newSipToken(): string {
  if (poolAt + 12 > pool.length) {
    pool = randomBytes(12 * 256);
    poolAt = 0;
  }
  const token = pool.toString('base64url', poolAt, poolAt + 12);
  poolAt += 12;
  return token;
}
