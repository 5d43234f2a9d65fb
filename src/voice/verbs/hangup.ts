// <Hangup>: ends the call now, or after `schedule` seconds while the next
// verbs run. An inbound call not yet answered is refused instead: busy when
// `reason` says so, rejected otherwise.
import { CAUSES } from '../engine/causes.ts';
import type { HangupVerb } from '../../plivo-xml/ast.ts';
import { CONTINUE, type VerbRunner } from '../interpreter/verb.ts';

export const hangupRunner: VerbRunner<HangupVerb> = {
  needsAnswer: false,
  async run(verb, ctx) {
    if (verb.schedule !== undefined) {
      ctx.scheduleHangup(verb.schedule * 1000, { cause: CAUSES.scheduledHangup, source: 'Answer XML' });
      return CONTINUE;
    }
    // A call that was never answered is refused: busy when asked, rejected otherwise.
    const cause = ctx.answered ? CAUSES.normal : verb.reason === 'busy' ? CAUSES.busy : CAUSES.rejected;
    return { next: 'hangup', end: { cause, source: 'Answer XML' } };
  },
};
