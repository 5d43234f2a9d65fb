// Answering machine detection on the far end's sound after answer, with the
// Call API's parameters (the model of Asterisk's AMD, whose parameters they
// mirror). Sound stretches closer than WORD_GAP_MS are one word; shorter
// than MIN_WORD_MS they are noise (a click, a breath). Then, in time order:
// - no word within machine_detection_initial_silence of answer: Unknown
//   (as the platform documents);
// - a word longer than machine_detection_maximum_speech_length, more words
//   than machine_detection_maximum_words, or a greeting (the words from the
//   first until a silence of machine_detection_silence) spoken for longer
//   than machine_detection_initial_greeting: a machine, decided the moment
//   the limit is passed;
// - a greeting within those limits followed by machine_detection_silence of
//   quiet: a person;
// - nothing decided by machine_detection_time: Unknown.
// Sound may be reported ahead of time (a sandbox phone hands over a whole
// greeting at once): every decision is taken at the platform time it
// happens, from what has been heard by then.
import type { Timer, TimerGroup } from '../../clock/clock.ts';
import type { HttpMethod } from './ports.ts';

/** The Call API's machine detection settings. */
export interface MachineDetection {
  /** 'hangup' ends the call when a machine answers. */
  mode: 'true' | 'hangup';
  timeMs: number;
  /** Where the verdict is sent (asynchronous detection: the call goes on meanwhile). */
  url?: { url: string; method: HttpMethod };
  maxSpeechMs: number;
  initialSilenceMs: number;
  maxWords: number;
  initialGreetingMs: number;
  silenceMs: number;
}

export type MachineVerdict = 'machine' | 'person' | 'unknown';

export interface MachineDecision {
  verdict: MachineVerdict;
  /** Platform time it is decided. */
  at: number;
  /** Why, for the call's log. */
  reason: string;
}

/** Sound stretches closer than this are one word. */
export const WORD_GAP_MS = 100;
/** Sound shorter than this is not a word. */
export const MIN_WORD_MS = 100;

export interface Word {
  start: number;
  end: number;
}

/**
 * The first decision the words heard so far lead to (assuming quiet after
 * them), counted from `from` (the answer).
 */
export function firstDecision(heard: readonly Word[], cfg: MachineDetection, from: number): MachineDecision {
  const limit = from + cfg.timeMs;
  const words = heard.filter((w) => w.end - w.start >= MIN_WORD_MS && w.end > from).map((w) => ({ start: Math.max(w.start, from), end: w.end }));
  const decision = wordsDecide(words, cfg, from);
  if (decision.at <= limit) return decision;
  return { verdict: 'unknown', at: limit, reason: `nothing decided within machine_detection_time (${cfg.timeMs} ms)` };
}

function wordsDecide(words: readonly Word[], cfg: MachineDetection, from: number): MachineDecision {
  const first = words[0];
  if (!first || first.start >= from + cfg.initialSilenceMs) {
    return { verdict: 'unknown', at: from + cfg.initialSilenceMs, reason: `no speech within machine_detection_initial_silence (${cfg.initialSilenceMs} ms)` };
  }
  const greeting = first.start;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const limits: MachineDecision[] = [];
    if (i + 1 > cfg.maxWords) limits.push({ verdict: 'machine', at: Math.min(w.end, w.start + MIN_WORD_MS), reason: `more than machine_detection_maximum_words (${cfg.maxWords}) words` });
    if (w.end - w.start > cfg.maxSpeechMs) limits.push({ verdict: 'machine', at: w.start + cfg.maxSpeechMs, reason: `speech longer than machine_detection_maximum_speech_length (${cfg.maxSpeechMs} ms)` });
    if (w.end - greeting > cfg.initialGreetingMs) {
      limits.push({ verdict: 'machine', at: Math.max(w.start, greeting + cfg.initialGreetingMs), reason: `a greeting longer than machine_detection_initial_greeting (${cfg.initialGreetingMs} ms)` });
    }
    if (limits.length > 0) return limits.reduce((a, b) => (b.at < a.at ? b : a));
    const next = words[i + 1];
    if (!next || next.start - w.end >= cfg.silenceMs) {
      return { verdict: 'person', at: w.end + cfg.silenceMs, reason: `a short greeting (${w.end - greeting} ms), then machine_detection_silence (${cfg.silenceMs} ms) of quiet` };
    }
  }
  throw new Error('unreachable: the last word always decides');
}

export class MachineDetector {
  private readonly words: Word[] = [];
  private timer: Timer | undefined;
  private done = false;

  constructor(
    private readonly cfg: MachineDetection,
    private readonly timers: TimerGroup,
    /** The answer: detection counts from here. */
    private readonly from: number,
    private readonly decide: (d: MachineDecision) => void,
  ) {
    this.plan();
  }

  /** The far end made sound from `start` to `end` (platform times). */
  sound(start: number, end: number): void {
    if (this.done) return;
    this.add(start, end);
    this.plan();
  }

  stop(): void {
    this.done = true;
    this.timer?.cancel();
  }

  /** Into the words, merging what lies within WORD_GAP_MS of a word. */
  private add(start: number, end: number): void {
    const ws = this.words;
    let i = ws.length;
    while (i > 0 && ws[i - 1]!.start > start) i--;
    ws.splice(i, 0, { start, end });
    const merged: Word[] = [];
    for (const w of ws) {
      const last = merged[merged.length - 1];
      if (last && w.start - last.end < WORD_GAP_MS) last.end = Math.max(last.end, w.end);
      else merged.push({ ...w });
    }
    ws.splice(0, ws.length, ...merged);
  }

  /**
   * Set the timer for the first decision; sound heard later moves it. Each
   * rule decides only on what has been heard by its moment (a word is
   * known to go on past a limit while it is sounding there), so knowing
   * sound ahead of time changes no verdict.
   */
  private plan(): void {
    const d = firstDecision(this.words, this.cfg, this.from);
    this.timer?.cancel();
    this.timer = this.timers.after(Math.max(0, d.at - this.timers.clock.now()), () => this.finish(d));
  }

  private finish(d: MachineDecision): void {
    if (this.done) return;
    this.stop();
    this.decide(d);
  }
}
