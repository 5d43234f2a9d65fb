// Media on a live call, by the API or a flow: play audio files or speak
// text to a call, the leg a Dial bridged it to, or both (with length, loop),
// stop either, and send DTMF to either leg. What is played this way takes
// over the call's audio: whatever the XML was playing is cut, and the
// document's next prompts follow this audio. The call's own audio (the
// bridged party, the conference) is heard with it, sample-added (mix, the
// default), or with mix=false not heard at all until it ends or is stopped
// (dropped, not delayed): see FarEndAudio.carry. A file that cannot be
// fetched or decoded is skipped with an entry in the call's log. The live
// call media API (call-media-api.ts) reads its parameters over these.
import type { Timer } from '../../clock/clock.ts';
import { ApiError } from '../../errors.ts';
import { msToSamples } from '../../media/pcm.ts';
import type { FrameRun } from '../../telephony/driver.ts';
import type { Call } from '../engine/call.ts';
import type { Engine } from '../engine/engine.ts';
import type { Front } from '../engine/far-end-audio.ts';
import { DTMF_TONE_MS } from '../defaults.ts';

export type Legs = 'aleg' | 'bleg' | 'both';

export interface PlaySound {
  urls: readonly string[];
  /** The call (aleg, the default), the call a Dial bridged it to (bleg), or both. */
  legs?: Legs;
  /** Seconds, at most, of playing (all loops together). */
  lengthS?: number;
  loop?: boolean;
  /** Whether the call's own audio (a bridged party, a conference) is heard mixed with this one (default) or not at all while it plays. */
  mix?: boolean;
}

export interface SpeakSound {
  text: string;
  voice: string;
  language: string;
  legs?: Legs;
  loop?: boolean;
  /** As for PlaySound. */
  mix?: boolean;
}

/** One API sound on a call: its runs played in order, again and again when looping, within a length; in front of the call's own audio while it plays. */
class Player implements Front {
  private timer: Timer | undefined;
  private until = 0;
  private left: number;
  private leaveFront: (() => void) | undefined;

  constructor(
    private readonly call: Call,
    private readonly engine: Engine,
    private readonly runs: readonly FrameRun[],
    private readonly loop: boolean,
    lengthMs: number | undefined,
    readonly mix: boolean,
  ) {
    this.left = lengthMs === undefined ? Infinity : msToSamples(lengthMs);
  }

  start(): void {
    const leg = this.call.leg;
    const now = this.engine.clock.now();
    if (leg && leg.audio.playingUntil > now) this.call.farEnd.clear(leg, now);
    this.leaveFront = this.call.farEnd.putInFront(this);
    this.next();
  }

  /** Queue one pass over the runs (cut at the length left), and the next pass when it ends. */
  private next(): void {
    const leg = this.call.leg;
    if (!leg || !this.call.live) return this.leaveFront?.();
    let queued = 0;
    for (const run of this.runs) {
      if (this.left <= 0) break;
      const samples = run.samples.length > this.left ? run.samples.subarray(0, this.left) : run.samples;
      this.left -= samples.length;
      queued += samples.length;
      this.until = this.call.farEnd.send(leg, { samples, annotation: run.annotation }, this.engine.clock.now());
    }
    if (queued === 0) return this.leaveFront?.();
    // The player is busy until its audio has played (the sandbox waits on that); then it loops or ends.
    const again = this.loop && this.left > 0;
    this.timer = this.engine.timers.after(this.until - this.engine.clock.now(), () => (again ? this.next() : this.leaveFront?.()));
  }

  stop(): void {
    this.timer?.cancel();
    this.leaveFront?.();
    const leg = this.call.leg;
    const now = this.engine.clock.now();
    if (leg && this.until > now) this.call.farEnd.clear(leg, now);
    this.until = now;
  }
}

export class CallMedia {
  /** What is played, per addressed call (a bridged leg's players belong to the call that was addressed). */
  private readonly players = new Map<string, { play: Player[]; speak: Player[] }>();

  constructor(private readonly engine: Engine) {}

  /** The answered legs `legs` names: the call (aleg), the call a Dial bridged it to (bleg), or both. */
  private targets(call: Call, legs: Legs | undefined): Call[] {
    if (!call.isAnswered) throw new ApiError(400, `call ${call.uuid} is ${call.status}: audio can be played once it is answered`);
    if (!legs || legs === 'aleg') return [call];
    const b = call.bridgedTo;
    if (!b?.live) throw new ApiError(400, `call ${call.uuid} has no bridged leg (legs=${legs}); use legs=aleg`);
    return legs === 'bleg' ? [b] : [call, b];
  }

  private replace(call: Call, kind: 'play' | 'speak', players: Player[]): void {
    let slots = this.players.get(call.uuid);
    if (!slots) {
      this.players.set(call.uuid, (slots = { play: [], speak: [] }));
      call.onEnd(() => {
        const s = this.players.get(call.uuid);
        for (const p of [...(s?.play ?? []), ...(s?.speak ?? [])]) p.stop();
        this.players.delete(call.uuid);
      });
    }
    for (const p of slots[kind]) p.stop();
    slots[kind] = players;
    for (const p of players) p.start();
  }

  private stop(call: Call, kind: 'play' | 'speak'): void {
    const slots = this.players.get(call.uuid);
    if (!slots) return;
    for (const p of slots[kind]) p.stop();
    slots[kind] = [];
  }

  /** Fetches the files, then plays them (resolves once they play). */
  async play(call: Call, p: PlaySound): Promise<void> {
    const legs = this.targets(call, p.legs);
    const runs: FrameRun[] = [];
    for (const url of p.urls) {
      try {
        runs.push({ samples: await this.engine.clock.track(this.engine.media.audioFile(url)), annotation: { type: 'play', url } });
      } catch (err) {
        this.engine.log(call, { kind: 'error', message: `Play API: cannot play ${url}: ${err instanceof Error ? err.message : String(err)}`, data: { url } });
      }
    }
    if (!call.live) return;
    const lengthMs = p.lengthS === undefined ? undefined : p.lengthS * 1000;
    this.replace(call, 'play', legs.map((leg) => new Player(leg, this.engine, runs, p.loop ?? false, lengthMs, p.mix ?? true)));
  }

  stopPlay(call: Call): void {
    this.stop(call, 'play');
  }

  /** Synthesizes the text, then speaks it (resolves once it plays). */
  async speak(call: Call, s: SpeakSound): Promise<void> {
    const legs = this.targets(call, s.legs);
    const samples = await this.engine.clock.track(this.engine.media.speech({ text: s.text, voice: s.voice, language: s.language }));
    if (!call.live) return;
    const run: FrameRun = { samples, annotation: { type: 'speak', text: s.text, voice: s.voice, language: s.language } };
    this.replace(call, 'speak', legs.map((leg) => new Player(leg, this.engine, [run], s.loop ?? false, undefined, s.mix ?? true)));
  }

  stopSpeak(call: Call): void {
    this.stop(call, 'speak');
  }

  /** DTMF toward the call (aleg, the default) or the call a Dial bridged it to (bleg). */
  sendDigits(call: Call, digits: string, leg?: 'aleg' | 'bleg'): void {
    this.targets(call, leg)[0]!.leg?.sendDigits(digits, DTMF_TONE_MS);
  }
}
