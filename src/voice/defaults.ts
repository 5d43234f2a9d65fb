// The call defaults the platform documents, in one leaf module: the engine,
// the Call API, the verbs and the rooms read them from here.

/** The platform's default maximum call length (4 hours). */
export const DEFAULT_TIME_LIMIT_S = 14_400;
/** How long an outbound call may ring by default. */
export const DEFAULT_RING_TIMEOUT_S = 120;
/** How long each key sounds when the platform sends DTMF (the DTMF verb, keys relayed across a bridge or a room). */
export const DTMF_TONE_MS = 100;
/** Outbound calls per second per account unless SWITCHBOARD_CALLS_PER_SECOND says otherwise. */
export const DEFAULT_CALLS_PER_SECOND = 10;
