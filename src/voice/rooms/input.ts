// What one member of a room said, waiting to be mixed: runs placed at the
// platform time they were spoken, cut into 20 ms windows as the mixer ticks.
import { FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE, type Annotation } from '../../media/frame.ts';
import { clamp16 } from '../../media/pcm.ts';

interface Placed {
  start: number;
  end: number;
  samples: Int16Array;
  annotation?: Annotation;
}

const PER_MS = SAMPLE_RATE / 1000;

/** Words a mixer passes on frame by frame carry how long they last (see wordsLastMs). */
export function spanned(a: Annotation, ms: number): Annotation {
  return a.type === 'speak' || a.type === 'said' ? { ...a, spanMs: ms } : a;
}

export class InputQueue {
  /** Ordered by start. */
  private runs: Placed[] = [];

  add(start: number, samples: Int16Array, annotation?: Annotation): void {
    if (samples.length === 0) return;
    const run = { start, end: start + samples.length / PER_MS, samples, annotation };
    let i = this.runs.length;
    while (i > 0 && this.runs[i - 1]!.start > start) i--;
    this.runs.splice(i, 0, run);
  }

  /** Nothing waits to be mixed. */
  get empty(): boolean {
    return this.runs.length === 0;
  }

  /**
   * The window [from, from + 20 ms) written into `out` (zeros where nothing
   * was said); false when nothing was. `labels` receives the annotations of
   * runs starting in the window. Runs over by the window's end are dropped.
   */
  take(from: number, out: Int16Array, labels: Annotation[]): boolean {
    const to = from + FRAME_MS;
    let heard = false;
    let drop = 0;
    for (const r of this.runs) {
      if (r.start >= to) break;
      if (r.end <= from) {
        drop++;
        continue;
      }
      const at = Math.round((r.start - from) * PER_MS);
      const skip = Math.max(0, -at);
      const dest = Math.max(0, at);
      const n = Math.min(r.samples.length - skip, FRAME_SAMPLES - dest);
      if (!heard) {
        out.fill(0);
        heard = true;
      }
      const s = r.samples;
      for (let i = 0; i < n; i++) out[dest + i] = clamp16(out[dest + i]! + s[skip + i]!);
      if (r.annotation && r.start >= from) labels.push(spanned(r.annotation, r.end - r.start));
      if (r.end <= to) drop++;
    }
    // Runs end in start order unless they overlap, so the finished ones are (almost always) at the front.
    if (drop > 0) this.runs = this.runs.filter((r) => r.end > to);
    return heard;
  }
}
