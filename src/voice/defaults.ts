// The call defaults the platform documents, in one leaf module: the engine,
// the Call API, the verbs and the rooms read them from here.
import type { CallbackPolicy } from '../webhooks/types.ts';

/** The platform's default maximum call length (4 hours). */
export const DEFAULT_TIME_LIMIT_S = 14_400;
/** How long an outbound call may ring by default. */
export const DEFAULT_RING_TIMEOUT_S = 120;
/** How long each key sounds when the platform sends DTMF (the DTMF verb, keys relayed across a bridge or a room). */
export const DTMF_TONE_MS = 100;
/** Outbound API calls per second per main account unless SWITCHBOARD_CALLS_PER_SECOND says otherwise: the platform's default. */
export const DEFAULT_CALLS_PER_SECOND = 2;

/**
 * The answer URL is tried three times before fallback_url (the Call API's
 * fallback_url: "We retry answer_url three times … If all three attempts
 * fail … fallback_url is invoked", within the 60 s the same sentence
 * allows): two retries after any failure to answer, inside the default
 * 55 s total. A callback configuration in the URL's fragment still wins.
 */
export const ANSWER_URL_POLICY: Partial<CallbackPolicy> = { retries: 2, retryOn: ['ct', 'rt', '4xx', '5xx'] };
