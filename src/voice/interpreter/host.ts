// What the interpreter needs from the engine that runs it, as one interface
// the engine implements: the program and the verb context never import the
// engine itself.
import type { Clock, TimerGroup } from '../../clock/clock.ts';
import type { CallLogEntry } from '../../platform/call-log.ts';
import type { HttpMethod, SpeakVerb } from '../../plivo-xml/ast.ts';
import type { WebhookResult } from '../../webhooks/types.ts';
import type { Call, Hook, LegRequest } from '../engine/call.ts';
import type { Interrupt, VerbContext, VerbLookup } from './verb.ts';

export interface InterpreterHost {
  readonly clock: Clock;
  readonly timers: TimerGroup;
  readonly verbs: VerbLookup;
  /** The call's webhook parameters now, with `extra` added. */
  params(call: Call, extra?: Record<string, string>): Record<string, string>;
  /** A request on the call's critical path: its document is awaited. */
  request(call: Call, url: string, method: HttpMethod, params: Record<string, string>, kind: string): Promise<WebhookResult>;
  /** A durable notification off the call's critical path. */
  callback(call: Call, hook: Hook, kind: string, extra: Record<string, string>): void;
  speech(verb: SpeakVerb): Promise<Int16Array>;
  /** WAV or MP3 at `url` as 8 kHz PCM (tracked on the clock); throws when it cannot be played. */
  audioFile(url: string): Promise<Int16Array>;
  log(call: Call, entry: CallLogEntry): void;
  logError(call: Call, message: string, err: unknown): void;
  placeLeg(r: LegRequest): Call;
  /** A context on `call` whose waits end when `stop` fires. */
  contextFor(call: Call, stop: Interrupt): VerbContext<Call>;
}
