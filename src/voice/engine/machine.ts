// Answering machine detection on the far end's audio after answer: a long
// first utterance (over `initialGreetingMs`) or more utterances than
// `maxWords` means a machine; a short greeting followed by `silenceMs` of
// quiet, or `initialSilenceMs` without a sound, means a person; at
// `timeMs` whatever is known decides (speech still going: machine).
import type { Timer, TimerGroup } from '../../clock/clock.ts';
import type { MachineDetection } from './call.ts';

export class MachineDetector {
  private speechStart: number | undefined;
  private speechEnd = 0;
  private utterances = 0;
  private done = false;
  private pending: Timer | undefined;
  private readonly limit: Timer;
  private readonly quiet: Timer;

  constructor(
    private readonly cfg: MachineDetection,
    private readonly timers: TimerGroup,
    private readonly decide: (machine: boolean) => void,
  ) {
    this.quiet = timers.after(cfg.initialSilenceMs, () => {
      if (this.speechStart === undefined) this.verdict(false);
    });
    this.limit = timers.after(cfg.timeMs, () => this.verdict(this.speechStart !== undefined && this.speechEnd > timers.clock.now()));
  }

  /** The far end sent audio from `start` to `end` (platform times). */
  hear(start: number, end: number): void {
    if (this.done) return;
    this.speechStart ??= start;
    this.speechEnd = Math.max(this.speechEnd, end);
    this.utterances++;
    const now = this.timers.clock.now();
    this.pending?.cancel();
    if (this.utterances > this.cfg.maxWords) return this.verdict(true);
    if (this.speechEnd - this.speechStart > this.cfg.initialGreetingMs || end - start > this.cfg.maxSpeechMs) {
      // Decided once the greeting has run longer than a person's would.
      this.pending = this.timers.after(Math.max(0, this.speechStart + this.cfg.initialGreetingMs - now), () => this.verdict(true));
      return;
    }
    this.pending = this.timers.after(Math.max(0, this.speechEnd + this.cfg.silenceMs - now), () => this.verdict(false));
  }

  stop(): void {
    this.done = true;
    this.pending?.cancel();
    this.limit.cancel();
    this.quiet.cancel();
  }

  private verdict(machine: boolean): void {
    if (this.done) return;
    this.stop();
    this.decide(machine);
  }
}
