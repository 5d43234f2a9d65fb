// Drives a worker's steps from a clock: every step whose time has come runs,
// in order, each exactly once. A worker that fell behind (a long GC pause,
// the machine starved) runs at most `maxCatchUp` overdue steps back to back
// (default: 100 ms worth) and skips the rest: bursting a second of packets
// at once helps no far end, while skipped steps just drop the audio queued
// for them, so every queue stays where its main thread expects it.
import { PHASE_MS } from './rtp-time.ts';

/** Overdue steps a worker runs back to back before it skips (100 ms). */
export const MAX_CATCH_UP = 100 / PHASE_MS;

export class Pacer {
  /** The next step to run. */
  next = 0;
  /** Steps given up because the worker was too far behind. */
  skipped = 0;

  constructor(
    private readonly now: () => number,
    private readonly t0: number,
    private readonly step: (n: number) => void,
    private readonly maxCatchUp = MAX_CATCH_UP,
    private readonly periodMs = PHASE_MS,
  ) {}

  /** Run the steps that are due; returns how long until the next one (ms, ≥ 0). */
  run(): number {
    const due = Math.floor((this.now() - this.t0) / this.periodMs);
    if (due - this.next >= this.maxCatchUp) {
      const resume = due - this.maxCatchUp + 1;
      this.skipped += resume - this.next;
      this.next = resume;
    }
    while (this.next <= due) this.step(this.next++);
    return Math.max(0, this.t0 + this.next * this.periodMs - this.now());
  }

  /**
   * How long until the first step from the next on that `busy` says has
   * work (ms, ≥ 0), looking half the catch-up limit ahead at most: a worker
   * sleeps through steps with nothing to do (running them later costs
   * nothing, and they stay within the limit, so none counts as skipped).
   */
  untilBusy(busy: (step: number) => boolean): number {
    const last = this.next + Math.floor(this.maxCatchUp / 2);
    let k = this.next;
    while (k < last && !busy(k)) k++;
    return Math.max(0, this.t0 + k * this.periodMs - this.now());
  }
}

/** Step work times are counted in buckets of this (ms) … */
export const STEP_BUCKET_MS = 0.1;
/** … up to 10 ms (the last bucket: anything longer). */
export const STEP_BUCKETS = 100;
/** A step that starts more than this after its time counts as late (ms). */
export const LATE_STEP_MS = 1;

/** How full a worker's steps are and how many started late: what sets its tail (bench:sip-media prints it). */
export interface StepStats {
  /** Steps with work run. */
  steps: number;
  /** Of those, the ones that started more than LATE_STEP_MS after their time. */
  late: number;
  /** Steps by their work time: bucket i counts [i, i + 1) × STEP_BUCKET_MS. */
  work: number[];
}

export class StepMeter {
  private steps = 0;
  private late = 0;
  private readonly work = new Uint32Array(STEP_BUCKETS);

  /** A run of `steps` steps with work (`late` of them started late) that took `ms`: each step is counted with its share. */
  record(steps: number, late: number, ms: number): void {
    this.steps += steps;
    this.late += late;
    this.work[Math.min(STEP_BUCKETS - 1, Math.floor(ms / steps / STEP_BUCKET_MS))]! += steps;
  }

  snapshot(reset: boolean): StepStats {
    const out = { steps: this.steps, late: this.late, work: [...this.work] };
    if (reset) {
      this.steps = 0;
      this.late = 0;
      this.work.fill(0);
    }
    return out;
  }
}
