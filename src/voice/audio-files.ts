// Audio files named by URL (<Play>, invalidDigitsSound, a virtual phone's
// play): fetched, decoded to 8 kHz PCM and kept in an LRU bounded by bytes,
// since hold music and prompts are played again and again. Concurrent
// requests for one URL share one download.
import { request } from 'undici';
import { AudioCache } from '../media/audio-cache.ts';
import { decodeAudio } from '../media/decode.ts';

/** 32 MiB of decoded audio ≈ 35 minutes. */
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;
const TIMEOUT_MS = 10_000;

export class AudioFiles {
  private readonly cache: AudioCache;

  constructor(maxBytes = DEFAULT_MAX_BYTES) {
    this.cache = new AudioCache(maxBytes);
  }

  get(url: string): Promise<Int16Array> {
    return this.cache.get(url, () => this.load(url));
  }

  private async load(url: string): Promise<Int16Array> {
    if (!/^https?:\/\//i.test(url)) throw new Error(`${url} is not an http(s) URL`);
    const res = await request(url, { method: 'GET', headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS});
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump();
      throw new Error(`HTTP ${res.statusCode}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_DOWNLOAD_BYTES) {
        res.body.destroy();
        throw new Error(`the file is larger than ${MAX_DOWNLOAD_BYTES / 1024 / 1024} MiB`);
      }
      chunks.push(chunk as Buffer);
    }
    const type = res.headers['content-type'];
    return decodeAudio(new Uint8Array(Buffer.concat(chunks)), typeof type === 'string' ? type : undefined);
  }
}
