// How a message and its media are stored: one row shape for both directions,
// so the MDR, the callbacks and the filters read the same fields.
import { newUuid } from '../ids.ts';
import type { Charged } from '../platform/billing.ts';
import { countryOf } from '../platform/phone.ts';
import type { MediaRow, MessageDirection, MessageLog, MessageRow, MessageState, MessageType } from '../store/tables/messages.ts';
import type { Content } from './rules.ts';

export interface NewMessage {
  uuid: string;
  owner: { accountId: string; subaccountId: string | null };
  direction: MessageDirection;
  type: MessageType;
  state: MessageState;
  from: string;
  to: string;
  content: Content;
  log: MessageLog;
  charged: Charged;
  now: number;
  seq: number;
  callback?: { url: string; method: string };
  requesterIp?: string;
}

export function messageRow(m: NewMessage): MessageRow {
  return {
    message_uuid: m.uuid,
    account_id: m.owner.accountId,
    subaccount_id: m.owner.subaccountId,
    direction: m.direction,
    type: m.type,
    state: m.state,
    from_number: m.from,
    to_number: m.to,
    text: m.log === 'false' || m.log === 'number_only' ? '' : m.content.text,
    log: m.log,
    encoding: m.content.info.encoding,
    units: m.content.units,
    total_rate: m.charged.rate.rate,
    total_amount: m.charged.amount,
    destination_country_iso2: countryOf(m.to) ?? '',
    error_code: null,
    callback_url: m.callback?.url ?? '',
    callback_method: m.callback?.method ?? 'POST',
    callbacks_sent: 0,
    requester_ip: m.requesterIp ?? '',
    created_at: m.now,
    sent_at: null,
    reported_at: null,
    updated_at: m.now,
    seq: m.seq,
  };
}

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  mp4: 'video/mp4',
  '3gp': 'video/3gpp',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  pdf: 'application/pdf',
  vcf: 'text/vcard',
  txt: 'text/plain',
};

/** One record per media URL; the content type comes from the file name (the media itself is never fetched). */
export function mediaRows(row: MessageRow, urls: string[]): MediaRow[] {
  return urls.map((url, position) => {
    const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    const ext = name.includes('.') ? name.split('.').pop()!.toLowerCase() : '';
    return {
      media_id: newUuid(),
      message_uuid: row.message_uuid,
      account_id: row.account_id,
      position,
      media_url: url,
      content_type: CONTENT_TYPES[ext] ?? 'application/octet-stream',
      file_name: name,
      created_at: row.created_at,
    };
  });
}
