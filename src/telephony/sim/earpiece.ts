// What reached a virtual phone: the audio runs the platform sent it, each at
// the platform time it started playing, cut where the platform stopped it,
// and the call's own audio mixed over them (a bridged party heard during a
// live-call Play), which plays on when the queue is cut.
// Runs keep references to the sender's sample arrays (prompt caches share
// them), so a call that hears a cached prompt costs a few small objects, and
// silence costs nothing: gaps are implied by the start times.
import { FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE, type Annotation } from '../../media/frame.ts';
import { clamp16 } from '../../media/pcm.ts';
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
  /** The queue: back to back, in order. */
  readonly runs: HeardRun[] = [];
  /** Mixed over the queue, in order of arrival. */
  readonly mixed: HeardRun[] = [];
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

  /** Play `run` from `now` over the queue, leaving the queue as it is. */
  mix(run: FrameRun, now: number, seq: number): HeardRun {
    const heard: HeardRun = { seq, start: now, durationMs: runDurationMs(run), samples: run.samples, annotation: run.annotation };
    this.mixed.push(heard);
    return heard;
  }

  /** Drop what is queued and has not played by `at`; a run playing at `at` is cut there. What is mixed over it plays on. */
  cutAt(at: number): void {
    if (this.tail <= at) return;
    cut(this.runs, at);
    this.tail = at;
  }

  /** Nothing more is heard from `at` (the call ended): the queue and what is mixed over it stop. */
  endAt(at: number): void {
    this.cutAt(at);
    cut(this.mixed, at);
  }

  /** Everything heard, by start (what started at one instant in the order it arrived). */
  heard(): readonly HeardRun[] {
    if (this.mixed.length === 0) return this.runs;
    return [...this.runs, ...this.mixed].sort((a, b) => a.start - b.start || a.seq - b.seq);
  }

  /** The received audio from `from` to `to` (platform times) as one PCM array, mixed runs added in; silence where nothing played. */
  render(from: number, to: number): Int16Array {
    const out = new Int16Array(Math.max(0, Math.round(((to - from) * SAMPLE_RATE) / 1000)));
    for (const r of this.runs) {
      const at = within(r, from, out.length);
      if (at === 'after') break;
      if (!at) continue;
      const room = out.length - at.offset;
      out.set(at.samples.length > room ? at.samples.subarray(0, room) : at.samples, at.offset);
    }
    for (const r of this.mixed) {
      const at = within(r, from, out.length);
      if (at === 'after') break;
      if (!at) continue;
      const n = Math.min(at.samples.length, out.length - at.offset);
      for (let i = 0; i < n; i++) out[at.offset + i] = clamp16(out[at.offset + i]! + at.samples[i]!);
    }
    return out;
  }
}

/** Where a run lands in a window starting at `from` of `length` samples: its part from the window's start on, 'after' the window, or undefined before it. */
function within(r: HeardRun, from: number, length: number): { offset: number; samples: Int16Array } | 'after' | undefined {
  const offset = Math.round(((r.start - from) * SAMPLE_RATE) / 1000);
  if (offset >= length) return 'after';
  if (offset >= 0) return { offset, samples: r.samples };
  return -offset < r.samples.length ? { offset: 0, samples: r.samples.subarray(-offset) } : undefined;
}

/** Runs one after another (a queue, or one source's audio mixed over it): drop those starting at `at` or later, cut the one playing then. */
function cut(runs: HeardRun[], at: number): void {
  while (runs.length > 0 && runs[runs.length - 1]!.start >= at) runs.pop();
  const last = runs[runs.length - 1];
  if (last && last.start + last.durationMs > at) {
    const ms = Math.floor((at - last.start) / FRAME_MS) * FRAME_MS;
    last.durationMs = ms;
    last.samples = last.samples.subarray(0, Math.min(last.samples.length, (ms / FRAME_MS) * FRAME_SAMPLES));
  }
}
