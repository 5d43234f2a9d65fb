// Live conferences of every account and the Conference API: list and read
// them, hang one or all up, and act on members (hang up, kick, mute, deaf,
// play, speak), and record a conference. Members are named by id, a
// comma-separated list of ids, or `all`. Conferences live in memory, like
// the calls in them: they end when their last member leaves.
import { ApiError, notFound } from '../../errors.ts';
import type { Scope } from '../../platform/scope.ts';
import { speakVoiceProblem } from '../../platform/speak-voices.ts';
import type { Call, Hook } from '../engine/call.ts';
import { CAUSES } from '../engine/causes.ts';
import { roomSound } from '../prompts/documents.ts';
import { Interrupt } from '../interpreter/verb.ts';
import type { Engine } from '../engine/engine.ts';
import type { CallOwner } from '../engine/ports.ts';
import { audioToPlay, pick, roomKey, type RoomKit } from '../rooms/kit.ts';
import { RoomRecording, type RecordingFormat } from '../rooms/recording.ts';
import { MixRoom } from '../rooms/room.ts';
import { Source, type Segment } from '../rooms/source.ts';
import { visible } from '../engine/visibility.ts';
import type { ConferenceVerb, Sound } from '../../plivo-xml/ast.ts';
import { Conference, type ConferenceHost, type ConferenceMember } from './conference.ts';

export interface RecordInput {
  file_format?: string;
  transcription_type?: string;
  transcription_url?: string;
  transcription_method?: string;
  callback_url?: string;
  callback_method?: 'GET' | 'POST';
}

export interface SpeakInput {
  text: string;
  voice?: string;
  language?: string;
}

export class Conferences implements ConferenceHost {
  private readonly live = new Map<string, Conference>();
  private nextMemberId = 1;
  /** Callbacks of API recordings, by recording id. */
  private readonly recordCallbacks = new Map<string, { hook: Hook; apiId: string }>();

  readonly engine: Engine;

  constructor(private readonly kit: RoomKit) {
    this.engine = kit.engine;
  }

  // ---- the element --------------------------------------------------------------

  /** Would a member entering `name` now wait for the conference to start? */
  waits(owner: CallOwner, name: string): boolean {
    return !this.live.get(roomKey(owner, name))?.started;
  }

  /** `call` enters the conference its element names; undefined when it is full. */
  enter(call: Call, verb: ConferenceVerb, waitMusic: Segment[]): { conf: Conference; member: ConferenceMember } | undefined {
    const key = roomKey(call.owner, verb.name);
    let conf = this.live.get(key);
    if (conf && conf.members.size >= verb.maxMembers) return undefined;
    if (!conf) {
      const room: MixRoom = new MixRoom(this.kit.ticker, this.engine.clock, {
        floor: (rm) => {
          const m = created.memberOf(rm);
          if (m?.verb.floorEvent) created.event(m, 'floor');
        },
      });
      const created = new Conference(verb.name, call.owner, room, this);
      this.live.set(key, (conf = created));
      this.engine.log(call, { kind: 'event', message: `conference ${verb.name} (${created.uuid}) started by this call` });
    }
    return { conf, member: conf.enter(String(this.nextMemberId++), call, verb, waitMusic) };
  }

  sound(call: Call, which: Sound): Promise<Segment[]> {
    return roomSound(this.engine.contextFor(call, new Interrupt()), which, 'POST');
  }

  recordFor(conf: Conference, m: ConferenceMember): RoomRecording {
    return this.record(conf, m.verb.recordFileFormat, m.call.uuid);
  }

  /** `callUuid`: the member whose XML asked for it; an API recording names the first member's call, as the platform's examples show one. */
  private record(conf: Conference, format: RecordingFormat, callUuid?: string): RoomRecording {
    const first = [...conf.members.values()][0];
    return new RoomRecording(
      conf.room,
      this.kit.recordings,
      format,
      { owner: conf.owner, callUuid: callUuid ?? first?.call.uuid ?? '', from: first?.call.from ?? '', to: first?.call.to ?? '', conference: { name: conf.name, uuid: conf.uuid } },
      this.engine.clock.now(),
    );
  }

  ended(conf: Conference): void {
    this.live.delete(roomKey(conf.owner, conf.name));
    for (const rec of [conf.xmlRecording, conf.apiRecording]) if (rec) void this.finish(conf, rec);
  }

  /** Write a recording; an API recording's callback_url hears of it. */
  private async finish(conf: Conference, rec: RoomRecording): Promise<void> {
    try {
      const f = await this.kit.pending.add(this.engine.clock.track(rec.stop(this.engine.clock.now())));
      const cb = this.recordCallbacks.get(rec.id);
      this.recordCallbacks.delete(rec.id);
      if (cb) {
        this.kit.notifier.send(conf.owner, cb.hook, 'conference_record_callback', {
          api_id: cb.apiId,
          record_url: f.url,
          recording_id: f.id,
          conference_name: conf.name,
          recording_duration: String(Math.round(f.durationMs / 1000)),
          recording_duration_ms: String(f.durationMs),
          recording_start_ms: String(f.startMs),
          recording_end_ms: String(f.endMs),
        });
      }
    } catch (err) {
      this.kit.log.error({ err, conference: conf.name }, 'conference recording could not be written');
    }
  }

  // ---- the Conference API ----------------------------------------------------------

  private visibleConfs(scope: Scope): Conference[] {
    return [...this.live.values()].filter((c) => visible(scope, c.owner));
  }

  conference(scope: Scope, name: string): Conference {
    const conf = this.visibleConfs(scope).find((c) => c.name === name);
    if (!conf) throw notFound(`conference ${name} (no live conference of this account has this name)`);
    return conf;
  }

  list(scope: Scope): string[] {
    return this.visibleConfs(scope).map((c) => c.name);
  }

  view(scope: Scope, name: string) {
    const conf = this.conference(scope, name);
    const now = this.engine.clock.now();
    const seconds = (since: number) => String(Math.floor((now - since) / 1000));
    return {
      conference_name: conf.name,
      conference_run_time: seconds(conf.createdAt),
      conference_member_count: String(conf.members.size),
      members: [...conf.members.values()].map((m) => ({
        muted: m.muted,
        member_id: m.id,
        deaf: m.deaf,
        from: m.call.from,
        to: m.call.to,
        caller_name: m.call.setup.callerName,
        direction: m.call.direction,
        call_uuid: m.call.uuid,
        join_time: seconds(m.joinedAt),
      })),
    };
  }

  /** Hang up every member's call. */
  hangup(scope: Scope, name: string): void {
    this.hangupCalls(this.conference(scope, name).members.values());
  }

  hangupAll(scope: Scope): void {
    for (const conf of this.visibleConfs(scope)) this.hangupCalls(conf.members.values());
  }

  private hangupCalls(members: Iterable<ConferenceMember>): void {
    for (const m of [...members]) m.call.hangup({ cause: CAUSES.normal, source: 'API Request' });
  }

  /** The members `spec` names: an id, ids separated by commas, or `all`. */
  members(scope: Scope, name: string, spec: string): { conf: Conference; members: ConferenceMember[] } {
    const conf = this.conference(scope, name);
    return { conf, members: pick(conf.members, spec, `conference ${name}`).list };
  }

  hangupMembers(scope: Scope, name: string, spec: string): void {
    this.hangupCalls(this.members(scope, name, spec).members);
  }

  kick(scope: Scope, name: string, spec: string): void {
    const { conf, members } = this.members(scope, name, spec);
    for (const m of members) conf.leave(m, 'kicked');
  }

  setMuted(scope: Scope, name: string, spec: string, muted: boolean): void {
    for (const m of this.members(scope, name, spec).members) {
      m.muted = muted;
      m.sync();
    }
  }

  setDeaf(scope: Scope, name: string, spec: string, deaf: boolean): void {
    for (const m of this.members(scope, name, spec).members) {
      m.deaf = deaf;
      m.sync();
    }
  }

  /** Play `segments` to the members `spec` names (to the whole room for `all`), tagged so the same spec stops it. */
  private play(scope: Scope, name: string, spec: string, segments: Segment[], kind: 'play' | 'speak'): void {
    const { conf, members } = this.members(scope, name, spec);
    if (spec.trim().toLowerCase() === 'all') return conf.room.play(new Source(segments, false, `${kind}:all`));
    for (const m of members) conf.room.play(new Source(segments, false, `${kind}:member`), m.room);
  }

  private stop(scope: Scope, name: string, spec: string, kind: 'play' | 'speak'): void {
    const { conf, members } = this.members(scope, name, spec);
    const all = spec.trim().toLowerCase() === 'all';
    conf.room.stopSounds((s, to) => (all ? to === undefined && s.tag === `${kind}:all` : to !== undefined && s.tag === `${kind}:member` && members.some((m) => m.room === to)));
  }

  async playAudio(scope: Scope, name: string, spec: string, url: string): Promise<void> {
    this.members(scope, name, spec);
    const samples = await audioToPlay(this.engine, url);
    this.play(scope, name, spec, [{ samples, annotation: { type: 'play', url } }], 'play');
  }

  stopAudio(scope: Scope, name: string, spec: string): void {
    this.stop(scope, name, spec, 'play');
  }

  async speak(scope: Scope, name: string, spec: string, input: SpeakInput): Promise<void> {
    this.members(scope, name, spec);
    const voice = input.voice ?? 'WOMAN';
    const language = input.language ?? 'en-US';
    const problem = speakVoiceProblem(voice, language);
    if (problem) throw new ApiError(400, problem);
    const samples = await this.engine.clock.track(this.engine.media.speech({ text: input.text, voice, language }));
    this.play(scope, name, spec, [{ samples, annotation: { type: 'speak', text: input.text, voice, language } }], 'speak');
  }

  stopSpeaking(scope: Scope, name: string, spec: string): void {
    this.stop(scope, name, spec, 'speak');
  }

  /** Start recording the conference; the file's id and URL are known at once. */
  startRecording(scope: Scope, name: string, input: RecordInput, apiId: string): RoomRecording {
    const conf = this.conference(scope, name);
    const format = input.file_format ?? 'mp3';
    if (format !== 'mp3' && format !== 'wav') throw new ApiError(400, `file_format must be mp3 or wav (got "${format}")`);
    if (conf.apiRecording && !conf.apiRecording.stopped) throw new ApiError(400, `conference ${conf.name} is already being recorded; stop that recording first`);
    const rec = this.record(conf, format);
    conf.apiRecording = rec;
    if (input.callback_url) this.recordCallbacks.set(rec.id, { hook: { url: input.callback_url, method: input.callback_method ?? 'POST' }, apiId });
    return rec;
  }

  async stopRecording(scope: Scope, name: string): Promise<void> {
    const conf = this.conference(scope, name);
    const rec = conf.apiRecording;
    if (!rec || rec.stopped) throw new ApiError(400, `conference ${name} is not being recorded by the Record API`);
    await this.finish(conf, rec);
  }
}
