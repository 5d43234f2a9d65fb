// An in-process voice engine on the sandbox carrier with no database, no
// HTTP and nothing billed: what the media and conference benchmarks measure
// is the audio path, so everything around it is a stub.
import { pino } from 'pino';
import { TimerGroup, type Clock } from '../src/clock/clock.ts';
import { DEFAULT_PHONE } from '../src/telephony/sim/behaviour.ts';
import { SimCarrier } from '../src/telephony/sim/carrier.ts';
import type { Call, CallSetup } from '../src/voice/engine/call.ts';
import { Engine } from '../src/voice/engine/engine.ts';
import { VerbRegistry } from '../src/voice/interpreter/registry.ts';
import { playRunner } from '../src/voice/verbs/play.ts';
import { speakRunner } from '../src/voice/verbs/speak.ts';
import { dialOut, UNLIMITED_CREDIT } from '../test/voice/harness.ts';

type Deps = ConstructorParameters<typeof Engine>[0];

export interface BenchEngineOptions {
  clock: Clock;
  /** Speech for a text (what the engine speaks and what virtual phones say) and audio for a URL. */
  speech: (text: string) => Promise<Int16Array>;
  audioFile: (url: string) => Promise<Int16Array>;
  /** Answers the engine's document fetches; by default every fetch fails (calls that run no XML). */
  fetch?: Deps['webhooks']['fetch'];
  ringSeconds?: number;
}

export function benchEngine(o: BenchEngineOptions): Engine {
  const timers = new TimerGroup(o.clock);
  const carrier = new SimCarrier({
    timers,
    directory: { behaviourOf: async () => ({ ...DEFAULT_PHONE, ring_seconds: o.ringSeconds ?? DEFAULT_PHONE.ring_seconds }) },
    // The bench platform serves no number: every call reaches a virtual phone.
    platformOwner: async () => undefined,
    media: { speech: o.speech, audioFile: o.audioFile },
    onError: (_leg, err) => console.error(err),
  });
  const fetch = o.fetch ?? (async () => ({ ok: false, attempts: 1 }));
  // The benches play prompts; their rooms are built by the bench itself.
  const verbs = new VerbRegistry();
  verbs.register('Speak', speakRunner);
  verbs.register('Play', playRunner);
  return new Engine({
    clock: o.clock,
    timers,
    driver: carrier,
    webhooks: { fetch, fetchWithFallback: fetch, enqueue: async () => {} },
    callLog: { append: async () => {} },
    media: { speech: (r) => o.speech(r.text), audioFile: o.audioFile },
    platform: { route: async () => undefined, signing: async () => ({ authToken: 't', mainAuthToken: 't' }), rate: () => 0 },
    cdrs: { started: () => {}, answered: () => {}, record: async () => ({ rate: 0, billedS: 0, amount: 0 }) },
    log: pino({ level: 'silent' }),
    credit: UNLIMITED_CREDIT,
    verbs,
  });
}

/** The i-th outbound call of a run, to its own virtual phone, dialed at once. */
export function dialBenchCall(engine: Engine, i: number, setup: Partial<CallSetup>): Call {
  return dialOut(engine, `1555${String(i).padStart(7, '0')}`, setup);
}
