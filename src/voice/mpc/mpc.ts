// One live multiparty call: participants with roles in a mixing room. It is
// Initialized until a participant with startMpcOnEnter joins (or the API
// activates it) and participants wait, hearing wait music; then Active.
// Role rules: a supervisor in coach mode is heard by agents only; a
// participant on hold neither hears nor is heard and hears the hold music of
// its role instead. It ends when nobody is left, when a lone participant may
// not stay alone, when a participant with endMpcOnExit leaves, at
// maxDuration, or through the API; its participants then leave too. Status
// callbacks report each change to every participant's statusCallbackUrl that
// asked for that kind of event.
import type { Timer } from '../../clock/clock.ts';
import { newUuid } from '../../ids.ts';
import type { Hook } from '../engine/call.ts';
import type { Call } from '../engine/call.ts';
import { defaultMusic } from '../prompts/documents.ts';
import type { Engine } from '../engine/engine.ts';
import type { CallOwner } from '../engine/ports.ts';
import { Seat } from '../rooms/kit.ts';
import type { RoomRecording } from '../rooms/recording.ts';
import type { MixRoom, RoomMember } from '../rooms/room.ts';
import { Source, type Segment } from '../rooms/source.ts';
import type { MpcStatusEvent, MultiPartyCallVerb } from '../../plivo-xml/ast.ts';
import { isoish } from '../engine/format.ts';

/** A participant's settings: the element's attributes, or the Add Participant API's parameters. */
export type MpcSettings = Omit<MultiPartyCallVerb, 'kind' | 'name'>;
export type Role = MpcSettings['role'];

export type MpcStatus = 'Initialized' | 'Active' | 'Ended';
export type ParticipantTrack = 'participant' | 'all';

export const TERMINATION = {
  noParticipants: { code: 1000, cause: 'No Active Participants' },
  stayAlone: { code: 1010, cause: 'Stay Alone Not Permitted' },
  maxDuration: { code: 2000, cause: 'Max Duration Reached' },
  api: { code: 3000, cause: 'Hangup API Triggered' },
} as const;
export type Termination = (typeof TERMINATION)[keyof typeof TERMINATION];

export type ExitCause = 'Participant Call Hangup' | 'Kicked Out of Multiparty Call' | 'Multiparty Call Ended' | 'Participant Call Transferred';

/** What a multiparty call needs from its owner. */
export interface MpcHost {
  engine: Engine;
  /** Audio for a sound setting (beeps, a document's prompts). */
  sound(call: Call, which: MpcSettings['enterSound'], method: MpcSettings['enterSoundMethod']): Promise<Segment[]>;
  /** The prompts of a music document (wait, hold), fetched once per multiparty call. */
  music(call: Call, hook: Hook): Promise<Segment[]>;
  record(mpc: MultiPartyCall, settings: MpcSettings): RoomRecording;
  /** recordParticipantTrack: a participant-level recording of the participant's own voice, until it leaves. */
  recordTrack(mpc: MultiPartyCall, p: Participant): void;
  changed(mpc: MultiPartyCall): void;
  notify(owner: CallOwner, hook: Hook, kind: string, params: Record<string, string>): void;
}

export class Participant extends Seat<ExitCause> {
  mute: boolean;
  hold: boolean;
  coachMode: boolean;
  waiting = true;
  /** Participant-level recordings: of its own voice, of everything (record_track_type participant, all). */
  readonly recordings = new Map<ParticipantTrack, RoomRecording>();
  private music: Source | undefined;

  constructor(
    id: string,
    call: Call,
    readonly settings: MpcSettings,
    room: RoomMember,
    /** Joined by the Add Participant API rather than by its own XML. */
    readonly byApi: boolean,
    now: number,
  ) {
    super(id, call, room, now);
    this.mute = settings.mute;
    this.hold = settings.hold;
    this.coachMode = settings.role === 'supervisor' && settings.coachMode;
  }

  get role(): Role {
    return this.settings.role;
  }

  /** Is this participant heard only by agents (a coaching supervisor)? */
  get coaching(): boolean {
    return this.role === 'supervisor' && this.coachMode;
  }

  /** Plays `music` to this participant alone, replacing what played (wait or hold music); undefined stops it. */
  hear(music: Source | undefined, room: MixRoom): void {
    this.music?.stop();
    this.music = music;
    if (music) room.play(music, this.room);
  }

  override finish(cause: ExitCause): void {
    super.finish(cause);
    this.music?.stop();
  }
}

export class MultiPartyCall {
  readonly uuid = newUuid();
  readonly createdAt: number;
  startedAt: number | undefined;
  endedAt: number | undefined;
  status: MpcStatus = 'Initialized';
  termination: Termination | undefined;
  readonly participants = new Map<string, Participant>();
  recording: RoomRecording | undefined;
  /** Resolves when the MPC ends. */
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  /** Who watches every event in-process (a flow's multi_party_call node). */
  private observers: Set<(name: string, p: Participant | undefined) => void> | undefined;
  /** Who asked for status callbacks, and for which kinds of event. */
  private readonly subscribers = new Map<string, { hook: Hook; events: readonly MpcStatusEvent[] }>();
  private sequence = 0;
  private readonly limit: Timer;
  private readonly byRoom = new Map<RoomMember, Participant>();

  constructor(
    readonly name: string,
    readonly owner: CallOwner,
    /** The MPC's own properties come from whoever created it. */
    readonly settings: MpcSettings,
    readonly room: MixRoom,
    private readonly host: MpcHost,
  ) {
    const engine = host.engine;
    this.createdAt = engine.clock.now();
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    // A bound, not something a call waits on: a plain clock timer.
    this.limit = engine.clock.after(settings.maxDuration * 1000, () => this.end(TERMINATION.maxDuration));
  }

  get ended(): boolean {
    return this.status === 'Ended';
  }

  memberOf(room: RoomMember): Participant | undefined {
    return this.byRoom.get(room);
  }

  /** `call` joins as participant `id` (the caller checked maxParticipants). */
  join(id: string, call: Call, settings: MpcSettings, byApi: boolean): Participant {
    if (settings.statusCallbackUrl) this.subscribers.set(settings.statusCallbackUrl, { hook: { url: settings.statusCallbackUrl, method: settings.statusCallbackMethod }, events: settings.statusCallbackEvents });
    const p = new Participant(id, call, settings, this.room.add(call), byApi, this.host.engine.clock.now());
    this.participants.set(id, p);
    this.byRoom.set(p.room, p);
    if (this.participants.size === 1) this.event('mpc-state-changes', 'MPCInitialized');
    this.event('participant-state-changes', 'ParticipantJoin', p);
    if (settings.startMpcOnEnter && this.status === 'Initialized') this.start();
    else if (this.status === 'Active') this.enter(p);
    else void this.playMusic(p, this.settings.waitMusicUrl, this.settings.waitMusicMethod);
    return p;
  }

  /** Initialized → Active: everyone waiting is let in. */
  start(): void {
    if (this.status !== 'Initialized') return;
    this.status = 'Active';
    this.startedAt = this.host.engine.clock.now();
    this.event('mpc-state-changes', 'MPCStart');
    this.host.changed(this);
    for (const p of this.participants.values()) if (p.waiting) this.enter(p);
  }

  private enter(p: Participant): void {
    p.waiting = false;
    p.hear(undefined, this.room);
    this.apply(p);
    if (p.hold) void this.holdMusic(p);
    if (!p.coaching) void this.announce(p, p.settings.enterSound, p.settings.enterSoundMethod);
    // Entering is joining the bridge: before, a waiting participant has no voice to record.
    if (p.settings.recordParticipantTrack) this.host.recordTrack(this, p);
    this.maybeRecord();
  }

  /** The participant's state in the room: who hears it, whether it hears, its hold music. */
  apply(p: Participant): void {
    p.room.muted = p.mute || p.hold || p.waiting;
    p.room.deaf = p.hold || p.waiting;
    p.room.audience = p.coaching ? (listener) => this.byRoom.get(listener)?.role === 'agent' : undefined;
  }

  async setHold(p: Participant, hold: boolean): Promise<void> {
    if (p.hold === hold) return;
    p.hold = hold;
    this.apply(p);
    this.event('participant-state-changes', hold ? 'ParticipantHold' : 'ParticipantUnhold', p);
    if (!hold) return p.hear(undefined, this.room);
    await this.holdMusic(p);
  }

  /** Customers hear the customer hold music, agents and supervisors the agent hold music. */
  private holdMusic(p: Participant): Promise<void> {
    const s = this.settings;
    const music = p.role === 'customer' ? { url: s.customerHoldMusicUrl, method: s.customerHoldMusicMethod } : { url: s.agentHoldMusicUrl, method: s.agentHoldMusicMethod };
    return this.playMusic(p, music.url, music.method, () => p.hold);
  }

  setMute(p: Participant, mute: boolean): void {
    if (p.mute === mute) return;
    p.mute = mute;
    this.apply(p);
    this.event('participant-state-changes', mute ? 'ParticipantMute' : 'ParticipantUnmute', p);
  }

  setCoachMode(p: Participant, coach: boolean): void {
    if (p.role !== 'supervisor' || p.coachMode === coach) return;
    p.coachMode = coach;
    this.apply(p);
    this.event('participant-state-changes', coach ? 'ParticipantCoachModeStart' : 'ParticipantCoachModeStop', p);
    void this.announce(p, { type: 'beep', beeps: 1 }, 'GET');
  }

  /** Wait or hold music (the built-in tune without a URL), looped, for as long as `still` holds once it is fetched. */
  private async playMusic(p: Participant, url: string | undefined, method: MpcSettings['waitMusicMethod'], still: () => boolean = () => p.waiting): Promise<void> {
    const segments = url ? await this.host.music(p.call, { url, method }) : defaultMusic();
    if (segments.length > 0 && still() && !p.left) p.hear(new Source(segments, true, 'music'), this.room);
  }

  private async announce(p: Participant, sound: MpcSettings['enterSound'], method: MpcSettings['enterSoundMethod']): Promise<void> {
    if (sound.type === 'none') return;
    const segments = await this.host.sound(p.call, sound, method);
    if (!this.ended && segments.length > 0) this.room.play(new Source(segments, false, 'announce'));
  }

  /** The record setting: once recordMinMemberCount participants are in, the MPC is recorded. */
  private maybeRecord(): void {
    if (this.recording && !this.recording.stopped) return;
    const present = [...this.participants.values()].filter((p) => !p.waiting);
    const asks = present.find((p) => p.settings.record && present.length >= p.settings.recordMinMemberCount);
    if (asks) this.recording = this.host.record(this, asks.settings);
  }

  /**
   * startRecordingAudio, stopRecordingAudio: the MPC's recording starting or
   * stopping is announced to everyone in it, a document fetched for its
   * first participant's call like the enter sounds. Nobody is left to hear a
   * recording stop because the MPC ended.
   */
  recordingAudio(started: boolean): void {
    const s = this.settings;
    const url = started ? s.startRecordingAudio : s.stopRecordingAudio;
    const first = this.participants.values().next().value;
    if (url && first && !this.ended) void this.announce(first, { type: 'url', url }, started ? s.startRecordingAudioMethod : s.stopRecordingAudioMethod);
  }

  /** The next SequenceNumber of a callback about this MPC (status and recording callbacks share the count). */
  nextSequence(): string {
    return String(++this.sequence);
  }

  /** `p` leaves for `cause`; the rules of the MPC decide what happens to the rest. */
  leave(p: Participant, cause: ExitCause): void {
    if (p.left || !this.participants.has(p.id)) return;
    this.participants.delete(p.id);
    this.byRoom.delete(p.room);
    this.room.remove(p.room);
    p.finish(cause);
    this.event('participant-state-changes', 'ParticipantExit', p);
    if (this.ended) return;
    if (this.participants.size === 0) return this.end(TERMINATION.noParticipants);
    if (p.settings.endMpcOnExit) return this.end(TERMINATION.noParticipants);
    if (this.participants.size === 1 && !this.settings.stayAlone) return this.end(TERMINATION.stayAlone);
    if (!p.waiting && !p.coaching) void this.announce(p, p.settings.exitSound, p.settings.exitSoundMethod);
  }

  end(why: Termination): void {
    if (this.ended) return;
    this.status = 'Ended';
    this.termination = why;
    this.endedAt = this.host.engine.clock.now();
    this.limit.cancel();
    for (const p of [...this.participants.values()]) this.leave(p, 'Multiparty Call Ended');
    this.event('mpc-state-changes', 'MPCEnd');
    this.host.changed(this);
    this.resolveFinished();
  }

  digits(p: Participant, digit: string): void {
    this.event('participant-digit-input-events', 'ParticipantDigitInput', p, { DigitInput: digit });
  }

  /** `fn` hears every event by name (with its participant, if any), whatever the callbacks ask for; returns the unsubscribe function. */
  onEvent(fn: (name: string, p: Participant | undefined) => void): () => void {
    (this.observers ??= new Set()).add(fn);
    return () => this.observers?.delete(fn);
  }

  /** A status callback of kind `group` to everyone who asked for it. */
  event(group: MpcStatusEvent, name: string, p?: Participant, extra: Record<string, string> = {}): void {
    if (this.observers) for (const o of [...this.observers]) o(name, p);
    if (this.subscribers.size === 0) return;
    const now = this.host.engine.clock.now();
    const params: Record<string, string> = {
      EventName: name,
      EventTimestamp: isoish(now),
      MPCName: this.name,
      MPCUUID: this.uuid,
      MPCCreationTime: isoish(this.createdAt),
      MPCStartTime: this.startedAt === undefined ? '' : isoish(this.startedAt),
      MPCEndTime: this.endedAt === undefined ? '' : isoish(this.endedAt),
      MPCDuration: this.endedAt === undefined || this.startedAt === undefined ? '' : String(Math.round((this.endedAt - this.startedAt) / 1000)),
      MPCTerminationCause: this.termination?.cause ?? '',
      MPCTerminationCauseCode: this.termination ? String(this.termination.code) : '',
      SequenceNumber: this.nextSequence(),
      ...(p ? participantParams(p, now) : {}),
      ...extra,
    };
    for (const s of this.subscribers.values()) if (s.events.includes(group)) this.host.notify(this.owner, s.hook, 'mpc_status_callback', params);
  }
}

/** The number or SIP address a participant joined with: the far end of its call. */
export const memberAddress = (p: Participant): string => (p.call.direction === 'outbound' ? p.call.to : p.call.from);

function participantParams(p: Participant, now: number): Record<string, string> {
  const c = p.call;
  return {
    MemberID: p.id,
    MemberAddress: memberAddress(p),
    ParticipantCallUUID: c.uuid,
    ParticipantCallDirection: c.direction,
    ParticipantCallFrom: c.from,
    ParticipantCallTo: c.to,
    ParticipantRole: p.role[0]!.toUpperCase() + p.role.slice(1),
    ParticipantCoachMode: String(p.coachMode),
    ParticipantJoinTime: isoish(p.joinedAt),
    ParticipantExitTime: p.left ? isoish(now) : '',
    ParticipantExitCause: p.left ?? '',
  };
}
