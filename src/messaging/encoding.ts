// How a text travels as SMS: GSM-7 when every character is in the GSM 03.38
// alphabet (extension characters cost two septets), UCS-2 otherwise; and how
// many segments (billing units) it takes. A single SMS carries 160 septets or
// 70 UCS-2 code units; a concatenated one loses room to its header and
// carries 153 or 67 per segment. Segments never split an escape sequence or
// a surrogate pair, as handsets would show garbage at the seam.

export type Encoding = 'GSM' | 'UCS-2';

const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
/** Reached through the escape code, so each costs two septets. */
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

export const SINGLE_GSM = 160;
export const MULTI_GSM = 153;
export const SINGLE_UCS2 = 70;
export const MULTI_UCS2 = 67;

export interface TextInfo {
  encoding: Encoding;
  /** Septets (GSM) or UTF-16 code units (UCS-2): the size the length limits apply to. */
  length: number;
  /** Segments the text is sent as; what an SMS is billed by. */
  units: number;
}

/** Cost of each character in the encoding's units (septets or UTF-16 code units). */
function costs(text: string): { encoding: Encoding; sizes: number[] } {
  const chars = [...text];
  if (chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENSION.has(c))) {
    return { encoding: 'GSM', sizes: chars.map((c) => (GSM_EXTENSION.has(c) ? 2 : 1)) };
  }
  return { encoding: 'UCS-2', sizes: chars.map((c) => c.length) };
}

/** Greedy packing into segments of `room`, never splitting one character's units. */
function pack(sizes: number[], room: number): number {
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > room) {
      segments++;
      used = 0;
    }
    used += size;
  }
  return segments;
}

export function analyseText(text: string): TextInfo {
  const { encoding, sizes } = costs(text);
  const length = sizes.reduce((a, b) => a + b, 0);
  const [single, multi] = encoding === 'GSM' ? [SINGLE_GSM, MULTI_GSM] : [SINGLE_UCS2, MULTI_UCS2];
  return { encoding, length, units: length <= single ? 1 : pack(sizes, multi) };
}
