// The Record API (…/Call/{uuid}/Record/) and the Recording API (get, list,
// delete, the files) over the typed operations of Recordings: it finds the
// call, reads the APIs' snake_case parameters and filters, answers with the
// API's views, and says what is wrong with a request as an ApiError before
// anything starts or stops.
import { ApiError, notFound } from '../../errors.ts';
import type { Accounts } from '../../platform/accounts.ts';
import type { PlatformContext } from '../../platform/context.ts';
import { checkSubaccount } from '../../platform/owner.ts';
import { ownerFilter, type Scope } from '../../platform/scope.ts';
import { filterDigits } from '../../platform/phone.ts';
import { timeRange } from '../../platform/time-range.ts';
import type { Range } from '../../store/repos/calls.ts';
import type { RecordingFilter } from '../../store/repos/recordings.ts';
import type { RecordingRow } from '../../store/tables/recordings.ts';
import type { CallsApi } from '../calls/calls-api.ts';
import type { ActiveRecording, Recordings } from './recordings.ts';
import { recordingView } from './views.ts';

export interface RecordApiInput {
  time_limit?: number;
  file_format?: string;
  transcription_type?: string;
  transcription_url?: string;
  callback_url?: string;
  callback_method?: 'GET' | 'POST';
  record_channel_type?: string;
}

export interface RecordingQuery {
  subaccount?: string;
  call_uuid?: string;
  from_number?: string;
  to_number?: string;
  conference_name?: string;
  conference_uuid?: string;
  mpc_name?: string;
  mpc_uuid?: string;
  add_time?: string;
  add_time__gt?: string;
  add_time__gte?: string;
  add_time__lt?: string;
  add_time__lte?: string;
  recording_storage_duration?: number;
  recording_storage_duration__gt?: number;
  recording_storage_duration__gte?: number;
  recording_storage_duration__lt?: number;
  recording_storage_duration__lte?: number;
  limit: number;
  offset: number;
}

const DAY = 86_400_000;
/** The Record API's default time_limit, seconds. */
const API_TIME_LIMIT_S = 60;

export class RecordingsApi {
  constructor(
    private readonly recordings: Recordings,
    private readonly calls: CallsApi,
    private readonly accounts: Accounts,
    private readonly ctx: PlatformContext,
  ) {}

  // ---- the Record API --------------------------------------------------------------------

  start(scope: Scope, callUuid: string, input: RecordApiInput, apiId: string): ActiveRecording {
    const call = this.calls.liveCall(scope, callUuid);
    if (!call.isAnswered) throw new ApiError(400, `call ${callUuid} is ${call.status}: a call can be recorded once it is answered`);
    const format = input.file_format ?? 'mp3';
    if (format !== 'mp3' && format !== 'wav') throw new ApiError(400, `file_format must be mp3 or wav (got "${format}")`);
    // Undocumented for the API: the Record element's documented default (stereo) applies.
    const channels = input.record_channel_type ?? 'stereo';
    if (channels !== 'mono' && channels !== 'stereo') throw new ApiError(400, `record_channel_type must be mono or stereo (got "${channels}")`);
    if (input.transcription_type !== undefined && input.transcription_type !== 'auto') throw new ApiError(400, `transcription_type must be auto (got "${input.transcription_type}")`);
    return this.recordings.startBackground(call, {
      format,
      layout: channels === 'stereo' ? 'stereo' : 'mixed',
      limitMs: (input.time_limit ?? API_TIME_LIMIT_S) * 1000,
      callback: input.callback_url ? { url: input.callback_url, method: input.callback_method ?? 'POST' } : undefined,
      style: 'api',
      apiId,
      transcriptionUrl: input.transcription_url,
    });
  }

  /** Stop the call's recordings (only the one at `url` when given); resolves once their files are written. */
  async stop(scope: Scope, callUuid: string, url: string | undefined): Promise<void> {
    const stopped = await this.recordings.stop(this.calls.liveCall(scope, callUuid), url);
    if (stopped.length === 0) {
      throw new ApiError(400, url === undefined ? `no recording is in progress on call ${callUuid}` : `no recording in progress on call ${callUuid} has the URL ${url}`);
    }
  }

  // ---- the Recording API -------------------------------------------------------------------

  private view(row: RecordingRow) {
    return recordingView(row, this.recordings.fileUrl(row.account_id, row.recording_id, row.recording_format), this.ctx.clock.now());
  }

  private async row(scope: Scope, id: string): Promise<RecordingRow> {
    const row = await this.recordings.find(scope, id);
    if (!row) throw notFound(`recording ${id}`);
    return row;
  }

  async get(scope: Scope, id: string) {
    return this.view(await this.row(scope, id));
  }

  async list(scope: Scope, q: RecordingQuery) {
    await checkSubaccount(this.accounts, scope, q.subaccount);
    const f: RecordingFilter = {
      ...ownerFilter(scope, q.subaccount),
      callUuid: q.call_uuid,
      fromNumber: filterDigits(q.from_number),
      toNumber: filterDigits(q.to_number),
      conferenceName: q.conference_name,
      conferenceUuid: q.conference_uuid,
      mpcName: q.mpc_name,
      mpcUuid: q.mpc_uuid,
      added: this.addedWindow(q),
    };
    const { rows, total } = await this.recordings.rows(f, q.limit, q.offset);
    return { objects: rows.map((r) => this.view(r)), total };
  }

  /** add_time: 7 days back by default, at most 30 days wide; or recording_storage_duration in days (not both). */
  private addedWindow(q: RecordingQuery): Range {
    const now = this.ctx.clock.now();
    const added = timeRange('add_time', q as unknown as Record<string, unknown>);
    const storage = storageWindow(q, now);
    if (storage && (added.from !== undefined || added.to !== undefined)) {
      throw new ApiError(400, 'recording_storage_duration cannot be combined with add_time: use one or the other');
    }
    if (storage) return storage;
    if (added.from === undefined && added.to === undefined) return { from: now - 7 * DAY };
    if (added.from !== undefined && added.to !== undefined && added.to - added.from > 30 * DAY) {
      throw new ApiError(400, 'the add_time range is wider than 30 days: narrow add_time__gt/gte and add_time__lt/lte to at most 30 days');
    }
    return { from: added.from ?? added.to! - 30 * DAY, to: added.to };
  }

  async delete(scope: Scope, id: string): Promise<void> {
    await this.recordings.delete(await this.row(scope, id));
  }

  /** The file behind a recording URL (no credentials: the id is the secret). */
  async file(authId: string, id: string, format: string): Promise<{ path: string; contentType: string }> {
    const file = await this.recordings.file(authId, id, format);
    if (!file) throw notFound(`recording file ${id}.${format}`);
    return file;
  }
}

/** recording_storage_duration (days kept, 1 on the first day) as an add_time window. */
function storageWindow(q: RecordingQuery, now: number): Range | undefined {
  const from: number[] = [];
  const to: number[] = [];
  // Kept d days ⇔ added in (now - d·DAY, now - (d-1)·DAY].
  const addedFrom = (days: number) => now - days * DAY + 1;
  const addedTo = (days: number) => now - (days - 1) * DAY + 1;
  const d = q.recording_storage_duration;
  if (d !== undefined) {
    from.push(addedFrom(d));
    to.push(addedTo(d));
  }
  if (q.recording_storage_duration__gt !== undefined) to.push(addedFrom(q.recording_storage_duration__gt));
  if (q.recording_storage_duration__gte !== undefined) to.push(addedTo(q.recording_storage_duration__gte));
  if (q.recording_storage_duration__lt !== undefined) from.push(addedTo(q.recording_storage_duration__lt));
  if (q.recording_storage_duration__lte !== undefined) from.push(addedFrom(q.recording_storage_duration__lte));
  if (from.length === 0 && to.length === 0) return undefined;
  return { from: from.length ? Math.max(...from) : undefined, to: to.length ? Math.min(...to) : undefined };
}
