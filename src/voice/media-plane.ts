// The voice engine's media features that need services of their own:
// recordings (the Record element and API, the Recording API), audio streams
// (the Stream element and API) and the live-call media API (Play, Speak,
// DTMF). Their verbs are registered with every other in verbs/index.ts.
import type { Config } from '../config.ts';
import type { Accounts } from '../platform/accounts.ts';
import type { PlatformContext } from '../platform/context.ts';
import type { Voice } from './index.ts';
import { CallMedia } from './calls/call-media.ts';
import { CallMediaApi } from './calls/call-media-api.ts';
import { Recordings } from './recordings/recordings.ts';
import { Streams } from './streams/streams.ts';
import type { SpeechRecognizer } from './speech.ts';

export interface MediaPlaneDeps {
  ctx: PlatformContext;
  config: Config;
  voice: Voice;
  accounts: Accounts;
  /** This server's base URL, known once it listens. */
  origin: () => string;
  /** Transcribes recordings; none: transcriptions say there is no engine. */
  recognizer: SpeechRecognizer | undefined;
}

export interface MediaPlane {
  recordings: Recordings;
  streams: Streams;
  callMedia: CallMedia;
  /** The live call media API over `callMedia`. */
  callMediaApi: CallMediaApi;
  /** Shutdown: end the streams still open. */
  close(): void;
}

export function createMediaPlane(d: MediaPlaneDeps): MediaPlane {
  const { engine, callsApi: calls } = d.voice;
  const recordings = new Recordings(d.ctx, engine, calls, d.accounts, d.config.dataDir, d.origin, d.recognizer);
  const streams = new Streams(d.ctx, engine, calls);
  const callMedia = new CallMedia(engine);
  return { recordings, streams, callMedia, callMediaApi: new CallMediaApi(callMedia, calls), close: () => streams.close() };
}
