// The Stream API (…/Call/{uuid}/Stream/) over the typed operations of
// Streams: it finds the call, reads the API's snake_case parameters
// (service URL, track, content type, extra headers), answers with the API's
// views, and says what is wrong with a request as an ApiError before
// anything starts or stops.
import { ApiError, notFound } from '../../errors.ts';
import { STREAM_CONTENT_TYPES } from '../../media/stream-codec.ts';
import type { Scope } from '../../platform/scope.ts';
import type { Clock } from '../../clock/clock.ts';
import type { CallsApi } from '../calls/calls-api.ts';
import type { AudioStream } from './stream.ts';
import type { Streams } from './streams.ts';
import { streamView } from './views.ts';

/** The documented default stream_timeout: a day. */
export const DEFAULT_STREAM_TIMEOUT_S = 86_400;
const EXTRA_HEADERS_MAX_BYTES = 512;

export interface StreamApiInput {
  service_url: string;
  bidirectional?: boolean;
  audio_track?: string;
  stream_timeout?: number;
  status_callback_url?: string;
  status_callback_method?: 'GET' | 'POST';
  content_type?: string;
  extra_headers?: string;
}

/** `k1=v1,k2=v2`, letters and digits only, at most 512 bytes. */
function extraHeaders(raw: string | undefined): Record<string, string> {
  if (!raw) return {};
  if (Buffer.byteLength(raw) > EXTRA_HEADERS_MAX_BYTES) throw new ApiError(400, `extra_headers must be at most ${EXTRA_HEADERS_MAX_BYTES} bytes`);
  const out: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    const m = /^\s*([A-Za-z0-9]+)=([A-Za-z0-9]*)\s*$/.exec(pair);
    if (!m) throw new ApiError(400, `extra_headers must be key=value pairs separated by commas, made of letters and digits (got "${pair}")`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

export class StreamsApi {
  constructor(
    private readonly streams: Streams,
    private readonly calls: CallsApi,
    private readonly clock: Clock,
  ) {}

  async start(scope: Scope, callUuid: string, input: StreamApiInput): Promise<AudioStream> {
    const call = this.calls.liveCall(scope, callUuid);
    if (!call.isAnswered) throw new ApiError(400, `call ${callUuid} is ${call.status}: audio can be streamed once it is answered`);
    const url = input.service_url.trim();
    if (!/^wss?:\/\/[^\s/]+/i.test(url)) throw new ApiError(400, `service_url must be a ws:// or wss:// URL (got "${input.service_url}")`);
    if (this.streams.of(call).some((s) => s.spec.serviceUrl === url)) {
      throw new ApiError(400, `call ${callUuid} already streams to ${url}`);
    }
    const track = input.audio_track ?? 'inbound';
    if (track !== 'inbound' && track !== 'outbound' && track !== 'both') throw new ApiError(400, `audio_track must be inbound, outbound or both (got "${track}")`);
    if (input.bidirectional && track !== 'inbound') throw new ApiError(400, 'a bidirectional stream must use audio_track inbound');
    const contentType = input.content_type ?? 'audio/x-l16;rate=8000';
    if (!(STREAM_CONTENT_TYPES as readonly string[]).includes(contentType)) throw new ApiError(400, `content_type must be one of ${STREAM_CONTENT_TYPES.join(', ')} (got "${contentType}")`);
    return this.streams.start(call, {
      serviceUrl: url,
      bidirectional: input.bidirectional ?? false,
      audioTrack: track,
      timeoutS: input.stream_timeout ?? DEFAULT_STREAM_TIMEOUT_S,
      statusCallback: input.status_callback_url ? { url: input.status_callback_url, method: input.status_callback_method ?? 'POST' } : undefined,
      contentType,
      extraHeaders: extraHeaders(input.extra_headers),
    });
  }

  /** A call's streams, live and ended; the call may have ended (404 when it was never this scope's). */
  async list(scope: Scope, callUuid: string, limit: number, offset: number) {
    const { rows, total } = await this.streams.rows(scope, callUuid, limit, offset);
    if (total === 0) this.calls.liveCall(scope, callUuid);
    const now = this.clock.now();
    return { objects: rows.map((r) => streamView(r, now)), total };
  }

  async get(scope: Scope, callUuid: string, streamId: string) {
    const row = await this.streams.find(scope, callUuid, streamId);
    if (!row) throw notFound(`stream ${streamId} of call ${callUuid}`);
    return streamView(row, this.clock.now());
  }

  async stop(scope: Scope, callUuid: string, streamId: string): Promise<void> {
    const call = this.calls.liveCall(scope, callUuid);
    if (await this.streams.stop(call, streamId)) return;
    await this.get(scope, callUuid, streamId);
    throw new ApiError(400, `stream ${streamId} has already stopped`);
  }

  async stopAll(scope: Scope, callUuid: string): Promise<void> {
    const call = this.calls.liveCall(scope, callUuid);
    if ((await this.streams.stopAll(call)) === 0) throw new ApiError(400, 'No active stream found');
  }
}
