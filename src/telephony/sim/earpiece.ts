// What reached a virtual phone: the audio runs the platform sent it, each at
// the platform time it started playing, cut where the platform stopped it.
// Runs keep references to the sender's sample arrays (prompt caches share
// them), so a call that hears a cached prompt costs a few small objects, and
// silence costs nothing: gaps are implied by the start times.
import { FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE, type Annotation } from '../../media/frame.ts';
import { runDurationMs, type FrameRun } from '../driver.ts';

export interface HeardRun {
  /** Order of arrival among everything that happened on the leg. */
  seq: number;
  start: number;
  durationMs: number;
  samples: Int16Array;
  annotation?: Annotation;
}

export class Earpiece {
  readonly runs: HeardRun[] = [];
  /** When the last queued run will have played. */
  tail = 0;

  /** Queue `run` after what is queued (or now); returns when it will have played. */
  receive(run: FrameRun, now: number, seq: number): HeardRun {
    const start = Math.max(now, this.tail);
    const heard: HeardRun = { seq, start, durationMs: runDurationMs(run), samples: run.samples, annotation: run.annotation };
    this.runs.push(heard);
    this.tail = start + heard.durationMs;
    return heard;
  }

  /** Drop what has not played by `at`; a run playing at `at` is cut there. */
  cutAt(at: number): void {
    if (this.tail <= at) return;
    while (this.runs.length > 0 && this.runs[this.runs.length - 1]!.start >= at) this.runs.pop();
    const last = this.runs[this.runs.length - 1];
    if (last && last.start + last.durationMs > at) {
      const ms = Math.floor((at - last.start) / FRAME_MS) * FRAME_MS;
      last.durationMs = ms;
      last.samples = last.samples.subarray(0, Math.min(last.samples.length, (ms / FRAME_MS) * FRAME_SAMPLES));
    }
    this.tail = at;
  }

  /** The received audio from `from` to `to` (platform times) as one PCM array; silence where nothing played. */
  render(from: number, to: number): Int16Array {
    const out = new Int16Array(Math.max(0, Math.round(((to - from) * SAMPLE_RATE) / 1000)));
    for (const r of this.runs) {
      const offset = Math.round(((r.start - from) * SAMPLE_RATE) / 1000);
      if (offset >= out.length) break;
      const room = out.length - offset;
      out.set(r.samples.length > room ? r.samples.subarray(0, room) : r.samples, offset);
    }
    return out;
  }
}
