// <DTMF>: sends keys to the caller ('w' waits 0.5 s, 'W' 1 s). With `async`
// (the default) the next verb starts once the first key is sent.
import type { DtmfVerb } from '../../plivo-xml/ast.ts';
import { CONTINUE, type VerbRunner } from '../interpreter/verb.ts';

export const dtmfRunner: VerbRunner<DtmfVerb> = {
  needsAnswer: true,
  async run(verb, ctx) {
    await ctx.sendDigits(verb.digits, verb.async);
    return CONTINUE;
  },
};
