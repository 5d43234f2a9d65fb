// What the platform plays toward a call's far end, for those who fork it
// (recordings of the whole session, streams with the outbound track). Audio
// is queued on the leg through here so nothing sent is missed; runs still
// playing when a listener joins are replayed to it, so a recording started in
// the middle of a prompt has the rest of the prompt. DTMF sent with
// `Leg.sendDigits` is not audio on every network (RFC 2833 in SIP) and is
// not forked.
import type { FrameRun, Leg } from '../telephony/driver.ts';
import { runDurationMs } from '../telephony/driver.ts';

export interface FarEndListener {
  /** `run` plays toward the far end from platform time `start`. */
  queued(run: FrameRun, start: number): void;
  /** What had not played by `at` was dropped. */
  cut(at: number): void;
}

interface Playing {
  run: FrameRun;
  start: number;
  end: number;
}

export class FarEndAudio {
  private listeners: Set<FarEndListener> | undefined;
  private playing: Playing[] = [];

  /** Queue `run` on `leg` after what is queued; returns the platform time it will have played. */
  send(leg: Leg, run: FrameRun, now: number): number {
    const until = leg.audio.send(run);
    const start = until - runDurationMs(run);
    // A leg without media (not answered, no early media) drops what it is sent.
    if (start < now || run.samples.length === 0) return until;
    this.playing = this.playing.filter((p) => p.end > now);
    this.playing.push({ run, start, end: until });
    if (this.listeners) for (const l of this.listeners) l.queued(run, start);
    return until;
  }

  /** Drop everything queued on `leg` that has not played by `now`. */
  clear(leg: Leg, now: number): void {
    leg.audio.clear();
    this.playing = this.playing.filter((p) => p.start < now);
    for (const p of this.playing) p.end = Math.min(p.end, now);
    if (this.listeners) for (const l of this.listeners) l.cut(now);
  }

  /** Follow what is sent from now on (and what is still playing); the returned function stops it. */
  listen(l: FarEndListener, now: number): () => void {
    for (const p of this.playing) if (p.end > now) l.queued(p.run, p.start);
    (this.listeners ??= new Set()).add(l);
    return () => this.listeners?.delete(l);
  }
}
