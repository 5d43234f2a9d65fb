// Narrow views of a call for the code that acts on calls without running
// them: verbs and what they connect calls with (bridges, confirmations).
// `Call` (call.ts) implements them. A verb controls its call (who it is,
// whether it is up, its keys, its audio, hanging it up) and places legs on
// its behalf; it never reaches the call's setup, program, timers or state
// machine.
import type { FrameRun } from '../../telephony/driver.ts';
import type { CallEnd } from './causes.ts';
import type { CallOwner } from './ports.ts';

/** Keys sent once the call is answered (or, with onPreanswer, once it has early media). */
export interface SendDigits {
  digits: string;
  toneMs: number;
  onPreanswer: boolean;
}

/** A key from the far end; `inAudio` when it was heard as a tone in the audio (which carries it on by itself) rather than signalled. */
export type KeyListener = (digit: string, inAudio: boolean) => void;

/** Controlling a call: the verb's own, a leg it placed, a room's member. */
export interface CallControl {
  readonly uuid: string;
  readonly direction: 'inbound' | 'outbound';
  readonly from: string;
  readonly to: string;
  readonly owner: CallOwner;
  /** Not ended. */
  readonly live: boolean;
  /** Answered: media both ways. */
  readonly isAnswered: boolean;
  /** Its far end says its words as labels (a sandbox phone: the label recognizer hears it; Leg.speechLabelled). */
  readonly speechLabelled: boolean;
  /** Keys its far end presses go to `fn` (one listener at a time); undefined stops them. */
  listenDigits(fn: KeyListener | undefined): void;
  /** DTMF toward its far end (keys relayed from the other side of a bridge or a room). */
  sendDigits(digits: string): void;
  /** What its far end says, run by run as it arrives; returns the unsubscribe function. */
  onAudio(fn: (run: FrameRun, at: number) => void): () => void;
  /** Audio from the other side of a bridge toward its far end, sent now. */
  carry(run: FrameRun, now: number): void;
  /** Run `fn` once when it ends (at once when it has); returns the unsubscribe function. */
  onEnd(fn: () => void): () => void;
  hangup(end: CallEnd): void;
}

/** A call placed on another's behalf (Dial's called parties): also how it went. */
export interface PlacedLeg extends CallControl {
  /** CallStatus in webhooks: the live status, or how it ended (busy, no-answer …). */
  readonly callStatus: string;
  readonly ringingAt: number | undefined;
  readonly answeredAt: number | undefined;
  readonly endedAt: number | undefined;
  readonly end: CallEnd | undefined;
  /** `fn` runs when the Transfer API takes it to a document of its own (whatever holds it lets go). */
  onTakeover(fn: () => void): () => void;
}

/**
 * A leg a verb places on its call's behalf: it goes out with the call's
 * owner and signing, names the call as its parent, and has the call's
 * caller name unless `callerName` says otherwise. Once answered it is handed
 * to `connect` (no answer URL is fetched).
 */
export interface LegOrder<C> {
  from: string;
  to: string;
  callerName?: string;
  sipHeaders: Record<string, string>;
  sendDigits?: SendDigits;
  /** Seconds it may ring before the platform gives up. */
  ringTimeoutS: number;
  timeLimitS?: number;
  /** Seconds (on the engine's clock) before it is dialled; a leg hung up meanwhile is never dialled. */
  delayS?: number;
  connect(leg: C): void;
  ringing?(leg: C): void;
}

/** Resolves once `call` has ended. */
export const ended = (call: Pick<CallControl, 'onEnd'>): Promise<void> => new Promise((resolve) => call.onEnd(resolve));
