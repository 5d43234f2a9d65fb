// Drives a worker's steps from a clock: every step whose time has come runs,
// in order, each exactly once. A worker that fell behind (a long GC pause,
// the machine starved) runs at most `maxCatchUp` overdue steps back to back
// (default: 100 ms worth) and skips the rest: bursting a second of packets
// at once helps no far end, while skipped steps just drop the audio queued
// for them, so every queue stays where its main thread expects it.
import { PHASE_MS, PHASES } from './rtp-time.ts';

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

  /**
   * Run the steps that are due; returns how long until the next one (ms, ≥ 0).
   * When some were due, the steps after them up to `groupEnd(first due)` run
   * early in the same wake-up (a group of small steps, StepGroups): at most
   * PHASES steps from the first, so no session ticks twice in one wake-up.
   */
  run(groupEnd?: (first: number) => number): number {
    const now = this.now();
    const due = Math.floor((now - this.t0) / this.periodMs);
    if (due - this.next >= this.maxCatchUp) {
      const resume = due - this.maxCatchUp + 1;
      this.skipped += resume - this.next;
      this.next = resume;
    }
    if (this.next > due) return this.t0 + this.next * this.periodMs - now;
    const first = this.next;
    while (this.next <= due) this.step(this.next++);
    if (groupEnd) {
      const end = Math.min(groupEnd(first), first + PHASES - 1);
      while (this.next <= end) this.step(this.next++);
    }
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

/**
 * The most work a worker does in one wake-up by running small steps early
 * (ms, estimated): one step's time. Past it the phases stay apart, each
 * step its own wake-up, so a busy worker's sends still go out a phase at a
 * time and it never holds its core longer than a phase's work.
 */
export const GROUP_BUDGET_MS = PHASE_MS;
/** A session tick's work as first estimated (ms), before a wake-up with enough sessions was measured: on the high side. */
const FIRST_TICK_MS = 0.025;
/** Wake-ups with fewer session ticks than this say little about a tick's cost (the step's fixed work dominates). */
const MEASURED_MIN_TICKS = 16;
/** How far each measured wake-up moves the estimate. */
const TICK_MS_WEIGHT = 0.05;

/**
 * Which steps a worker runs together in one wake-up. A real-time worker
 * wakes on time for every step and runs alone, preempting whatever ran on
 * its core; with few sessions a step is a fraction of a millisecond of
 * work, and the wake-up itself — the timer, the exact nap, the caches the
 * preempted thread and the worker lose — costs about as much. So when a
 * group of phases is small, its steps run in one wake-up at the time of its
 * first: the later phases' packets leave 5–15 ms before their time (never
 * after it) and their frames play out that much earlier, at the same offset
 * tick after tick, which a far end's jitter buffer does not notice. The
 * groups are aligned (phases 0–3, or 0–1 and 2–3), so while a worker's load
 * stays the same every session keeps its own offset; the widest whose
 * estimated work fits GROUP_BUDGET_MS is taken, else each step alone.
 */
export class StepGroups {
  /** A session tick's estimated work (ms), from the wake-ups measured. */
  tickMs = FIRST_TICK_MS;

  constructor(private readonly budgetMs = GROUP_BUDGET_MS) {}

  /** The last step of the group step `first` is in, `sessions(m)` being how many sessions step m ticks. */
  end(first: number, sessions: (step: number) => number): number {
    for (let size = PHASES; size > 1; size /= 2) {
      const start = first - (first % size);
      let ticks = 0;
      for (let m = start; m < start + size; m++) ticks += sessions(m);
      if (ticks * this.tickMs <= this.budgetMs) return start + size - 1;
    }
    return first;
  }

  /** A wake-up ticked `ticks` sessions in `ms`: the estimate moves towards it. */
  measured(ticks: number, ms: number): void {
    if (ticks >= MEASURED_MIN_TICKS) this.tickMs += (ms / ticks - this.tickMs) * TICK_MS_WEIGHT;
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
