// The text-to-speech service the composition root wires in: eSpeak NG with
// the prompt cache in front.

import { CachingTts } from './cache.ts';
import { EspeakTts } from './espeak.ts';
import type { Tts } from './tts.ts';

export function createTts(maxCacheBytes?: number): { tts: Tts; warm: () => void; close: () => Promise<void> } {
  const engine = new EspeakTts();
  return { tts: new CachingTts(engine, maxCacheBytes), warm: () => engine.warm(), close: () => engine.close() };
}
