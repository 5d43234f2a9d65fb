// The Stream object as the API returns it. Streams are not billed, so
// billed_amount is always 0.
import { formatTimestamp } from '../../platform/time.ts';
import type { StreamRow } from '../../store/tables/recordings.ts';
import { sessionTime } from '../engine/format.ts';

export function streamView(row: StreamRow, now: number) {
  const seconds = row.started_at === null ? 0 : Math.round(((row.ended_at ?? now) - row.started_at) / 1000);
  return {
    audio_track: row.audio_track,
    bidirectional: row.bidirectional === 1,
    bill_duration: seconds,
    billed_amount: '0.00000',
    call_uuid: row.call_uuid,
    created_at: `${sessionTime(row.created_at)}+00:00`,
    end_time: row.ended_at === null ? null : formatTimestamp(row.ended_at),
    plivo_auth_id: row.account_id,
    resource_uri: `/v1/Account/${row.account_id}/Call/${row.call_uuid}/Stream/${row.stream_id}/`,
    rounded_bill_duration: Math.ceil(seconds / 60) * 60,
    service_url: row.service_url,
    start_time: row.started_at === null ? null : formatTimestamp(row.started_at),
    stream_id: row.stream_id,
  };
}

