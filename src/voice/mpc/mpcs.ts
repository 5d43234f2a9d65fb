// Live multiparty calls of every account and the Multiparty Call API: list
// and read MPCs (ended ones too, from their rows), activate and end them,
// add participants (dialling them out, or moving a live call in), read,
// update and kick participants, record the MPC or one participant, play to
// members. An MPC is named `name_<friendly name>` (live only) or `uuid_<uuid>`.
import { ApiError, notFound } from '../../errors.ts';
import { newUuid } from '../../ids.ts';
import type { PlatformContext } from '../../platform/context.ts';
import { ownerFilter, type Scope } from '../../platform/scope.ts';
import { timeRange } from '../../platform/time-range.ts';
import { mpcRepo, type MpcFilter } from '../../store/repos/conferences.ts';
import { ended, type Call, type Hook } from '../engine/call.ts';
import { CAUSES, type HangupCause } from '../engine/causes.ts';
import { sipHeaders, type Calls } from '../calls/calls.ts';
import { confirmLeg, type Confirmation } from '../connect/confirm.ts';
import { renderPrompts, roomSound, soundDocument } from '../prompts/documents.ts';
import type { Engine } from '../engine/engine.ts';
import type { CallOwner } from '../engine/ports.ts';
import { audioToPlay, pick, roomKey, type RoomKit } from '../rooms/kit.ts';
import { RoomRecording, type WrittenRecording } from '../rooms/recording.ts';
import { MixRoom } from '../rooms/room.ts';
import { Source, type Segment } from '../rooms/source.ts';
import { visible } from '../engine/visibility.ts';
import { Interrupt } from '../interpreter/verb.ts';
import type { HttpMethod, PromptVerb, Sound } from '../../plivo-xml/ast.ts';
import { speak } from '../../plivo-xml/build.ts';
import { MultiPartyCall, TERMINATION, type ExitCause, type MpcHost, type MpcSettings, type Participant, type ParticipantTrack } from './mpc.ts';
import { settingsFromApi } from './settings.ts';
import { mpcRowOf, mpcView, participantView } from './views.ts';
import { isoish } from '../engine/format.ts';
import { DTMF_TONE_MS } from '../defaults.ts';

/** How an API participant's call ends when it leaves without an on_exit_action_url. */
export const MPC_ENDED: HangupCause = { code: 4020, name: 'Multiparty Call Ended', cause: 'NORMAL_CLEARING' };
/** Destinations that rang while another answered first. */
const LOST_RACE: HangupCause = { code: 1000, name: 'Canceled', cause: 'LOSE_RACE' };
/** The documented ring_timeout of dialled participants. */
const DEFAULT_RING_TIMEOUT_S = 45;
/** A dialled participant that did not press confirm_key in time (the documented code; the name is ours). */
const NOT_CONFIRMED: HangupCause = { code: 9110, name: 'Confirm Key Not Pressed', cause: 'NORMAL_CLEARING' };
const CONFIRM_TIMEOUT_S = 30;
const DAY = 86_400_000;

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

/** The sentence the platform documents for a dialled participant without confirm_key_sound_url. */
function confirmPrompt(key: string): PromptVerb[] {
  return [speak(`Please enter ${key} to accept the call.`)];
}

/** A recording callback URL with its method, when given. */
const hookOf = (url: string | undefined, method: HttpMethod): Hook | undefined => (url ? { url, method } : undefined);

type Id = { name: string } | { uuid: string };

/** `name_<friendly name>` or `uuid_<uuid>`. */
function parseId(raw: string): Id {
  if (raw.startsWith('name_') && raw.length > 5) return { name: raw.slice(5) };
  if (raw.startsWith('uuid_') && raw.length > 5) return { uuid: raw.slice(5) };
  throw new ApiError(400, `the multiparty call must be named name_<friendly name> or uuid_<mpc uuid> (got "${raw}")`);
}

const STATUS_NAMES: Record<string, string> = { initialized: 'Initialized', active: 'Active', ended: 'Ended' };

export class MultiPartyCalls implements MpcHost {
  private readonly live = new Map<string, MultiPartyCall>();
  private nextMemberId = 1;
  /** Row writes of each MPC, in order. */
  private readonly writes = new Map<string, Promise<void>>();
  private readonly recordingHooks = new Map<string, Hook>();

  readonly engine: Engine;
  private readonly ctx: PlatformContext;

  constructor(
    private readonly kit: RoomKit,
    private readonly calls: Calls,
  ) {
    this.engine = kit.engine;
    this.ctx = kit.ctx;
  }

  // ---- joining -------------------------------------------------------------------

  /** `call` joins the MPC `name` of its owner (created by its first participant); undefined when it is full. */
  join(call: Call, name: string, settings: MpcSettings, byApi: boolean): { mpc: MultiPartyCall; participant: Participant } | undefined {
    const key = roomKey(call.owner, name);
    let mpc = this.live.get(key);
    if (mpc && mpc.participants.size >= mpc.settings.maxParticipants) return undefined;
    if (!mpc) {
      const room: MixRoom = new MixRoom(this.kit.ticker, this.engine.clock, {
        speech: (rm, speaking) => {
          const p = created.memberOf(rm);
          if (p) created.event('participant-speak-events', speaking ? 'ParticipantSpeakStart' : 'ParticipantSpeakStop', p);
        },
      });
      const created = new MultiPartyCall(name, call.owner, settings, room, this);
      this.live.set(key, (mpc = created));
      this.write(created, () => mpcRepo.insert(this.ctx.db, mpcRowOf(created)));
      this.engine.log(call, { kind: 'event', message: `multiparty call ${name} (${created.uuid}) created by this call` });
    }
    const participant = mpc.join(String(this.nextMemberId++), call, settings, byApi);
    const target = mpc;
    const off = this.listen(target, participant);
    void participant.exited.then(() => off());
    return { mpc, participant };
  }

  /** The participant's keys: reported (participant-digit-input-events) and relayed when relayDTMFInputs says so. */
  private listen(mpc: MultiPartyCall, p: Participant): () => void {
    p.call.listenDigits((d) => {
      mpc.digits(p, d);
      if (!p.settings.relayDTMFInputs) return;
      for (const other of mpc.participants.values()) if (other !== p && !other.waiting) other.call.leg?.sendDigits(d, DTMF_TONE_MS);
    });
    return () => p.call.listenDigits(undefined);
  }

  // ---- MpcHost ------------------------------------------------------------------------

  sound(call: Call, which: Sound, method: HttpMethod): Promise<Segment[]> {
    return roomSound(this.engine.contextFor(call, new Interrupt()), which, method);
  }

  async music(call: Call, hook: Hook): Promise<Segment[]> {
    const sounds = this.engine.contextFor(call, new Interrupt());
    return renderPrompts(sounds, await soundDocument(sounds, hook.url, hook.method, 'mpc_music'));
  }

  record(mpc: MultiPartyCall, settings: MpcSettings): RoomRecording {
    return this.startRecording(mpc, settings.recordFileFormat, hookOf(settings.recordingCallbackUrl, settings.recordingCallbackMethod));
  }

  recordTrack(mpc: MultiPartyCall, p: Participant): void {
    const s = p.settings;
    this.recordParticipant(mpc, p, ['participant'], s.recordFileFormat, hookOf(s.recordingCallbackUrl, s.recordingCallbackMethod));
  }

  changed(mpc: MultiPartyCall): void {
    this.write(mpc, () => mpcRepo.update(this.ctx.db, mpc.uuid, mpcRowOf(mpc)));
    if (!mpc.ended) return;
    this.live.delete(roomKey(mpc.owner, mpc.name));
    if (mpc.recording && !mpc.recording.stopped) void this.finishRecording(mpc, mpc.recording);
  }

  notify(owner: CallOwner, hook: Hook, kind: string, params: Record<string, string>): void {
    this.kit.notifier.send(owner, hook, kind, params);
  }

  private write(mpc: MultiPartyCall, work: () => Promise<void>): void {
    const next = (this.writes.get(mpc.uuid) ?? Promise.resolve()).then(work).catch((err: unknown) => this.kit.log.error({ err, mpc_uuid: mpc.uuid }, 'multiparty call record not written'));
    this.writes.set(mpc.uuid, next);
    void this.kit.pending.add(this.engine.clock.track(next)).then(() => {
      if (this.writes.get(mpc.uuid) === next && mpc.ended) this.writes.delete(mpc.uuid);
    });
  }

  // ---- recording ----------------------------------------------------------------------

  /** A recording of the whole MPC, or (given `member`) a participant-level one: of its voice (track participant) or everything. */
  private startRecording(mpc: MultiPartyCall, format: 'mp3' | 'wav', hook: Hook | undefined, member?: { p: Participant; track: ParticipantTrack }): RoomRecording {
    const first = member?.p ?? [...mpc.participants.values()][0];
    const rec = new RoomRecording(
      mpc.room,
      this.kit.recordings,
      format,
      { owner: mpc.owner, callUuid: first?.call.uuid ?? '', from: first?.call.from ?? '', to: first?.call.to ?? '', mpc: { name: mpc.name, uuid: mpc.uuid } },
      this.engine.clock.now(),
      member?.track === 'participant' ? member.p.room : undefined,
    );
    if (hook) this.recordingHooks.set(rec.id, hook);
    this.recordingEvent(mpc, rec, 'RecordingInitiated', undefined, member?.p);
    if (!member) mpc.recordingAudio(true);
    return rec;
  }

  /** `name` without its prefix: MPCRecording… for the MPC, ParticipantRecording… (with MemberID) for a participant's. */
  private recordingEvent(mpc: MultiPartyCall, rec: RoomRecording, name: string, f?: WrittenRecording, member?: Participant): void {
    const hook = this.recordingHooks.get(rec.id);
    if (!hook) return;
    this.kit.notifier.send(mpc.owner, hook, member ? 'mpc_participant_recording_callback' : 'mpc_recording_callback', {
      EventName: (member ? 'Participant' : 'MPC') + name,
      ...(member ? { MemberID: member.id } : {}),
      EventTimestamp: isoish(this.engine.clock.now()),
      MPCName: mpc.name,
      MPCUUID: mpc.uuid,
      RecordingDuration: f ? String(Math.round(f.durationMs / 1000)) : '',
      RecordingEndTime: f ? isoish(f.endMs) : '',
      RecordingFormat: rec.format,
      RecordingResourceURL: `/v1/Account/${mpc.owner.accountId}/Recording/${rec.id}/`,
      RecordingStartTime: isoish(rec.startedAt),
      RecordingURL: rec.url,
      RecordingUUID: rec.id,
      SequenceNumber: mpc.nextSequence(),
    });
  }

  private async finishRecording(mpc: MultiPartyCall, rec: RoomRecording, member?: Participant): Promise<void> {
    const written = rec.stop(this.engine.clock.now());
    if (!member) mpc.recordingAudio(false);
    try {
      const f = await this.kit.pending.add(this.engine.clock.track(written));
      this.recordingEvent(mpc, rec, 'RecordingCompleted', f, member);
    } catch (err) {
      this.kit.log.error({ err, mpc_uuid: mpc.uuid }, 'multiparty call recording could not be written');
      this.recordingEvent(mpc, rec, 'RecordingFailed', undefined, member);
    } finally {
      this.recordingHooks.delete(rec.id);
    }
  }

  // ---- the API: multiparty calls --------------------------------------------------------

  private liveOf(scope: Scope, raw: string): MultiPartyCall | undefined {
    const id = parseId(raw);
    for (const mpc of this.live.values()) {
      if (!visible(scope, mpc.owner)) continue;
      if ('name' in id ? mpc.name === id.name : mpc.uuid === id.uuid) return mpc;
    }
    return undefined;
  }

  /** A live MPC, or 404. */
  mpc(scope: Scope, raw: string): MultiPartyCall {
    const mpc = this.liveOf(scope, raw);
    if (!mpc) throw notFound(`multiparty call ${raw} (no live multiparty call of this account has this name or uuid)`);
    return mpc;
  }

  private recordingState(mpc: MultiPartyCall): string {
    const r = mpc.recording;
    return !r || r.stopped ? 'not-recording' : r.paused ? 'paused' : 'recording';
  }

  async get(scope: Scope, raw: string) {
    const mpc = this.liveOf(scope, raw);
    if (mpc) return mpcView(mpcRowOf(mpc), this.recordingState(mpc));
    const id = parseId(raw);
    const row = 'uuid' in id ? await mpcRepo.find(this.ctx.db, ownerFilter(scope), id.uuid) : undefined;
    if (!row) throw notFound(`multiparty call ${raw}${'name' in id ? ' (an ended multiparty call is read by its uuid: uuid_<mpc uuid>)' : ''}`);
    return mpcView(row, null);
  }

  async list(scope: Scope, q: MpcListQuery) {
    const status = q.status === undefined ? undefined : STATUS_NAMES[q.status.toLowerCase()];
    if (q.status !== undefined && !status) throw new ApiError(400, `status must be initialized, active or ended (got "${q.status}")`);
    const created = timeRange('creation_time', q);
    const endedRange = timeRange('end_time', q);
    const now = this.ctx.clock.now();
    const anyWindow = [created.from, created.to, endedRange.from, endedRange.to].some((v) => v !== undefined);
    const f: MpcFilter = {
      ...ownerFilter(scope, q.sub_account),
      friendlyName: q.friendly_name,
      status,
      terminationCauseCode: q.termination_cause_code,
      // Without a time filter the last seven days are searched.
      created: anyWindow ? created : { from: now - 7 * DAY },
      ended: endedRange,
    };
    const [rows, total] = await Promise.all([mpcRepo.list(this.ctx.db, f, q.limit, q.offset), mpcRepo.count(this.ctx.db, f)]);
    const views = rows.map((row) => {
      const mpc = [...this.live.values()].find((m) => m.uuid === row.mpc_uuid);
      return mpc ? mpcView(mpcRowOf(mpc), this.recordingState(mpc)) : mpcView(row, null);
    });
    return { objects: views, total };
  }

  /** Activate an MPC whose participants wait (status=active). */
  activate(scope: Scope, raw: string, status: string): void {
    if (status.toLowerCase() !== 'active') throw new ApiError(400, `status must be active (got "${status}")`);
    const mpc = this.liveOf(scope, raw);
    if (!mpc || mpc.status !== 'Initialized') throw notFound(`multiparty call ${raw} in the initialized state`);
    mpc.start();
  }

  end(scope: Scope, raw: string): void {
    this.mpc(scope, raw).end(TERMINATION.api);
  }

  // ---- the API: participants ------------------------------------------------------------

  /** Dial `to` (first of several agents to answer wins) or move live call `call_uuid` into the MPC. */
  async addParticipant(scope: Scope, raw: string, input: AddParticipantInput) {
    const id = parseId(raw);
    if (!('name' in id) && !this.liveOf(scope, raw)) throw notFound(`multiparty call ${raw}`);
    const name = 'name' in id ? id.name : this.liveOf(scope, raw)!.name;
    const settings = settingsFromApi({ ...input, role: input.role.toLowerCase() });
    const owner = { accountId: scope.accountId, subaccountId: scope.subaccountId };
    const mpc = this.live.get(roomKey(owner, name));
    if (mpc && mpc.participants.size >= mpc.settings.maxParticipants) throw new ApiError(400, `multiparty call ${name} already has its maximum of ${mpc.settings.maxParticipants} participants`);
    const requestUuid = newUuid();
    mpc?.event('add-participant-api-events', 'AddParticipantByAPIActionInitiated');

    if (input.call_uuid !== undefined) {
      if (input.to !== undefined || input.from !== undefined) throw new ApiError(400, 'give either call_uuid or from and to, not both');
      const call = this.calls.liveCall(scope, input.call_uuid);
      if (!call.isAnswered) throw new ApiError(400, `call ${input.call_uuid} is ${call.status}: only an answered call can join a multiparty call`);
      // The call leaves whatever held it (a bridge, a room) and whatever its XML was doing.
      call.takeover();
      call.program?.stop();
      this.admit(call, name, settings);
      return { requestUuid, calls: [{ to: call.to, from: call.from, call_uuid: call.uuid }] };
    }

    if (!input.from || !input.to) throw new ApiError(400, 'from and to are required unless call_uuid names a live call to move into the multiparty call');
    const destinations = input.to.split('<').map((t) => t.trim()).filter((t) => t !== '');
    if (destinations.length === 0) throw new ApiError(400, 'to must name at least one number or sip: URI');
    if (destinations.length > 1 && settings.role !== 'agent') throw new ApiError(400, 'several destinations (to separated by <) may be dialled only for the agent role');
    const ringTimeoutS = input.ring_timeout ?? DEFAULT_RING_TIMEOUT_S;
    if (!Number.isInteger(ringTimeoutS) || ringTimeoutS < 15 || ringTimeoutS > 120) throw new ApiError(400, `ring_timeout must be an integer from 15 to 120 (got ${input.ring_timeout})`);
    const delays = delaysOf(input.delay_dial, destinations.length);
    const headers = sipHeaders(input.sip_headers);
    const signing = await this.engine.platform.signing(owner);
    const statusHook = input.call_status_callback_url ? { url: input.call_status_callback_url, method: input.call_status_callback_method ?? 'POST' } : undefined;
    const confirmation = this.confirmation(input);
    let joined = false;
    const win = (leg: Call) => {
      if (joined || !leg.live) return leg.hangup({ cause: LOST_RACE, source: 'Plivo' });
      joined = true;
      for (const other of legs) if (other !== leg) other.hangup({ cause: LOST_RACE, source: 'Plivo' });
      this.admit(leg, name, settings);
    };
    const legs: Call[] = destinations.map((to, i) =>
      this.engine.placeLeg({
        owner,
        signing,
        parentUuid: null,
        from: input.from!.replace(/^\+/, ''),
        to: /^sips?:/i.test(to) ? to : to.replace(/\D/g, ''),
        callerName: input.caller_name ?? input.from!,
        sipHeaders: headers,
        ringTimeoutS,
        delayS: delays[i],
        connect: (leg) => {
          if (joined) return leg.hangup({ cause: LOST_RACE, source: 'Plivo' });
          this.callStatus(statusHook, owner, leg, 'Answered');
          if (!confirmation) return win(leg);
          // With confirm_key the first to accept, not the first to answer, joins.
          confirmLeg((call, stop) => this.engine.contextFor(call, stop), leg, new Interrupt(), confirmation).then(
            (accepted) => (accepted ? win(leg) : leg.hangup({ cause: NOT_CONFIRMED, source: 'Plivo' })),
            (err: unknown) => {
              this.engine.logError(leg, 'multiparty call: confirming the participant failed', err);
              leg.hangup({ cause: CAUSES.internalError, source: 'Error' });
            },
          );
        },
        ringing: (leg) => this.callStatus(statusHook, owner, leg, 'Ringing'),
      }),
    );
    for (const leg of legs) {
      this.callStatus(statusHook, owner, leg, 'Initiated');
      void ended(leg).then(() => this.callStatus(statusHook, owner, leg, 'Hangup'));
    }
    return { requestUuid, calls: legs.map((l) => ({ to: l.to, from: l.from, call_uuid: l.uuid })) };
  }

  /** confirm_key: the prompt (confirm_key_sound_url's document, else the documented sentence) and the key; undefined without a key. */
  private confirmation(input: AddParticipantInput): Confirmation | undefined {
    const key = input.confirm_key;
    if (key === undefined) {
      if (input.confirm_key_sound_url !== undefined) throw new ApiError(400, 'confirm_key_sound_url needs confirm_key');
      return undefined;
    }
    if (!/^[0-9*#]$/.test(key)) throw new ApiError(400, `confirm_key must be one of 0-9, * or # (got "${key}")`);
    const url = input.confirm_key_sound_url;
    return {
      key,
      timeoutS: CONFIRM_TIMEOUT_S,
      prompts: async (leg) => (url ? soundDocument(leg, url, input.confirm_key_sound_method ?? 'GET', 'confirm_key_sound') : confirmPrompt(key)),
    };
  }

  /** An API participant: joins, and when it leaves runs on_exit_action_url or is hung up. */
  private admit(call: Call, name: string, settings: MpcSettings): void {
    const joined = this.join(call, name, settings, true);
    if (!joined) {
      this.engine.log(call, { kind: 'event', message: `multiparty call ${name} is full; the call is hung up` });
      return call.hangup({ cause: MPC_ENDED, source: 'Plivo' });
    }
    joined.mpc.event('add-participant-api-events', 'AddParticipantByAPIActionCompleted', joined.participant);
    // Transferred to a document (the Transfer API), the call leaves the MPC; its own XML participants leave through their verb.
    const offTakeover = call.onTakeover(() => joined.mpc.leave(joined.participant, 'Participant Call Transferred'));
    void joined.participant.exited.then((cause: ExitCause) => {
      offTakeover();
      if (!call.live || cause === 'Participant Call Transferred') return;
      const exit = settings.onExitActionUrl;
      if (exit) return this.engine.transfer(call, { url: exit, method: settings.onExitActionMethod });
      const byApi = cause === 'Kicked Out of Multiparty Call' || joined.mpc.termination === TERMINATION.api;
      call.hangup({ cause: MPC_ENDED, source: byApi ? 'API Request' : 'Plivo' });
    });
  }

  private callStatus(hook: Hook | undefined, owner: CallOwner, call: Call, event: string): void {
    if (!hook) return;
    const now = this.engine.clock.now();
    this.kit.notifier.send(owner, hook, 'mpc_call_status', {
      EventName: event,
      CallUUID: call.uuid,
      From: call.from,
      To: call.to,
      InitiationTime: isoish(call.initiatedAt ?? now),
      AnswerTime: call.answeredAt === undefined ? '' : isoish(call.answeredAt),
      HangupTime: call.endedAt === undefined ? '' : isoish(call.endedAt),
      PlivoHangupCause: call.end?.cause.name ?? '',
      PlivoHangupCauseCode: call.end ? String(call.end.cause.code) : '',
      PlivoHangupSource: call.end?.source ?? '',
    });
  }

  /** The participants `spec` names: a member id, ids separated by commas, or `all`. */
  private participantsOf(scope: Scope, raw: string, spec: string): { mpc: MultiPartyCall; list: Participant[]; all: boolean } {
    const mpc = this.mpc(scope, raw);
    return { mpc, ...pick(mpc.participants, spec, `multiparty call ${raw}`) };
  }

  participants(scope: Scope, raw: string, callUuid?: string) {
    const mpc = this.mpc(scope, raw);
    return [...mpc.participants.values()].filter((p) => !callUuid || p.call.uuid === callUuid).map((p) => participantView(mpc, p));
  }

  participant(scope: Scope, raw: string, memberId: string) {
    const { mpc, list } = this.participantsOf(scope, raw, memberId);
    return participantView(mpc, list[0]!);
  }

  async update(scope: Scope, raw: string, spec: string, input: UpdateInput): Promise<Record<string, string>> {
    const { mpc, list, all } = this.participantsOf(scope, raw, spec);
    if (input.coach_mode !== undefined && all) throw new ApiError(400, 'coach_mode can be changed for one participant at a time: give its member id, not all');
    if (input.coach_mode !== undefined && list.some((p) => p.role !== 'supervisor')) throw new ApiError(400, 'coach_mode applies only to participants with the supervisor role');
    const out: Record<string, string> = {};
    if (input.coach_mode !== undefined) {
      for (const p of list) mpc.setCoachMode(p, input.coach_mode);
      out.coach_mode = `MPC: ${mpc.name} coach_mode enable/disable succeeded`;
    }
    if (input.hold !== undefined) {
      await Promise.all(list.map((p) => this.engine.clock.track(mpc.setHold(p, input.hold!))));
      out.hold = `MPC: ${mpc.name} hold/unhold member(s) succeeded`;
    }
    if (input.mute !== undefined) {
      for (const p of list) mpc.setMute(p, input.mute);
      out.mute = `MPC: ${mpc.name} mute/unmute member(s) succeeded`;
    }
    return out;
  }

  kick(scope: Scope, raw: string, spec: string): void {
    const { mpc, list } = this.participantsOf(scope, raw, spec);
    for (const p of list) mpc.leave(p, 'Kicked Out of Multiparty Call');
  }

  // ---- the API: recording and playing -------------------------------------------------------

  recordStart(scope: Scope, raw: string, input: RecordInput): RoomRecording {
    const mpc = this.mpc(scope, raw);
    const format = input.file_format ?? 'mp3';
    if (format !== 'mp3' && format !== 'wav') throw new ApiError(400, `file_format must be mp3 or wav (got "${format}")`);
    if (mpc.recording && !mpc.recording.stopped) throw new ApiError(400, `multiparty call ${mpc.name} is already being recorded; stop that recording first`);
    return (mpc.recording = this.startRecording(mpc, format, hookOf(input.recording_callback_url, input.recording_callback_method ?? 'POST')));
  }

  private recordingOf(scope: Scope, raw: string): { mpc: MultiPartyCall; rec: RoomRecording } {
    const mpc = this.mpc(scope, raw);
    const rec = mpc.recording;
    if (!rec || rec.stopped) throw new ApiError(400, `multiparty call ${mpc.name} is not being recorded`);
    return { mpc, rec };
  }

  async recordStop(scope: Scope, raw: string): Promise<void> {
    const { mpc, rec } = this.recordingOf(scope, raw);
    await this.finishRecording(mpc, rec);
  }

  recordPause(scope: Scope, raw: string): void {
    const { mpc, rec } = this.recordingOf(scope, raw);
    if (rec.paused) return;
    rec.pause(this.engine.clock.now());
    this.recordingEvent(mpc, rec, 'RecordingPaused');
  }

  recordResume(scope: Scope, raw: string): void {
    const { mpc, rec } = this.recordingOf(scope, raw);
    if (!rec.paused) return;
    rec.resume(this.engine.clock.now());
    this.recordingEvent(mpc, rec, 'RecordingResumed');
  }

  // ---- the API: participant-level recording ------------------------------------------------

  /** Start the participant's recordings of `track_type`; the response names the first. */
  participantRecordStart(scope: Scope, raw: string, memberId: string, input: RecordInput & { record_track_type?: string }): RoomRecording {
    const { mpc, p } = this.oneParticipant(scope, raw, memberId);
    const tracks = tracksOf(input.record_track_type);
    const format = input.file_format ?? 'mp3';
    if (format !== 'mp3' && format !== 'wav') throw new ApiError(400, `file_format must be mp3 or wav (got "${format}")`);
    const busy = tracks.filter((t) => p.recordings.get(t)?.stopped === false);
    if (busy.length > 0) throw new ApiError(400, `participant ${p.id} already has a ${busy.join(' and ')} recording in progress; stop it first`);
    return this.recordParticipant(mpc, p, tracks, format, hookOf(input.recording_callback_url, input.recording_callback_method ?? 'POST'))[0]!;
  }

  /** Participant-level recordings of `tracks`, each finished when the participant leaves. */
  private recordParticipant(mpc: MultiPartyCall, p: Participant, tracks: ParticipantTrack[], format: 'mp3' | 'wav', hook: Hook | undefined): RoomRecording[] {
    return tracks.map((track) => {
      const rec = this.startRecording(mpc, format, hook, { p, track });
      p.recordings.set(track, rec);
      void p.exited.then(() => (rec.stopped ? undefined : this.finishRecording(mpc, rec, p)));
      return rec;
    });
  }

  async participantRecordStop(scope: Scope, raw: string, memberId: string, trackType: string | undefined): Promise<void> {
    const { mpc, p, recs } = this.participantRecordings(scope, raw, memberId, trackType);
    await Promise.all(recs.map((rec) => this.finishRecording(mpc, rec, p)));
  }

  participantRecordPause(scope: Scope, raw: string, memberId: string, trackType: string | undefined, pause: boolean): void {
    const { mpc, p, recs } = this.participantRecordings(scope, raw, memberId, trackType);
    const now = this.engine.clock.now();
    for (const rec of recs) {
      if (rec.paused === pause) continue;
      if (pause) rec.pause(now);
      else rec.resume(now);
      this.recordingEvent(mpc, rec, pause ? 'RecordingPaused' : 'RecordingResumed', undefined, p);
    }
  }

  private oneParticipant(scope: Scope, raw: string, memberId: string): { mpc: MultiPartyCall; p: Participant } {
    const { mpc, list, all } = this.participantsOf(scope, raw, memberId);
    if (all || list.length !== 1) throw new ApiError(400, `participant-level recording takes one member id (got "${memberId}")`);
    return { mpc, p: list[0]! };
  }

  private participantRecordings(scope: Scope, raw: string, memberId: string, trackType: string | undefined) {
    const { mpc, p } = this.oneParticipant(scope, raw, memberId);
    const recs = tracksOf(trackType).flatMap((t) => {
      const rec = p.recordings.get(t);
      return rec && !rec.stopped ? [rec] : [];
    });
    if (recs.length === 0) throw new ApiError(400, `participant ${p.id} of multiparty call ${mpc.name} has no ${trackType ?? 'all'} recording in progress`);
    return { mpc, p, recs };
  }

  async play(scope: Scope, raw: string, spec: string, url: string): Promise<{ mpc: MultiPartyCall; ids: string[] }> {
    const { mpc, list, all } = this.participantsOf(scope, raw, spec);
    const segments: Segment[] = [{ samples: await audioToPlay(this.engine, url), annotation: { type: 'play', url } }];
    if (all) mpc.room.play(new Source(segments, false, 'play:all'));
    else for (const p of list) mpc.room.play(new Source(segments, false, 'play:member'), p.room);
    return { mpc, ids: all ? ['all'] : list.map((p) => p.id) };
  }

  stopPlay(scope: Scope, raw: string, spec: string): void {
    const { mpc, list, all } = this.participantsOf(scope, raw, spec);
    mpc.room.stopSounds((s, to) => (all ? to === undefined && s.tag === 'play:all' : to !== undefined && s.tag === 'play:member' && list.some((p) => p.room === to)));
  }
}

