// <Conference>: the call joins the named conference of its account (made by
// its first member) and stays until it leaves: it hangs up, presses * with
// hangupOnStar, reaches timeLimit, is kicked, or the conference ends. Keys
// it presses are matched against digitsMatch (callbackUrl hears of matches)
// and, with relayDTMF, sent to the others. Then `action` gets the
// conference's name, uuid and the member id (and the recording, when the
// element recorded it); the next verb runs otherwise. A full conference
// (maxMembers) lets the call go on to its next verb.
import { afterward } from '../connect/outcome.ts';
import { DigitMatcher } from '../connect/digits.ts';
import { renderPrompts, soundDocument } from '../prompts/documents.ts';
import { CONTINUE, type VerbRunner } from '../interpreter/verb.ts';
import type { ConferenceVerb } from '../../plivo-xml/ast.ts';
import type { CallOwner } from '../engine/ports.ts';
import type { CallControl } from '../engine/call-control.ts';
import type { Conference, ConferenceMember } from '../conference/conference.ts';
import type { Segment } from '../rooms/source.ts';

/** What the Conference element asks of the conferences service (conference/conferences.ts). */
export interface ConferencePort<C> {
  /** Whether a member entering `name` now waits for the conference to start. */
  waits(owner: CallOwner, name: string): boolean;
  /** The call enters (undefined: the conference is full). */
  enter(call: C, verb: ConferenceVerb, waitMusic: Segment[]): { conf: Conference; member: ConferenceMember } | undefined;
}

export function conferenceRunner<C extends CallControl>(conferences: ConferencePort<C>): VerbRunner<ConferenceVerb, C> {
  return {
    needsAnswer: true,
    async run(verb, ctx) {
      const { call } = ctx;
      const waits = verb.waitSound !== undefined && !verb.startConferenceOnEnter && conferences.waits(call.owner, verb.name);
      const music = waits ? await renderPrompts(ctx, await soundDocument(ctx, verb.waitSound!, 'POST', 'wait_sound')) : [];
      if (ctx.stop.interrupted) return CONTINUE;
      const entered = conferences.enter(call, verb, music);
      if (!entered) {
        ctx.log({ kind: 'event', message: `conference ${verb.name} is full (maxMembers ${verb.maxMembers}); the call goes on` });
        return CONTINUE;
      }
      const { conf, member } = entered;
      ctx.log({ kind: 'event', message: `entered conference ${conf.name} (${conf.uuid}) as member ${member.id}` });
      const off = ctx.stop.onFire(() => conf.leave(member, call.live ? 'transferred' : 'hangup'));
      const matcher = new DigitMatcher(verb.digitsMatch);
      call.listenDigits((d) => {
        if (verb.hangupOnStar && d === '*') return conf.leave(member, 'star');
        const hit = matcher.push(d);
        if (hit !== undefined) conf.event(member, 'digits', { ConferenceDigitsMatch: hit });
        if (verb.relayDTMF) conf.relayDigit(member, d);
      });
      const reason = await member.exited;
      off();
      call.listenDigits(undefined);
      ctx.log({ kind: 'event', message: `left conference ${conf.name} (${reason})` });
      const rec = conf.xmlRecording;
      return afterward(verb, ctx, () => ctx.params({ ...conf.params(member), ...(rec ? { RecordUrl: rec.url, RecordingID: rec.id } : {}) }));
    },
  };
}
