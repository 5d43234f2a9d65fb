// Verbs as data: the AST nodes our own code runs (prompts of multiparty
// calls, verification calls, flow nodes), with every attribute the caller
// leaves out defaulted exactly as the parser defaults it (from the same
// schemas), so a built verb equals the parsed element. Never XML text.
import type { GetDigitsVerb, GetInputVerb, HangupVerb, PlayVerb, RecordVerb, ResponseDoc, SpeakVerb, SsmlNode, Verb, WaitVerb } from './ast.ts';
import { defaults } from './attrs.ts';
import { getDigitsAttrs, getInputAttrs, hangupAttrs, playAttrs, recordAttrs, speakAttrs, waitAttrs } from './elements.ts';
import { ssmlToText } from './ssml.ts';

type Options<V, Content extends string = never> = Partial<Omit<V, 'kind' | Content>>;

export function speak(text: string, opts: Options<SpeakVerb, 'content' | 'text'> = {}): SpeakVerb {
  const content: SsmlNode[] = [{ kind: 'text', text }];
  return { kind: 'Speak', ...(defaults(speakAttrs) as Required<Options<SpeakVerb, 'content' | 'text'>>), ...opts, content, text: ssmlToText(content) };
}

export function play(url: string, opts: Options<PlayVerb, 'url'> = {}): PlayVerb {
  return { kind: 'Play', ...(defaults(playAttrs) as Required<Options<PlayVerb, 'url'>>), ...opts, url };
}

export function wait(opts: Options<WaitVerb> = {}): WaitVerb {
  return { kind: 'Wait', ...(defaults(waitAttrs) as Required<Options<WaitVerb>>), ...opts };
}

export function getDigits(opts: Options<GetDigitsVerb> = {}): GetDigitsVerb {
  return { kind: 'GetDigits', ...(defaults(getDigitsAttrs) as Required<Options<GetDigitsVerb, 'prompts'>>), prompts: [], ...opts };
}

/** GetInput has no default action or input type: both are given. */
export function getInput(opts: Options<GetInputVerb> & Pick<GetInputVerb, 'action' | 'inputType'>): GetInputVerb {
  return { kind: 'GetInput', ...(defaults(getInputAttrs) as Required<Options<GetInputVerb, 'prompts' | 'action' | 'inputType'>>), prompts: [], ...opts };
}

export function record(opts: Options<RecordVerb> = {}): RecordVerb {
  return { kind: 'Record', ...(defaults(recordAttrs) as Required<Options<RecordVerb>>), ...opts };
}

export function hangup(opts: Options<HangupVerb> = {}): HangupVerb {
  return { kind: 'Hangup', ...(defaults(hangupAttrs) as Required<Options<HangupVerb>>), ...opts };
}

/** A whole document, as a fetched answer would give it. */
export function response(...verbs: Verb[]): ResponseDoc {
  return { verbs };
}
