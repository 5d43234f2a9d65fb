// G.711 µ-law and A-law (ITU-T G.711), the codecs of RTP and of Plivo audio
// streams. Both directions are table lookups: the encoder tables cover every
// 16-bit input (64 KiB each), so hot paths do one indexed load per sample.

const MULAW_BIAS = 0x84;
const MULAW_CLIP = 32635;

function mulawFromLinear(sample: number): number {
  let s = sample;
  const sign = s < 0 ? 0x80 : 0;
  if (sign) s = -s;
  if (s > MULAW_CLIP) s = MULAW_CLIP;
  s += MULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function linearFromMulaw(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + MULAW_BIAS) << exponent) - MULAW_BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

function alawFromLinear(sample: number): number {
  // A-law works on 13 bits; negative values are folded with one's complement.
  let s = sample >> 3;
  let mask: number;
  if (s >= 0) mask = 0xd5;
  else {
    mask = 0x55;
    s = -s - 1;
  }
  let segment = 0;
  while (segment < 8 && s > (0x20 << segment) - 1) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  const mantissa = segment < 2 ? (s >> 1) & 0x0f : (s >> segment) & 0x0f;
  return ((segment << 4) | mantissa) ^ mask;
}

function linearFromAlaw(byte: number): number {
  const a = byte ^ 0x55;
  const segment = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  if (segment === 0) t += 8;
  else t = (t + 0x108) << (segment - 1);
  return a & 0x80 ? t : -t;
}

const MULAW_DECODE = new Int16Array(256);
const ALAW_DECODE = new Int16Array(256);
for (let b = 0; b < 256; b++) {
  MULAW_DECODE[b] = linearFromMulaw(b);
  ALAW_DECODE[b] = linearFromAlaw(b);
}

/** Indexed by the sample's 16 bits (`sample & 0xffff`). */
const MULAW_ENCODE = new Uint8Array(65536);
const ALAW_ENCODE = new Uint8Array(65536);
for (let i = 0; i < 65536; i++) {
  const sample = (i << 16) >> 16;
  MULAW_ENCODE[i] = mulawFromLinear(sample);
  ALAW_ENCODE[i] = alawFromLinear(sample);
}

function encodeWith(table: Uint8Array, pcm: Int16Array, out: Uint8Array, at: number, from: number, n: number): Uint8Array {
  for (let i = 0; i < n; i++) out[at + i] = table[pcm[from + i] & 0xffff];
  return out;
}

function decodeWith(table: Int16Array, bytes: Uint8Array, out: Int16Array): Int16Array {
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]];
  return out;
}

/**
 * `out` lets a caller reuse one buffer per leg instead of allocating per
 * frame; `at` lets a packetiser encode straight into a packet after its
 * header, and `from`/`n` straight out of a longer run (a queued prompt)
 * without copying the frame first.
 */
export const mulawEncode = (pcm: Int16Array, out: Uint8Array = new Uint8Array(pcm.length), at = 0, from = 0, n = pcm.length - from): Uint8Array => encodeWith(MULAW_ENCODE, pcm, out, at, from, n);
export const mulawDecode = (bytes: Uint8Array, out: Int16Array = new Int16Array(bytes.length)): Int16Array => decodeWith(MULAW_DECODE, bytes, out);
export const alawEncode = (pcm: Int16Array, out: Uint8Array = new Uint8Array(pcm.length), at = 0, from = 0, n = pcm.length - from): Uint8Array => encodeWith(ALAW_ENCODE, pcm, out, at, from, n);
export const alawDecode = (bytes: Uint8Array, out: Int16Array = new Int16Array(bytes.length)): Int16Array => decodeWith(ALAW_DECODE, bytes, out);

/** Byte → linear sample, for code that decodes as it copies (a jitter buffer). Read-only. */
export const MULAW_TO_LINEAR: Readonly<Int16Array> = MULAW_DECODE;
export const ALAW_TO_LINEAR: Readonly<Int16Array> = ALAW_DECODE;

/** The byte of digital silence (what an idle RTP stream carries). */
export const MULAW_SILENCE = MULAW_ENCODE[0];
export const ALAW_SILENCE = ALAW_ENCODE[0];
