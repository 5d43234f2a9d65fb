// Legs the platform places on a call's behalf (Dial's B-legs, participants
// dialled into a multiparty call): outbound calls of the same owner, billed
// at their destination's rate, linked to the call they serve by
// parent_call_uuid, that run no answer URL: once answered they are handed
// to `connect`.
import { newUuid } from '../../ids.ts';
import type { Call, SendDigits } from '../engine/call.ts';
import type { Engine } from '../engine/engine.ts';
import { DEFAULT_TIME_LIMIT_S } from '../engine/engine.ts';
import type { CallOwner, Signing } from '../engine/ports.ts';

export interface LegRequest {
  owner: CallOwner;
  signing: Signing;
  /** The call this leg serves (its CDR's parent_call_uuid). */
  parentUuid: string | null;
  from: string;
  to: string;
  callerName: string;
  sipHeaders: Record<string, string>;
  sendDigits?: SendDigits;
  /** Seconds it may ring before the platform gives up. */
  ringTimeoutS: number;
  timeLimitS?: number;
  /** Seconds (on the engine's clock) before it is dialled; a leg hung up meanwhile is never dialled. */
  delayS?: number;
  connect(call: Call): void;
  ringing?(call: Call): void;
}

export function placeLeg(engine: Engine, r: LegRequest): Call {
  const uuid = newUuid();
  const call = engine.create({
    uuid,
    requestUuid: uuid,
    direction: 'outbound',
    from: r.from,
    to: r.to,
    owner: r.owner,
    signing: r.signing,
    setup: {
      // Never fetched: `connect` decides what the answered leg does.
      answer: { url: '', method: 'POST' },
      callerName: r.callerName,
      sendDigits: r.sendDigits,
      timeLimitS: r.timeLimitS ?? DEFAULT_TIME_LIMIT_S,
      ringTimeoutS: r.ringTimeoutS,
      sipHeaders: r.sipHeaders,
      connect: r.connect,
      rang: r.ringing,
    },
    parentCallUuid: r.parentUuid,
    rate: engine.platform.rate('outbound', r.to),
  });
  if (!r.delayS) engine.dial(call);
  else engine.timers.after(r.delayS * 1000, () => call.live && engine.dial(call));
  return call;
}

/** Resolves once `call` has ended. */
export const ended = (call: Call): Promise<void> => new Promise((resolve) => call.onEnd(resolve));
