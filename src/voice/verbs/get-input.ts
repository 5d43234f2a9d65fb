// <GetInput>: listens for keys, speech or both from the moment it starts;
// the first input detected wins and cuts the prompts short (barge-in).
// Keys end on finishOnKey, numDigits or digitEndTimeout; speech ends
// speechEndTimeout after the last utterance. With no input within
// executionTimeout after the prompts, the next verb runs. The result goes to
// `action` (InputType, Digits, Speech, SpeechConfidenceScore, BargeIn);
// partial speech goes to interimSpeechResultsCallback as it is recognized.
// Without a speech recognizer (a real call on a platform that has none
// configured) speech is not heard: keys still are, and with no input the
// documented no-input path runs, the call's log saying why.
import { playPrompts } from '../prompts/documents.ts';
import type { Hypothesis, RecognizerFor, SpeechRecognizer, SpeechStream } from '../speech.ts';
import type { GetInputVerb } from '../../plivo-xml/ast.ts';
import { CONTINUE, type DigitTap, type Outcome, type VerbContext, type VerbRunner } from '../interpreter/verb.ts';

/** What `auto` end timeouts mean: a pause between keys, and silence after speech. */
export const AUTO_DIGIT_END_MS = 5000;
export const AUTO_SPEECH_END_MS = 1000;

type Result = { type: 'dtmf'; digits: string } | { type: 'speech'; text: string; confidence: number | undefined };

/** Run `fn` after `ms` unless the returned function is called first (or the context stops). */
function after(ctx: VerbContext, ms: number, fn: () => void): () => void {
  const cancel = ctx.stop.child();
  void ctx
    .child(cancel)
    .sleep(ms)
    .then((elapsed) => elapsed && fn());
  return () => cancel.fire();
}

class Input {
  /** The kind of input detected first; the other kind is ignored from then on. */
  private kind: 'dtmf' | 'speech' | undefined;
  private result: Result | undefined;
  private finished = false;
  private digits = '';
  private readonly utterances: string[] = [];
  /** The lowest confidence of the utterances, when the recognizer gives scores. */
  private confidence: number | undefined;
  private interimSeq = 0;
  private endTimer: (() => void) | undefined;
  private waiter: ((r: Result | undefined) => void) | undefined;
  private readonly tap: DigitTap | undefined;
  private readonly speech: SpeechStream | undefined;
  private readonly offAudio: (() => void) | undefined;
  private readonly pending = new Set<() => void>();
  /** Called once, when input starts (the prompts stop). */
  onStart: (() => void) | undefined;

  constructor(
    private readonly verb: GetInputVerb,
    private readonly ctx: VerbContext,
    recognizer: SpeechRecognizer | undefined,
  ) {
    if (verb.inputType !== 'speech') {
      const tap = (this.tap = ctx.tapDigits());
      tap.onKey(() => this.key(tap.buffered.slice(-1)));
    }
    if (verb.inputType !== 'dtmf' && !recognizer) {
      ctx.log({ kind: 'error', message: "GetInput: no speech recognizer is configured for this call's audio (the platform has none for real callers), so speech is not heard (only keys count)" });
    }
    if (verb.inputType !== 'dtmf' && recognizer) {
      const stream = (this.speech = recognizer.open(
        { language: verb.language, hints: verb.hints, model: verb.speechModel, profanityFilter: verb.profanityFilter },
        (h) => this.heard(h),
      ));
      this.offAudio = ctx.call.onAudio((run, at) => stream.write(run, at));
    }
  }

  get started(): boolean {
    return this.kind !== undefined;
  }

  private start(kind: 'dtmf' | 'speech'): boolean {
    if (this.finished || (this.kind && this.kind !== kind)) return false;
    if (!this.kind) {
      this.kind = kind;
      this.onStart?.();
    }
    return true;
  }

  private key(key: string): void {
    if (!this.start('dtmf')) return;
    this.endTimer?.();
    if (this.verb.finishOnKey !== '' && this.verb.finishOnKey.includes(key)) return this.complete();
    this.digits += key;
    if (this.digits.length >= this.verb.numDigits) return this.complete();
    const t = this.verb.digitEndTimeout;
    this.endTimer = after(this.ctx, t === 'auto' ? AUTO_DIGIT_END_MS : t * 1000, () => this.complete());
  }

  /** Hypotheses may describe speech still to be heard: each is acted on at its time. */
  private heard(h: Hypothesis): void {
    const wait = h.at - this.ctx.now();
    if (wait <= 0) return this.hypothesis(h);
    const cancel = after(this.ctx, wait, () => {
      this.pending.delete(cancel);
      this.hypothesis(h);
    });
    this.pending.add(cancel);
  }

  private hypothesis(h: Hypothesis): void {
    if (!this.start('speech')) return;
    this.endTimer?.();
    const said = [...this.utterances, h.text].join(' ');
    if (!h.final) {
      this.interim(said);
      return;
    }
    this.utterances.push(h.text);
    if (h.confidence !== undefined) this.confidence = Math.min(this.confidence ?? 1, h.confidence);
    const t = this.verb.speechEndTimeout;
    this.endTimer = after(this.ctx, t === 'auto' ? AUTO_SPEECH_END_MS : t * 1000, () => this.complete());
  }

  private interim(said: string): void {
    const url = this.verb.interimSpeechResultsCallback;
    if (!url) return;
    const params = { StableSpeech: said, UnstableSpeech: '', Stability: '1.0', SequenceNumber: String(++this.interimSeq) };
    this.ctx.notify(url, this.verb.interimSpeechResultsCallbackMethod, this.ctx.params(params), 'interim_speech');
  }

  private complete(): void {
    if (this.finished) return;
    this.finished = true;
    this.endTimer?.();
    if (this.kind === 'dtmf' && this.digits !== '') this.result = { type: 'dtmf', digits: this.digits };
    if (this.kind === 'speech' && this.utterances.length > 0) this.result = { type: 'speech', text: this.utterances.join(' '), confidence: this.confidence };
    this.waiter?.(this.result);
  }

  /** The input, once complete; undefined when none started within `timeoutMs` (or the call stopped). */
  outcome(timeoutMs: number): Promise<Result | undefined> {
    if (this.finished) return Promise.resolve(this.result);
    return new Promise((resolve) => {
      const offStop = this.ctx.stop.onFire(() => resolve(undefined));
      const cancel = this.started ? undefined : after(this.ctx, timeoutMs, () => !this.started && this.complete());
      this.onStart = () => cancel?.();
      this.waiter = (r) => {
        offStop();
        cancel?.();
        resolve(r);
      };
    });
  }

  close(): void {
    this.finished = true;
    this.endTimer?.();
    for (const cancel of this.pending) cancel();
    this.tap?.close();
    this.offAudio?.();
    this.speech?.close();
  }
}

export function getInputRunner(recognizerFor: RecognizerFor): VerbRunner<GetInputVerb> {
  return {
    needsAnswer: true,
    async run(verb, ctx): Promise<Outcome> {
      const input = new Input(verb, ctx, recognizerFor(ctx.call));
      try {
        // Input cuts the prompts short.
        const cut = ctx.stop.child();
        input.onStart = () => cut.fire();
        await playPrompts(verb.prompts, ctx.child(cut), false);
        const bargeIn = input.started;
        const result = await input.outcome(verb.executionTimeout * 1000);
        if (ctx.stop.interrupted) return CONTINUE;
        if (!result) {
          ctx.log({ kind: 'event', message: 'GetInput: no input; the next element runs' });
          return CONTINUE;
        }
        const shown = result.type === 'dtmf' ? `keys "${result.digits}"` : `speech "${result.text}"`;
        ctx.log({ kind: 'event', message: `GetInput: caller gave ${verb.log ? shown : result.type}` });
        const params = ctx.params({
          InputType: result.type,
          Digits: result.type === 'dtmf' ? result.digits : '',
          Speech: result.type === 'speech' ? result.text : '',
          // The recognizer's own score; empty when it gives none.
          SpeechConfidenceScore: result.type === 'speech' && result.confidence !== undefined ? result.confidence.toFixed(2) : '',
          BargeIn: String(bargeIn),
        });
        if (!verb.redirect) {
          ctx.notify(verb.action, verb.method, params, 'action');
          return CONTINUE;
        }
        return { next: 'goto', goto: { url: verb.action, method: verb.method, params, kind: 'action' } };
      } finally {
        input.close();
      }
    },
  };
}
