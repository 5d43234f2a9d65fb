// Audio streams of live calls and the typed operations on them, for the
// Stream element, the Stream API (streams-api.ts, which reads its
// parameters and answers with its views) and flows: start, stop one or all,
// end with their call. Each is recorded (a row per stream) so a call's
// streams can be listed after it ended. Streams are not billed: the pricing
// module has no rate for them, so billed_amount is always 0.
import type { PlatformContext } from '../../platform/context.ts';
import { ownerFilter, type Scope } from '../../platform/scope.ts';
import { streamsRepo } from '../../store/repos/recordings.ts';
import type { StreamRow } from '../../store/tables/recordings.ts';
import type { Call } from '../engine/call.ts';
import type { Engine } from '../engine/engine.ts';
import { AudioStream, type StreamSpec } from './stream.ts';

export class Streams {
  /** Streams running, per call uuid. */
  private readonly running = new Map<string, Map<string, AudioStream>>();
  /** The latest pending row update of each stream. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(
    private readonly ctx: PlatformContext,
    private readonly engine: Engine,
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

  /** Stop the call's stream `streamId`; false when it is not running. Resolves once its row says so. */
  async stop(call: Call, streamId: string): Promise<boolean> {
    const stream = this.running.get(call.uuid)?.get(streamId);
    if (!stream) return false;
    await this.endNow(stream);
    return true;
  }

  /** Stop every stream of the call; how many there were. */
  async stopAll(call: Call): Promise<number> {
    const streams = this.of(call);
    await Promise.all(streams.map((s) => this.endNow(s)));
    return streams.length;
  }

  /** The call's streams still running. */
  of(call: Call): AudioStream[] {
    return [...(this.running.get(call.uuid)?.values() ?? [])];
  }

  /** The row of the call's stream `streamId`, when `scope` sees it. */
  find(scope: Scope, callUuid: string, streamId: string): Promise<StreamRow | undefined> {
    return streamsRepo.find(this.ctx.db, ownerFilter(scope), callUuid, streamId);
  }

  /** The rows of a call's streams, live and ended (the call may have ended), a page of them and how many in all. */
  async rows(scope: Scope, callUuid: string, limit: number, offset: number): Promise<{ rows: StreamRow[]; total: number }> {
    const owner = ownerFilter(scope);
    const [rows, total] = await Promise.all([streamsRepo.ofCall(this.ctx.db, owner, callUuid, limit, offset), streamsRepo.countOfCall(this.ctx.db, owner, callUuid)]);
    return { rows, total };
  }

  /** Shutdown: end every stream (their calls are ending too). */
  close(): void {
    for (const ofCall of [...this.running.values()]) for (const s of [...ofCall.values()]) s.end('call ended');
  }
}
