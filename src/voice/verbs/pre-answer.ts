// <PreAnswer>: its children run with early media before an inbound call is
// answered (the caller hears them, the call is not billed yet). On a call
// that is already answered they simply run.
import type { PreAnswerVerb } from '../../plivo-xml/ast.ts';
import type { VerbRunner } from '../interpreter/verb.ts';

export const preAnswerRunner: VerbRunner<PreAnswerVerb> = {
  needsAnswer: false,
  async run(verb, ctx) {
    ctx.preAnswer();
    return ctx.runEarly(verb.verbs);
  },
};
