// Prompts repeat (menus, greetings), so synthesized audio is kept in an LRU
// bounded by bytes. Concurrent requests for the same prompt share one
// synthesis. Returned arrays are shared between callers: read-only.

import type { SpeakRequest, Tts } from './tts.ts';

/** 64 MiB ≈ 70 minutes of distinct 8 kHz speech. */
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

const keyOf = (r: SpeakRequest): string => `${r.voice}\u0000${r.language}\u0000${r.ssml ? 1 : 0}\u0000${r.text}`;

export class CachingTts implements Tts {
  private readonly done = new Map<string, Int16Array>(); // oldest first
  private readonly inFlight = new Map<string, Promise<Int16Array>>();
  private bytes = 0;

  constructor(
    private readonly engine: Tts,
    private readonly maxBytes = DEFAULT_MAX_BYTES,
  ) {}

  synthesize(req: SpeakRequest): Promise<Int16Array> {
    const key = keyOf(req);
    const hit = this.done.get(key);
    if (hit) {
      this.done.delete(key); // re-insert: most recently used goes last
      this.done.set(key, hit);
      return Promise.resolve(hit);
    }
    const running = this.inFlight.get(key);
    if (running) return running;
    const promise = this.engine.synthesize(req).then(
      (samples) => {
        this.inFlight.delete(key);
        this.store(key, samples);
        return samples;
      },
      (error: unknown) => {
        this.inFlight.delete(key);
        throw error;
      },
    );
    this.inFlight.set(key, promise);
    return promise;
  }

  private store(key: string, samples: Int16Array): void {
    if (samples.byteLength > this.maxBytes) return;
    this.done.set(key, samples);
    this.bytes += samples.byteLength;
    for (const [oldKey, old] of this.done) {
      if (this.bytes <= this.maxBytes) break;
      this.done.delete(oldKey);
      this.bytes -= old.byteLength;
    }
  }
}
