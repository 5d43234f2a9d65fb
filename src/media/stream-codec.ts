// Payloads of Plivo audio streams (WebSocket `media` / `playAudio` events):
// base64 of raw µ-law at 8 kHz or of 16-bit little-endian linear PCM at 8 or
// 16 kHz. Encoders and decoders are per stream and direction, because 16 kHz
// audio goes through a resampler whose state spans messages.

import { SAMPLE_RATE } from './frame.ts';
import { mulawDecode, mulawEncode } from './g711.ts';
import { Resampler } from './resample.ts';

export interface StreamFormat {
  encoding: 'mulaw' | 'l16';
  rate: 8000 | 16000;
}

export const STREAM_CONTENT_TYPES = ['audio/x-l16;rate=8000', 'audio/x-l16;rate=16000', 'audio/x-mulaw;rate=8000'] as const;

/**
 * Reads a stream content type, either whole ("audio/x-l16;rate=16000") or as
 * a playAudio event gives it (contentType "audio/x-l16" plus sampleRate).
 * Returns null for anything Plivo does not allow.
 */
export function parseStreamFormat(contentType: string, sampleRate?: number | string): StreamFormat | null {
  const [type, ...params] = contentType.toLowerCase().split(';').map((s) => s.trim());
  const rateParam = params.find((p) => p.startsWith('rate='))?.slice(5);
  const rate = Number(rateParam ?? sampleRate ?? SAMPLE_RATE);
  if (type === 'audio/x-mulaw' && rate === 8000) return { encoding: 'mulaw', rate };
  if (type === 'audio/x-l16' && (rate === 8000 || rate === 16000)) return { encoding: 'l16', rate };
  return null;
}

/** 8 kHz PCM from the call → base64 payloads for the WebSocket service. */
export class StreamEncoder {
  private readonly up: Resampler | null;

  constructor(readonly format: StreamFormat) {
    this.up = format.rate === SAMPLE_RATE ? null : new Resampler(SAMPLE_RATE, format.rate);
  }

  encode(samples: Int16Array): string {
    if (this.format.encoding === 'mulaw') return Buffer.from(mulawEncode(samples)).toString('base64');
    const pcm = this.up ? this.up.process(samples) : samples;
    const bytes = Buffer.allocUnsafe(pcm.length * 2);
    for (let i = 0; i < pcm.length; i++) bytes.writeInt16LE(pcm[i], i * 2);
    return bytes.toString('base64');
  }
}

/** base64 payloads from the WebSocket service → 8 kHz PCM for the call. */
export class StreamDecoder {
  private readonly down: Resampler | null;
  /** An odd trailing byte of L16, completed by the next message. */
  private carry: number | null = null;

  constructor(readonly format: StreamFormat) {
    this.down = format.rate === SAMPLE_RATE ? null : new Resampler(format.rate, SAMPLE_RATE);
  }

  decode(payload: string): Int16Array {
    let bytes: Buffer = Buffer.from(payload, 'base64');
    if (this.format.encoding === 'mulaw') return mulawDecode(bytes);
    if (this.carry !== null) {
      bytes = Buffer.concat([Buffer.of(this.carry), bytes]);
      this.carry = null;
    }
    if (bytes.length & 1) this.carry = bytes[bytes.length - 1];
    const pcm = new Int16Array(bytes.length >> 1);
    for (let i = 0; i < pcm.length; i++) pcm[i] = bytes.readInt16LE(i * 2);
    return this.down ? this.down.process(pcm) : pcm;
  }
}
