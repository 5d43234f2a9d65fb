// What a verb may do on its call (VerbContext), implemented over the call,
// its telephony leg and the engine's services. Every wait is a timer of the
// call timer group, every wait ends early when the interrupt fires.
import type { CallLogEntry } from '../../platform/call-log.ts';
import type { Call } from '../engine/call.ts';
import type { CallEnd } from '../engine/causes.ts';
import type { Engine } from '../engine/engine.ts';
import type { FrameRun } from '../../telephony/driver.ts';
import type { HttpMethod, SpeakVerb, Verb } from '../../plivo-xml/ast.ts';
import type { Program } from './program.ts';
import type { DigitTap, Interrupt, Outcome, VerbContext } from './verb.ts';

/** How long each key of the DTMF verb sounds. */
export const DTMF_TONE_MS = 100;

export class CallContext implements VerbContext {
  constructor(
    readonly call: Call,
    readonly engine: Engine,
    readonly stop: Interrupt,
    private readonly program: Program,
  ) {}

  get answered(): boolean {
    return this.call.isAnswered;
  }

  now(): number {
    return this.engine.clock.now();
  }

  params(extra?: Record<string, string>): Record<string, string> {
    const p = this.engine.params(this.call);
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
    return this.engine.speech(verb);
  }

  async audioFile(url: string): Promise<Int16Array | undefined> {
    try {
      return await this.engine.clock.track(this.engine.media.audioFile(url));
    } catch (err) {
      this.log({ kind: 'error', message: `cannot play ${url}: ${err instanceof Error ? err.message : String(err)}`, data: { url } });
      return undefined;
    }
  }

  sleep(ms: number): Promise<boolean> {
    if (this.stop.interrupted) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = this.engine.timers.after(ms, () => {
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
    return new Tap(this.call, this.engine);
  }

  onCallerAudio(fn: (start: number, end: number) => void): () => void {
    return this.call.onCallerAudio(fn);
  }

  callerAudioUntil(): number {
    return this.call.callerAudioUntil();
  }

  notify(url: string, method: HttpMethod, params: Record<string, string>, kind: string): void {
    void this.engine.request(this.call, url, method, params, kind);
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

  child(stop: Interrupt): VerbContext {
    return new CallContext(this.call, this.engine, stop, this.program);
  }

  log(entry: CallLogEntry): void {
    this.engine.log(this.call, entry);
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
    private readonly engine: Engine,
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
      const timer = this.engine.timers.after(ms, () => done(undefined));
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
