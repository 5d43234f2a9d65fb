// A mixing room: the audio plane shared by conferences and multiparty calls.
// Each tick every member hears the sum of the others (src/media/mixer.ts):
// muted members are heard by nobody, deaf members hear nothing of the room,
// a member with an audience (a coaching supervisor) is heard only by the
// members it admits. Sounds can be played to the whole room or to one
// member (who hears those even when deaf: hold music). What a member hears
// is sent to its leg as 20 ms frames, labelled with what started in them
// (who said what, which file played) so sandbox transcripts read like a
// conversation; taps (recordings) hear everything. Who speaks (the floor,
// speak events) is decided from the sound the analysis of each member's
// audio finds, not from whether a member sent audio.
import type { Clock } from '../../clock/clock.ts';
import { FRAME_MS, FRAME_SAMPLES, type Annotation } from '../../media/frame.ts';
import { Mixer, type MixMember } from '../../media/mixer.ts';
import { clamp16 } from '../../media/pcm.ts';
import type { Call } from '../engine/call.ts';
import { InputQueue } from './input.ts';
import type { Source } from './source.ts';
import type { MixTicker, Tickable } from './ticker.ts';

/** A floor holder silent this long gives the floor up. */
export const FLOOR_RELEASE_MS = 500;
/** Quiet this long after speaking, a member has stopped speaking. */
export const SPEECH_HANGOVER_MS = 500;

const CONFERENCE_AUDIO: Annotation = { type: 'conference_audio' };
const SILENCE = new Int16Array(FRAME_SAMPLES);

export class RoomMember implements MixMember {
  muted = false;
  deaf = false;
  /** Who hears this member; undefined: everyone in the room. */
  audience: ((listener: RoomMember) => boolean) | undefined;
  /** Sounds only this member hears. */
  readonly sources: Source[] = [];

  // ---- per tick (MixMember) ----
  input: Int16Array | null = null;
  readonly output = new Int16Array(FRAME_SAMPLES);
  readonly frame = new Int16Array(FRAME_SAMPLES);
  heard = false;
  readonly labels: Annotation[] = [];
  /** Something reached this member's ears this tick, and the labels of what did. */
  audible = false;
  readonly news: Annotation[] = [];
  private pending: Annotation[] = [];
  private wasAudible = false;

  readonly said = new InputQueue();
  /** The member made sound this tick (its audio's analysis says so). */
  voiced = false;
  lastSpoke = 0;
  speaking = false;
  lastHeard = 0;
  /** Stretches of sound not yet over by the last tick, by start. */
  private sounds: Array<{ start: number; end: number }> = [];
  private readonly offs: Array<() => void>;

  constructor(
    readonly call: Call,
    room: MixRoom,
  ) {
    this.offs = [
      call.onAudio((run, at) => {
        this.said.add(at, run.samples, run.annotation);
        room.wake();
      }),
      call.onSound((start, end) => {
        this.sounds.push({ start, end });
        room.wake();
      }),
    ];
  }

  detach(): void {
    for (const off of this.offs) off();
  }

  /** Is there sound in the window [from, to)? Forgets what ended before it. */
  soundIn(from: number, to: number): boolean {
    if (this.sounds.length === 0) return false;
    this.sounds = this.sounds.filter((s) => s.end > from);
    return this.sounds.some((s) => s.start < to);
  }

  /** Sound reported but not over yet: the room must keep ticking to hear it. */
  get soundPending(): boolean {
    return this.sounds.length > 0;
  }

  /**
   * Send this tick's audio to the leg, labelled; a leg busy with something
   * else (relayed keys) skips the frame rather than fall behind, except for
   * a live-call API sound, which says itself whether the room is heard with
   * it (mix).
   */
  deliver(now: number): void {
    if (!this.audible) {
      this.wasAudible = false;
      this.pending.length = 0;
      return;
    }
    this.pending.push(...this.news);
    const annotation = this.pending.shift() ?? (this.wasAudible ? undefined : CONFERENCE_AUDIO);
    this.wasAudible = true;
    const leg = this.call.leg;
    if (!leg || !this.call.live || (leg.audio.playingUntil > now && !this.call.farEnd.fronted)) return;
    this.call.farEnd.carry(leg, annotation ? { samples: this.output.slice(), annotation } : { samples: this.output.slice() }, now);
  }
}

/** What a room tells its owner about who speaks. */
export interface RoomEvents {
  /** A member took the floor (started speaking when nobody held it). */
  floor?(m: RoomMember): void;
  /** A member started speaking, or has been quiet for SPEECH_HANGOVER_MS. */
  speech?(m: RoomMember, speaking: boolean): void;
}

/** A recording's ear: every tick's full mix (everyone not muted, every room sound). */
export type Tap = (mix: Int16Array, from: number) => void;

export class MixRoom implements Tickable {
  readonly members: RoomMember[] = [];
  private readonly sources: Source[] = [];
  private readonly taps = new Set<Tap>();
  private readonly memberTaps = new Map<Tap, RoomMember>();
  private readonly mixer = new Mixer();
  private readonly entries: MixMember[] = [];
  private readonly roomFrame = new Int16Array(FRAME_SAMPLES);
  private readonly roomLabels: Annotation[] = [];
  private readonly roomEntry: MixMember = { input: null, muted: false, deaf: true, output: new Int16Array(FRAME_SAMPLES) };
  private readonly tapEntry: MixMember = { input: null, muted: false, deaf: false, output: new Int16Array(FRAME_SAMPLES) };
  private floor: RoomMember | undefined;

  constructor(
    private readonly ticker: MixTicker,
    private readonly clock: Clock,
    private readonly events: RoomEvents = {},
  ) {}

  wake(): void {
    this.ticker.wake(this);
  }

  add(call: Call): RoomMember {
    const m = new RoomMember(call, this);
    this.members.push(m);
    return m;
  }

  remove(m: RoomMember): void {
    m.detach();
    const i = this.members.indexOf(m);
    if (i >= 0) this.members.splice(i, 1);
    if (this.floor === m) this.floor = undefined;
  }

  /** Play `source` to everyone in the room (not deaf), or only to `to`. */
  play(source: Source, to?: RoomMember): void {
    (to ? to.sources : this.sources).push(source);
    this.wake();
  }

  /** Stop the sounds `which` selects, in the room and for every member. */
  stopSounds(which: (s: Source, to: RoomMember | undefined) => boolean): void {
    for (const s of this.sources) if (which(s, undefined)) s.stop();
    for (const m of this.members) for (const s of m.sources) if (which(s, m)) s.stop();
  }

  tap(t: Tap): () => void {
    this.taps.add(t);
    return () => this.taps.delete(t);
  }

  /** A tap on one member's own voice (silence while it is muted or quiet): a participant-level recording. */
  tapMember(m: RoomMember, t: Tap): () => void {
    this.memberTaps.set(t, m);
    return () => this.memberTaps.delete(t);
  }

  tick(at: number): boolean {
    const from = at - FRAME_MS;
    const { members, entries } = this;
    let pending = false;
    let speakers = 0;
    const publicLabels: Array<{ by: RoomMember; label: Annotation }> = [];
    for (const m of members) {
      m.labels.length = 0;
      m.news.length = 0;
      m.heard = m.said.take(from, m.frame, m.labels);
      m.voiced = m.soundIn(from, at);
      if (!m.said.empty || m.soundPending) pending = true;
      const spoken = m.heard && !m.muted;
      m.input = m.heard && !m.audience ? m.frame : null;
      if (spoken && !m.audience) {
        speakers++;
        for (const label of m.labels) publicLabels.push({ by: m, label });
      }
    }

    // Sounds for the whole room mix in as one member nobody subtracts.
    this.roomLabels.length = 0;
    this.roomFrame.fill(0);
    let roomHeard = false;
    for (const s of this.sources) if (s.mixInto(this.roomFrame, this.roomLabels)) roomHeard = true;
    prune(this.sources);
    if (this.sources.length > 0) pending = true;

    entries.length = 0;
    for (const m of members) entries.push(m);
    this.roomEntry.input = roomHeard ? this.roomFrame : null;
    entries.push(this.roomEntry);
    if (this.taps.size > 0) entries.push(this.tapEntry);
    this.mixer.mix(entries);

    for (const m of members) {
      const own = m.heard && !m.muted && !m.audience ? 1 : 0;
      m.audible = !m.deaf && (speakers - own > 0 || roomHeard);
      if (!m.deaf) {
        for (const p of publicLabels) if (p.by !== m) m.news.push(p.label);
        if (roomHeard) m.news.push(...this.roomLabels);
      }
    }
    this.restricted();
    for (const m of members) {
      if (m.sources.length === 0) continue;
      for (const s of m.sources) if (s.mixInto(m.output, m.news)) m.audible = true;
      prune(m.sources);
      if (m.sources.length > 0) pending = true;
    }

    const now = this.clock.now();
    for (const m of members) m.deliver(now);
    if (this.taps.size > 0) for (const t of this.taps) t(this.tapEntry.output, from);
    for (const [t, m] of this.memberTaps) t(m.heard && !m.muted ? m.frame : SILENCE, from);
    this.passFloor(at);
    if (this.events.speech) for (const m of members) if (this.speech(m, at)) pending = true;
    return pending;
  }

  /** Speech start and stop events; true while the member counts as speaking (the room keeps ticking to see it stop). */
  private speech(m: RoomMember, at: number): boolean {
    if (m.voiced && !m.muted) {
      m.lastHeard = at;
      if (!m.speaking) {
        m.speaking = true;
        this.events.speech?.(m, true);
      }
    } else if (m.speaking && at - m.lastHeard >= SPEECH_HANGOVER_MS) {
      m.speaking = false;
      this.events.speech?.(m, false);
    }
    return m.speaking;
  }

  /** Members heard only by their audience (coach mode) reach just those listeners (and the recordings). */
  private restricted(): void {
    for (const r of this.members) {
      if (!r.audience || !r.heard || r.muted) continue;
      for (const l of this.members) {
        if (l === r || l.deaf || !r.audience(l)) continue;
        addInto(l.output, r.frame);
        l.audible = true;
        l.news.push(...r.labels);
      }
      if (this.taps.size > 0) addInto(this.tapEntry.output, r.frame);
    }
  }

  private passFloor(at: number): void {
    const holder = this.floor;
    if (holder && holder.voiced && !holder.muted) holder.lastSpoke = at;
    if (holder && at - holder.lastSpoke < FLOOR_RELEASE_MS) return;
    this.floor = this.members.find((m) => m.voiced && !m.muted);
    if (!this.floor) return;
    this.floor.lastSpoke = at;
    this.events.floor?.(this.floor);
  }
}

function addInto(out: Int16Array, add: Int16Array): void {
  for (let i = 0; i < FRAME_SAMPLES; i++) out[i] = clamp16(out[i]! + add[i]!);
}

/** Drop finished sources in place. */
function prune(sources: Source[]): void {
  let n = 0;
  for (const s of sources) if (!s.done) sources[n++] = s;
  sources.length = n;
}
