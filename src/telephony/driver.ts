// The seam between the voice engine and a telephony network. A driver
// creates legs (`originate`), announces inbound legs, reports their progress
// (ringing → early media → answered → ended with a cause), DTMF and audio
// from the far end, and gives each leg an audio port. The engine never knows
// which driver it talks to: the sandbox carrier (`sim/`) today, SIP later.
//
// Audio is handed over in runs of 20 ms frames with a start time implied by
// the port's queue, not frame by frame on a timer: an idle leg costs nothing
// and a prompt costs one call. A driver that must pace real packets (RTP)
// drains its queues on one shared 20 ms tick.
import type { Annotation } from '../media/frame.ts';
import { FRAME_MS, FRAME_SAMPLES } from '../media/frame.ts';

/**
 * Consecutive 20 ms frames of 8 kHz 16-bit mono PCM. The last frame may be
 * short; it is padded with silence on the wire. The samples are read-only
 * and may be shared (prompt caches hand the same array to many legs).
 */
export interface FrameRun {
  samples: Int16Array;
  /** What the audio is (spoken text, a played URL, a tone …), for transcripts and speech input. */
  annotation?: Annotation;
}

/** How long a run lasts on the wire: whole frames. */
export const runDurationMs = (run: FrameRun): number => Math.ceil(run.samples.length / FRAME_SAMPLES) * FRAME_MS;

/** Why a leg ended, in the network's terms (Q.850 names, as SIP gateways report them). */
export type NetworkCause =
  | 'NORMAL_CLEARING'
  | 'USER_BUSY'
  | 'NO_ANSWER'
  | 'CALL_REJECTED'
  | 'UNALLOCATED_NUMBER'
  | 'DESTINATION_OUT_OF_ORDER'
  | 'ORIGINATOR_CANCEL'
  | 'NORMAL_TEMPORARY_FAILURE';

export type LegDirection = 'inbound' | 'outbound';
export type LegState = 'trying' | 'ringing' | 'early' | 'answered' | 'ended';

/** Who ended a leg: the far end (phone, carrier) or the platform through `hangup`. */
export type EndedBy = 'far_end' | 'platform';

/** The engine's side of a leg's events. One observer per leg; drivers call it asynchronously, never from inside a leg method. */
export interface LegObserver {
  ringing(leg: Leg): void;
  earlyMedia(leg: Leg): void;
  answered(leg: Leg): void;
  ended(leg: Leg, cause: NetworkCause, by: EndedBy): void;
  /** The far end pressed a key (RFC 2833 in SIP). */
  dtmf(leg: Leg, digit: string): void;
  /** The far end sent audio starting at platform time `at` (from a leg that analyses its own line, only while asked: `Leg.hearAudio`). */
  audio(leg: Leg, run: FrameRun, at: number): void;
  /** A leg that analyses its own line (`Leg.analysesLine`) heard sound from `start` to `end` (platform ms; media/line-analysis.ts). */
  lineSound?(leg: Leg, start: number, end: number): void;
  /** …and a key's tone from `start` to `end`. */
  lineKey?(leg: Leg, digit: string, start: number, end: number): void;
}

/** Audio toward the far end. Runs play back to back in the order sent. */
export interface AudioOut {
  /** Queue `run` after what is queued; returns the platform time at which it will have played. */
  send(run: FrameRun): number;
  /** Drop everything not yet played (barge-in, transfer). */
  clear(): void;
  /**
   * Play `run` from now over what is queued, sample-added: the call's own
   * audio (a bridged party, a conference) heard together with a prompt. It
   * neither waits for the queue nor moves its end, and `clear` leaves it to
   * finish (stopping the prompt does not cut the other party short).
   */
  mix(run: FrameRun): void;
  /** When the queued audio will have played (≤ now when idle). */
  readonly playingUntil: number;
}

export interface Leg {
  /** The call uuid of this leg. */
  readonly uuid: string;
  readonly direction: LegDirection;
  readonly from: string;
  readonly to: string;
  readonly state: LegState;
  /** Platform time the leg was created (originated or announced). */
  readonly startedAt: number;
  readonly audio: AudioOut;
  /**
   * Whether the far end's audio carries what it says as labels (the
   * sandbox's virtual phones): the label recognizer reads those; real
   * callers' speech needs a recognition engine.
   */
  readonly speechLabelled: boolean;
  /**
   * Set when the driver analyses the far end's audio where it arrives (SIP:
   * its media workers, with media/line-analysis.ts) and reports what it
   * finds through the observer's `lineSound`/`lineKey`. The audio itself
   * then reaches `observer.audio` only while `hearAudio(true)`: the engine
   * asks for it while something listens (a recording, a stream, a bridge, a
   * conference, speech input). Other legs always deliver it and leave line
   * analysis to the engine.
   */
  readonly analysesLine?: boolean;
  hearAudio?(wanted: boolean): void;
  /** Only for legs from `onInbound`; originated legs get their observer at once. */
  attach(observer: LegObserver): void;
  /** Inbound: tell the caller it rings (180). */
  ring(): void;
  /** Inbound: open early media (183) before answering. */
  preAnswer(): void;
  /** Inbound: answer (200). */
  answer(): void;
  /** End the leg: rejects or cancels it before answer, hangs up after. Idempotent. */
  hangup(cause: NetworkCause): void;
  /** Send DTMF toward the far end; returns the platform time the last key has been sent. */
  sendDigits(digits: string, toneMs: number): number;
}

/** Whose traffic a leg is: drivers pick trunks, sandbox behaviours … by it. */
export interface Tenant {
  accountId: string;
  subaccountId: string | null;
}

export interface OriginateRequest {
  uuid: string;
  tenant: Tenant;
  from: string;
  to: string;
  callerName: string;
  sipHeaders: Record<string, string>;
  /** The call this leg is placed for (a Dial's caller, an API call's parent): a network counts hops through it to stop call loops. */
  parentUuid?: string;
}

export interface InboundInfo {
  sipHeaders: Record<string, string>;
  callerName: string;
  /** Whose traffic it is, when the network knows (the sandbox: who placed the call; SIP: the calling endpoint's owner). */
  tenant?: Tenant;
  /**
   * The address whose application runs, when it is not `to`: a registered
   * SIP endpoint's own `sip:` URI for the calls it places (the platform runs
   * the endpoint's application, which sees `To` as dialled).
   */
  routeAs?: string;
  /**
   * What admitting the call already read about the called number (SIP: the
   * carrier check found the number's row), handed back to the platform's
   * routing so the number is not read twice. Opaque to the engine.
   */
  known?: unknown;
}

export interface TelephonyDriver {
  /** Start an outbound leg; events go to `observer`. Never throws for network outcomes: those arrive as `ended`. */
  originate(req: OriginateRequest, observer: LegObserver): Leg;
  /** Register the engine's handler for calls arriving from the network. */
  onInbound(handler: (leg: Leg, info: InboundInfo) => void): void;
  close(): Promise<void>;
}
