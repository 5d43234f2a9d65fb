// The voice engine in-process on a virtual clock with the sandbox carrier,
// answer documents served from a map (no HTTP) and speech of a fixed pace
// (speech-like sound, a burst per word), so interpreter tests are
// deterministic and take milliseconds.
import pino, { type Logger } from 'pino';
import { TimerGroup, VirtualClock } from '../../src/clock/clock.ts';
import { SimCarrier } from '../../src/telephony/sim/carrier.ts';
import { DEFAULT_PHONE, type DtmfMode, type PhoneBehaviour, type PhoneMedia } from '../../src/telephony/sim/behaviour.ts';
import type { SimLeg } from '../../src/telephony/sim/leg.ts';
import type { CallSetup } from '../../src/voice/engine/call.ts';
import type { Call } from '../../src/voice/engine/call.ts';
import {Engine} from '../../src/voice/engine/engine.ts';

import type { CallApp, CdrPort, CreditPort, EndedCall, InboundTarget } from '../../src/voice/engine/ports.ts';
import type { CallLogEntry } from '../../src/platform/call-log.ts';
import type { WebhookRequest, WebhookResult } from '../../src/webhooks/types.ts';
import { newUuid } from '../../src/ids.ts';
import { speechLike } from '../media/audio-fixtures.ts';
import type { SpeakRequest } from '../../src/media/tts/tts.ts';
import { VerbRegistry } from '../../src/voice/interpreter/registry.ts';
import { registerVerbs } from '../../src/voice/verbs/index.ts';
import type { Recordings } from '../../src/voice/recordings/recordings.ts';

/**
 * The production verb list; the services behind Record, Stream, Conference,
 * MultiPartyCall and Message are not built here (a test that needs one
 * registers its runner over this list), and no Dial waits to record.
 */
function productionVerbs(): VerbRegistry {
  const verbs = new VerbRegistry();
  const absent = undefined as never;
  const recordings = { dialAnswered: async () => {} } as unknown as Recordings;
  registerVerbs(verbs, { recordings, streams: absent, conferences: absent, mpcs: absent, messages: absent, recognizer: () => undefined });
  return verbs;
}
import { DEFAULT_RING_TIMEOUT_S, DEFAULT_TIME_LIMIT_S } from '../../src/voice/defaults.ts';

/** Synthesized speech lasts 60 ms per character (whole frames) in these tests: a burst of sound per word, spaces silent. */
export const MS_PER_CHAR = 60;

const spoken = new Map<string, Int16Array>();
/** What "saying" `text` sounds like here (cached: runs are read-only). */
export function speechOf(text: string): Int16Array {
  let s = spoken.get(text);
  if (!s) spoken.set(text, (s = speechLike(text, MS_PER_CHAR)));
  return s;
}

export type Doc = string | ((params: Record<string, string>) => string);

const OWNER = { accountId: 'MA00000000000000000000', subaccountId: null };
/** The platform's one number here, routed to the harness's `app`. */
export const PLATFORM_NUMBER = '15550001111';

/** An outbound call from 15550001111 straight into `engine` (no REST service, no pacer), dialled at once. */
export function dialOut(engine: Engine, to: string, setup: Partial<CallSetup>, rate?: number): Call {
  const uuid = newUuid();
  const call = engine.create({
    uuid,
    requestUuid: uuid,
    direction: 'outbound',
    from: '15550001111',
    to,
    owner: OWNER,
    signing: { authToken: 'token', mainAuthToken: 'token' },
    setup: { answer: { url: '', method: 'POST' }, callerName: '', timeLimitS: DEFAULT_TIME_LIMIT_S, ringTimeoutS: DEFAULT_RING_TIMEOUT_S, sipHeaders: {}, ...setup },
    parentCallUuid: null,
    rate,
  });
  engine.dial(call);
  return call;
}

export interface Harness {
  clock: VirtualClock;
  engine: Engine;
  carrier: SimCarrier;
  requests: WebhookRequest[];
  ended: EndedCall[];
  logs: Array<{ callUuid: string } & CallLogEntry>;
  phones: Map<string, PhoneBehaviour>;
  /** What the engine asked the synthesizer for. */
  speech: SpeakRequest[];
  /** Place an outbound call to a virtual phone with answer URL `answer`. */
  call(to: string, setup?: Partial<CallSetup>): Call;
  /** A virtual phone calls the platform number `to` (routed to `app`). */
  callIn(from: string, to: string): SimLeg;
  leg(uuid: string): SimLeg;
  /** Advance while any call waits on a timer. */
  settle(limitMs?: number): Promise<void>;
}

export interface HarnessOptions {
  app?: CallApp;
  verbs?: VerbRegistry;
  cdrs?: CdrPort;
  /** How phones send their keys unless their behaviour says (default rfc4733). */
  dtmfMode?: DtmfMode;
  /** What the phones say and play, instead of speech-like sound and a second of silence. */
  phoneMedia?: PhoneMedia;
  /** Credit the calls may hold (default: unlimited). */
  credit?: CreditPort;
  /** The engine's logger (default: silent). */
  log?: Logger;
}

/** Credit without limit: every hold is granted. */
export const UNLIMITED_CREDIT: CreditPort = { incrementMs: 60_000, hold: async () => {}, extend: async () => true, release: async () => {} };

export function harness(docs: Record<string, Doc>, opts: HarnessOptions = {}): Harness {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const timers = new TimerGroup(clock);
  const requests: WebhookRequest[] = [];
  const ended: EndedCall[] = [];
  const logs: Harness['logs'] = [];
  const phones = new Map<string, PhoneBehaviour>();
  const speech: SpeakRequest[] = [];

  const serve = async (req: WebhookRequest): Promise<WebhookResult> => {
    requests.push(req);
    const doc = docs[req.url];
    if (doc === undefined) return { ok: false, status: 404, error: 'HTTP 404', attempts: 1 };
    return { ok: true, status: 200, body: typeof doc === 'function' ? doc(req.params) : doc, attempts: 1 };
  };
  const audioFile = async (url: string) => {
    if (url.includes('missing')) throw new Error('HTTP 404');
    return new Int16Array(8000);
  };
  const carrier = new SimCarrier({
    timers,
    directory: {
      behaviourOf: async (_t, n) => {
        const b = phones.get(n) ?? DEFAULT_PHONE;
        return { ...b, dtmf_mode: b.dtmf_mode ?? opts.dtmfMode };
      },
    },
    platformOwner: async (n) => (n === PLATFORM_NUMBER ? OWNER : undefined),
    media: opts.phoneMedia ?? { speech: async (text) => speechOf(text), audioFile },
    onError: (_leg, err) => {
      throw err;
    },
  });
  const engine = new Engine({
    clock,
    timers,
    driver: carrier,
    webhooks: {
      fetch: serve,
      fetchWithFallback: serve,
      enqueue: async (req) => void requests.push(req),
    },
    callLog: { append: async (callUuid, _o, entry) => void logs.push({ callUuid, ...entry }) },
    media: {
      speech: (r) => {
        speech.push(r);
        return Promise.resolve(speechOf(r.text));
      },
      audioFile,
    },
    platform: {
      route: async (to): Promise<InboundTarget | undefined> => (to === PLATFORM_NUMBER ? { owner: OWNER, app: opts.app } : undefined),
      signing: async () => ({ authToken: 'token', mainAuthToken: 'token' }),
      rate: () => 10_000,
    },
    cdrs: opts.cdrs ?? {
      started: () => {},
      answered: () => {},
      record: async (c) => {
        ended.push(c);
        const charge = { rate: 10_000, billedS: Math.ceil(c.durationS / 60) * 60, amount: 0 };
        // The hangup callback is stored with the record.
        if (c.hangup) requests.push(c.hangup(charge));
        return charge;
      },
    },
    log: opts.log ?? pino({ level: 'silent' }),
    credit: opts.credit ?? UNLIMITED_CREDIT,
    verbs: opts.verbs ?? productionVerbs(),
  });

  return {
    clock,
    engine,
    carrier,
    requests,
    ended,
    logs,
    phones,
    speech,
    call(to, setup = {}) {
      const app: Partial<CallSetup> = { answer: { url: 'http://app/answer', method: 'POST' }, hangup: { url: 'http://app/hangup', method: 'POST' }, callerName: '15550001111' };
      return dialOut(engine, to, { ...app, ...setup }, 10_000);
    },
    callIn(from, to) {
      return carrier.placeCall({ uuid: newUuid(), tenant: OWNER, from, to, callerName: '', sipHeaders: {}, script: [], dtmfMode: opts.dtmfMode });
    },
    leg(uuid) {
      const leg = carrier.find(uuid);
      if (!leg) throw new Error(`no leg ${uuid}`);
      return leg;
    },
    settle: (limitMs = 24 * 3600_000) => clock.runWhile(() => timers.pending() > 0, limitMs),
  };
}
