// <Play>: see prompts/prompt.ts, which GetDigits, GetInput and Dial share.
import type { PlayVerb } from '../../plivo-xml/ast.ts';
import { CONTINUE, type VerbRunner } from '../interpreter/verb.ts';
import { play } from '../prompts/prompt.ts';

export const playRunner: VerbRunner<PlayVerb> = {
  needsAnswer: true,
  async run(verb, ctx) {
    await play(verb, ctx);
    return CONTINUE;
  },
};
