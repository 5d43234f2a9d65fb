// Is there sound in a stretch of audio? Enough to end a recording after
// `timeout` seconds of silence: frame energy against a floor well above
// line noise and well below speech.
import { FRAME_MS, FRAME_SAMPLES } from './frame.ts';
import { rms } from './pcm.ts';

/** A 20 ms frame louder than this RMS (about -50 dBFS) is sound. */
export const SOUND_RMS = 100;

/** Where (ms from its start) the last frame of `samples` with sound ends; 0 when it is all quiet. */
export function soundUntilMs(samples: Int16Array): number {
  for (let f = Math.ceil(samples.length / FRAME_SAMPLES) - 1; f >= 0; f--) {
    if (rms(samples, f * FRAME_SAMPLES, Math.min(samples.length, (f + 1) * FRAME_SAMPLES)) > SOUND_RMS) return (f + 1) * FRAME_MS;
  }
  return 0;
}
