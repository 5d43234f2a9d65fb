// Recordings (files under <dataDir>/recordings/, one row each) and the audio
// streams of calls. Times are epoch ms.
import type { Insertable, Selectable } from 'kysely';

export interface RecordingsTable {
  recording_id: string;
  account_id: string;
  subaccount_id: string | null;
  call_uuid: string;
  from_number: string;
  to_number: string;
  /** 'normal' (a call) or 'conference'. */
  recording_type: string;
  /** 'mp3' or 'wav'; the file is <recording_id>.<format>. */
  recording_format: string;
  conference_name: string | null;
  conference_uuid: string | null;
  mpc_name: string | null;
  mpc_uuid: string | null;
  recording_start_ms: number;
  recording_end_ms: number;
  recording_duration_ms: number;
  /** When the file was written (add_time). */
  added_at: number;
}

export interface StreamsTable {
  stream_id: string;
  account_id: string;
  subaccount_id: string | null;
  call_uuid: string;
  service_url: string;
  /** 'inbound' | 'outbound' | 'both' */
  audio_track: string;
  bidirectional: 0 | 1;
  content_type: string;
  created_at: number;
  /** When audio began to flow (the WebSocket connected); null until then or if it never did. */
  started_at: number | null;
  ended_at: number | null;
}

export interface RecordingsTables {
  recordings: RecordingsTable;
  call_streams: StreamsTable;
}

export type RecordingRow = Selectable<RecordingsTable>;
export type NewRecordingRow = Insertable<RecordingsTable>;
export type StreamRow = Selectable<StreamsTable>;
