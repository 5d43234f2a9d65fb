// One call leg of the sandbox carrier and the virtual phone at its far end.
// The platform side is the `Leg` the engine drives; the phone side answers,
// rings, presses keys, speaks and hangs up as its behaviour, its script or
// the sandbox API says, and keeps what it heard (its earpiece) and did.
// A call the platform places to one of its own numbers is a pair of legs,
// each the other's far end (loop-back): the inbound leg's progress is the
// outbound leg's, and what the platform sends on one is what the other's
// far end says.
import type { Timer, TimerGroup } from '../../clock/clock.ts';
import { dtmfTone } from '../../media/dtmf.ts';
import { wordsLastMs } from '../../media/frame.ts';
import { msToSamples } from '../../media/pcm.ts';
import { beep } from '../../media/tones.ts';
import { soundExtent } from '../../media/voice-activity.ts';
import type { AudioOut, EndedBy, FrameRun, Leg, LegDirection, LegObserver, LegState, NetworkCause, Tenant } from '../driver.ts';
import { runDurationMs } from '../driver.ts';
import { machineGreeting, type DtmfMode, type PhoneBehaviour, type PhoneMedia, type ScriptStep } from './behaviour.ts';
import { Earpiece, type HeardRun } from './earpiece.ts';
import { buildTranscript, heardSince, type OwnEvent, type TranscriptEvent } from './transcript.ts';

/** A key press on the phone's keypad: tone length and the pause before the next key. */
export const KEY_TONE_MS = 100;
export const KEY_GAP_MS = 100;

const ZEROS = new Int16Array(8000);
/** Silence for pauses, shared (runs are read-only). */
const silenceRun = (ms: number): FrameRun => ({ samples: ms <= 1000 ? ZEROS.subarray(0, msToSamples(ms)) : new Int16Array(msToSamples(ms)) });

const toneCache = new Map<string, Int16Array>();
/** A key's tone `ms` long, followed by `gapMs` of silence when asked (shared: read-only). */
function keyTone(digit: string, ms: number, gapMs = 0): Int16Array {
  const key = `${digit}:${ms}:${gapMs}`;
  let t = toneCache.get(key);
  if (!t) {
    t = new Int16Array(msToSamples(ms + gapMs));
    t.set(dtmfTone(digit, ms));
    toneCache.set(key, t);
  }
  return t;
}
const BEEP = beep();

export interface SimContext {
  timers: TimerGroup;
  media: PhoneMedia;
  /** Called once when the leg ends, after the observer. */
  retire(leg: SimLeg): void;
  /** Failures of the phone's own actions (a say the synthesizer refused …): logged, never thrown at the engine. */
  onError(leg: SimLeg, err: unknown): void;
}

/** A run sent on a loop-back leg, on its way to the peer until it starts playing. */
interface Relay {
  timer: Timer;
  start: number;
  /** Mixed over the queue: a clear leaves it playing. */
  mixed: boolean;
}

export interface SimLegInit {
  uuid: string;
  direction: LegDirection;
  from: string;
  to: string;
  tenant: Tenant;
  sipHeaders: Record<string, string>;
  /** Loop-back inbound legs: how many times the call has come back into the platform on its way here. */
  hops?: number;
}

export class SimLeg implements Leg, AudioOut {
  readonly uuid: string;
  readonly direction: LegDirection;
  readonly from: string;
  readonly to: string;
  readonly tenant: Tenant;
  readonly sipHeaders: Record<string, string>;
  readonly hops: number;
  readonly startedAt: number;
  /** A virtual phone says its words as labels. */
  readonly speechLabelled = true;
  state: LegState = 'trying';
  answeredAt: number | undefined;
  endedAt: number | undefined;
  endedBy: EndedBy | undefined;
  cause: NetworkCause | undefined;

  private observer: LegObserver | undefined;
  private ear: Earpiece | undefined;
  private readonly own: OwnEvent[] = [];
  private script: ScriptStep[] = [];
  /** How the phone sends its keys unless an action says otherwise. */
  private dtmfMode: DtmfMode = 'rfc4733';
  private step = 0;
  private armedAt = 0;
  private stepTimer: Timer | undefined;
  private ringTimer: Timer | undefined;
  /** When the keypad and the voice are free again (presses and speech queue up). */
  private keysUntil = 0;
  private voiceUntil = 0;
  private watchers: Set<() => void> | undefined;
  /** Orders what happens on the leg within one instant. */
  private seq = 0;
  /** Loop-back: the other leg of a call the platform placed to itself, until either ends. */
  private peer: SimLeg | undefined;
  private relays: Set<Relay> | undefined;

  constructor(
    private readonly ctx: SimContext,
    init: SimLegInit,
  ) {
    this.uuid = init.uuid;
    this.direction = init.direction;
    this.from = init.from;
    this.to = init.to;
    this.tenant = init.tenant;
    this.sipHeaders = init.sipHeaders;
    this.hops = init.hops ?? 0;
    this.startedAt = ctx.timers.clock.now();
  }

  /** The virtual phone's number: the called party of an outbound leg, the caller of an inbound one. */
  get phone(): string {
    return this.direction === 'outbound' ? this.to : this.from;
  }

  get audio(): AudioOut {
    return this;
  }

  private now(): number {
    return this.ctx.timers.clock.now();
  }

  // ---- platform side (Leg) ---------------------------------------------------

  attach(observer: LegObserver): void {
    this.observer = observer;
  }

  ring(): void {
    if (this.state !== 'trying') return;
    this.setState('ringing');
    this.peer?.progress('ringing');
  }

  preAnswer(): void {
    if (this.state !== 'trying' && this.state !== 'ringing') return;
    this.setState('early');
    this.peer?.progress('early');
  }

  answer(): void {
    if (this.state === 'ended' || this.state === 'answered') return;
    this.phoneAnswered();
    this.peer?.progress('answered');
  }

  hangup(cause: NetworkCause): void {
    this.end('platform', cause);
  }

  sendDigits(digits: string, toneMs: number): number {
    let until = this.playingUntil;
    for (const c of digits) {
      if (c === 'w') until = this.send(silenceRun(500));
      else if (c === 'W') until = this.send(silenceRun(1000));
      else {
        this.send({ samples: keyTone(c, toneMs), annotation: { type: 'dtmf', digit: c } });
        until = this.send(silenceRun(KEY_GAP_MS));
      }
    }
    return until;
  }

  // ---- audio toward the phone (AudioOut) --------------------------------------

  get playingUntil(): number {
    return this.ear?.tail ?? 0;
  }

  /** Media flows once the leg has early media or is answered. */
  private get media(): boolean {
    return this.state === 'early' || this.state === 'answered';
  }

  send(run: FrameRun): number {
    const now = this.now();
    if (!this.media) return now;
    this.ear ??= new Earpiece();
    const heard = this.ear.receive(run, now, this.seq++);
    this.heardNew(heard, now, false);
    return heard.start + heard.durationMs;
  }

  clear(): void {
    const now = this.now();
    this.ear?.cutAt(now);
    // What was cut before it started playing never reaches the peer.
    for (const r of this.relays ?? []) {
      if (r.mixed || r.start < now) continue;
      r.timer.cancel();
      this.relays!.delete(r);
    }
  }

  mix(run: FrameRun): void {
    const now = this.now();
    if (!this.media) return;
    this.ear ??= new Earpiece();
    this.heardNew(this.ear.mix(run, now, this.seq++), now, true);
  }

  /** A run queued (or mixed over the queue) for the phone: watchers, a loop-back peer and waiting script steps learn of it. */
  private heardNew(heard: HeardRun, now: number, mixed: boolean): void {
    if (this.waitingFor() || this.watchers?.size) this.lookAgainAtWordsEnd(heard, now);
    this.relay(heard, mixed);
    this.notify();
  }

  // ---- the phone's behaviour ------------------------------------------------

  /** Outbound: the carrier reaches the phone, which behaves as configured. */
  dial(b: PhoneBehaviour, observer: LegObserver): void {
    this.observer = observer;
    this.script = b.script;
    this.dtmfMode = b.dtmf_mode ?? 'rfc4733';
    if (this.state === 'ended') return;
    if (b.behaviour === 'unreachable') return this.end('far_end', 'DESTINATION_OUT_OF_ORDER');
    if (b.behaviour === 'busy') return this.end('far_end', 'USER_BUSY');
    this.progress('ringing');
    this.ringTimer = this.ctx.timers.after(b.ring_seconds * 1000, () => {
      this.ringTimer = undefined;
      switch (b.behaviour) {
        case 'reject':
          return this.end('far_end', 'CALL_REJECTED');
        case 'no_answer':
          return this.end('far_end', 'NO_ANSWER');
        case 'answer':
          return this.phoneAnswered();
        case 'machine':
          this.phoneAnswered();
          return void this.speakGreeting();
      }
    });
  }

  /** Inbound: the phone follows `script` once the platform answers, and sends its keys as `dtmfMode` says. */
  callWith(script: ScriptStep[], dtmfMode: DtmfMode = 'rfc4733'): void {
    this.script = script;
    this.dtmfMode = dtmfMode;
  }

  /** Outbound: the far end rings, opens early media or answers. */
  private progress(state: 'ringing' | 'early' | 'answered'): void {
    if (this.state === 'ended' || this.state === 'answered') return;
    if (state === 'answered') return this.phoneAnswered();
    this.setState(state);
    this.emit((o) => (state === 'ringing' ? o.ringing(this) : o.earlyMedia(this)));
  }

  private phoneAnswered(): void {
    this.answeredAt = this.now();
    this.setState('answered');
    this.own.push({ at: this.answeredAt, seq: this.seq++, type: 'answered' });
    this.emit((o) => o.answered(this));
    this.armStep();
  }

  private async speakGreeting(): Promise<void> {
    await this.say(machineGreeting(this.phone));
    if (this.state !== 'answered') return;
    this.deliver({ samples: BEEP, annotation: { type: 'beep' } }, this.voiceUntil);
  }

  // ---- the phone's actions (script and sandbox API) ----------------------------

  /**
   * The phone presses keys, sent as `mode` says (the phone's own mode
   * unless given): a signalled key reaches the platform when its tone ends;
   * keys sent in-band are their tones (and the pause after each) in the
   * phone's audio, after anything it is saying, which the platform must
   * hear for itself.
   */
  pressKeys(digits: string, toneMs = KEY_TONE_MS, mode: DtmfMode = this.dtmfMode): void {
    const now = this.now();
    let at = Math.max(now, this.keysUntil);
    if (mode !== 'rfc4733') at = Math.max(at, this.voiceUntil);
    this.own.push({ at: now, seq: this.seq++, type: 'dtmf_sent', digits });
    for (const c of digits) {
      if (c === 'w' || c === 'W') {
        at += c === 'w' ? 500 : 1000;
        continue;
      }
      const key = c;
      if (mode !== 'inband') {
        this.ctx.timers.after(at + toneMs - now, () => {
          if (this.state === 'answered' || this.state === 'early') this.observer?.dtmf(this, key);
        });
      }
      // The label is for transcripts of who hears it relayed; the platform goes by the tone.
      if (mode !== 'rfc4733') this.deliver({ samples: keyTone(key, toneMs, KEY_GAP_MS), annotation: { type: 'dtmf', digit: key } }, at);
      at += toneMs + KEY_GAP_MS;
    }
    this.keysUntil = at;
    this.notify();
  }

  /** The phone speaks: synthesized audio with the text as its annotation. */
  async say(text: string): Promise<void> {
    const samples = await this.ctx.timers.clock.track(this.ctx.media.speech(text));
    if (this.state !== 'answered' && this.state !== 'early') return;
    const start = Math.max(this.now(), this.voiceUntil);
    const run: FrameRun = { samples, annotation: { type: 'said', text } };
    this.own.push({ at: start, seq: this.seq++, type: 'said', text, duration_ms: runDurationMs(run) });
    this.deliver(run, start);
  }

  /** The phone plays an audio file into the call. */
  async play(url: string): Promise<void> {
    const samples = await this.ctx.timers.clock.track(this.ctx.media.audioFile(url));
    if (this.state !== 'answered' && this.state !== 'early') return;
    this.deliver({ samples, annotation: { type: 'play', url } }, Math.max(this.now(), this.voiceUntil));
  }

  private deliver(run: FrameRun, start: number): void {
    this.voiceUntil = Math.max(this.voiceUntil, start + runDurationMs(run));
    this.observer?.audio(this, run, start);
    this.notify();
  }

  /** The phone hangs up; a phone still ringing for the platform's call declines it. */
  hangUp(): void {
    const declined = this.direction === 'outbound' && this.answeredAt === undefined;
    this.end('far_end', declined ? 'CALL_REJECTED' : 'NORMAL_CLEARING');
  }

  // ---- loop-back ---------------------------------------------------------------

  /** Outbound: the platform takes this leg's call in itself on `inbound`; each leg is the other's far end from now on. */
  loopBack(inbound: SimLeg): void {
    this.peer = inbound;
    inbound.peer = this;
  }

  /**
   * A run sent on this leg reaches the peer's platform when it starts
   * playing (a timer per run, none per frame), so what is cut before it
   * starts is never heard there. Unannotated silence (pauses between keys)
   * is not relayed: the sandbox's phones send audio only when they make a sound.
   */
  private relay(heard: HeardRun, mixed: boolean): void {
    const peer = this.peer;
    if (!peer || (heard.annotation === undefined && soundExtent(heard.samples) === undefined)) return;
    const relays = (this.relays ??= new Set());
    const r: Relay = {
      start: heard.start,
      mixed,
      timer: this.ctx.timers.after(heard.start - this.now(), () => {
        relays.delete(r);
        peer.fromPeer({ samples: heard.samples, annotation: heard.annotation });
      }),
    };
    relays.add(r);
  }

  /** What the peer's platform sends is what this leg's far end says; its key tones are key presses, as a phone's keys are. */
  private fromPeer(run: FrameRun): void {
    if (!this.media) return;
    const a = run.annotation;
    const ms = runDurationMs(run);
    if (a?.type === 'dtmf') return this.pressKeys(a.digit, ms);
    const now = this.now();
    if (a?.type === 'speak' || a?.type === 'said') this.own.push({ at: now, seq: this.seq++, type: 'said', text: a.text, duration_ms: wordsLastMs(a, ms) });
    this.deliver(run, now);
  }

  /** What the peer's far end reports when this leg ends with `cause`. */
  private peerCause(cause: NetworkCause): NetworkCause {
    if (this.answeredAt !== undefined) return 'NORMAL_CLEARING';
    // Before answer the caller can only give up; the called platform refuses as it chose (busy, rejected …).
    if (this.direction === 'outbound') return 'ORIGINATOR_CANCEL';
    return cause === 'ORIGINATOR_CANCEL' ? 'CALL_REJECTED' : cause;
  }

  // ---- script ------------------------------------------------------------------

  private armStep(): void {
    const step = this.script[this.step];
    if (!step || this.state === 'ended') return;
    this.armedAt = this.now();
    if (step.on_hear === undefined) this.schedule(step);
    else this.checkHearing();
  }

  private waitingFor(): string | undefined {
    return this.stepTimer ? undefined : this.script[this.step]?.on_hear;
  }

  private checkHearing(): void {
    const want = this.waitingFor();
    if (want === undefined || this.state === 'ended') return;
    if (heardSince(this.ear, want, this.armedAt, this.now())) this.schedule(this.script[this.step]!);
  }

  private schedule(step: ScriptStep): void {
    this.stepTimer = this.ctx.timers.after(step.after_ms ?? 0, () => {
      this.stepTimer = undefined;
      this.step++;
      this.perform(step);
      this.armStep();
    });
  }

  private perform(step: ScriptStep): void {
    const failed = (err: unknown) => this.ctx.onError(this, err);
    switch (step.action) {
      case 'dtmf':
        return this.pressKeys(step.digits);
      case 'say':
        return void this.say(step.text).catch(failed);
      case 'play':
        return void this.play(step.url).catch(failed);
      case 'hangup':
        return this.hangUp();
    }
  }

  // ---- ending and watching -------------------------------------------------------

  private end(by: EndedBy, cause: NetworkCause): void {
    if (this.state === 'ended') return;
    const now = this.now();
    this.state = 'ended';
    this.endedAt = now;
    this.endedBy = by;
    this.cause = cause;
    this.ringTimer?.cancel();
    this.stepTimer?.cancel();
    this.ear?.endAt(now);
    this.own.push({ at: now, seq: this.seq++, type: 'hangup', by });
    this.emit((o) => o.ended(this, cause, by));
    // An ended leg is kept for its transcript; the engine's call must not be kept with it.
    this.observer = undefined;
    for (const r of this.relays ?? []) r.timer.cancel();
    this.relays = undefined;
    const peer = this.peer;
    this.peer = undefined;
    this.ctx.retire(this);
    this.notify();
    peer?.end('far_end', this.peerCause(cause));
  }

  private setState(state: LegState): void {
    this.state = state;
    this.notify();
  }

  /** Observer calls never run inside a leg method: the caller may be the engine itself. */
  private emit(call: (o: LegObserver) => void): void {
    const o = this.observer;
    if (o) queueMicrotask(() => call(o));
  }

  /** Run `fn` on every change (state, heard audio, own action) until the returned function is called. */
  watch(fn: () => void): () => void {
    (this.watchers ??= new Set()).add(fn);
    // Words already arriving are heard only when they end: look again then.
    const now = this.now();
    for (const runs of this.ear ? [this.ear.runs, this.ear.mixed] : []) {
      for (let i = runs.length - 1; i >= 0 && runs[i]!.start + runs[i]!.durationMs > now; i--) this.lookAgainAtWordsEnd(runs[i]!, now);
    }
    return () => this.watchers?.delete(fn);
  }

  /**
   * Words count as heard once they have been heard to their end, a moment no
   * other timer may mark (a prompt followed by a long wait): a timer there
   * lets a waiting script step or watcher (and a virtual clock) see it.
   */
  private lookAgainAtWordsEnd(heard: HeardRun, now: number): void {
    const a = heard.annotation;
    if (a?.type !== 'speak' && a?.type !== 'said') return;
    // Whole milliseconds: a virtual clock stopped between them would give recordings fractional lengths.
    this.ctx.timers.after(Math.ceil(heard.start + wordsLastMs(a, heard.durationMs) - now), () => {
      this.checkHearing();
      this.notify();
    });
  }

  private notify(): void {
    if (this.watchers) for (const w of [...this.watchers]) w();
  }

  transcript(): TranscriptEvent[] {
    return buildTranscript(this.ear, this.own, this.startedAt, this.now());
  }

  hears(text: string): boolean {
    return heardSince(this.ear, text, this.startedAt, this.now());
  }

  /** The audio the phone received from `from` (the leg's start by default) until now or its end, as PCM. */
  receivedAudio(from = this.startedAt): Int16Array {
    const until = Math.max(from, this.endedAt ?? this.now());
    return this.ear?.render(from, until) ?? new Int16Array(msToSamples(until - from));
  }
}
