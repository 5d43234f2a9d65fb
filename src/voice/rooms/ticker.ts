// One 20 ms tick for every room that has something to mix, on the platform
// clock: rooms that fall silent drop out, and with none left the ticker
// sleeps until audio arrives, so idle conferences cost nothing. Ticks fall
// on a fixed grid of platform time; how late each one fires is reported
// (the conference benchmark's measure).
import type { Clock, Timer } from '../../clock/clock.ts';
import { FRAME_MS } from '../../media/frame.ts';

export interface Tickable {
  /** Mix the window that ends at platform time `at`; false when there is nothing more to mix for now. */
  tick(at: number): boolean;
}

export class MixTicker {
  private readonly rooms = new Set<Tickable>();
  private timer: Timer | undefined;
  private due = 0;

  constructor(
    private readonly clock: Clock,
    /** Called after each tick with how late it fired (ms). */
    private readonly onTick?: (lateMs: number) => void,
  ) {}

  /** `room` has audio to mix: tick it from the next grid point on. */
  wake(room: Tickable): void {
    this.rooms.add(room);
    if (this.timer) return;
    const now = this.clock.now();
    this.schedule(Math.floor(now / FRAME_MS) * FRAME_MS + FRAME_MS, now);
  }

  private schedule(at: number, now: number): void {
    this.due = at;
    this.timer = this.clock.after(at - now, () => this.fire());
  }

  private fire(): void {
    const at = this.due;
    for (const room of this.rooms) if (!room.tick(at)) this.rooms.delete(room);
    const now = this.clock.now();
    this.onTick?.(now - at);
    this.timer = undefined;
    if (this.rooms.size === 0) return;
    // A tick that fired very late skips the windows it missed rather than bunching them.
    let next = at + FRAME_MS;
    if (next <= now) next = Math.floor(now / FRAME_MS) * FRAME_MS + FRAME_MS;
    this.schedule(next, now);
  }

  /** Stop ticking (shutdown). */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.rooms.clear();
  }
}
