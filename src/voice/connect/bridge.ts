// Two answered calls connected: what each far end says reaches the other's
// leg, run by run, at the platform time it was said (a run that starts
// later than now is sent when it starts, so the other side hears it then
// and not early). While the live-call API plays on a leg, what the other
// side says is mixed over it or not heard, as the API asked (mix). Keys are
// not relayed here: the verb that bridges decides which keys it consumes
// (hangupOnStar, digitsMatch) and relays the rest.
import type { Timer, TimerGroup } from '../../clock/clock.ts';
import type { FrameRun } from '../../telephony/driver.ts';
import type { CallControl } from '../engine/call-control.ts';

export class Bridge {
  private readonly offs: Array<() => void> = [];
  private readonly pending = new Set<Timer>();

  constructor(
    private readonly timers: TimerGroup,
    a: CallControl,
    b: CallControl,
  ) {
    this.offs.push(a.onAudio((run, at) => this.carry(run, at, b)), b.onAudio((run, at) => this.carry(run, at, a)));
  }

  private carry(run: FrameRun, at: number, to: CallControl): void {
    const wait = at - this.timers.clock.now();
    if (wait <= 0) return this.send(run, to);
    const timer = this.timers.after(wait, () => {
      this.pending.delete(timer);
      this.send(run, to);
    });
    this.pending.add(timer);
  }

  private send(run: FrameRun, to: CallControl): void {
    to.carry(run, this.timers.clock.now());
  }

  /** Disconnect: nothing more is carried, audio in flight is dropped. */
  stop(): void {
    for (const off of this.offs.splice(0)) off();
    for (const t of this.pending) t.cancel();
    this.pending.clear();
  }
}
