// Messages (the MDRs of SMS and MMS, both directions), their media, and how
// the sandbox carrier treats messages to a virtual phone. Times epoch ms,
// money micros.
import type { Insertable, Selectable } from 'kysely';

export type MessageDirection = 'outbound' | 'inbound';
export type MessageType = 'sms' | 'mms';
export type MessageState = 'queued' | 'sent' | 'failed' | 'delivered' | 'undelivered' | 'received';
/** What the MDR keeps: everything, nothing (`false`: text dropped, number masked), or one of the two. */
export type MessageLog = 'true' | 'false' | 'content_only' | 'number_only';

export interface MessagesTable {
  message_uuid: string;
  account_id: string;
  subaccount_id: string | null;
  direction: MessageDirection;
  type: MessageType;
  state: MessageState;
  /** Digits without '+' for numbers; an alphanumeric sender ID as given. */
  from_number: string;
  to_number: string;
  /** Empty when `log` says the content is not kept. */
  text: string;
  log: MessageLog;
  encoding: string;
  units: number;
  total_rate: number;
  total_amount: number;
  destination_country_iso2: string;
  error_code: string | null;
  /** Status callback (outbound); empty when none. */
  callback_url: string;
  callback_method: string;
  /** Status callbacks sent so far, so each carries its Sequence. */
  callbacks_sent: number;
  requester_ip: string;
  created_at: number;
  sent_at: number | null;
  /** When the final delivery report (delivered, undelivered, failed) came. */
  reported_at: number | null;
  updated_at: number;
  /** Insertion order, for messages created in the same millisecond (virtual clock). */
  seq: number;
}

export interface MessageMediaTable {
  media_id: string;
  message_uuid: string;
  account_id: string;
  position: number;
  media_url: string;
  content_type: string;
  file_name: string;
  created_at: number;
}

export type SandboxOutcome = 'delivered' | 'sent' | 'undelivered' | 'failed';

/** One virtual phone's messaging behaviour, as set by one account or subaccount. */
export interface SandboxMessageBehavioursTable {
  /** The auth id that set it (main account or subaccount); its traffic uses it. */
  owner_id: string;
  account_id: string;
  number: string;
  outcome: SandboxOutcome;
  error_code: string | null;
  sent_after_ms: number;
  delivered_after_ms: number;
  updated_at: number;
}

export interface MessagesTables {
  messages: MessagesTable;
  message_media: MessageMediaTable;
  sandbox_message_behaviours: SandboxMessageBehavioursTable;
}

export type MessageRow = Selectable<MessagesTable>;
export type NewMessageRow = Insertable<MessagesTable>;
/** What a delivery report changes on a message. */
export const MESSAGE_STATE_COLUMNS = ['state', 'updated_at', 'sent_at', 'reported_at', 'error_code', 'total_amount'] as const;
export type MessagePatch = Partial<Pick<MessagesTable, (typeof MESSAGE_STATE_COLUMNS)[number]>>;
export type MediaRow = Selectable<MessageMediaTable>;
export type BehaviourRow = Selectable<SandboxMessageBehavioursTable>;
