// The unit of audio everywhere inside Switchboard: 20 ms of 8 kHz, 16-bit
// mono PCM. G.711 exists only at the edges (SIP/RTP, streams).

export const SAMPLE_RATE = 8000;
export const FRAME_MS = 20;
export const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000; // 160

/**
 * What a stretch of audio *is*, carried beside the samples so the sandbox
 * transcript and speech input know what was heard without a recognizer.
 */
export type Annotation =
  | { type: 'speak'; text: string; voice: string; language: string; spanMs?: number }
  | { type: 'play'; url: string }
  | { type: 'tone'; name: string; frequencies: number[] }
  | { type: 'beep' }
  | { type: 'dtmf'; digit: string }
  | { type: 'said'; text: string; spanMs?: number }
  | { type: 'conference_audio' };

/**
 * Words sent frame by frame (a conference mixer labels only the frame they
 * start in) say how long they last from there: `spanMs`. Words sent whole
 * last as long as the run that carries them.
 */
export const wordsLastMs = (a: Annotation, runMs: number): number => ('spanMs' in a && a.spanMs !== undefined ? Math.max(runMs, a.spanMs) : runMs);

export interface Frame {
  /** Exactly FRAME_SAMPLES samples. */
  samples: Int16Array;
  /** Present on the first frame of an annotated stretch (and may repeat). */
  annotation?: Annotation;
}

export const silentFrame = (): Frame => ({ samples: new Int16Array(FRAME_SAMPLES) });
