// WAV (RIFF) read and write. Reading accepts what Play URLs commonly serve:
// PCM 8/16/24/32-bit, float, µ-law and A-law, any rate, mono or stereo; the
// result is 8 kHz mono. Writing produces 16-bit PCM, mono or stereo
// (recordings).

import { SAMPLE_RATE } from './frame.ts';
import { alawDecode, mulawDecode } from './g711.ts';
import { MediaFormatError } from './errors.ts';
import { channelsOf, clamp16, type PcmAudio } from './pcm.ts';
import { resample } from './resample.ts';

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

const ascii = (bytes: Uint8Array, at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));

export const isWav = (bytes: Uint8Array): boolean =>
  bytes.length >= 12 && ascii(bytes, 0) === 'RIFF' && ascii(bytes, 8) === 'WAVE';

interface Format {
  tag: number;
  channels: number;
  rate: number;
  bits: number;
}

/** One channel's worth of samples per frame, converted to 16-bit and mixed down. */
function toMono16(data: Uint8Array, f: Format): Int16Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const bytesPerSample = f.bits / 8;
  const frames = Math.floor(data.length / (bytesPerSample * f.channels));
  let decode: (at: number) => number;
  if (f.tag === FORMAT_MULAW || f.tag === FORMAT_ALAW) {
    const linear = (f.tag === FORMAT_MULAW ? mulawDecode : alawDecode)(data.subarray(0, frames * f.channels));
    decode = (at) => linear[at];
  } else if (f.tag === FORMAT_FLOAT && f.bits === 32) decode = (at) => view.getFloat32(at * 4, true) * 32768;
  else if (f.tag === FORMAT_FLOAT && f.bits === 64) decode = (at) => view.getFloat64(at * 8, true) * 32768;
  else if (f.tag === FORMAT_PCM && f.bits === 8) decode = (at) => (data[at] - 128) << 8;
  else if (f.tag === FORMAT_PCM && f.bits === 16) decode = (at) => view.getInt16(at * 2, true);
  else if (f.tag === FORMAT_PCM && f.bits === 24) decode = (at) => view.getInt16(at * 3 + 1, true); // top two bytes
  else if (f.tag === FORMAT_PCM && f.bits === 32) decode = (at) => view.getInt32(at * 4, true) / 65536;
  else throw new MediaFormatError(`unsupported WAV encoding (format ${f.tag}, ${f.bits}-bit)`);
  const out = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < f.channels; c++) sum += decode(i * f.channels + c);
    out[i] = clamp16(Math.round(sum / f.channels));
  }
  return out;
}

/** Mono 16-bit samples at the file's own rate. */
export function parseWav(bytes: Uint8Array): { rate: number; samples: Int16Array } {
  if (!isWav(bytes)) throw new MediaFormatError('not a WAV file (no RIFF/WAVE header)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: Format | undefined;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = ascii(bytes, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw new MediaFormatError('WAV fmt chunk is truncated');
      let tag = view.getUint16(body, true);
      if (tag === FORMAT_EXTENSIBLE && size >= 26) tag = view.getUint16(body + 24, true); // sub-format GUID's first two bytes
      format = {
        tag,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!format) throw new MediaFormatError('WAV data chunk comes before its fmt chunk');
      if (format.channels < 1) throw new MediaFormatError('WAV fmt chunk has no channels');
      // Real files are 8–192 kHz; anything outside would make the resampler's filter absurdly long.
      if (format.rate < 4000 || format.rate > 384000) {
        throw new MediaFormatError(`WAV sample rate ${format.rate} Hz is not supported (4000–384000)`);
      }
      // Streaming writers leave the size at 0 or 0xFFFFFFFF: take what is there.
      const end = size === 0 || body + size > bytes.length ? bytes.length : body + size;
      return { rate: format.rate, samples: toMono16(bytes.subarray(body, end), format) };
    }
    at = body + size + (size & 1);
  }
  throw new MediaFormatError('WAV file has no data chunk');
}

/** Any WAV as 8 kHz mono 16-bit PCM. */
export function readWav(bytes: Uint8Array): Int16Array {
  const { rate, samples } = parseWav(bytes);
  return resample(samples, rate, SAMPLE_RATE);
}

/** 16-bit PCM WAV of `audio`, mono or stereo (8 kHz unless told). */
export function writeWav(audio: PcmAudio, rate = SAMPLE_RATE): Uint8Array {
  const channels = channelsOf(audio);
  const frames = channels[0].length;
  const blockAlign = 2 * channels.length;
  const dataBytes = frames * blockAlign;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const tag = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  tag(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  tag(8, 'WAVE');
  tag(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, FORMAT_PCM, true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, 16, true);
  tag(36, 'data');
  view.setUint32(40, dataBytes, true);
  // Samples interleave frame by frame: left, right, left, right …
  channels.forEach((c, ch) => {
    for (let i = 0; i < frames; i++) view.setInt16(44 + i * blockAlign + ch * 2, c[i], true);
  });
  return out;
}
