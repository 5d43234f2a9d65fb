// The live-call media API: play audio files or speak text to a call, the
// leg a Dial bridged it to, or both (with length, loop), stop either, and
// send DTMF to either leg. What the API plays takes
// over the call's audio: whatever the XML was playing is cut, and the
// document's next prompts follow the API's audio. The call's own audio (the
// bridged party, the conference) is heard with it, sample-added (mix, the
// default), or with mix=false not heard at all until it ends or is stopped
// (dropped, not delayed): see FarEndAudio.carry. A file that cannot be
// fetched or decoded is skipped with an entry in the call's log.
import type { Timer } from '../../clock/clock.ts';
import { ApiError } from '../../errors.ts';
import { msToSamples } from '../../media/pcm.ts';
import type { Scope } from '../../platform/scope.ts';
import type { FrameRun } from '../../telephony/driver.ts';
import type { Call } from '../engine/call.ts';
import type { Calls } from './calls.ts';
import type { Engine } from '../engine/engine.ts';
import type { Front } from '../engine/far-end-audio.ts';
import { DTMF_TONE_MS } from '../defaults.ts';

export type Legs = 'aleg' | 'bleg' | 'both';

export interface PlayInput {
  /** One URL or several separated by commas. */
  urls: string;
  /** Seconds, at most, of playing (all loops together). */
  length?: number;
  legs?: Legs;
  loop?: boolean;
  /** Whether the call's own audio (a bridged party, a conference) is heard mixed with this one (default) or not at all while it plays. */
  mix?: boolean;
}

export interface SpeakInput {
  text: string;
  voice?: string;
  language?: string;
  legs?: Legs;
  loop?: boolean;
  /** As for PlayInput. */
  mix?: boolean;
}

export interface DigitsInput {
  digits: string;
  leg?: 'aleg' | 'bleg';
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
  /** What the API plays, per addressed call (a bridged leg's players belong to the call that was addressed). */
  private readonly players = new Map<string, { play: Player[]; speak: Player[] }>();

  constructor(
    private readonly engine: Engine,
    private readonly calls: Calls,
  ) {}

  /** The answered legs `legs` names: the call (aleg), the call a Dial bridged it to (bleg), or both. */
  private targets(scope: Scope, uuid: string, legs: Legs | undefined): { call: Call; legs: Call[] } {
    const call = this.calls.liveCall(scope, uuid);
    if (!call.isAnswered) throw new ApiError(400, `call ${uuid} is ${call.status}: audio can be played once it is answered`);
    if (!legs || legs === 'aleg') return { call, legs: [call] };
    const b = call.bridgedTo;
    if (!b?.live) throw new ApiError(400, `call ${uuid} has no bridged leg (legs=${legs}); use legs=aleg`);
    return { call, legs: legs === 'bleg' ? [b] : [call, b] };
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

  private stop(scope: Scope, uuid: string, kind: 'play' | 'speak'): void {
    const call = this.calls.liveCall(scope, uuid);
    const slots = this.players.get(call.uuid);
    if (!slots) return;
    for (const p of slots[kind]) p.stop();
    slots[kind] = [];
  }

  /** Fetches the files, then plays them (resolves once they play). */
  async play(scope: Scope, uuid: string, input: PlayInput): Promise<void> {
    const urls = input.urls
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== '');
    if (urls.length === 0) throw new ApiError(400, 'urls must name at least one mp3 or wav URL (several separated by commas)');
    for (const u of urls) if (!/^https?:\/\/\S+$/i.test(u)) throw new ApiError(400, `urls must be http(s) URLs separated by commas (got "${u}")`);
    const { call, legs } = this.targets(scope, uuid, input.legs);
    const runs: FrameRun[] = [];
    for (const url of urls) {
      try {
        runs.push({ samples: await this.engine.clock.track(this.engine.media.audioFile(url)), annotation: { type: 'play', url } });
      } catch (err) {
        this.engine.log(call, { kind: 'error', message: `Play API: cannot play ${url}: ${err instanceof Error ? err.message : String(err)}`, data: { url } });
      }
    }
    if (!call.live) return;
    const lengthMs = input.length === undefined ? undefined : input.length * 1000;
    this.replace(call, 'play', legs.map((leg) => new Player(leg, this.engine, runs, input.loop ?? false, lengthMs, input.mix ?? true)));
  }

  stopPlay(scope: Scope, uuid: string): void {
    this.stop(scope, uuid, 'play');
  }

  async speak(scope: Scope, uuid: string, input: SpeakInput): Promise<void> {
    const voice = input.voice ?? 'WOMAN';
    if (!/^(WOMAN|MAN)$/i.test(voice) && !/^Polly\.[A-Za-z0-9_-]+$/.test(voice)) throw new ApiError(400, `voice must be WOMAN, MAN or an Amazon Polly voice such as Polly.Joanna (got "${voice}")`);
    const language = input.language ?? 'en-US';
    const { call, legs } = this.targets(scope, uuid, input.legs);
    const v = /^(wo)?man$/i.test(voice) ? voice.toUpperCase() : voice;
    const samples = await this.engine.clock.track(this.engine.media.speech({ text: input.text, voice: v, language }));
    if (!call.live) return;
    const run: FrameRun = { samples, annotation: { type: 'speak', text: input.text, voice: v, language } };
    this.replace(call, 'speak', legs.map((leg) => new Player(leg, this.engine, [run], input.loop ?? false, undefined, input.mix ?? true)));
  }

  stopSpeak(scope: Scope, uuid: string): void {
    this.stop(scope, uuid, 'speak');
  }

  sendDigits(scope: Scope, uuid: string, input: DigitsInput): void {
    const { legs } = this.targets(scope, uuid, input.leg);
    legs[0]!.leg?.sendDigits(input.digits, DTMF_TONE_MS);
  }
}
