// What the platform plays toward a call's far end, for those who fork it
// (recordings of the whole session, streams with the outbound track). Audio
// is queued on the leg through here so nothing sent is missed; runs still
// playing when a listener joins are replayed to it, so a recording started in
// the middle of a prompt has the rest of the prompt. DTMF sent with
// `Leg.sendDigits` is not audio on every network (RFC 2833 in SIP) and is
// not forked.
//
// The call's own audio (what a bridged party says, a conference's mix) comes
// through `carry`. While the live-call API plays a sound in front of it, that
// audio is mixed over the sound (mix=true) or not heard at all (mix=false):
// dropped, never queued behind the sound.
import { FRAME_MS, FRAME_SAMPLES } from '../../media/frame.ts';
import type { FrameRun, Leg } from '../../telephony/driver.ts';
import { runDurationMs } from '../../telephony/driver.ts';

export interface FarEndListener {
  /** `run` plays toward the far end from platform time `start`. */
  queued(run: FrameRun, start: number): void;
  /** What had not played by `at` was dropped (audio mixed over it that plays on is then queued again from there). */
  cut(at: number): void;
}

interface Playing {
  run: FrameRun;
  start: number;
  end: number;
  /** Mixed over the queue (`AudioOut.mix`): a clear leaves it playing. */
  mixed?: true;
}

/** A live-call API sound in front of the call's own audio, from its start until it ends or is stopped. */
export interface Front {
  /** The call's own audio is heard with it (true) or not at all meanwhile. */
  readonly mix: boolean;
}

export class FarEndAudio {
  private listeners: Set<FarEndListener> | undefined;
  private playing: Playing[] = [];
  private fronts: Set<Front> | undefined;

  /** Queue `run` on `leg` after what is queued; returns the platform time it will have played. */
  send(leg: Leg, run: FrameRun, now: number): number {
    const until = leg.audio.send(run);
    const start = until - runDurationMs(run);
    // A leg without media (not answered, no early media) drops what it is sent.
    if (start < now || run.samples.length === 0) return until;
    this.track({ run, start, end: until }, now);
    return until;
  }

  /** Drop everything queued on `leg` that has not played by `now`; what is mixed over it plays on. */
  clear(leg: Leg, now: number): void {
    leg.audio.clear();
    this.playing = this.playing.filter((p) => p.mixed || p.start < now);
    for (const p of this.playing) if (!p.mixed) p.end = Math.min(p.end, now);
    if (!this.listeners) return;
    for (const l of this.listeners) {
      l.cut(now);
      // A cut stops everything a listener has at a whole frame of each run: give back the rest of mixed runs.
      for (const p of this.playing) {
        if (!p.mixed || p.end <= now) continue;
        const ms = Math.floor((now - p.start) / FRAME_MS) * FRAME_MS;
        l.queued(ms === 0 ? p.run : { samples: p.run.samples.subarray((ms / FRAME_MS) * FRAME_SAMPLES) }, p.start + ms);
      }
    }
  }

  /** `front` plays from now until the returned function is called: the call's own audio gives way to it. */
  putInFront(front: Front): () => void {
    (this.fronts ??= new Set()).add(front);
    return () => this.fronts?.delete(front);
  }

  /** Whether a live-call API sound is in front of the call's own audio (which then is mixed over it or dropped, never queued). */
  get fronted(): boolean {
    return (this.fronts?.size ?? 0) > 0;
  }

  /**
   * The call's own audio toward `leg` (what a bridged party says, a
   * conference's mix) at `now`: queued, or while a live-call API sound is in
   * front, mixed over it, or dropped when any sound in front said mix=false
   * (a run that starts then is not heard at all).
   */
  carry(leg: Leg, run: FrameRun, now: number): void {
    if (!this.fronted) return void this.send(leg, run, now);
    for (const f of this.fronts ?? []) if (!f.mix) return;
    leg.audio.mix(run);
    if (run.samples.length === 0) return;
    this.track({ run, start: now, end: now + runDurationMs(run), mixed: true }, now);
  }

  /** `p` plays toward the far end: remembered while it plays (for listeners joining) and told to the listeners now. */
  private track(p: Playing, now: number): void {
    this.playing = this.playing.filter((q) => q.end > now);
    this.playing.push(p);
    if (this.listeners) for (const l of this.listeners) l.queued(p.run, p.start);
  }

  /** Follow what is sent from now on (and what is still playing); the returned function stops it. */
  listen(l: FarEndListener, now: number): () => void {
    for (const p of this.playing) if (p.end > now) l.queued(p.run, p.start);
    (this.listeners ??= new Set()).add(l);
    return () => this.listeners?.delete(l);
  }
}
