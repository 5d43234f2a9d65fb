// N-party conference mixing, one 20 ms tick at a time. Everyone hears the
// sum of everyone else: the mix is summed once and each member's own voice
// subtracted, so a tick costs O(members × frame), not O(members²).

import { FRAME_SAMPLES } from './frame.ts';
import { clamp16 } from './pcm.ts';

export interface MixMember {
  /** This tick's audio from the member, or null if it sent none. */
  input: Int16Array | null;
  /** Muted members are heard by nobody. */
  muted: boolean;
  /** Deaf members hear silence. */
  deaf: boolean;
  /** Where the member's mix is written (FRAME_SAMPLES long; reused across ticks). */
  output: Int16Array;
}

export class Mixer {
  private readonly sum = new Int32Array(FRAME_SAMPLES);

  /** Fill every member's `output` for this tick. */
  mix(members: readonly MixMember[]): void {
    const sum = this.sum;
    sum.fill(0);
    for (const m of members) {
      if (m.muted || !m.input) continue;
      const input = m.input;
      for (let i = 0; i < FRAME_SAMPLES; i++) sum[i] += input[i];
    }
    for (const m of members) {
      const out = m.output;
      if (m.deaf) {
        out.fill(0);
        continue;
      }
      const own = m.muted ? null : m.input;
      for (let i = 0; i < FRAME_SAMPLES; i++) {
        out[i] = clamp16(own ? sum[i] - own[i] : sum[i]);
      }
    }
  }
}
