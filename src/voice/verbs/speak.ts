// <Speak>: see prompts/prompt.ts, which GetDigits, GetInput and Dial share.
import type { SpeakVerb } from '../../plivo-xml/ast.ts';
import { CONTINUE, type VerbRunner } from '../interpreter/verb.ts';
import { speak } from '../prompts/prompt.ts';

export const speakRunner: VerbRunner<SpeakVerb> = {
  needsAnswer: true,
  async run(verb, ctx) {
    await speak(verb, ctx);
    return CONTINUE;
  },
};
