// What the voice engine needs from the rest of the platform, as narrow
// interfaces: the composition root wires the real services, unit tests wire
// in-process fakes (answer documents from a map, speech of fixed length).
import type { SpeakRequest } from '../../media/tts/tts.ts';
import type { NumberType } from '../../store/tables/numbers.ts';
import type { HttpMethod, WebhookRequest, WebhookResult } from '../../webhooks/types.ts';
import type { CallLogEntry, CallOwner } from '../../platform/call-log.ts';
import type { Executor } from '../../store/repos/accounts.ts';

export type { CallOwner, HttpMethod };

export interface WebhookPort {
  /** One request with the URL's retry policy; never throws. */
  fetch(req: WebhookRequest): Promise<WebhookResult>;
  /** `primary`, then (when it fails) the fallback URL with the same parameters. The answer URL's fallback is the interpreter's, since invalid XML falls back too. */
  fetchWithFallback(primary: WebhookRequest, fallbackUrl: string | undefined, fallbackMethod?: HttpMethod): Promise<WebhookResult>;
  /** A durable callback off the call's critical path (hangup, ring …). */
  enqueue(req: WebhookRequest): Promise<void>;
}

/** Durable callbacks written in the caller's transaction: a call's record and its hangup callback are stored together. */
export interface CallbackStore {
  /** Call the result once the transaction has committed: it sends the callback. */
  enqueueIn(trx: Executor, reqs: readonly WebhookRequest[]): Promise<() => void>;
}

export interface CallLogPort {
  append(callUuid: string, owner: CallOwner, entry: CallLogEntry): Promise<void>;
}

export interface EngineMedia {
  speech(req: SpeakRequest): Promise<Int16Array>;
  /** WAV or MP3 at `url` as 8 kHz PCM; throws with a readable message when it cannot be played. */
  audioFile(url: string): Promise<Int16Array>;
}

/** The tokens that sign a call's webhooks: its owner's, and the main account's. */
export interface Signing {
  authToken: string;
  mainAuthToken: string;
}

export interface CallApp {
  answerUrl: string;
  answerMethod: HttpMethod;
  hangupUrl: string;
  hangupMethod: HttpMethod;
  fallbackUrl: string;
  fallbackMethod: HttpMethod;
}

/** Where an inbound call goes: its owner, the application (or flow) to run, and how it is rated. */
export interface InboundTarget {
  owner: CallOwner;
  /** Undefined when neither the number nor its owner has an application. */
  app: CallApp | undefined;
  /** The flow (PHLO) attached to the number or endpoint: it takes the call instead of an application. */
  flowId?: string;
  numberType?: NumberType;
}

export interface PlatformPort {
  /** The owner and application of a platform number or endpoint address; undefined when not served here. `known`: InboundInfo.known of the call. */
  route(to: string, known?: unknown): Promise<InboundTarget | undefined>;
  signing(owner: CallOwner): Promise<Signing>;
  /** Per-minute rate in micros for a call to (outbound) or at (inbound) `number`; undefined when it has none. */
  rate(direction: 'inbound' | 'outbound', number: string, numberType?: NumberType): number | undefined;
}

/** A call leg as it is known from its start: what its live row and its CDR both keep. */
export interface CallLeg {
  uuid: string;
  requestUuid: string;
  owner: CallOwner;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  callerName: string;
  parentCallUuid: string | null;
  numberType?: NumberType;
  initiatedAt: number;
}

/** A call that is live (dialled or taken), as its live row keeps it. */
export interface LiveCall extends CallLeg {
  hangup?: { url: string; method: HttpMethod };
  /** What its webhooks carry now. */
  params: Record<string, string>;
}

/** A finished call leg, as billing and the CDR need it. */
export interface EndedCall extends CallLeg {
  /** It has a live row (it was dialled or taken): its record is written only by whoever removes that row. */
  live: boolean;
  /**
   * False when it never held credit (it had no rate when it started, and a
   * call holds only at its own rate): its charge has no hold to release.
   * Unknown (a call closed after a crash): true.
   */
  holdsCredit: boolean;
  /** Its hangup callback, once the charge is known: stored with the record. */
  hangup?: (charge: Charge) => WebhookRequest;
  answeredAt: number | undefined;
  endedAt: number;
  durationS: number;
  state: string;
  causeCode: number;
  causeName: string;
  cause: string;
  source: string;
}

export interface Charge {
  /** Per-minute rate, micros. */
  rate: number;
  billedS: number;
  amount: number;
}

/**
 * Credit held for calls in progress: a call holds its first billing
 * increment before it is placed (or taken), then each next one just before
 * it starts; its record's charge releases what it held.
 */
export interface CreditPort {
  /** How long one billing increment lasts. */
  readonly incrementMs: number;
  /** Hold the first increment of each priced call, all or none; throws an ApiError (insufficient credit) when the owner cannot cover them. */
  hold(owner: CallOwner, calls: ReadonlyArray<{ uuid: string; rate: number | undefined }>): Promise<void>;
  /** Hold one more increment for a live call at `rate`; false when its owner cannot cover it. */
  extend(owner: CallOwner, uuid: string, rate: number): Promise<boolean>;
  /** Drop a call's hold (a call that ended before its hold was taken). */
  release(uuid: string): Promise<void>;
}

export interface CdrPort {
  /** The call is live: keep its row, so a crash does not forget it. */
  started(call: LiveCall): void;
  answered(uuid: string, at: number, params: Record<string, string>): void;
  /** Rate, bill and store the call's record; resolves once it is committed, with undefined when another node closed it first. */
  record(call: EndedCall): Promise<Charge | undefined>;
}
