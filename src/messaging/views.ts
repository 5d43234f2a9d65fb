// What clients see of a message: the MDR object of GET/list, its media, and
// the parameters of status callbacks and inbound message_url requests.
import { formatMoney } from '../money.ts';
import { countryOf } from '../platform/phone.ts';
import { formatTimestamp } from '../platform/time.ts';
import type { MediaRow, MessageRow } from '../store/tables/messages.ts';
import { errorMessage } from './error-codes.ts';

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** "2024-08-21 18:28:49.244000+00:00": MDR times with microseconds, as the platform shows them. */
export function formatMicros(ms: number): string {
  return formatTimestamp(ms).replace('+00:00', `.${pad(ms % 1000, 3)}000+00:00`);
}

/** "2024-08-21 18:28:49.244000": callback times (UTC, no offset). */
const callbackTime = (ms: number | null): string => (ms === null ? '' : formatMicros(ms).replace('+00:00', ''));

/** "141XXXXX528": what an MDR shows of a number the sender asked not to log. */
export function maskNumber(n: string): string {
  return n.length <= 6 ? 'X'.repeat(n.length) : n.slice(0, 3) + 'X'.repeat(n.length - 6) + n.slice(-3);
}

export const messageUri = (row: Pick<MessageRow, 'account_id' | 'subaccount_id' | 'message_uuid'>): string =>
  `/v1/Account/${row.subaccount_id ?? row.account_id}/Message/${row.message_uuid}/`;

/** The outbound destination (or the inbound sender) is masked when the message was sent with log=false or content_only. */
const hidesNumber = (row: MessageRow): boolean => row.log === 'false' || row.log === 'content_only';

export function messageView(row: MessageRow) {
  const masked = hidesNumber(row);
  const from = masked && row.direction === 'inbound' ? maskNumber(row.from_number) : row.from_number;
  const to = masked && row.direction === 'outbound' ? maskNumber(row.to_number) : row.to_number;
  const fromCountry = /^\d+$/.test(row.from_number) ? countryOf(row.from_number) : undefined;
  return {
    error_code: row.error_code,
    error_message: errorMessage(row.error_code),
    from_number: from,
    message_direction: row.direction,
    message_state: row.state,
    message_time: formatTimestamp(row.created_at),
    message_sent_time: row.sent_at === null ? null : formatMicros(row.sent_at),
    message_updated_time: formatMicros(row.updated_at),
    message_type: row.type,
    message_uuid: row.message_uuid,
    resource_uri: messageUri(row),
    to_number: to,
    total_amount: formatMoney(row.total_amount),
    total_rate: formatMoney(row.total_rate),
    units: row.units,
    destination_country_iso2: row.destination_country_iso2,
    is_domestic: fromCountry !== undefined && fromCountry === row.destination_country_iso2,
    requester_ip: row.requester_ip,
    log: row.log,
    powerpack_id: null,
    replaced_sender: '',
    carrier_fees: '0.00000',
    carrier_fees_rate: '0.00000',
    destination_network: null,
    conversation_id: '',
    conversation_origin: '',
    conversation_expiration_timestamp: '',
    dlt_entity_id: '',
    dlt_template_id: '',
    dlt_template_category: '',
    tendlc_campaign_id: null,
    tendlc_registration_status: null,
  };
}

export function mediaView(row: MediaRow) {
  return {
    content_type: row.content_type,
    file_name: row.file_name,
    media_id: row.media_id,
    media_url: row.media_url,
    message_uuid: row.message_uuid,
    size: null,
    upload_time: formatMicros(row.created_at),
  };
}

/** Parameters of a status callback for the message's current state; `sequence` orders callbacks of one message. */
export function statusParams(row: MessageRow, sequence: number): Record<string, string> {
  return {
    MessageUUID: row.message_uuid,
    ParentMessageUUID: row.message_uuid,
    PartInfo: '1 of 1',
    From: row.from_number,
    To: row.to_number,
    Type: row.type,
    Status: row.state,
    Units: String(row.units),
    TotalRate: formatMoney(row.total_rate),
    TotalAmount: formatMoney(row.total_amount),
    MCC: '',
    MNC: '',
    ErrorCode: row.error_code ?? '',
    Sequence: String(sequence),
    MessageTime: callbackTime(row.created_at),
    QueuedTime: callbackTime(row.created_at),
    SentTime: callbackTime(row.sent_at),
    DeliveryReportTime: callbackTime(row.reported_at),
    PowerpackUUID: '',
  };
}

/** Parameters POSTed to the receiving number's message_url. */
export function inboundParams(row: MessageRow, mediaUrls: string[], text: string): Record<string, string> {
  const params: Record<string, string> = {
    MessageUUID: row.message_uuid,
    From: row.from_number,
    To: row.to_number,
    Type: row.type,
    Units: String(row.units),
    TotalRate: formatMoney(row.total_rate),
    TotalAmount: formatMoney(row.total_amount),
    MessageIntent: messageIntent(text),
    PowerpackUUID: '',
  };
  if (row.type === 'sms') return { ...params, Text: text };
  const media = Object.fromEntries(mediaUrls.map((u, i) => [`Media${i + 1}`, u]));
  return { ...params, Body: text, MediaCount: String(mediaUrls.length), ...media };
}

const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);
const HELP = new Set(['HELP', 'INFO']);

/** The standard carrier keywords the platform flags on inbound messages. */
function messageIntent(text: string): string {
  const word = text.trim().toUpperCase();
  if (OPT_OUT.has(word)) return 'optout';
  if (OPT_IN.has(word)) return 'optin';
  if (HELP.has(word)) return 'help';
  return '';
}
