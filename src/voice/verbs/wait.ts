// <Wait>: see prompts/prompt.ts, which GetDigits, GetInput and Dial share.
import type { WaitVerb } from '../../plivo-xml/ast.ts';
import { CONTINUE, type VerbRunner } from '../interpreter/verb.ts';
import { wait } from '../prompts/prompt.ts';

export const waitRunner: VerbRunner<WaitVerb> = {
  needsAnswer: true,
  async run(verb, ctx) {
    await wait(verb, ctx);
    return CONTINUE;
  },
};
