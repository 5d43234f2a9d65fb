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
  | { type: 'speak'; text: string; voice: string; language: string }
  | { type: 'play'; url: string }
  | { type: 'tone'; name: string; frequencies: number[] }
  | { type: 'beep' }
  | { type: 'dtmf'; digit: string }
  | { type: 'said'; text: string }
  | { type: 'conference_audio' };

export interface Frame {
  /** Exactly FRAME_SAMPLES samples. */
  samples: Int16Array;
  /** Present on the first frame of an annotated stretch (and may repeat). */
  annotation?: Annotation;
}

export const silentFrame = (): Frame => ({ samples: new Int16Array(FRAME_SAMPLES) });
