// One live conference: its members in a mixing room and the rules of the
// <Conference> element. A conference exists from its first member to its
// last (or until a member with endConferenceOnExit leaves, a lone member who
// may not stay alone is left, or the API hangs it up). It starts when a
// member with startConferenceOnEnter is in it; until then members wait,
// hearing waitSound, and do not hear each other. Each member's own element
// says how it is told about the conference (callbackUrl events) and how it
// leaves it (hangupOnStar, timeLimit).
import type { Timer } from '../../clock/clock.ts';
import { newUuid } from '../../ids.ts';
import type { Call } from '../engine/call.ts';
import type { Engine } from '../engine/engine.ts';
import type { CallOwner } from '../engine/ports.ts';
import { Seat } from '../rooms/kit.ts';
import type { MixRoom, RoomMember } from '../rooms/room.ts';
import type { RoomRecording } from '../rooms/recording.ts';
import { Source, type Segment } from '../rooms/source.ts';
import type { ConferenceVerb } from '../../plivo-xml/ast.ts';

export type ExitReason = 'hangup' | 'transferred' | 'kicked' | 'ended' | 'star' | 'time-limit';
export type ConferenceEvent = 'enter' | 'exit' | 'digits' | 'floor';

/** What a conference needs from its owner: sounds, recordings and the end of its life. */
export interface ConferenceHost {
  engine: Engine;
  /** enterSound/exitSound as audio (beeps, or the document at the URL). */
  sound(call: Call, which: ConferenceVerb['enterSound']): Promise<Segment[]>;
  recordFor(conf: Conference, member: ConferenceMember): RoomRecording;
  ended(conf: Conference): void;
}

export class ConferenceMember extends Seat<ExitReason> {
  /** Set by the element or the API; the room also mutes and deafens a waiting member. */
  muted: boolean;
  deaf = false;
  waiting = true;
  private waitMusic: Source | undefined;
  timeLimit: Timer | undefined;

  constructor(
    id: string,
    call: Call,
    readonly verb: ConferenceVerb,
    room: RoomMember,
    now: number,
  ) {
    super(id, call, room, now);
    this.muted = verb.muted;
  }

  /** Apply the flags to the room: a waiting member is neither heard nor hears the room. */
  sync(): void {
    this.room.muted = this.muted || this.waiting;
    this.room.deaf = this.deaf || this.waiting;
  }

  hearWhileWaiting(music: Source | undefined): void {
    this.waitMusic = music;
  }

  stopWaiting(): void {
    this.waiting = false;
    this.waitMusic?.stop();
    this.sync();
  }

  override finish(reason: ExitReason): void {
    super.finish(reason);
    this.timeLimit?.cancel();
    this.waitMusic?.stop();
  }
}

export class Conference {
  readonly uuid = newUuid();
  readonly createdAt: number;
  started = false;
  readonly members = new Map<string, ConferenceMember>();
  /** Started by the Record API (one at a time) and by members' record attribute. */
  apiRecording: RoomRecording | undefined;
  xmlRecording: RoomRecording | undefined;
  private over = false;

  constructor(
    readonly name: string,
    readonly owner: CallOwner,
    readonly room: MixRoom,
    private readonly host: ConferenceHost,
  ) {
    this.createdAt = host.engine.clock.now();
  }

  get ended(): boolean {
    return this.over;
  }

  /** `call` joins as member `id` (the caller checked maxMembers); `waitMusic` plays while the conference has not started. */
  enter(id: string, call: Call, verb: ConferenceVerb, waitMusic: Segment[]): ConferenceMember {
    const engine = this.host.engine;
    const m = new ConferenceMember(id, call, verb, this.room.add(call), engine.clock.now());
    this.members.set(id, m);
    m.sync();
    // A bound, not something the member waits on: a plain clock timer.
    if (verb.timeLimit > 0) m.timeLimit = engine.clock.after(verb.timeLimit * 1000, () => this.leave(m, 'time-limit'));
    this.event(m, 'enter');
    // Starting the conference lets in everyone waiting, this member too.
    if (verb.startConferenceOnEnter && !this.started) this.start();
    else if (this.started) this.join(m);
    else if (waitMusic.length > 0) {
      const music = new Source(waitMusic, true, 'wait');
      m.hearWhileWaiting(music);
      this.room.play(music, m.room);
    }
    return m;
  }

  private start(): void {
    this.started = true;
    for (const m of this.members.values()) if (m.waiting) this.join(m);
  }

  /** A member starts hearing and being heard; the room hears its enterSound. */
  private join(m: ConferenceMember): void {
    m.stopWaiting();
    void this.announce(m, m.verb.enterSound);
    this.maybeRecord();
  }

  /** The record attribute: the conference is recorded once a member asks for it and is not alone (unless recordWhenAlone). */
  private maybeRecord(): void {
    if (this.xmlRecording) return;
    const present = [...this.members.values()].filter((m) => !m.waiting);
    const asks = present.find((m) => m.verb.record && (m.verb.recordWhenAlone || present.length > 1));
    if (asks) this.xmlRecording = this.host.recordFor(this, asks);
  }

  private async announce(m: ConferenceMember, sound: ConferenceVerb['enterSound']): Promise<void> {
    if (sound.type === 'none') return;
    const segments = await this.host.sound(m.call, sound);
    if (!this.over && segments.length > 0) this.room.play(new Source(segments, false, 'announce'));
  }

  /** `m` leaves for `reason`; the rest of the conference follows the rules of the elements. */
  leave(m: ConferenceMember, reason: ExitReason): void {
    if (m.left || !this.members.has(m.id)) return;
    this.members.delete(m.id);
    this.room.remove(m.room);
    m.finish(reason);
    this.event(m, 'exit');
    if (this.members.size === 0) return this.end();
    if (m.verb.endConferenceOnExit && !m.waiting) return this.end();
    const [last, ...others] = this.members.values();
    if (others.length === 0 && last && !last.verb.stayAlone) return this.end();
    if (!m.waiting) void this.announce(m, m.verb.exitSound);
  }

  /** Everyone leaves (and continues with the rest of their XML); recordings are written. */
  end(): void {
    if (this.over) return;
    this.over = true;
    for (const m of [...this.members.values()]) this.leave(m, 'ended');
    this.host.ended(this);
  }

  /** A callbackUrl event of `m`'s element. */
  event(m: ConferenceMember, action: ConferenceEvent, extra: Record<string, string> = {}): void {
    const { callbackUrl, callbackMethod } = m.verb;
    if (!callbackUrl) return;
    this.host.engine.callback(m.call, { url: callbackUrl, method: callbackMethod }, 'conference_callback', { ...this.params(m), ConferenceAction: action, ...extra });
  }

  /** relayDTMF: a key `from` pressed goes to every other member in the conference (not those still waiting). */
  relayDigit(from: ConferenceMember, digit: string): void {
    if (from.waiting) return;
    for (const other of this.members.values()) if (other !== from && !other.waiting) other.call.sendDigits(digit);
  }

  params(m: ConferenceMember): Record<string, string> {
    return { ConferenceName: this.name, ConferenceUUID: this.uuid, ConferenceMemberID: m.id };
  }

  memberOf(room: RoomMember): ConferenceMember | undefined {
    for (const m of this.members.values()) if (m.room === room) return m;
    return undefined;
  }
}
