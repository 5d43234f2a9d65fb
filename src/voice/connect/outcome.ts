import type { HttpMethod } from '../../plivo-xml/ast.ts';
import type { PlacedLeg } from '../engine/call-control.ts';
import { CONTINUE, type Outcome, type VerbContext } from '../interpreter/verb.ts';

/**
 * After a verb that connected the call to others (Dial, Conference,
 * MultiPartyCall) ends: its action receives `params`. With redirect the
 * returned document replaces the rest; without it the next verb runs. A
 * caller who hung up still has the outcome reported; a call transferred
 * away has moved on and reports nothing.
 */
export function afterward(hook: { action: string | undefined; method: HttpMethod; redirect: boolean }, ctx: VerbContext, params: () => Record<string, string>): Outcome {
  if (!hook.action) return CONTINUE;
  if (ctx.call.live && ctx.stop.interrupted) return CONTINUE;
  if (!ctx.call.live || !hook.redirect) {
    ctx.notify(hook.action, hook.method, params(), 'action');
    return CONTINUE;
  }
  return { next: 'goto', goto: { url: hook.action, method: hook.method, params: params(), kind: 'action' } };
}

/** How ringing several destinations ended when nobody was connected (a Dial, a flow's call): busy beats no-answer beats failed. */
export function unconnected(legs: readonly Pick<PlacedLeg, 'callStatus'>[]): 'busy' | 'no-answer' | 'failed' {
  const statuses = new Set(legs.map((l) => l.callStatus));
  if (statuses.has('busy')) return 'busy';
  // Answered but never accepted (confirmKey), rung out, or cancelled: nobody took the call.
  if (statuses.has('no-answer') || statuses.has('timeout') || statuses.has('completed')) return 'no-answer';
  return 'failed';
}
