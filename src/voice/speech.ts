// Speech recognition behind one streaming interface: caller audio goes in
// run by run, hypotheses come out (partial ones while the caller speaks, a
// final one when an utterance ends), each stamped with the platform time at
// which it holds. A real engine (a WebAssembly model, a cloud service) plugs
// in here. The sandbox needs none: its speech carries the spoken text as an
// annotation, so the annotation recognizer reads the words off the audio.
import type { FrameRun } from '../telephony/driver.ts';
import { runDurationMs } from '../telephony/driver.ts';

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
  /** 0 … 1. */
  confidence: number;
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
 * The sandbox's recognizer: speech annotated with its text (what a virtual
 * phone says, or a prompt bridged from another leg) is recognized exactly,
 * a word at a time as it is heard, final at its end. Other audio is not speech.
 */
export const annotationRecognizer: SpeechRecognizer = {
  open(_opts, emit) {
    return {
      write(run, at) {
        const a = run.annotation;
        if (a?.type !== 'said' && a?.type !== 'speak') return;
        const text = a.text.trim();
        const words = text.split(/\s+/).filter((w) => w !== '');
        if (words.length === 0) return;
        const ms = runDurationMs(run);
        words.forEach((_, i) => {
          const last = i === words.length - 1;
          emit({ text: last ? text : words.slice(0, i + 1).join(' '), final: last, confidence: 1, at: at + Math.round((ms * (i + 1)) / words.length) });
        });
      },
      close() {},
    };
  },
};
