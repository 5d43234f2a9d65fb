// Audio files named by URL (<Play>, invalidDigitsSound, a virtual phone's
// play): fetched, decoded to 8 kHz PCM and kept in an LRU bounded by bytes,
// since hold music and prompts are played again and again. Concurrent
// requests for one URL share one download.
import { request } from 'undici';
import { decodeAudio } from '../media/decode.ts';

/** 32 MiB of decoded audio ≈ 35 minutes. */
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;
const TIMEOUT_MS = 10_000;

export class AudioFiles {
  private readonly done = new Map<string, Int16Array>();
  private readonly inFlight = new Map<string, Promise<Int16Array>>();
  private bytes = 0;

  constructor(private readonly maxBytes = DEFAULT_MAX_BYTES) {}

  get(url: string): Promise<Int16Array> {
    const hit = this.done.get(url);
    if (hit) {
      this.done.delete(url);
      this.done.set(url, hit);
      return Promise.resolve(hit);
    }
    let running = this.inFlight.get(url);
    if (!running) {
      running = this.load(url).finally(() => this.inFlight.delete(url));
      this.inFlight.set(url, running);
    }
    return running;
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
    const samples = await decodeAudio(new Uint8Array(Buffer.concat(chunks)), typeof type === 'string' ? type : undefined);
    this.store(url, samples);
    return samples;
  }

  private store(url: string, samples: Int16Array): void {
    if (samples.byteLength > this.maxBytes) return;
    this.done.set(url, samples);
    this.bytes += samples.byteLength;
    for (const [k, v] of this.done) {
      if (this.bytes <= this.maxBytes) break;
      this.done.delete(k);
      this.bytes -= v.byteLength;
    }
  }
}
