// MP3 in and out, in-process: mpg123 compiled to WebAssembly (shipped in the
// `mpg123-decoder` package) reads, LAME ported to JavaScript
// (`@breezystack/lamejs`) writes. Written files carry a LAME "Info" tag with
// the encoder delay and padding so gapless decoders (mpg123 included) give
// back exactly the samples that went in.

import { Mp3Encoder } from '@breezystack/lamejs';
import { MPEGDecoder } from 'mpg123-decoder';
import { SAMPLE_RATE } from './frame.ts';
import { MediaFormatError } from './errors.ts';
import { channelsOf, clamp16, type PcmAudio } from './pcm.ts';
import { resample } from './resample.ts';

/** Recordings: 8 kHz at 32 kbit/s per channel (MPEG-2.5 layer III), room for the Info tag. */
const KBPS_PER_CHANNEL = 32;
/** LAME's fixed encoder delay, in samples. */
const ENCODER_DELAY = 576;
const ENCODE_CHUNK = 576 * 16;

/** ID3v2 tag or an MPEG audio frame sync at the start. */
export const isMp3 = (bytes: Uint8Array): boolean =>
  bytes.length >= 3 &&
  ((bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) || (bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0));

/** Any MP3 as 8 kHz mono 16-bit PCM. */
export async function readMp3(bytes: Uint8Array): Promise<Int16Array> {
  const decoder = new MPEGDecoder();
  await decoder.ready;
  try {
    const { channelData, samplesDecoded, sampleRate } = decoder.decode(bytes);
    if (samplesDecoded === 0) {
      // mpg123 reports nothing either way: an empty stream is fine, bytes that never looked like MP3 are not.
      if (isMp3(bytes)) return new Int16Array(0);
      throw new MediaFormatError('no MPEG audio frames found');
    }
    const mono = new Int16Array(samplesDecoded);
    const channels = channelData.length;
    for (let i = 0; i < samplesDecoded; i++) {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += channelData[c][i];
      mono[i] = clamp16(Math.round((sum / channels) * 32767));
    }
    return resample(mono, sampleRate, SAMPLE_RATE);
  } finally {
    decoder.free();
  }
}

interface LayerThreeFrame {
  length: number;
  samples: number;
  sideInfo: number;
}

const BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

/** Just enough of an MPEG layer III header to walk our own encoder's frames. */
function parseFrame(b: Uint8Array, at: number): LayerThreeFrame {
  const version = (b[at + 1] >> 3) & 3; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
  const mpeg1 = version === 3;
  const kbps = (mpeg1 ? BITRATES_V1 : BITRATES_V2)[b[at + 2] >> 4];
  const rate = RATES[version]?.[(b[at + 2] >> 2) & 3];
  if (b[at] !== 0xff || (b[at + 1] & 0xe6) !== 0xe2 || !kbps || !rate) {
    throw new Error(`encoder produced an unexpected MPEG header at byte ${at}`);
  }
  const padding = (b[at + 2] >> 1) & 1;
  const mono = b[at + 3] >> 6 === 3;
  return {
    length: Math.floor(((mpeg1 ? 144 : 72) * kbps * 1000) / rate) + padding,
    samples: mpeg1 ? 1152 : 576,
    sideInfo: mpeg1 ? (mono ? 17 : 32) : mono ? 9 : 17,
  };
}

/** CRC-16 (polynomial 0x8005, reflected), as the LAME tag uses. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/**
 * A silent first frame holding a Xing "Info" header and a LAME extension
 * (layout per the LAME tag specification) with delay, padding and length.
 */
function infoFrame(audio: Uint8Array, sampleCount: number, kbps: number): Uint8Array {
  let frames = 0;
  let frameSamples = 0;
  for (let at = 0; at < audio.length; frames++) {
    const f = parseFrame(audio, at);
    frameSamples = f.samples;
    at += f.length;
  }
  const header = audio.subarray(0, 4);
  const first = parseFrame(audio, 0);
  const frame = new Uint8Array(first.length - ((header[2] >> 1) & 1));
  frame.set(header);
  frame[2] &= ~0x02; // no padding slot in the tag frame
  const view = new DataView(frame.buffer);
  let at = 4 + first.sideInfo;
  const totalBytes = frame.length + audio.length;
  frame.set([0x49, 0x6e, 0x66, 0x6f], at); // "Info": a CBR stream's Xing header
  view.setUint32(at + 4, 0x0f, false); // frames, bytes, TOC and quality present
  view.setUint32(at + 8, frames, false);
  view.setUint32(at + 12, totalBytes, false);
  for (let i = 0; i < 100; i++) frame[at + 16 + i] = Math.floor((i * 256) / 100); // linear seek table
  at += 120;
  const padding = frames * frameSamples - ENCODER_DELAY - sampleCount;
  frame.set(Array.from('LAME3.100', (c) => c.charCodeAt(0)), at);
  frame[at + 9] = 0x01; // tag revision 0, CBR
  frame[at + 20] = kbps;
  frame[at + 21] = ENCODER_DELAY >> 4;
  frame[at + 22] = ((ENCODER_DELAY & 0x0f) << 4) | ((padding >> 8) & 0x0f);
  frame[at + 23] = padding & 0xff;
  view.setUint32(at + 28, totalBytes, false);
  view.setUint16(at + 34, crc16(frame.subarray(0, at + 34)), false);
  return frame;
}

/** 8 kHz PCM, mono or stereo → MP3 bytes. */
export function writeMp3(audio: PcmAudio): Uint8Array {
  const channels = channelsOf(audio);
  const kbps = KBPS_PER_CHANNEL * channels.length;
  const encoder = new Mp3Encoder(channels.length, SAMPLE_RATE, kbps);
  // lamejs hands back Int8Arrays whatever its typings say: view them as bytes.
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const parts: Uint8Array[] = [];
  const frames = channels[0].length;
  for (let at = 0; at < frames; at += ENCODE_CHUNK) {
    const [left, right] = channels.map((c) => c.subarray(at, at + ENCODE_CHUNK));
    parts.push(bytes(encoder.encodeBuffer(left, right)));
  }
  parts.push(bytes(encoder.flush()));
  const out = Buffer.concat(parts);
  return out.length === 0 ? out : Buffer.concat([infoFrame(out, frames, kbps), out]);
}
