// <MultiPartyCall>: the call joins the named multiparty call of its account
// with the element's role and settings, and stays until it leaves (hangs up,
// is kicked, the MPC ends, or it is transferred). Then onExitActionUrl's
// document replaces the rest of this one, if given; otherwise the next verb
// runs. A call that hung up or was transferred away asks nothing more.
import { CONTINUE, type VerbRunner } from '../interpreter/verb.ts';
import type { MultiPartyCallVerb } from '../../plivo-xml/ast.ts';
import type { CallControl } from '../engine/call-control.ts';
import type { MpcSettings, MultiPartyCall, Participant } from '../mpc/mpc.ts';

/** What the MultiPartyCall element asks of the multiparty calls service (mpc/mpcs.ts). */
export interface MpcPort<C> {
  join(call: C, name: string, settings: MpcSettings, byApi: false): { mpc: MultiPartyCall; participant: Participant } | undefined;
}

export function multiPartyCallRunner<C extends CallControl>(mpcs: MpcPort<C>): VerbRunner<MultiPartyCallVerb, C> {
  return {
    needsAnswer: true,
    async run(verb, ctx) {
      const { call } = ctx;
      const { kind: _kind, name, ...settings } = verb;
      const joined = mpcs.join(call, name, settings, false);
      if (!joined) {
        ctx.log({ kind: 'event', message: `multiparty call ${name} is full; the call goes on` });
        return CONTINUE;
      }
      const { mpc, participant } = joined;
      ctx.log({ kind: 'event', message: `joined multiparty call ${name} (${mpc.uuid}) as ${participant.role} ${participant.id}` });
      const off = ctx.stop.onFire(() => mpc.leave(participant, call.live ? 'Participant Call Transferred' : 'Participant Call Hangup'));
      const cause = await participant.exited;
      off();
      ctx.log({ kind: 'event', message: `left multiparty call ${name} (${cause})` });
      if (ctx.stop.interrupted || !call.live || !verb.onExitActionUrl) return CONTINUE;
      const params = ctx.params({ MPCName: mpc.name, MPCUUID: mpc.uuid, MemberID: participant.id, ParticipantExitCause: cause });
      return { next: 'goto', goto: { url: verb.onExitActionUrl, method: verb.onExitActionMethod, params, kind: 'action' } };
    },
  };
}
