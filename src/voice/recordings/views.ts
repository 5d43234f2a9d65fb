// The Recording object as the API returns it (the spec's example, with the
// fields the SDK reads). Millisecond fields are decimal strings with five
// places, as in the spec; nothing is charged for storage.
import type { RecordingRow } from '../../store/tables/recordings.ts';
import { sessionTime } from '../engine/format.ts';

const DAY = 86_400_000;
const ms5 = (n: number): string => `${n}.00000`;

export function recordingView(row: RecordingRow, url: string, now: number) {
  const seconds = Math.ceil(row.recording_duration_ms / 1000);
  return {
    add_time: `${sessionTime(row.added_at)}+00:00`,
    call_uuid: row.call_uuid,
    conference_name: row.conference_name,
    conference_uuid: row.conference_uuid,
    from_number: row.from_number,
    to_number: row.to_number,
    mpc_name: row.mpc_name,
    mpc_uuid: row.mpc_uuid,
    monthly_recording_storage_amount: '0.00000',
    recording_duration_ms: ms5(row.recording_duration_ms),
    recording_end_ms: ms5(row.recording_end_ms),
    recording_format: row.recording_format,
    recording_id: row.recording_id,
    recording_start_ms: ms5(row.recording_start_ms),
    recording_storage_duration: String(Math.floor(Math.max(0, now - row.added_at) / DAY) + 1),
    recording_storage_rate: '0.00000',
    recording_type: row.recording_type,
    recording_url: url,
    resource_uri: `/v1/Account/${row.account_id}/Recording/${row.recording_id}/`,
    // Billed by the minute, a minute at least.
    rounded_recording_duration: String(Math.max(1, Math.ceil(seconds / 60)) * 60),
  };
}
