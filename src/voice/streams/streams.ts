// Audio streams of live calls: started by the Stream element or the Stream
// API, listed, read and stopped through the API, ended with their call.
// Each is recorded (a row per stream) so a call's streams can be listed
// after it ended. Streams are not billed: the pricing module has no rate
// for them, so billed_amount is always 0.
import { ApiError, notFound } from '../../errors.ts';
import { STREAM_CONTENT_TYPES } from '../../media/stream-codec.ts';
import type { PlatformContext } from '../../platform/context.ts';
import { ownerFilter, type Scope } from '../../platform/scope.ts';
import { formatTimestamp } from '../../platform/time.ts';
import { streamsRepo } from '../../store/repos/recordings.ts';
import type { StreamRow } from '../../store/tables/recordings.ts';
import type { Call } from '../engine/call.ts';
import type { CallsApi } from '../calls/calls-api.ts';
import type { Engine } from '../engine/engine.ts';
import { sessionTime } from '../engine/format.ts';
import { AudioStream, type StreamSpec } from './stream.ts';

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

export function streamView(row: StreamRow, now: number) {
  const seconds = row.started_at === null ? 0 : Math.round(((row.ended_at ?? now) - row.started_at) / 1000);
  return {
    audio_track: row.audio_track,
    bidirectional: row.bidirectional === 1,
    bill_duration: seconds,
    billed_amount: '0.00000',
    call_uuid: row.call_uuid,
    created_at: `${sessionTime(row.created_at)}+00:00`,
    end_time: row.ended_at === null ? null : formatTimestamp(row.ended_at),
    plivo_auth_id: row.account_id,
    resource_uri: `/v1/Account/${row.account_id}/Call/${row.call_uuid}/Stream/${row.stream_id}/`,
    rounded_bill_duration: Math.ceil(seconds / 60) * 60,
    service_url: row.service_url,
    start_time: row.started_at === null ? null : formatTimestamp(row.started_at),
    stream_id: row.stream_id,
  };
}

export class Streams {
  /** Streams running, per call uuid. */
  private readonly running = new Map<string, Map<string, AudioStream>>();
  /** The latest pending row update of each stream. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(
    private readonly ctx: PlatformContext,
    private readonly engine: Engine,
    private readonly calls: CallsApi,
  ) {}

  /** Start streaming `call` to `spec.serviceUrl`; resolves once the stream is on record (it connects in the background). */
  async start(call: Call, spec: StreamSpec): Promise<AudioStream> {
    const stream = new AudioStream(call, spec, { engine: this.engine, changed: (s) => this.changed(s) });
    await this.engine.clock.track(
      streamsRepo.insert(this.ctx.db, {
        stream_id: stream.id,
        account_id: call.owner.accountId,
        subaccount_id: call.owner.subaccountId,
        call_uuid: call.uuid,
        service_url: spec.serviceUrl,
        audio_track: spec.audioTrack,
        bidirectional: spec.bidirectional ? 1 : 0,
        content_type: spec.contentType,
        created_at: stream.createdAt,
        started_at: null,
        ended_at: null,
      }),
    );
    let ofCall = this.running.get(call.uuid);
    if (!ofCall) {
      this.running.set(call.uuid, (ofCall = new Map()));
      call.onEnd(() => {
        for (const s of [...(this.running.get(call.uuid)?.values() ?? [])]) s.end('call ended');
      });
    }
    ofCall.set(stream.id, stream);
    if (call.live) stream.open();
    else stream.end('call ended');
    return stream;
  }

  /** A stream started or ended: its row follows, writes in order. */
  private changed(s: AudioStream): void {
    if (!s.live) {
      const ofCall = this.running.get(s.call.uuid);
      ofCall?.delete(s.id);
      if (ofCall?.size === 0) this.running.delete(s.call.uuid);
    }
    const patch = { started_at: s.startedAt ?? null, ended_at: s.endedAt ?? null };
    const write = (this.writes.get(s.id) ?? Promise.resolve())
      .then(() => streamsRepo.update(this.ctx.db, s.id, patch))
      .catch((err: unknown) => this.engine.logError(s.call, `audio stream ${s.id} could not be recorded`, err));
    this.writes.set(s.id, write);
    void this.engine.clock.track(write).then(() => {
      if (!s.live && this.writes.get(s.id) === write) this.writes.delete(s.id);
    });
  }

  /** End `s` and wait until its row says so. */
  private async endNow(s: AudioStream): Promise<void> {
    s.end('stopped');
    await this.writes.get(s.id);
  }

  // ---- the Stream API -------------------------------------------------------------------

  async startByApi(scope: Scope, callUuid: string, input: StreamApiInput): Promise<AudioStream> {
    const call = this.calls.liveCall(scope, callUuid);
    if (!call.isAnswered) throw new ApiError(400, `call ${callUuid} is ${call.status}: audio can be streamed once it is answered`);
    const url = input.service_url.trim();
    if (!/^wss?:\/\/[^\s/]+/i.test(url)) throw new ApiError(400, `service_url must be a ws:// or wss:// URL (got "${input.service_url}")`);
    if ([...(this.running.get(call.uuid)?.values() ?? [])].some((s) => s.spec.serviceUrl === url)) {
      throw new ApiError(400, `call ${callUuid} already streams to ${url}`);
    }
    const track = input.audio_track ?? 'inbound';
    if (track !== 'inbound' && track !== 'outbound' && track !== 'both') throw new ApiError(400, `audio_track must be inbound, outbound or both (got "${track}")`);
    if (input.bidirectional && track !== 'inbound') throw new ApiError(400, 'a bidirectional stream must use audio_track inbound');
    const contentType = input.content_type ?? 'audio/x-l16;rate=8000';
    if (!(STREAM_CONTENT_TYPES as readonly string[]).includes(contentType)) throw new ApiError(400, `content_type must be one of ${STREAM_CONTENT_TYPES.join(', ')} (got "${contentType}")`);
    return this.start(call, {
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
    const owner = ownerFilter(scope);
    const [rows, total] = await Promise.all([streamsRepo.ofCall(this.ctx.db, owner, callUuid, limit, offset), streamsRepo.countOfCall(this.ctx.db, owner, callUuid)]);
    if (total === 0) this.calls.liveCall(scope, callUuid);
    const now = this.engine.clock.now();
    return { objects: rows.map((r) => streamView(r, now)), total };
  }

  async get(scope: Scope, callUuid: string, streamId: string) {
    const row = await streamsRepo.find(this.ctx.db, ownerFilter(scope), callUuid, streamId);
    if (!row) throw notFound(`stream ${streamId} of call ${callUuid}`);
    return streamView(row, this.engine.clock.now());
  }

  async stop(scope: Scope, callUuid: string, streamId: string): Promise<void> {
    const call = this.calls.liveCall(scope, callUuid);
    const stream = this.running.get(call.uuid)?.get(streamId);
    if (!stream) {
      await this.get(scope, callUuid, streamId);
      throw new ApiError(400, `stream ${streamId} has already stopped`);
    }
    await this.endNow(stream);
  }

  async stopAll(scope: Scope, callUuid: string): Promise<void> {
    const call = this.calls.liveCall(scope, callUuid);
    const streams = [...(this.running.get(call.uuid)?.values() ?? [])];
    if (streams.length === 0) throw new ApiError(400, 'No active stream found');
    await Promise.all(streams.map((s) => this.endNow(s)));
  }

  /** Shutdown: end every stream (their calls are ending too). */
  close(): void {
    for (const ofCall of [...this.running.values()]) for (const s of [...ofCall.values()]) s.end('call ended');
  }
}
