// The voice engine's media features that need services of their own, each
// typed operations with its API over them: recordings (the Record element;
// the Record and Recording APIs), audio streams (the Stream element; the
// Stream API) and live-call media (Play, Speak, DTMF). Their verbs are
// registered with every other in verbs/index.ts.
import type { Config } from '../config.ts';
import type { Accounts } from '../platform/accounts.ts';
import type { PlatformContext } from '../platform/context.ts';
import type { Voice } from './index.ts';
import { CallMedia } from './calls/call-media.ts';
import { CallMediaApi } from './calls/call-media-api.ts';
import { Recordings } from './recordings/recordings.ts';
import { RecordingsApi } from './recordings/recordings-api.ts';
import { Streams } from './streams/streams.ts';
import type { RecognizerFor } from './speech.ts';
import { StreamsApi } from './streams/streams-api.ts';

export interface MediaPlaneDeps {
  ctx: PlatformContext;
  config: Config;
  voice: Voice;
  accounts: Accounts;
  /** This server's base URL, known once it listens. */
  origin: () => string;
  /** Transcribes recordings; none: transcriptions say there is no engine. */
  recognizer: RecognizerFor;
}

export interface MediaPlane {
  recordings: Recordings;
  /** The Record and Recording APIs over `recordings`. */
  recordingsApi: RecordingsApi;
  streams: Streams;
  /** The Stream API over `streams`. */
  streamsApi: StreamsApi;
  callMedia: CallMedia;
  /** The live call media API over `callMedia`. */
  callMediaApi: CallMediaApi;
  /** Shutdown: end the streams still open. */
  close(): void;
}

export function createMediaPlane(d: MediaPlaneDeps): MediaPlane {
  const { engine, callsApi: calls } = d.voice;
  const recordings = new Recordings(d.ctx, engine, d.accounts, d.config.dataDir, d.origin, d.recognizer);
  const streams = new Streams(d.ctx, engine);
  const callMedia = new CallMedia(engine);
  return {
    recordings,
    recordingsApi: new RecordingsApi(recordings, calls, d.accounts, d.ctx),
    streams,
    streamsApi: new StreamsApi(streams, calls, engine.clock),
    callMedia,
    callMediaApi: new CallMediaApi(callMedia, calls),
    close: () => streams.close(),
  };
}
