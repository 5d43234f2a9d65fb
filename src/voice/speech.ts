// Speech recognition behind one streaming interface: caller audio goes in
// run by run, hypotheses come out (partial ones while the caller speaks, a
// final one when an utterance ends), each stamped with the platform time at
// which it holds. A real engine (a WebAssembly model, a cloud service) plugs
// in here; with none configured, speech input hears nothing and the call's
// log says so. The sandbox's recognizer reads the words off the label its
// phones' speech carries (src/sandbox/label-recognizer.ts).
import type { FrameRun } from '../telephony/driver.ts';
import type { CallControl } from './engine/call-control.ts';

export interface SpeechOptions {
  /** BCP 47, e.g. en-US. */
  language: string;
  /** Words and phrases the caller is likely to say. */
  hints: readonly string[];
  model: string;
  profanityFilter: boolean;
}

export interface Hypothesis {
  /** The utterance so far (partial) or whole (final). */
  text: string;
  final: boolean;
  /** The recognizer's confidence, 0 … 1, when it gives one. */
  confidence?: number;
  /** Platform time (ms) by which the words in `text` have been heard; a hypothesis is acted on then. */
  at: number;
}

export interface SpeechStream {
  /** Caller audio starting at platform time `at`. */
  write(run: FrameRun, at: number): void;
  close(): void;
}

export interface SpeechRecognizer {
  open(opts: SpeechOptions, emit: (h: Hypothesis) => void): SpeechStream;
}

/**
 * The recognizer that can hear one call's speech (undefined: none can),
 * chosen per call: the sandbox's virtual phones and real SIP callers may
 * share one process, and only the former's speech carries labels.
 */
export type RecognizerFor = (call: CallControl) => SpeechRecognizer | undefined;
