// One call leg on the platform: its identity, its state machine (queued →
// ringing → early media → in progress → completed) driven by the telephony
// leg's events, the timers that bound it (ring timeout, hangup on ring, time
// limit) and how it ends. What runs on it (the XML program) and what happens
// after it ends (CDR, hangup_url) belong to the engine.
import type { Clock, Timer, TimerGroup } from '../../clock/clock.ts';
import { runDurationMs, type FrameRun, type Leg, type LegObserver, type NetworkCause, type EndedBy, type TelephonyDriver } from '../../telephony/driver.ts';
import type { NumberType } from '../../store/tables/numbers.ts';
import { CAUSES, finalStatus, fromNetwork, toNetwork, type CallEnd } from './causes.ts';
import type { CallOwner, HttpMethod, Signing } from './ports.ts';
import { FarEndAudio } from './far-end-audio.ts';
import { InboundAudio } from './inbound-audio.ts';
import type { MachineDetection, MachineVerdict } from './machine.ts';
import type { ResponseDoc } from '../../plivo-xml/ast.ts';
import type { CallLogEntry } from '../../platform/call-log.ts';
import type { KeyListener, LegOrder, PlacedLeg, SendDigits } from './call-control.ts';
import { DTMF_TONE_MS } from '../defaults.ts';

// The Call API builds these settings with the rest of a call's setup.
export type { MachineDetection };
export type { KeyListener, SendDigits };

export type CallStatus = 'queued' | 'ringing' | 'early-media' | 'in-progress' | 'completed';

export interface Hook {
  url: string;
  method: HttpMethod;
}

/** What an API request or an application sets up for a call. Bulk calls share one. */
export interface CallSetup {
  answer: Hook;
  /** The platform's own document (a verification call, a flow): run instead of fetching `answer`. */
  document?: ResponseDoc;
  fallback?: Hook;
  ring?: Hook;
  hangup?: Hook;
  callerName: string;
  sendDigits?: SendDigits;
  timeLimitS: number;
  hangupOnRingS?: number;
  ringTimeoutS: number;
  sipHeaders: Record<string, string>;
  machine?: MachineDetection;
  /**
   * Legs a verb or the API places to connect them to something (Dial's
   * B-legs, participants dialled into a multiparty call): once answered they
   * are handed to it instead of fetching an answer URL.
   */
  connect?: (call: Call) => void;
  /** Such a leg's placer hears when it starts ringing (the MPC's call_status_callback_url Ringing). */
  rang?: (call: Call) => void;
}

/** What a call needs from the engine that runs it: time, the driver, and telling it what happened. */
export interface CallHost {
  readonly clock: Clock;
  readonly timers: TimerGroup;
  readonly driver: TelephonyDriver;
  /** A notification off the call's critical path (ring …). */
  callback(call: Call, hook: Hook, kind: string, extra: Record<string, string>): void;
  answered(call: Call): void;
  finished(call: Call): void;
  /** An entry in the call's debug log. */
  log(call: Call, entry: CallLogEntry): void;
  /** The call's status changed (for whoever watches the account live). */
  statusChanged(call: Call): void;
}

/** What runs on the call (its XML program): stopped when the call ends. */
export interface CallProgram {
  stop(): void;
}

/**
 * A leg the platform places on a call's behalf (Dial's B-legs, participants
 * dialled into a multiparty call): an outbound call of the same owner,
 * billed at its destination's rate, linked to the call it serves by
 * parent_call_uuid, that runs no answer URL: once answered it is handed to
 * `connect`.
 */
export interface LegRequest extends LegOrder<Call> {
  owner: CallOwner;
  signing: Signing;
  /** The call this leg serves (its CDR's parent_call_uuid). */
  parentUuid: string | null;
  callerName: string;
}

export interface CallInit {
  uuid: string;
  requestUuid: string;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  owner: CallOwner;
  signing: Signing;
  setup: CallSetup;
  parentCallUuid: string | null;
  numberType?: NumberType;
  /** Per-minute rate in micros, when known up front (BillRate). */
  rate?: number;
}

export class Call implements LegObserver, PlacedLeg {
  readonly uuid: string;
  readonly requestUuid: string;
  readonly direction: 'inbound' | 'outbound';
  readonly from: string;
  readonly to: string;
  readonly owner: CallOwner;
  readonly signing: Signing;
  readonly setup: CallSetup;
  readonly parentCallUuid: string | null;
  readonly numberType: NumberType | undefined;
  readonly rate: number | undefined;
  readonly queuedAt: number;

  status: CallStatus = 'queued';
  initiatedAt: number | undefined;
  ringingAt: number | undefined;
  sessionStart: number | undefined;
  answeredAt: number | undefined;
  endedAt: number | undefined;
  end: CallEnd | undefined;
  /** Machine detection's verdict, once there is one. */
  machine: MachineVerdict | undefined;
  leg: Leg | undefined;
  program: CallProgram | undefined;
  /** The call a Dial has bridged this one to, while it is (the Transfer API's B-leg). */
  bridgedTo: Call | undefined;
  /** Audio toward the far end goes through here, so recordings and streams can fork it. */
  readonly farEnd = new FarEndAudio();

  /** Why the platform is ending the call, until the leg confirms it ended. */
  private ending: CallEnd | undefined;
  private ringTimer: Timer | undefined;
  private ringLimitTimer: Timer | undefined;
  private timeLimitTimer: Timer | undefined;
  private scheduledTimer: Timer | undefined;
  private digitsSent = false;
  private answerWaiters: Array<(answered: boolean) => void> | undefined;
  /** The far end's audio, listened to for sound and keys; made when the first audio or key arrives. */
  private inbound: InboundAudio | undefined;
  private soundEnd = 0;
  private soundListeners: Set<(start: number, end: number) => void> | undefined;
  private digitListener: KeyListener | undefined;
  private digitObservers: Set<KeyListener> | undefined;
  private runListeners: Set<(run: FrameRun, at: number) => void> | undefined;
  /** The caller's runs not yet played out, oldest first: a virtual phone hands over a whole utterance when it starts, and a listener that comes meanwhile (a recording after its beep) must still hear it. */
  private playing: Array<{ run: FrameRun; at: number; end: number }> = [];
  private endListeners: Set<() => void> | undefined;
  private takeoverListeners: Set<() => void> | undefined;

  constructor(
    private readonly engine: CallHost,
    init: CallInit,
  ) {
    this.uuid = init.uuid;
    this.requestUuid = init.requestUuid;
    this.direction = init.direction;
    this.from = init.from;
    this.to = init.to;
    this.owner = init.owner;
    this.signing = init.signing;
    this.setup = init.setup;
    this.parentCallUuid = init.parentCallUuid;
    this.numberType = init.numberType;
    this.rate = init.rate;
    this.queuedAt = engine.clock.now();
  }

  get isAnswered(): boolean {
    return this.answeredAt !== undefined;
  }

  get speechLabelled(): boolean {
    return this.leg?.speechLabelled ?? false;
  }

  get live(): boolean {
    return this.status !== 'completed';
  }

  /** CallStatus in webhooks: the live status, or how the call ended. */
  get callStatus(): string {
    if (this.end) return finalStatus(this.end, this.isAnswered, this.direction);
    return this.status;
  }

  // ---- starting -------------------------------------------------------------

  /** Outbound: originate the leg now. It counts as ringing until the network says more. */
  dial(): void {
    this.initiatedAt = this.engine.clock.now();
    this.moveTo('ringing');
    // Counted from dialling, so a leg the network never reports ringing still ends.
    this.ringTimer = this.engine.timers.after(this.setup.ringTimeoutS * 1000, () => this.hangup({ cause: CAUSES.ringTimeout, source: 'Plivo' }));
    this.leg = this.engine.driver.originate(
      { uuid: this.uuid, tenant: this.owner, from: this.from, to: this.to, callerName: this.setup.callerName, sipHeaders: this.setup.sipHeaders, parentUuid: this.parentCallUuid ?? undefined },
      this,
    );
  }

  /** Inbound: take the announced leg; it rings while the answer URL is fetched. */
  accept(leg: Leg): void {
    this.initiatedAt = leg.startedAt;
    this.leg = leg;
    leg.attach(this);
    leg.ring();
    this.moveTo('ringing');
    this.ringingAt = this.initiatedAt;
  }

  // ---- leg events (LegObserver) -------------------------------------------------

  ringing(): void {
    if (!this.live || this.ringingAt !== undefined || this.isAnswered) return;
    this.moveTo('ringing');
    this.ringingAt = this.engine.clock.now();
    const { hangupOnRingS, ring } = this.setup;
    if (hangupOnRingS !== undefined) {
      this.ringLimitTimer = this.engine.timers.after(hangupOnRingS * 1000, () => this.hangup({ cause: CAUSES.scheduledHangup, source: 'Plivo' }));
    }
    if (ring) this.engine.callback(this, ring, 'ring', { Event: 'Ring' });
    this.setup.rang?.(this);
  }

  earlyMedia(): void {
    if (!this.live || this.isAnswered) return;
    this.moveTo('early-media');
    this.sessionStart ??= this.engine.clock.now();
    if (this.setup.sendDigits?.onPreanswer) this.sendSetupDigits();
  }

  answered(): void {
    if (!this.live || this.isAnswered) return;
    const now = this.engine.clock.now();
    this.answeredAt = now;
    this.moveTo('in-progress');
    this.sessionStart ??= now;
    this.ringTimer?.cancel();
    // hangup_on_ring keeps counting from ringing: it bounds the whole call, like time_limit from answer.
    // The time limit is a safety net, not something a call waits on: a plain clock timer.
    this.timeLimitTimer = this.engine.clock.after(this.setup.timeLimitS * 1000, () => this.hangup({ cause: CAUSES.scheduledHangup, source: 'Plivo' }));
    this.sendSetupDigits();
    for (const w of this.answerWaiters?.splice(0) ?? []) w(true);
    this.engine.answered(this);
  }

  ended(_leg: Leg, cause: NetworkCause, by: EndedBy): void {
    if (!this.live) return;
    this.finish(by === 'platform' && this.ending ? this.ending : fromNetwork(cause, this.direction, this.isAnswered));
  }

  private finish(end: CallEnd): void {
    const now = this.engine.clock.now();
    this.end = end;
    this.endedAt = now;
    this.moveTo('completed');
    this.ringTimer?.cancel();
    this.ringLimitTimer?.cancel();
    this.timeLimitTimer?.cancel();
    this.scheduledTimer?.cancel();
    for (const w of this.answerWaiters?.splice(0) ?? []) w(false);
    this.inbound?.stop();
    this.program?.stop();
    for (const l of [...(this.endListeners ?? [])]) l();
    this.endListeners = undefined;
    this.engine.finished(this);
  }

  private moveTo(status: CallStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.engine.statusChanged(this);
  }

  dtmf(_leg: Leg, digit: string): void {
    this.listening().signal(digit);
  }

  audio(leg: Leg, run: FrameRun, at: number): void {
    const now = this.engine.clock.now();
    while (this.playing.length > 0 && this.playing[0]!.end <= now) this.playing.shift();
    const end = at + runDurationMs(run);
    if (end > now) this.playing.push({ run, at, end });
    if (this.runListeners) for (const l of [...this.runListeners]) l(run, at);
    if (!leg.analysesLine) this.listening().audio(run.samples, at);
  }

  lineSound(_leg: Leg, start: number, end: number): void {
    this.sound(start, end);
  }

  lineKey(_leg: Leg, digit: string, start: number, end: number): void {
    this.listening().toneHeard(digit, start, end);
  }

  private listening(): InboundAudio {
    return (this.inbound ??= new InboundAudio(this.engine.timers, {
      sound: (start, end) => this.sound(start, end),
      key: (digit, inAudio) => this.key(digit, inAudio),
      twin: (digit, inAudio) => this.engine.log(this, { kind: 'event', message: `key ${digit} arrived both signalled and as a tone in the audio: counted once`, data: { digit, dropped: inAudio ? 'tone' : 'signal' } }),
    }));
  }

  private key(digit: string, inAudio: boolean): void {
    if (!this.live) return;
    // Keys heard in the audio are worth knowing about when a caller's keys go astray.
    if (inAudio) this.engine.log(this, { kind: 'event', message: `key ${digit} heard as a tone in the audio (in-band DTMF)`, data: { digit } });
    this.digitListener?.(digit, inAudio);
    if (this.digitObservers) for (const o of [...this.digitObservers]) o(digit, inAudio);
  }

  private sound(start: number, end: number): void {
    this.soundEnd = Math.max(this.soundEnd, end);
    if (this.soundListeners) for (const l of [...this.soundListeners]) l(start, end);
  }

  // ---- what the program (and the API) do to the call ---------------------------------

  /** Answer an inbound call; resolves false when it ended first. */
  answer(): Promise<boolean> {
    if (this.isAnswered) return Promise.resolve(true);
    if (!this.live || !this.leg) return Promise.resolve(false);
    const p = new Promise<boolean>((resolve) => (this.answerWaiters ??= []).push(resolve));
    this.leg.answer();
    return p;
  }

  preAnswer(): void {
    if (this.isAnswered || !this.live || !this.leg) return;
    this.leg.preAnswer();
    this.earlyMedia();
  }

  /** End the call for `end` (idempotent: the first reason wins). */
  hangup(end: CallEnd): void {
    if (!this.live || this.ending) return;
    this.ending = end;
    if (this.leg) this.leg.hangup(toNetwork(end.cause, this.isAnswered));
    // A queued call has no leg to confirm: it ends here.
    else this.finish(end);
  }

  /** <Hangup schedule>: end the call after `ms` whatever runs then (a later schedule replaces it). */
  scheduleHangup(ms: number, end: CallEnd): void {
    this.scheduledTimer?.cancel();
    this.scheduledTimer = this.engine.timers.after(ms, () => this.hangup(end));
  }

  /** Keys from the caller go to `fn` (one listener: the running program's tap); undefined stops them. */
  listenDigits(fn: KeyListener | undefined): void {
    this.digitListener = fn;
  }

  /** Stop `fn` receiving keys, unless another listener replaced it already. */
  unlistenDigits(fn: KeyListener): void {
    if (this.digitListener === fn) this.digitListener = undefined;
  }

  /** Keys from the caller also go to `fn` (audio streams report them), whoever holds the program's tap; returns the unsubscribe function. */
  onDigit(fn: KeyListener): () => void {
    (this.digitObservers ??= new Set()).add(fn);
    return () => this.digitObservers?.delete(fn);
  }

  /** Sound from the caller, as the analysis of its audio finds it: `fn(start, end)` per stretch (platform times, possibly ahead of now); returns the unsubscribe function. */
  onSound(fn: (start: number, end: number) => void): () => void {
    (this.soundListeners ??= new Set()).add(fn);
    return () => this.soundListeners?.delete(fn);
  }

  /**
   * The caller's audio itself, run by run as it arrives (bridges and
   * conference mixers carry it to others). With `since`, runs that arrived
   * earlier but play on past `since` are given first.
   */
  onAudio(fn: (run: FrameRun, at: number) => void, since?: number): () => void {
    if (since !== undefined) for (const p of this.playing) if (p.end > since) fn(p.run, p.at);
    const listeners = (this.runListeners ??= new Set());
    listeners.add(fn);
    if (listeners.size === 1) this.leg?.hearAudio?.(true);
    return () => {
      // A leg that analyses its own line sends its audio only while someone listens to it.
      if (listeners.delete(fn) && listeners.size === 0) this.leg?.hearAudio?.(false);
    };
  }

  /** DTMF toward the far end, each key sounding the platform's tone length. */
  sendDigits(digits: string): void {
    this.leg?.sendDigits(digits, DTMF_TONE_MS);
  }

  /** Audio from the other side of a bridge: through farEnd, so this call's session recordings and streams hear it too. */
  carry(run: FrameRun, now: number): void {
    if (this.live && this.leg) this.farEnd.carry(this.leg, run, now);
  }

  /** Run `fn` once when the call ends (at once when it has ended); returns the unsubscribe function. */
  onEnd(fn: () => void): () => void {
    if (!this.live) {
      fn();
      return () => {};
    }
    (this.endListeners ??= new Set()).add(fn);
    return () => this.endListeners?.delete(fn);
  }

  /** `fn` runs when a new document takes the call over (the Transfer API): whatever holds the call (a bridge, a room) lets go of it. */
  onTakeover(fn: () => void): () => void {
    (this.takeoverListeners ??= new Set()).add(fn);
    return () => this.takeoverListeners?.delete(fn);
  }

  /** A new document takes the call over. */
  takeover(): void {
    const listeners = this.takeoverListeners;
    this.takeoverListeners = undefined;
    for (const l of listeners ?? []) l();
  }

  /** When the caller's sound heard so far ends (0 when it never made any). */
  soundUntil(): number {
    return this.soundEnd;
  }

  private sendSetupDigits(): void {
    const s = this.setup.sendDigits;
    if (!s || this.digitsSent || !this.leg) return;
    this.digitsSent = true;
    this.leg.sendDigits(s.digits, s.toneMs);
  }
}
