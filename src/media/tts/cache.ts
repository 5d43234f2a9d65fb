// Prompts repeat (menus, greetings), so synthesized audio is kept in an LRU
// bounded by bytes. Concurrent requests for the same prompt share one
// synthesis. Returned arrays are shared between callers: read-only.

import { AudioCache } from '../audio-cache.ts';
import type { SpeakRequest, Tts } from './tts.ts';

/** 64 MiB ≈ 70 minutes of distinct 8 kHz speech. */
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

const keyOf = (r: SpeakRequest): string => `${r.voice}\u0000${r.language}\u0000${r.ssml ? 1 : 0}\u0000${r.text}`;

export class CachingTts implements Tts {
  private readonly cache: AudioCache;

  constructor(
    private readonly engine: Tts,
    maxBytes = DEFAULT_MAX_BYTES,
  ) {
    this.cache = new AudioCache(maxBytes);
  }

  synthesize(req: SpeakRequest): Promise<Int16Array> {
    return this.cache.get(keyOf(req), () => this.engine.synthesize(req));
  }
}
