// An AudioOut for a leg that has no media path yet (an outbound leg still
// looking up where it goes): it keeps the queue's time as a real one would,
// and plays to nobody.
import type { Clock } from '../clock/clock.ts';
import { runDurationMs, type AudioOut, type FrameRun } from './driver.ts';

export class NoMedia implements AudioOut {
  private tail = 0;
  constructor(private readonly clock: Clock) {}
  send(run: FrameRun): number {
    this.tail = Math.max(this.clock.now(), this.tail) + runDurationMs(run);
    return this.tail;
  }
  clear(): void {
    this.tail = Math.min(this.tail, this.clock.now());
  }
  mix(): void {}
  get playingUntil(): number {
    return this.tail;
  }
}
