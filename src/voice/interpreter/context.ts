// What a verb may do on its call (VerbContext), implemented over the call,
// its telephony leg and the engine's services (InterpreterHost). Every wait is a timer of the
// call timer group, every wait ends early when the interrupt fires.
import type { CallLogEntry } from '../../platform/call-log.ts';
import type { Call, Hook } from '../engine/call.ts';
import type { LegOrder } from '../engine/call-control.ts';
import type { CallEnd } from '../engine/causes.ts';
import type { FrameRun } from '../../telephony/driver.ts';
import type { HttpMethod, SpeakVerb, Verb } from '../../plivo-xml/ast.ts';
import type { WebhookResult } from '../../webhooks/types.ts';
import type { TimerGroup } from '../../clock/clock.ts';
import type { InterpreterHost } from './host.ts';
import { DTMF_TONE_MS } from '../defaults.ts';
import type { DigitTap, Interrupt, Outcome, VerbContext } from './verb.ts';

/** The program a context belongs to: PreAnswer runs its children through it. */
export interface VerbSequence {
  runVerbs(verbs: readonly Verb[], ctx: VerbContext<Call>, early: boolean): Promise<Outcome>;
}

/** Where a held call's verbs report to its holder instead of requesting URLs (Program.runHeld). */
export interface HeldSink {
  /** A verb's action with its parameters. */
  action(params: Record<string, string>): void;
  /** A leg a verb placed (a Dial's called party). */
  leg(call: Call): void;
}

export class CallContext implements VerbContext<Call> {
  constructor(
    readonly call: Call,
    private readonly host: InterpreterHost,
    readonly stop: Interrupt,
    private readonly program: VerbSequence,
    private readonly held?: HeldSink,
  ) {}

  get timers(): TimerGroup {
    return this.host.timers;
  }

  get answered(): boolean {
    return this.call.isAnswered;
  }

  now(): number {
    return this.host.clock.now();
  }

  params(extra?: Record<string, string>): Record<string, string> {
    const p = this.host.params(this.call);
    return extra ? Object.assign(p, extra) : p;
  }

  async play(run: FrameRun): Promise<'played' | 'stopped'> {
    const leg = this.call.leg;
    if (!leg || !this.call.live || this.stop.interrupted) return 'stopped';
    const until = this.call.farEnd.send(leg, run, this.now());
    if (await this.sleep(until - this.now())) return 'played';
    this.call.farEnd.clear(leg, this.now());
    return 'stopped';
  }

  speech(verb: SpeakVerb): Promise<Int16Array> {
    return this.host.speech(verb);
  }

  async audioFile(url: string): Promise<Int16Array | undefined> {
    try {
      return await this.host.audioFile(url);
    } catch (err) {
      this.log({ kind: 'error', message: `cannot play ${url}: ${err instanceof Error ? err.message : String(err)}`, data: { url } });
      return undefined;
    }
  }

  sleep(ms: number): Promise<boolean> {
    if (this.stop.interrupted) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = this.host.timers.after(ms, () => {
        off();
        resolve(true);
      });
      const off = this.stop.onFire(() => {
        timer.cancel();
        resolve(false);
      });
    });
  }

  async sendDigits(digits: string, firstOnly: boolean): Promise<void> {
    const leg = this.call.leg;
    if (!leg || this.stop.interrupted) return;
    const start = Math.max(this.now(), leg.audio.playingUntil);
    const until = leg.sendDigits(digits, DTMF_TONE_MS);
    // The first key has been sent once its tone (after any leading pauses) has played.
    const lead = /^[wW]*/.exec(digits)![0];
    const firstSent = start + [...lead].reduce((ms, c) => ms + (c === 'w' ? 500 : 1000), 0) + DTMF_TONE_MS;
    await this.sleep((firstOnly ? Math.min(until, firstSent) : until) - this.now());
  }

  tapDigits(): DigitTap {
    return new Tap(this.call, this.host.timers);
  }

  onCallerSound(fn: (start: number, end: number) => void): () => void {
    return this.call.onSound(fn);
  }

  callerSoundUntil(): number {
    return this.call.soundUntil();
  }

  notify(url: string, method: HttpMethod, params: Record<string, string>, kind: string): void {
    if (kind === 'action' && this.held) return this.held.action(params);
    void this.host.request(this.call, url, method, params, kind);
  }

  scheduleHangup(ms: number, end: CallEnd): void {
    this.call.scheduleHangup(ms, end);
  }

  preAnswer(): void {
    this.call.preAnswer();
  }

  runEarly(verbs: readonly Verb[]): Promise<Outcome> {
    return this.program.runVerbs(verbs, this, true);
  }

  child(stop: Interrupt): VerbContext<Call> {
    return new CallContext(this.call, this.host, stop, this.program, this.held);
  }

  forCall(call: Call, stop: Interrupt): VerbContext<Call> {
    return this.host.contextFor(call, stop);
  }

  fetch(url: string, method: HttpMethod, params: Record<string, string>, kind: string): Promise<WebhookResult> {
    return this.host.request(this.call, url, method, params, kind);
  }

  callback(hook: Hook, kind: string, extra: Record<string, string>): void {
    this.host.callback(this.call, hook, kind, extra);
  }

  logError(message: string, err: unknown): void {
    this.host.logError(this.call, message, err);
  }

  placeLeg(r: LegOrder<Call>): Call {
    const { call } = this;
    const leg = this.host.placeLeg({ ...r, owner: call.owner, signing: call.signing, parentUuid: call.uuid, callerName: r.callerName ?? call.setup.callerName });
    this.held?.leg(leg);
    return leg;
  }

  log(entry: CallLogEntry): void {
    this.host.log(this.call, entry);
  }
}

/** Keys from the caller, buffered from the moment the tap opens. */
class Tap implements DigitTap {
  private keys = '';
  private waiter: ((key: string) => void) | undefined;
  private listeners: Set<() => void> | undefined;
  private readonly listener = (digit: string) => this.push(digit);

  constructor(
    private readonly call: Call,
    private readonly timers: TimerGroup,
  ) {
    call.listenDigits(this.listener);
  }

  get buffered(): string {
    return this.keys;
  }

  private push(digit: string): void {
    this.keys += digit;
    if (this.listeners) for (const l of [...this.listeners]) l();
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(this.take());
    }
  }

  private take(): string {
    const k = this.keys[0]!;
    this.keys = this.keys.slice(1);
    return k;
  }

  next(ms: number, stop: Interrupt): Promise<string | undefined> {
    if (this.keys !== '') return Promise.resolve(this.take());
    if (stop.interrupted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const done = (key: string | undefined) => {
        this.waiter = undefined;
        timer.cancel();
        off();
        resolve(key);
      };
      const timer = this.timers.after(ms, () => done(undefined));
      const off = stop.onFire(() => done(undefined));
      this.waiter = done;
    });
  }

  onKey(fn: () => void): () => void {
    (this.listeners ??= new Set()).add(fn);
    return () => this.listeners?.delete(fn);
  }

  close(): void {
    this.call.unlistenDigits(this.listener);
  }
}
