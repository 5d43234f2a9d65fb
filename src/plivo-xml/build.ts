// Verbs as data: the AST nodes our own code runs (prompts of multiparty
// calls, verification calls, flow nodes), with every attribute the caller
// leaves out defaulted exactly as the parser defaults it (from the same
// schemas), so a built verb equals the parsed element. Never XML text.
import type {
  ConferenceVerb, DialNumber, DialUser, DialVerb, GetDigitsVerb, GetInputVerb, HangupVerb, MultiPartyCallVerb, PlayVerb, RecordVerb, ResponseDoc, SpeakVerb, SsmlNode, Verb, WaitVerb,
} from './ast.ts';
import { defaults } from './attrs.ts';
import {
  conferenceAttrs, dialAttrs, getDigitsAttrs, getInputAttrs, hangupAttrs, mpcAttrs, numberAttrs, playAttrs, recordAttrs, speakAttrs, userAttrs, waitAttrs,
} from './elements.ts';
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

export function dialNumber(number: string, opts: Options<DialNumber, 'number'> = {}): DialNumber {
  return { kind: 'Number', ...(defaults(numberAttrs) as Required<Options<DialNumber, 'number'>>), ...opts, number };
}

export function dialUser(uri: string, opts: Options<DialUser, 'uri'> = {}): DialUser {
  return { kind: 'User', ...(defaults(userAttrs) as Required<Options<DialUser, 'uri'>>), ...opts, uri };
}

export function dial(targets: Array<DialNumber | DialUser>, opts: Options<DialVerb, 'targets'> = {}): DialVerb {
  return { kind: 'Dial', ...(defaults(dialAttrs) as Required<Options<DialVerb, 'targets'>>), ...opts, targets };
}

export function conference(name: string, opts: Options<ConferenceVerb, 'name'> = {}): ConferenceVerb {
  return { kind: 'Conference', ...(defaults(conferenceAttrs) as Required<Options<ConferenceVerb, 'name'>>), ...opts, name };
}

/** MultiPartyCall has no default role: it is given. */
export function multiPartyCall(name: string, opts: Options<MultiPartyCallVerb, 'name'> & Pick<MultiPartyCallVerb, 'role'>): MultiPartyCallVerb {
  return { kind: 'MultiPartyCall', ...(defaults(mpcAttrs) as Required<Options<MultiPartyCallVerb, 'name' | 'role'>>), ...opts, name };
}

/** A whole document, as a fetched answer would give it. */
export function response(...verbs: Verb[]): ResponseDoc {
  return { verbs };
}
