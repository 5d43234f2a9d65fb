// A call the platform holds for a flow instead of running an application's
// XML on it: the flow runs verbs it builds (plivo-xml/build.ts) one piece at
// a time and hears how each piece ended (Program.runHeld), writes to the
// call's debug log, and hangs the call up when the flow is done with it.
// The flow sees this narrow handle and plain facts, never the Call.
import type { Verb } from '../../plivo-xml/ast.ts';
import type { HeldEnd } from '../interpreter/program.ts';
import type { Call } from './call.ts';
import { CAUSES } from './causes.ts';
import { durationOf } from './params.ts';

/**
 * The action of verbs built for a held call. Its requests never leave the
 * process: Program.runHeld hands their parameters to the holder.
 */
export const HELD_RESULT = 'held:result';

/** What a flow may know of a call: identity, status and timings (ms), how it ended. */
export interface CallFacts {
  uuid: string;
  from: string;
  to: string;
  direction: 'inbound' | 'outbound';
  /** CallStatus: the live status, or how the call ended (completed, busy, no-answer, cancel, failed). */
  status: string;
  answeredAt: number | undefined;
  endedAt: number | undefined;
  /** The telephony cause (NORMAL_CLEARING, USER_BUSY …); empty while live. */
  hangupCause: string;
  /** Answered seconds, rounded up (0 while live or when never answered). */
  durationS: number;
  /** Machine detection's verdict, when it ran: true for a machine, false for a person or Unknown. */
  machine: boolean | undefined;
}

export function factsOf(call: Call): CallFacts {
  return {
    uuid: call.uuid,
    from: call.from,
    to: call.to,
    direction: call.direction,
    status: call.callStatus,
    answeredAt: call.answeredAt,
    endedAt: call.endedAt,
    hangupCause: call.end?.cause.cause ?? '',
    durationS: durationOf(call),
    machine: call.machine === undefined ? undefined : call.machine === 'machine',
  };
}

/** A piece's end, with the legs its verbs placed as they stand when it ended. */
export interface HeldResult {
  end: HeldEnd;
  legs: CallFacts[];
}

/** How the engine runs a held call's pieces (the Engine implements it). */
export interface HeldHost {
  runHeld(call: Call, verbs: readonly Verb[], onLeg: (leg: Call) => void): Promise<HeldEnd>;
  log(call: Call, entry: { kind: string; message: string; data?: Record<string, unknown> }): void;
}

export class HeldCall {
  constructor(
    /** The engine's call, for voice services that take a call over (a multiparty call moving it in); flows use the methods below. */
    readonly call: Call,
    private readonly host: HeldHost,
  ) {}

  get uuid(): string {
    return this.call.uuid;
  }

  get live(): boolean {
    return this.call.live;
  }

  facts(): CallFacts {
    return factsOf(this.call);
  }

  /** Run `verbs` on the call, replacing whatever runs on it, and hear how they ended. */
  async run(verbs: readonly Verb[]): Promise<HeldResult> {
    const legs: Call[] = [];
    const end = await this.host.runHeld(this.call, verbs, (leg) => legs.push(leg));
    return { end, legs: legs.map(factsOf) };
  }

  /** Answer the call if it rings still; false when it ended first. */
  answer(): Promise<boolean> {
    return this.call.answer();
  }

  /** The flow is done with the call: it ends as a document that ran out of instructions does. */
  hangup(): void {
    this.call.hangup({ cause: CAUSES.endOfXml, source: 'Plivo' });
  }

  /** `fn` runs once when the call ends (at once if it has). */
  onEnd(fn: () => void): () => void {
    return this.call.onEnd(fn);
  }

  /** An entry in the call's debug log (GET /Call/{uuid}/Log/). */
  log(message: string, data?: Record<string, unknown>): void {
    this.host.log(this.call, { kind: 'flow', message, data });
  }
}
