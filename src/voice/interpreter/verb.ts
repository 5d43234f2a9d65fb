// The contract between the interpreter and the runners of individual verbs.
// A runner gets the verb (already validated by the parser) and a context of
// what it may do on the call; it returns what happens next. Runners never
// see the engine nor the whole Call: the context plays, listens, fetches,
// calls back and places legs, and its `call` is a CallControl (who the call
// is, its keys, audio and end). A runner that hands its call to a service
// (a room, a recorder, a stream) is generic in the call's type: the service
// gets the call it was given, the runner sees only CallControl. Every
// runner is registered in one list (verbs/index.ts).
import type { CallLogEntry } from '../../platform/call-log.ts';
import type { CallEnd } from '../engine/causes.ts';
import type { FrameRun } from '../../telephony/driver.ts';
import type { TimerGroup } from '../../clock/clock.ts';
import type { HttpMethod, SpeakVerb, Verb } from '../../plivo-xml/ast.ts';
import type { WebhookResult } from '../../webhooks/types.ts';
import type { Call, Hook } from '../engine/call.ts';
import type { CallControl, LegOrder } from '../engine/call-control.ts';

/** Stops the verbs under it: the call ended, a transfer replaced the document, a key cut a prompt short. */
export class Interrupt {
  private fired = false;
  private listeners: Array<() => void> | undefined;

  get interrupted(): boolean {
    return this.fired;
  }

  fire(): void {
    if (this.fired) return;
    this.fired = true;
    const ls = this.listeners;
    this.listeners = undefined;
    if (ls) for (const l of ls) l();
  }

  /** Calls `fn` once when fired (at once if already fired); the returned function unsubscribes. */
  onFire(fn: () => void): () => void {
    if (this.fired) {
      fn();
      return () => {};
    }
    (this.listeners ??= []).push(fn);
    return () => {
      const i = this.listeners?.indexOf(fn) ?? -1;
      if (i >= 0) this.listeners!.splice(i, 1);
    };
  }

  /** A child that fires with this one, and can also fire alone. */
  child(): Interrupt {
    const c = new Interrupt();
    const off = this.onFire(() => c.fire());
    c.onFire(off);
    return c;
  }
}

/** Which document a fetched URL stands for: it names the causes used when it fails. */
export type DocKind = 'answer' | 'action' | 'redirect' | 'transfer';

export interface Goto {
  url: string;
  method: HttpMethod;
  params: Record<string, string>;
  kind: DocKind;
}

export type Outcome =
  | { next: 'continue' }
  /** Fetch a document that replaces the rest of the current one. */
  | { next: 'goto'; goto: Goto }
  | { next: 'hangup'; end: CallEnd };

export const CONTINUE: Outcome = { next: 'continue' };

/** Keys the caller presses while a tap is open, in order. */
export interface DigitTap {
  /** Keys pressed since the tap opened and not yet taken. */
  readonly buffered: string;
  /** The next key, or undefined when `ms` pass first or the interrupt fires. */
  next(ms: number, stop: Interrupt): Promise<string | undefined>;
  /** Call `fn` as each key arrives; the returned function unsubscribes. */
  onKey(fn: () => void): () => void;
  close(): void;
}

export interface VerbContext<C extends CallControl = CallControl> {
  readonly stop: Interrupt;
  /** The call's webhook parameters now, with `extra` added. */
  params(extra?: Record<string, string>): Record<string, string>;
  /** Play toward the caller; 'stopped' when the interrupt fired first (the rest is cut). */
  play(run: FrameRun): Promise<'played' | 'stopped'>;
  /** Synthesized speech of a Speak verb. */
  speech(verb: SpeakVerb): Promise<Int16Array>;
  /** An audio file as PCM; undefined (and logged) when it cannot be fetched or decoded. */
  audioFile(url: string): Promise<Int16Array | undefined>;
  /** Wait `ms` of platform time; false when interrupted first. */
  sleep(ms: number): Promise<boolean>;
  /** Send DTMF toward the caller; resolves when the keys are sent (or interrupted). */
  sendDigits(digits: string, firstOnly: boolean): Promise<void>;
  tapDigits(): DigitTap;
  /** The caller's sound, as the analysis of its audio finds it: `fn(start, end)` per stretch; returns the unsubscribe function. */
  onCallerSound(fn: (start: number, end: number) => void): () => void;
  /** When the caller's sound heard so far ends (0 when it never made any). */
  callerSoundUntil(): number;
  /** Fire-and-forget request (an action with redirect=false). */
  notify(url: string, method: HttpMethod, params: Record<string, string>, kind: string): void;
  /** A request whose answer the verb awaits (a document of sounds). */
  fetch(url: string, method: HttpMethod, params: Record<string, string>, kind: string): Promise<WebhookResult>;
  /** A durable notification off the call's critical path (callbackUrl events). */
  callback(hook: Hook, kind: string, extra: Record<string, string>): void;
  /** Hang up after `ms`, whatever runs then. */
  scheduleHangup(ms: number, end: CallEnd): void;
  /** Open early media on an inbound call that is not answered yet. */
  preAnswer(): void;
  /** Run verbs in order with early media (PreAnswer's children); stops at the first goto or hangup. */
  runEarly(verbs: readonly Verb[]): Promise<Outcome>;
  /** A context whose interrupt also fires on its own (for prompts a key cuts short). */
  child(stop: Interrupt): VerbContext<C>;
  log(entry: CallLogEntry): void;
  /** A failure of ours on the call: logged for the operator and in the call's log. */
  logError(message: string, err: unknown): void;
  /** Place an outbound leg on this call's behalf (Dial's B-legs); once answered it is handed to `r.connect`. */
  placeLeg(r: LegOrder<C>): C;
  /** A context on another call whose waits end when `stop` fires (a Dial's called party hearing its confirmation). */
  forCall(call: C, stop: Interrupt): VerbContext<C>;
  /** The call timer group: waits and bounds of what the verb sets up (a bridge, its time limit). */
  readonly timers: TimerGroup;
  /** The call the verb runs on. */
  readonly call: C;
  /** Is the call answered (media both ways)? */
  readonly answered: boolean;
  /** Platform time now. */
  now(): number;
}

/** Verb runners by element name; the interpreter asks it for each verb. */
export interface VerbLookup {
  runnerFor(verb: Verb): VerbRunner<Verb, Call>;
}

export interface VerbRunner<V extends Verb = Verb, C extends CallControl = CallControl> {
  /**
   * An inbound call is answered before this verb runs. False for verbs that
   * work on a ringing call (PreAnswer, Hangup, Redirect, Message).
   */
  readonly needsAnswer: boolean;
  run(verb: V, ctx: VerbContext<C>): Promise<Outcome>;
}
