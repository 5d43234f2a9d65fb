// Recordings and the typed operations on them, for the Record element, the
// Record and Recording APIs (recordings-api.ts, which reads their
// parameters and answers with their views) and flows: fork a live call's
// audio (for a verb, a whole session, in the background), stop it, write it
// as MP3 or WAV under <dataDir>/recordings/ with a row per file, tell the
// customer (callbackUrl, the transcription placeholder); find, list and
// delete what was kept (deleting removes the file). Recordings are not
// billed: the pricing module has no recording rate.
import fs from 'node:fs';
import path from 'node:path';
import { newUuid } from '../../ids.ts';
import { SAMPLE_RATE } from '../../media/frame.ts';
import { writeMp3 } from '../../media/mp3.ts';
import { channelsOf, type PcmAudio } from '../../media/pcm.ts';
import type { PlacedRun } from '../../media/timeline.ts';
import { writeWav } from '../../media/wav.ts';
import type { Accounts } from '../../platform/accounts.ts';
import { keptByMainAccount, type PlatformContext } from '../../platform/context.ts';
import { ownerFilter, type Scope } from '../../platform/scope.ts';
import { recordingsRepo, type RecordingFilter } from '../../store/repos/recordings.ts';
import type { RecordingRow } from '../../store/tables/recordings.ts';
import type { Call, Hook } from '../engine/call.ts';
import type { Engine } from '../engine/engine.ts';
import type { CallOwner } from '../engine/ports.ts';
import type { RecognizerFor, SpeechRecognizer } from '../speech.ts';
import { Recorder, type Layout } from './recorder.ts';

export type FileFormat = 'mp3' | 'wav';

export interface RecordingSpec {
  format: FileFormat;
  layout: Layout;
  /** A background recording ends by itself after this long (ms); without it, when the call ends (or the Record API stops it). */
  limitMs: number | undefined;
  callback?: Hook;
  /** Callback parameters as the Record element (RecordUrl …) or the Record API (record_url …) names them. */
  style: 'xml' | 'api';
  /** The api_id of the request that started it (Record API callbacks carry it). */
  apiId?: string;
  /** Where the (placeholder) transcription is posted. */
  transcriptionUrl?: string;
}

/** A recording's audio and what its row says about it. */
export interface RecordingFile {
  id: string;
  owner: CallOwner;
  callUuid: string;
  from: string;
  to: string;
  type: 'normal' | 'conference';
  format: FileFormat;
  conference?: { name: string; uuid: string };
  mpc?: { name: string; uuid: string };
  startMs: number;
  endMs?: number;
  /** Mono, or a stereo session's two channels. */
  samples: PcmAudio;
}

export interface Finished {
  id: string;
  url: string;
  startMs: number;
  endMs: number;
  durationMs: number;
}

export class ActiveRecording {
  done: Promise<Finished> | undefined;
  stopTimer: (() => void) | undefined;

  constructor(
    readonly id: string,
    readonly url: string,
    readonly call: Call,
    readonly spec: RecordingSpec,
    readonly recorder: Recorder,
  ) {}
}

/** What the Record element posts to its action (and its callbackUrl). */
export function actionParams(f: Finished): Record<string, string> {
  return {
    RecordUrl: f.url,
    RecordingID: f.id,
    RecordingDuration: String(Math.round(f.durationMs / 1000)),
    RecordingDurationMs: String(f.durationMs),
    RecordingStartMs: String(f.startMs),
    RecordingEndMs: String(f.endMs),
  };
}

function apiParams(f: Finished, call: Call, apiId: string): Record<string, string> {
  return {
    api_id: apiId,
    record_url: f.url,
    call_uuid: call.uuid,
    recording_id: f.id,
    recording_duration: String(Math.round(f.durationMs / 1000)),
    recording_duration_ms: String(f.durationMs),
    recording_start_ms: String(f.startMs),
    recording_end_ms: String(f.endMs),
  };
}

export const CONTENT_TYPES: Record<FileFormat, string> = { mp3: 'audio/mpeg', wav: 'audio/wav' };

export class Recordings {
  readonly dir: string;
  /** Background recordings (session, Record API) per call uuid. */
  private readonly active = new Map<string, Set<ActiveRecording>>();
  /** Calls whose next answered Dial starts a session recording (startOnDialAnswer). */
  private readonly onDialAnswer = new Map<string, RecordingSpec>();

  constructor(
    private readonly ctx: PlatformContext,
    private readonly engine: Engine,
    accounts: Accounts,
    dataDir: string,
    /** Absolute origin of recording URLs (the public URL, else the address the server listens on). */
    private readonly origin: () => string,
    /** What transcribes a call's recordings (transcriptionUrl); none: transcriptions report that there is no engine. */
    private readonly recognizerFor: RecognizerFor,
  ) {
    this.dir = path.join(dataDir, 'recordings');
    fs.mkdirSync(this.dir, { recursive: true });
    accounts.registerDependent(keptByMainAccount(recordingsRepo.moveToMain));
  }


  fileUrl(accountId: string, id: string, format: string): string {
    return `${this.origin().replace(/\/+$/, '')}/v1/Account/${accountId}/Recording/${id}.${format}`;
  }

  filePath(id: string, format: string): string {
    return path.join(this.dir, `${id}.${format}`);
  }
  // ---- live recordings ---------------------------------------------------------------

  /** Fork `call`'s audio from now on; the caller finishes it. */
  start(call: Call, spec: RecordingSpec): ActiveRecording {
    const id = newUuid();
    return new ActiveRecording(id, this.fileUrl(call.owner.accountId, id, spec.format), call, spec, new Recorder(call, spec.layout, this.engine.clock.now()));
  }

  /** A recording that runs beside the call: it ends after its limit, when the call ends, or by the Record API. */
  startBackground(call: Call, spec: RecordingSpec): ActiveRecording {
    const rec = this.start(call, spec);
    let set = this.active.get(call.uuid);
    if (!set) {
      this.active.set(call.uuid, (set = new Set()));
      call.onEnd(() => {
        for (const r of [...(this.active.get(call.uuid) ?? [])]) void this.finish(r, call.endedAt ?? this.engine.clock.now()).catch(() => {});
        this.active.delete(call.uuid);
        this.onDialAnswer.delete(call.uuid);
      });
    }
    set.add(rec);
    if (spec.limitMs !== undefined) {
      const timer = this.engine.timers.after(spec.limitMs, () => void this.finish(rec, this.engine.clock.now()).catch(() => {}));
      rec.stopTimer = () => timer.cancel();
    }
    return rec;
  }

  /** startOnDialAnswer: the call's next Dial that connects starts a session recording (Dial calls `dialAnswered`). */
  recordOnDialAnswer(call: Call, spec: RecordingSpec): void {
    this.onDialAnswer.set(call.uuid, spec);
  }

  /** A Dial of `call` connected: start what startOnDialAnswer asked for. */
  dialAnswered(call: Call): ActiveRecording | undefined {
    const spec = this.onDialAnswer.get(call.uuid);
    if (!spec) return undefined;
    this.onDialAnswer.delete(call.uuid);
    return this.startBackground(call, spec);
  }

  /** Stop `rec` at `end`, write its file and row, notify; the same promise however often it is asked. */
  finish(rec: ActiveRecording, end: number): Promise<Finished> {
    return (rec.done ??= this.engine.clock.track(this.write(rec, end)).catch((err: unknown) => {
      this.engine.logError(rec.call, `recording ${rec.id} could not be written`, err);
      throw err;
    }));
  }

  /**
   * Encode `samples` as the file of recording `f.id` and keep its row: what
   * every recording ends with (calls here, conferences and multiparty calls
   * in their rooms). The end defaults to the start plus the audio's length.
   */
  async save(f: RecordingFile): Promise<{ durationMs: number; endMs: number }> {
    const durationMs = Math.round((channelsOf(f.samples)[0].length * 1000) / SAMPLE_RATE);
    const endMs = f.endMs ?? f.startMs + durationMs;
    const bytes = f.format === 'mp3' ? writeMp3(f.samples) : writeWav(f.samples);
    await fs.promises.writeFile(this.filePath(f.id, f.format), bytes);
    await recordingsRepo.insert(this.ctx.db, {
      recording_id: f.id,
      account_id: f.owner.accountId,
      subaccount_id: f.owner.subaccountId,
      call_uuid: f.callUuid,
      from_number: f.from,
      to_number: f.to,
      recording_type: f.type,
      recording_format: f.format,
      conference_name: f.conference?.name ?? null,
      conference_uuid: f.conference?.uuid ?? null,
      mpc_name: f.mpc?.name ?? null,
      mpc_uuid: f.mpc?.uuid ?? null,
      recording_start_ms: f.startMs,
      recording_end_ms: endMs,
      recording_duration_ms: durationMs,
      added_at: this.engine.clock.now(),
    });
    return { durationMs, endMs };
  }

  private async write(rec: ActiveRecording, end: number): Promise<Finished> {
    rec.stopTimer?.();
    this.active.get(rec.call.uuid)?.delete(rec);
    const { audio, caller } = rec.recorder.stop(end);
    const startMs = rec.recorder.startedAt;
    const call = rec.call;
    const { durationMs } = await this.save({ id: rec.id, owner: call.owner, callUuid: call.uuid, from: call.from, to: call.to, type: 'normal', format: rec.spec.format, startMs, samples: audio });
    const f: Finished = { id: rec.id, url: rec.url, startMs, endMs: startMs + durationMs, durationMs };
    this.engine.log(call, { kind: 'event', message: `recording ${rec.id} written (${durationMs} ms, ${rec.spec.format})`, data: { recording_id: rec.id } });
    const { callback, transcriptionUrl, style } = rec.spec;
    if (callback) this.engine.callback(call, callback, 'record_callback', style === 'api' ? apiParams(f, call, rec.spec.apiId ?? '') : actionParams(f));
    if (transcriptionUrl) {
      // Free of charge: the pricing tables have no transcription rate.
      const recognizer = this.recognizerFor(call);
      const text = recognizer && transcribe(recognizer, caller);
      if (text === undefined) this.engine.log(call, { kind: 'error', message: `recording ${rec.id}: no speech recognizer is configured for this call's audio, so it is not transcribed` });
      this.engine.callback(call, { url: transcriptionUrl, method: 'POST' }, 'transcription', {
        transcription: text ?? '',
        transcription_charge: '0.00000',
        transcription_rate: '0.00000',
        duration: String(Math.round(durationMs / 1000)),
        call_uuid: call.uuid,
        recording_id: rec.id,
        error: text === undefined ? 'No speech recognizer is configured for transcription' : '',
      });
    }
    return f;
  }

  /** Stop the call's background recordings (only the one at `url` when given); resolves with what was written (nothing when none ran). */
  stop(call: Call, url?: string): Promise<Finished[]> {
    const running = [...(this.active.get(call.uuid) ?? [])].filter((r) => url === undefined || r.url === url);
    const now = this.engine.clock.now();
    return Promise.all(running.map((r) => this.finish(r, now)));
  }

  // ---- recordings kept ---------------------------------------------------------------------

  /** The row of recording `id`, when `scope` sees it. */
  find(scope: Scope, id: string): Promise<RecordingRow | undefined> {
    return recordingsRepo.find(this.ctx.db, ownerFilter(scope), id);
  }

  /** Rows matching `f`, a page of them and how many in all. */
  async rows(f: RecordingFilter, limit: number, offset: number): Promise<{ rows: RecordingRow[]; total: number }> {
    const [rows, total] = await Promise.all([recordingsRepo.list(this.ctx.db, f, limit, offset), recordingsRepo.count(this.ctx.db, f)]);
    return { rows, total };
  }

  /** Delete a recording: its row and its file. */
  async delete(row: RecordingRow): Promise<void> {
    await recordingsRepo.delete(this.ctx.db, row.recording_id);
    await fs.promises.rm(this.filePath(row.recording_id, row.recording_format), { force: true });
  }

  /** The file behind a recording URL, when account `authId` owns it; the id is the secret, as with the platform's own recording URLs. */
  async file(authId: string, id: string, format: string): Promise<{ path: string; contentType: string } | undefined> {
    const row = await recordingsRepo.findById(this.ctx.db, id);
    const owns = row && (row.account_id === authId || row.subaccount_id === authId);
    if (!owns || row.recording_format !== format) return undefined;
    return { path: this.filePath(id, format), contentType: CONTENT_TYPES[format as FileFormat] };
  }
}

/** The final words a recognizer hears in the caller's runs, joined. */
function transcribe(recognizer: SpeechRecognizer, runs: readonly PlacedRun[]): string {
  const words: string[] = [];
  const stream = recognizer.open({ language: 'en-US', hints: [], model: 'default', profanityFilter: false }, (h) => {
    if (h.final) words.push(h.text);
  });
  for (const r of runs) stream.write({ samples: r.samples, annotation: r.annotation }, r.start);
  stream.close();
  return words.join(' ');
}
