// Drives a worker's ticks from a clock: every tick whose time has come runs,
// in order, each exactly once. A worker that fell behind (a long GC pause,
// the machine starved) runs at most `maxCatchUp` overdue ticks back to back
// (default 5: 100 ms) and skips the rest: bursting a second of packets at
// once helps no far end, while skipped ticks just drop the audio queued for
// them, so every queue stays where its main thread expects it.
import { TICK_MS } from './rtp-time.ts';

export const MAX_CATCH_UP = 5;

export class Pacer {
  /** The next tick to run. */
  next = 0;
  /** Ticks given up because the worker was too far behind. */
  skipped = 0;

  constructor(
    private readonly now: () => number,
    private readonly t0: number,
    private readonly tick: (n: number) => void,
    private readonly maxCatchUp = MAX_CATCH_UP,
  ) {}

  /** Run the ticks that are due; returns how long until the next one (ms, ≥ 0). */
  run(): number {
    const due = Math.floor((this.now() - this.t0) / TICK_MS);
    if (due - this.next >= this.maxCatchUp) {
      const resume = due - this.maxCatchUp + 1;
      this.skipped += resume - this.next;
      this.next = resume;
    }
    while (this.next <= due) this.tick(this.next++);
    return Math.max(0, this.t0 + this.next * TICK_MS - this.now());
  }
}
