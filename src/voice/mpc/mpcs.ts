// Live multiparty calls of every account and the typed operations on them,
// for the <MultiPartyCall> verb, the Multiparty Call API (mpc-api.ts, which
// parses the API's ids and snake_case) and flows: find MPCs (ended ones
// from their rows), activate and end them, add participants (dialling them
// out, or moving a live call in), update and kick participants, record the
// MPC or one participant, play to members.
import { ApiError } from '../../errors.ts';
import { newUuid } from '../../ids.ts';
import type { PlatformContext } from '../../platform/context.ts';
import { ownerFilter, type Scope } from '../../platform/scope.ts';
import { mpcRepo, type MpcFilter } from '../../store/repos/conferences.ts';
import type { MpcRow } from '../../store/tables/conferences.ts';
import type { Call, Hook } from '../engine/call.ts';
import { ended } from '../engine/call-control.ts';
import { CAUSES, type HangupCause } from '../engine/causes.ts';
import { confirmLeg, type Confirmation } from '../connect/confirm.ts';
import { renderPrompts, roomSound, soundDocument } from '../prompts/documents.ts';
import type { Engine } from '../engine/engine.ts';
import type { CallOwner } from '../engine/ports.ts';
import { audioToPlay, pick, roomKey, type RoomKit } from '../rooms/kit.ts';
import { RoomRecording, type WrittenRecording } from '../rooms/recording.ts';
import { MixRoom } from '../rooms/room.ts';
import { Source, type Segment } from '../rooms/source.ts';
import { SAMPLE_RATE } from '../../media/frame.ts';
import { visible } from '../engine/visibility.ts';
import { Interrupt } from '../interpreter/verb.ts';
import type { HttpMethod, PromptVerb, Sound } from '../../plivo-xml/ast.ts';
import { speak } from '../../plivo-xml/build.ts';
import { MultiPartyCall, TERMINATION, type ExitCause, type MpcHost, type MpcSettings, type Participant, type ParticipantTrack } from './mpc.ts';
import { mpcRowOf, participantRecordOf, type ParticipantRecord } from './views.ts';
import { isoish } from '../engine/format.ts';
import { DTMF_TONE_MS } from '../defaults.ts';

/** How an API participant's call ends when it leaves without an on_exit_action_url. */
export const MPC_ENDED: HangupCause = { code: 4020, name: 'Multiparty Call Ended', cause: 'NORMAL_CLEARING' };
/** Destinations that rang while another answered first: "hung up with the hangup cause LOST RACE" (the Add Participant reference). */
const LOST_RACE: HangupCause = { code: 1000, name: 'LOST RACE', cause: 'LOST RACE' };
/** The documented ring_timeout of dialled participants. */
/** A dialled participant that did not press confirm_key in time (the documented code; the name is ours). */
const NOT_CONFIRMED: HangupCause = { code: 9110, name: 'Confirm Key Not Pressed', cause: 'NORMAL_CLEARING' };
const CONFIRM_TIMEOUT_S = 30;

/** How the API names a multiparty call: by its friendly name (live only) or its uuid. */
export type MpcRef = { name: string } | { uuid: string };

/** Dial a participant out: the first of `to` to answer (and, with `confirm`, to accept) joins. */
export interface DialParticipant {
  from: string;
  to: readonly string[];
  callerName: string;
  sipHeaders: Record<string, string>;
  ringTimeoutS: number;
  /** Seconds before each destination is dialled. */
  delaysS: readonly number[];
  confirm?: Confirmation;
  /** call_status_callback_url: Initiated, Ringing, Answered, Hangup of each dialled leg. */
  statusHook?: Hook;
}

/** What adding a participant gives back: the request, the calls concerned, and the participant once one joined. */
export interface AddedParticipant {
  requestUuid: string;
  calls: Call[];
  joined: Promise<Participant | undefined>;
  /** Hang up the legs still ringing (none once one joined). */
  cancel(): void;
}

/** Which participant-level recording: the participant's own audio, or what it hears too. */
export type { ParticipantTrack };

/** A recording callback URL with its method, when given. */
export const hookOf = (url: string | undefined, method: HttpMethod): Hook | undefined => (url ? { url, method } : undefined);

/** The documented prompt of a dialled participant that must press `key`, unless a document of sounds replaces it. */
export function confirmation(key: string, sound: Hook | undefined): Confirmation {
  return {
    key,
    timeoutS: CONFIRM_TIMEOUT_S,
    prompts: async (leg) => (sound ? soundDocument(leg, sound.url, sound.method, 'confirm_key_sound') : [speak(`Please enter ${key} to accept the call.`)]),
  };
}

export class MultiPartyCalls implements MpcHost {
  private readonly live = new Map<string, MultiPartyCall>();
  private nextMemberId = 1;
  /** Row writes of each MPC, in order. */
  private readonly writes = new Map<string, Promise<void>>();
  private readonly recordingHooks = new Map<string, Hook>();

  readonly engine: Engine;
  private readonly ctx: PlatformContext;

  constructor(private readonly kit: RoomKit) {
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
    void participant.exited.then((cause) => {
      off();
      // Kept once it leaves, so the MPC's participants stay readable after it ended.
      const record = participantRecordOf(target, participant, { at: this.engine.clock.now(), cause });
      this.write(target, () => mpcRepo.insertParticipant(this.ctx.db, { ...record, exited_at: record.exited_at!, exit_cause: record.exit_cause! }));
    });
    return { mpc, participant };
  }

  /** The participant's keys: reported (participant-digit-input-events) and relayed when relayDTMFInputs says so. */
  private listen(mpc: MultiPartyCall, p: Participant): () => void {
    p.call.listenDigits((d, inAudio) => {
      mpc.digits(p, d);
      // A key heard as a tone is in the mix already.
      if (!p.settings.relayDTMFInputs || inAudio) return;
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

  // ---- typed operations (the API's and flows') ----------------------------------------

  /** The live MPC `ref` names among those `scope` may see. */
  find(scope: Scope, ref: MpcRef): MultiPartyCall | undefined {
    for (const mpc of this.live.values()) {
      if (!visible(scope, mpc.owner)) continue;
      if ('name' in ref ? mpc.name === ref.name : mpc.uuid === ref.uuid) return mpc;
    }
    return undefined;
  }

  /** An MPC's row, live or ended; a name names the live MPC, else the latest of that name. */
  async row(scope: Scope, ref: MpcRef): Promise<{ row: MpcRow; live: MultiPartyCall | undefined } | undefined> {
    const mpc = this.find(scope, ref);
    if (mpc) return { row: mpcRowOf(mpc), live: mpc };
    const owner = ownerFilter(scope);
    const row = 'uuid' in ref ? await mpcRepo.find(this.ctx.db, owner, ref.uuid) : await mpcRepo.latestByName(this.ctx.db, owner, ref.name);
    return row && { row, live: undefined };
  }

  /** Every participant of an MPC, those who left (as kept) and those still in it, in the order they joined. */
  async participantRecords(found: { row: MpcRow; live: MultiPartyCall | undefined }): Promise<ParticipantRecord[]> {
    // Records of participants who just left may still be queued for writing.
    await this.writes.get(found.row.mpc_uuid);
    const departed: ParticipantRecord[] = await mpcRepo.departed(this.ctx.db, found.row.mpc_uuid);
    const live = found.live ? [...found.live.participants.values()].map((p) => participantRecordOf(found.live!, p)) : [];
    return [...departed, ...live].sort((a, b) => a.joined_at - b.joined_at || Number(a.member_id) - Number(b.member_id));
  }

  /** A page of MPC rows matching `f`, each with its live MPC while it runs. */
  async list(f: MpcFilter, limit: number, offset: number): Promise<{ rows: Array<{ row: MpcRow; live: MultiPartyCall | undefined }>; total: number }> {
    const [rows, total] = await Promise.all([mpcRepo.list(this.ctx.db, f, limit, offset), mpcRepo.count(this.ctx.db, f)]);
    return {
      rows: rows.map((row) => {
        const mpc = [...this.live.values()].find((m) => m.uuid === row.mpc_uuid);
        return mpc ? { row: mpcRowOf(mpc), live: mpc } : { row, live: undefined };
      }),
      total,
    };
  }

  /** The live MPC's participants a member id, ids separated by commas, or `all` name (404 naming an unknown one). */
  participantsOf(mpc: MultiPartyCall, spec: string, where: string): { list: Participant[]; all: boolean } {
    return pick(mpc.participants, spec, where);
  }

  /**
   * A participant joins `name` of `owner` with `settings`: a live answered
   * call moved in (it leaves whatever held it; with `handBack` it is not
   * hung up when it leaves, its holder takes it back), or legs dialled out. The
   * request uuid and the calls it concerns come back, and `joined`, which
   * resolves with the participant once one joined (undefined when none did).
   */
  async addParticipant(owner: CallOwner, name: string, settings: MpcSettings, who: { move: Call; handBack?: boolean } | { dial: DialParticipant }): Promise<AddedParticipant> {
    const mpc = this.live.get(roomKey(owner, name));
    if (mpc && mpc.participants.size >= mpc.settings.maxParticipants) throw new ApiError(400, `multiparty call ${name} already has its maximum of ${mpc.settings.maxParticipants} participants`);
    const requestUuid = newUuid();
    mpc?.event('add-participant-api-events', 'AddParticipantByAPIActionInitiated');
    if ('move' in who) {
      const call = who.move;
      // The call leaves whatever held it (a bridge, a room) and whatever its XML was doing.
      call.takeover();
      call.program?.stop();
      return { requestUuid, calls: [call], joined: Promise.resolve(this.admit(call, name, settings, who.handBack)), cancel: () => {} };
    }
    const d = who.dial;
    const signing = await this.engine.platform.signing(owner);
    let joined = false;
    let settle!: (p: Participant | undefined) => void;
    const participant = new Promise<Participant | undefined>((resolve) => (settle = resolve));
    const win = (leg: Call) => {
      if (joined || !leg.live) return leg.hangup({ cause: LOST_RACE, source: 'Plivo' });
      joined = true;
      for (const other of legs) if (other !== leg) other.hangup({ cause: LOST_RACE, source: 'Plivo' });
      settle(this.admit(leg, name, settings));
    };
    const legs: Call[] = d.to.map((to, i) =>
      this.engine.placeLeg({
        owner,
        signing,
        parentUuid: null,
        from: d.from,
        to,
        callerName: d.callerName,
        sipHeaders: d.sipHeaders,
        ringTimeoutS: d.ringTimeoutS,
        delayS: d.delaysS[i],
        connect: (leg) => {
          if (joined) return leg.hangup({ cause: LOST_RACE, source: 'Plivo' });
          this.callStatus(d.statusHook, owner, leg, 'Answered');
          if (!d.confirm) return win(leg);
          // With confirm_key the first to accept, not the first to answer, joins.
          confirmLeg((call, stop) => this.engine.contextFor(call, stop), leg, new Interrupt(), d.confirm).then(
            (accepted) => (accepted ? win(leg) : leg.hangup({ cause: NOT_CONFIRMED, source: 'Plivo' })),
            (err: unknown) => {
              this.engine.logError(leg, 'multiparty call: confirming the participant failed', err);
              leg.hangup({ cause: CAUSES.internalError, source: 'Error' });
            },
          );
        },
        ringing: (leg) => this.callStatus(d.statusHook, owner, leg, 'Ringing'),
      }),
    );
    for (const leg of legs) {
      this.callStatus(d.statusHook, owner, leg, 'Initiated');
      void ended(leg).then(() => {
        this.callStatus(d.statusHook, owner, leg, 'Hangup');
        if (!joined && legs.every((l) => !l.live)) settle(undefined);
      });
    }
    const cancel = () => {
      if (!joined) for (const leg of legs) leg.hangup({ cause: CAUSES.canceled, source: 'API Request' });
    };
    return { requestUuid, calls: legs, joined: participant, cancel };
  }

  /** An API participant: joins, and when it leaves runs on_exit_action_url or is hung up (unless handed back to its holder). */
  private admit(call: Call, name: string, settings: MpcSettings, handBack = false): Participant | undefined {
    const joined = this.join(call, name, settings, true);
    if (!joined) {
      this.engine.log(call, { kind: 'event', message: `multiparty call ${name} is full; the call is hung up` });
      call.hangup({ cause: MPC_ENDED, source: 'Plivo' });
      return undefined;
    }
    joined.mpc.event('add-participant-api-events', 'AddParticipantByAPIActionCompleted', joined.participant);
    // Transferred to a document (the Transfer API), the call leaves the MPC; its own XML participants leave through their verb.
    const offTakeover = call.onTakeover(() => joined.mpc.leave(joined.participant, 'Participant Call Transferred'));
    void joined.participant.exited.then((cause: ExitCause) => {
      offTakeover();
      if (!call.live || cause === 'Participant Call Transferred' || handBack) return;
      const exit = settings.onExitActionUrl;
      if (exit) return this.engine.transfer(call, { url: exit, method: settings.onExitActionMethod });
      const byApi = cause === 'Kicked Out of Multiparty Call' || joined.mpc.termination === TERMINATION.api;
      call.hangup({ cause: MPC_ENDED, source: byApi ? 'API Request' : 'Plivo' });
    });
    return joined.participant;
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

  /** Mute, hold or coach participants; what changed, as the API words it. */
  async update(mpc: MultiPartyCall, list: readonly Participant[], change: { mute?: boolean; hold?: boolean; coachMode?: boolean }): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    if (change.coachMode !== undefined) {
      if (list.some((p) => p.role !== 'supervisor')) throw new ApiError(400, 'coach_mode applies only to participants with the supervisor role');
      for (const p of list) mpc.setCoachMode(p, change.coachMode);
      out.coach_mode = `MPC: ${mpc.name} coach_mode enable/disable succeeded`;
    }
    if (change.hold !== undefined) {
      await Promise.all(list.map((p) => this.engine.clock.track(mpc.setHold(p, change.hold!))));
      out.hold = `MPC: ${mpc.name} hold/unhold member(s) succeeded`;
    }
    if (change.mute !== undefined) {
      for (const p of list) mpc.setMute(p, change.mute);
      out.mute = `MPC: ${mpc.name} mute/unmute member(s) succeeded`;
    }
    return out;
  }

  kick(mpc: MultiPartyCall, list: readonly Participant[]): void {
    for (const p of list) mpc.leave(p, 'Kicked Out of Multiparty Call');
  }

  // ---- recording and playing ---------------------------------------------------------------

  recordingState(mpc: MultiPartyCall): string {
    const r = mpc.recording;
    return !r || r.stopped ? 'not-recording' : r.paused ? 'paused' : 'recording';
  }

  startMpcRecording(mpc: MultiPartyCall, format: 'mp3' | 'wav', hook: Hook | undefined): RoomRecording {
    if (mpc.recording && !mpc.recording.stopped) throw new ApiError(400, `multiparty call ${mpc.name} is already being recorded; stop that recording first`);
    return (mpc.recording = this.startRecording(mpc, format, hook));
  }

  private runningRecording(mpc: MultiPartyCall): RoomRecording {
    const rec = mpc.recording;
    if (!rec || rec.stopped) throw new ApiError(400, `multiparty call ${mpc.name} is not being recorded`);
    return rec;
  }

  async stopMpcRecording(mpc: MultiPartyCall): Promise<void> {
    await this.finishRecording(mpc, this.runningRecording(mpc));
  }

  pauseMpcRecording(mpc: MultiPartyCall, pause: boolean): void {
    const rec = this.runningRecording(mpc);
    if (rec.paused === pause) return;
    if (pause) rec.pause(this.engine.clock.now());
    else rec.resume(this.engine.clock.now());
    this.recordingEvent(mpc, rec, pause ? 'RecordingPaused' : 'RecordingResumed');
  }

  /** Start `p`'s recordings of `tracks`; each is finished when the participant leaves. */
  startParticipantRecording(mpc: MultiPartyCall, p: Participant, tracks: readonly ParticipantTrack[], format: 'mp3' | 'wav', hook: Hook | undefined): RoomRecording[] {
    const busy = tracks.filter((t) => p.recordings.get(t)?.stopped === false);
    if (busy.length > 0) throw new ApiError(400, `participant ${p.id} already has a ${busy.join(' and ')} recording in progress; stop it first`);
    return this.recordParticipant(mpc, p, [...tracks], format, hook);
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

  /** `p`'s running recordings of `tracks`; 400 when there is none (`asked` names the request's track type). */
  private participantRecordings(mpc: MultiPartyCall, p: Participant, tracks: readonly ParticipantTrack[], asked: string | undefined): RoomRecording[] {
    const recs = tracks.flatMap((t) => {
      const rec = p.recordings.get(t);
      return rec && !rec.stopped ? [rec] : [];
    });
    if (recs.length === 0) throw new ApiError(400, `participant ${p.id} of multiparty call ${mpc.name} has no ${asked ?? 'all'} recording in progress`);
    return recs;
  }

  async stopParticipantRecording(mpc: MultiPartyCall, p: Participant, tracks: readonly ParticipantTrack[], asked?: string): Promise<void> {
    await Promise.all(this.participantRecordings(mpc, p, tracks, asked).map((rec) => this.finishRecording(mpc, rec, p)));
  }

  pauseParticipantRecording(mpc: MultiPartyCall, p: Participant, tracks: readonly ParticipantTrack[], pause: boolean, asked?: string): void {
    const recs = this.participantRecordings(mpc, p, tracks, asked);
    const now = this.engine.clock.now();
    for (const rec of recs) {
      if (rec.paused === pause) continue;
      if (pause) rec.pause(now);
      else rec.resume(now);
      this.recordingEvent(mpc, rec, pause ? 'RecordingPaused' : 'RecordingResumed', undefined, p);
    }
  }

  /** Play the audio file at `url` to every member (`all`) or to `list` only. */
  async play(mpc: MultiPartyCall, list: readonly Participant[], all: boolean, url: string): Promise<void> {
    const segments: Segment[] = [{ samples: await audioToPlay(this.engine, url), annotation: { type: 'play', url } }];
    if (all) mpc.room.play(new Source(segments, false, 'play:all'));
    else for (const p of list) mpc.room.play(new Source(segments, false, 'play:member'), p.room);
  }

  /** Play `prompts` (built verbs) to `p` alone; resolves once they have played. */
  async playTo(mpc: MultiPartyCall, p: Participant, prompts: readonly PromptVerb[]): Promise<void> {
    const segments = await renderPrompts(this.engine.contextFor(p.call, new Interrupt()), prompts);
    const ms = (segments.reduce((n, s) => n + s.samples.length, 0) * 1000) / SAMPLE_RATE;
    if (ms === 0 || p.left) return;
    mpc.room.play(new Source(segments, false, 'play:member'), p.room);
    await new Promise<void>((resolve) => this.engine.timers.after(ms, resolve));
  }

  stopPlay(mpc: MultiPartyCall, list: readonly Participant[], all: boolean): void {
    mpc.room.stopSounds((s, to) => (all ? to === undefined && s.tag === 'play:all' : to !== undefined && s.tag === 'play:member' && list.some((p) => p.room === to)));
  }
}
