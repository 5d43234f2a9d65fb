// The Multiparty Call API over the typed operations of MultiPartyCalls: it
// reads the API's ids (`name_<friendly name>`, live only, or `uuid_<uuid>`)
// and snake_case parameters, answers with the API's views, and says what is
// wrong with a request as an ApiError before anything changes.
import { domainCrossing } from '../../clock/domains.ts';
import { ApiError, notFound } from '../../errors.ts';
import type { PlatformContext } from '../../platform/context.ts';
import { ownerFilter, type Scope } from '../../platform/scope.ts';
import { timeRange } from '../../platform/time-range.ts';
import type { HttpMethod } from '../../plivo-xml/ast.ts';
import { sipHeaders } from '../calls/call-params.ts';
import type { CallsApi } from '../calls/calls-api.ts';
import type { Call } from '../engine/call.ts';
import type { RoomRecording } from '../rooms/recording.ts';
import { TERMINATION, type MultiPartyCall, type Participant, type ParticipantTrack } from './mpc.ts';
import { confirmation, hookOf, type DialParticipant, type MpcRef, type MultiPartyCalls } from './mpcs.ts';
import { settingsFromApi } from './settings.ts';
import { mpcPath, mpcView, participantView } from './views.ts';

/** How long a dialled participant may ring unless ring_timeout says otherwise. */
const DEFAULT_RING_TIMEOUT_S = 45;
const DAY = 86_400_000;
const STATUS_NAMES: Record<string, string> = { initialized: 'Initialized', active: 'Active', ended: 'Ended' };

export interface AddParticipantInput extends Record<string, unknown> {
  role: string;
  from?: string;
  to?: string;
  call_uuid?: string;
  caller_name?: string;
  call_status_callback_url?: string;
  call_status_callback_method?: HttpMethod;
  ring_timeout?: number;
  delay_dial?: string | number;
  confirm_key?: string;
  confirm_key_sound_url?: string;
  confirm_key_sound_method?: HttpMethod;
  sip_headers?: string;
}

export interface MpcListQuery extends Record<string, unknown> {
  sub_account?: string;
  friendly_name?: string;
  status?: string;
  termination_cause_code?: number;
  limit: number;
  offset: number;
}

export interface UpdateInput {
  mute?: boolean;
  hold?: boolean;
  coach_mode?: boolean;
}

export interface RecordInput {
  file_format?: string;
  recording_callback_url?: string;
  recording_callback_method?: HttpMethod;
}

/** record_track_type: which participant-level recordings a request means (both: the two). */
function tracksOf(type: string | undefined): ParticipantTrack[] {
  const t = (type ?? 'all').toLowerCase();
  if (t === 'participant' || t === 'all') return [t];
  if (t === 'both') return ['participant', 'all'];
  throw new ApiError(400, `record_track_type must be participant, all or both (got "${type}")`);
}

/** delay_dial: one value for every destination, or one per destination separated by `<`; 0 to 120 seconds. */
function delaysOf(raw: string | number | undefined, count: number): number[] {
  const parts = String(raw ?? 0).split('<').map((v) => v.trim());
  if (parts.length !== 1 && parts.length !== count) throw new ApiError(400, `delay_dial must give one value or one per destination of to (${count}), separated by < (got "${raw}")`);
  const delays = parts.map(Number);
  if (delays.some((d, i) => parts[i] === '' || !Number.isInteger(d) || d < 0 || d > 120)) throw new ApiError(400, `delay_dial must be integers from 0 to 120 (got "${raw}")`);
  return parts.length === 1 ? Array<number>(count).fill(delays[0]!) : delays;
}


/** `name_<friendly name>` or `uuid_<uuid>`. */
function parseId(raw: string): MpcRef {
  if (raw.startsWith('name_') && raw.length > 5) return { name: raw.slice(5) };
  if (raw.startsWith('uuid_') && raw.length > 5) return { uuid: raw.slice(5) };
  throw new ApiError(400, `the multiparty call must be named name_<friendly name> or uuid_<mpc uuid> (got "${raw}")`);
}

function formatOf(input: RecordInput): 'mp3' | 'wav' {
  const format = input.file_format ?? 'mp3';
  if (format !== 'mp3' && format !== 'wav') throw new ApiError(400, `file_format must be mp3 or wav (got "${format}")`);
  return format;
}

export class MpcApi {
  constructor(
    private readonly mpcs: MultiPartyCalls,
    private readonly calls: CallsApi,
    private readonly ctx: PlatformContext,
  ) {}

  /** A live MPC, or 404. */
  mpc(scope: Scope, raw: string): MultiPartyCall {
    const mpc = this.mpcs.find(scope, parseId(raw));
    if (!mpc) throw notFound(`multiparty call ${raw} (no live multiparty call of this account has this name or uuid)`);
    return mpc;
  }

  private view(found: { row: Parameters<typeof mpcView>[0]; live: MultiPartyCall | undefined }) {
    return mpcView(found.row, found.live ? this.mpcs.recordingState(found.live) : null);
  }

  async get(scope: Scope, raw: string) {
    const ref = parseId(raw);
    const found = await this.mpcs.row(scope, ref);
    if (!found) throw notFound(`multiparty call ${raw}`);
    return this.view(found);
  }

  async list(scope: Scope, q: MpcListQuery) {
    const status = q.status === undefined ? undefined : STATUS_NAMES[q.status.toLowerCase()];
    if (q.status !== undefined && !status) throw new ApiError(400, `status must be initialized, active or ended (got "${q.status}")`);
    const created = timeRange('creation_time', q);
    const endedRange = timeRange('end_time', q);
    const now = this.ctx.clock.now();
    const anyWindow = [created.from, created.to, endedRange.from, endedRange.to].some((v) => v !== undefined);
    const { rows, total } = await this.mpcs.list(
      {
        ...ownerFilter(scope, q.sub_account),
        friendlyName: q.friendly_name,
        status,
        terminationCauseCode: q.termination_cause_code,
        // Without a time filter the last seven days are searched.
        created: anyWindow ? created : { from: now - 7 * DAY },
        ended: endedRange,
      },
      q.limit,
      q.offset,
    );
    return { objects: rows.map((r) => this.view(r)), total };
  }

  /** Activate an MPC whose participants wait (status=active). */
  activate(scope: Scope, raw: string, status: string): void {
    if (status.toLowerCase() !== 'active') throw new ApiError(400, `status must be active (got "${status}")`);
    const mpc = this.mpcs.find(scope, parseId(raw));
    if (!mpc || mpc.status !== 'Initialized') throw notFound(`multiparty call ${raw} in the initialized state`);
    mpc.start();
  }

  end(scope: Scope, raw: string): void {
    this.mpc(scope, raw).end(TERMINATION.api);
  }

  /** Dial `to` (first of several agents to answer wins) or move live call `call_uuid` into the MPC. */
  async addParticipant(scope: Scope, raw: string, input: AddParticipantInput) {
    const ref = parseId(raw);
    const live = this.mpcs.find(scope, ref);
    if (!('name' in ref) && !live) throw notFound(`multiparty call ${raw}`);
    const name = 'name' in ref ? ref.name : live!.name;
    const settings = settingsFromApi({ ...input, role: input.role.toLowerCase() });
    const owner = { accountId: scope.accountId, subaccountId: scope.subaccountId };
    const added = await this.mpcs.addParticipant(owner, name, settings, this.joining(scope, input, settings.role));
    return { requestUuid: added.requestUuid, calls: added.calls.map((c) => ({ to: c.to, from: c.from, call_uuid: c.uuid })) };
  }

  /** Who the request adds: a live answered call moved in, or destinations to dial. */
  private joining(scope: Scope, input: AddParticipantInput, role: string): { move: Call } | { dial: DialParticipant } {
    if (input.call_uuid !== undefined) {
      if (input.to !== undefined || input.from !== undefined) throw new ApiError(400, 'give either call_uuid or from and to, not both');
      const call = this.calls.liveCall(scope, input.call_uuid);
      // On the virtual clock a subaccount keeps its own time: its call cannot join the main account's room (liveCall put us on the call's time).
      const crossing = domainCrossing(this.ctx.clock, scope);
      if (crossing) throw new ApiError(409, `call ${input.call_uuid} cannot join a multiparty call of ${scope.subaccountId ?? scope.accountId}: ${crossing}. Add it through the call's own account`);
      if (!call.isAnswered) throw new ApiError(400, `call ${input.call_uuid} is ${call.status}: only an answered call can join a multiparty call`);
      return { move: call };
    }
    if (!input.from || !input.to) throw new ApiError(400, 'from and to are required unless call_uuid names a live call to move into the multiparty call');
    const destinations = input.to.split('<').map((t) => t.trim()).filter((t) => t !== '');
    if (destinations.length === 0) throw new ApiError(400, 'to must name at least one number or sip: URI');
    if (destinations.length > 1 && role !== 'agent') throw new ApiError(400, 'several destinations (to separated by <) may be dialled only for the agent role');
    const ringTimeoutS = input.ring_timeout ?? DEFAULT_RING_TIMEOUT_S;
    if (!Number.isInteger(ringTimeoutS) || ringTimeoutS < 15 || ringTimeoutS > 120) throw new ApiError(400, `ring_timeout must be an integer from 15 to 120 (got ${input.ring_timeout})`);
    const delaysS = delaysOf(input.delay_dial, destinations.length);
    const headers = sipHeaders(input.sip_headers);
    return {
      dial: {
        from: input.from.replace(/^\+/, ''),
        to: destinations.map((to) => (/^sips?:/i.test(to) ? to : to.replace(/\D/g, ''))),
        callerName: input.caller_name ?? input.from,
        sipHeaders: headers,
        ringTimeoutS,
        delaysS,
        statusHook: input.call_status_callback_url ? { url: input.call_status_callback_url, method: input.call_status_callback_method ?? 'POST' } : undefined,
        confirm: this.confirmation(input),
      },
    };
  }

  /** confirm_key: the prompt (confirm_key_sound_url's document, else the documented sentence) and the key; undefined without a key. */
  private confirmation(input: AddParticipantInput) {
    const key = input.confirm_key;
    if (key === undefined) {
      if (input.confirm_key_sound_url !== undefined) throw new ApiError(400, 'confirm_key_sound_url needs confirm_key');
      return undefined;
    }
    if (!/^[0-9*#]$/.test(key)) throw new ApiError(400, `confirm_key must be one of 0-9, * or # (got "${key}")`);
    const url = input.confirm_key_sound_url;
    return confirmation(key, url ? { url, method: input.confirm_key_sound_method ?? 'GET' } : undefined);
  }

  /** The participants `spec` names: a member id, ids separated by commas, or `all`. */
  private participantsOf(scope: Scope, raw: string, spec: string): { mpc: MultiPartyCall; list: Participant[]; all: boolean } {
    const mpc = this.mpc(scope, raw);
    return { mpc, ...this.mpcs.participantsOf(mpc, spec, `multiparty call ${raw}`) };
  }

  /** An MPC, live or ended, and every participant it had: those who left keep their exit time and cause. */
  private async withParticipants(scope: Scope, raw: string) {
    const found = await this.mpcs.row(scope, parseId(raw));
    if (!found) throw notFound(`multiparty call ${raw}`);
    return { uri: mpcPath(found.row.account_id, found.row), records: await this.mpcs.participantRecords(found) };
  }

  async participants(scope: Scope, raw: string, callUuid?: string) {
    const { uri, records } = await this.withParticipants(scope, raw);
    return records.filter((r) => !callUuid || r.call_uuid === callUuid).map((r) => participantView(uri, r));
  }

  async participant(scope: Scope, raw: string, memberId: string) {
    const { uri, records } = await this.withParticipants(scope, raw);
    const record = records.find((r) => r.member_id === memberId);
    if (!record) throw notFound(`participant ${memberId} of multiparty call ${raw}`);
    return participantView(uri, record);
  }

  async update(scope: Scope, raw: string, spec: string, input: UpdateInput): Promise<Record<string, string>> {
    const { mpc, list, all } = this.participantsOf(scope, raw, spec);
    if (input.coach_mode !== undefined && all) throw new ApiError(400, 'coach_mode can be changed for one participant at a time: give its member id, not all');
    return this.mpcs.update(mpc, list, { mute: input.mute, hold: input.hold, coachMode: input.coach_mode });
  }

  kick(scope: Scope, raw: string, spec: string): void {
    const { mpc, list } = this.participantsOf(scope, raw, spec);
    this.mpcs.kick(mpc, list);
  }

  recordStart(scope: Scope, raw: string, input: RecordInput): RoomRecording {
    const mpc = this.mpc(scope, raw);
    const format = formatOf(input);
    return this.mpcs.startMpcRecording(mpc, format, hookOf(input.recording_callback_url, input.recording_callback_method ?? 'POST'));
  }

  async recordStop(scope: Scope, raw: string): Promise<void> {
    await this.mpcs.stopMpcRecording(this.mpc(scope, raw));
  }

  recordPause(scope: Scope, raw: string): void {
    this.mpcs.pauseMpcRecording(this.mpc(scope, raw), true);
  }

  recordResume(scope: Scope, raw: string): void {
    this.mpcs.pauseMpcRecording(this.mpc(scope, raw), false);
  }

  /** Start the participant's recordings of `track_type`; the response names the first. */
  participantRecordStart(scope: Scope, raw: string, memberId: string, input: RecordInput & { record_track_type?: string }): RoomRecording {
    const { mpc, p } = this.oneParticipant(scope, raw, memberId);
    const tracks = tracksOf(input.record_track_type);
    const format = formatOf(input);
    return this.mpcs.startParticipantRecording(mpc, p, tracks, format, hookOf(input.recording_callback_url, input.recording_callback_method ?? 'POST'))[0]!;
  }

  async participantRecordStop(scope: Scope, raw: string, memberId: string, trackType: string | undefined): Promise<void> {
    const { mpc, p } = this.oneParticipant(scope, raw, memberId);
    await this.mpcs.stopParticipantRecording(mpc, p, tracksOf(trackType), trackType);
  }

  participantRecordPause(scope: Scope, raw: string, memberId: string, trackType: string | undefined, pause: boolean): void {
    const { mpc, p } = this.oneParticipant(scope, raw, memberId);
    this.mpcs.pauseParticipantRecording(mpc, p, tracksOf(trackType), pause, trackType);
  }

  private oneParticipant(scope: Scope, raw: string, memberId: string): { mpc: MultiPartyCall; p: Participant } {
    const { mpc, list, all } = this.participantsOf(scope, raw, memberId);
    if (all || list.length !== 1) throw new ApiError(400, `participant-level recording takes one member id (got "${memberId}")`);
    return { mpc, p: list[0]! };
  }

  async play(scope: Scope, raw: string, spec: string, url: string): Promise<{ mpc: MultiPartyCall; ids: string[] }> {
    const { mpc, list, all } = this.participantsOf(scope, raw, spec);
    await this.mpcs.play(mpc, list, all, url);
    return { mpc, ids: all ? ['all'] : list.map((p) => p.id) };
  }

  stopPlay(scope: Scope, raw: string, spec: string): void {
    const { mpc, list, all } = this.participantsOf(scope, raw, spec);
    this.mpcs.stopPlay(mpc, list, all);
  }
}
