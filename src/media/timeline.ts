// One direction of a call's audio as runs placed on the platform clock: what
// a recorder or a stream forks. Runs keep references to the sender's sample
// arrays (prompt caches share them), so forking costs a few small objects;
// samples are copied only when a window is rendered. Silence costs nothing:
// gaps between runs render as zeros.
import { FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE, type Annotation } from './frame.ts';
import { clamp16 } from './pcm.ts';

export interface PlacedRun {
  /** Platform time (ms) of the first sample. */
  start: number;
  samples: Int16Array;
  annotation?: Annotation;
}

const offsetOf = (ms: number): number => Math.round((ms * SAMPLE_RATE) / 1000);
const endOf = (r: PlacedRun): number => r.start + (r.samples.length * 1000) / SAMPLE_RATE;

export class Timeline {
  /** Ordered by start. */
  private runs: PlacedRun[] = [];
  /** The longest run placed (ms): how far back a cut has to look, since runs may overlap. */
  private longestMs = 0;

  add(start: number, samples: Int16Array, annotation?: Annotation): void {
    if (samples.length === 0) return;
    const run: PlacedRun = { start, samples, annotation };
    this.longestMs = Math.max(this.longestMs, endOf(run) - start);
    let i = this.runs.length;
    while (i > 0 && this.runs[i - 1]!.start > start) i--;
    this.runs.splice(i, 0, run);
  }

  /** Drop what would play from `at` on; a run playing then stops at its last whole frame, as a leg cuts it. */
  cutAt(at: number): void {
    while (this.runs.length > 0 && this.runs[this.runs.length - 1]!.start >= at) this.runs.pop();
    // Not only the last run may still be playing: a party's speech can be mixed over a prompt.
    for (let i = this.runs.length - 1; i >= 0 && this.runs[i]!.start > at - this.longestMs; i--) {
      const r = this.runs[i]!;
      if (endOf(r) > at) r.samples = r.samples.subarray(0, Math.floor((at - r.start) / FRAME_MS) * FRAME_SAMPLES);
    }
  }

  /** Forget runs that ended by `at` (a streamer's window has moved past them). */
  dropBefore(at: number): void {
    let n = 0;
    while (n < this.runs.length && endOf(this.runs[n]!) <= at) n++;
    if (n > 0) this.runs.splice(0, n);
  }

  /** The audio from `from` to `to` (ms) mixed into `out` (zeroed first), one sample per 1/8000 s. */
  render(from: number, to: number, out = new Int16Array(Math.max(0, offsetOf(to - from)))): Int16Array {
    out.fill(0);
    for (const r of this.runs) {
      if (r.start >= to) break;
      const at = offsetOf(r.start - from);
      const skip = Math.max(0, -at);
      const dest = Math.max(0, at);
      const n = Math.min(r.samples.length - skip, out.length - dest);
      for (let i = 0; i < n; i++) out[dest + i] = clamp16(out[dest + i] + r.samples[skip + i]);
    }
    return out;
  }

  /** The runs that start within [from, to), in order. */
  runsIn(from: number, to: number): PlacedRun[] {
    return this.runs.filter((r) => r.start >= from && r.start < to);
  }
}

/** Several directions mixed into one mono track (a recording of both parties). */
export function mixDown(tracks: readonly Timeline[], from: number, to: number): Int16Array {
  const [first, ...rest] = tracks;
  if (!first) return new Int16Array(Math.max(0, offsetOf(to - from)));
  const out = first.render(from, to);
  const scratch = new Int16Array(out.length);
  for (const t of rest) {
    t.render(from, to, scratch);
    for (let i = 0; i < out.length; i++) out[i] = clamp16(out[i] + scratch[i]);
  }
  return out;
}
