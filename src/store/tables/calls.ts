// Call detail records (one row per ended call leg) and the sandbox's
// virtual phone behaviours. Times are epoch ms, money micros.
import type { Insertable, Selectable } from 'kysely';

export interface CallsTable {
  call_uuid: string;
  request_uuid: string;
  account_id: string;
  subaccount_id: string | null;
  /** 'inbound' | 'outbound' */
  call_direction: string;
  from_number: string;
  to_number: string;
  caller_name: string;
  parent_call_uuid: string | null;
  conference_uuid: string | null;
  /** ANSWER, BUSY, NO_ANSWER, REJECTED, CANCEL or FAILED. */
  call_state: string;
  initiated_at: number;
  answered_at: number | null;
  ended_at: number;
  /** Answered seconds (0 when unanswered). */
  call_duration: number;
  /** Seconds billed: whole billing increments. */
  billed_duration: number;
  total_amount: number;
  /** Per-minute rate applied. */
  total_rate: number;
  hangup_cause_code: number;
  hangup_cause_name: string;
  hangup_cause: string;
  hangup_source: string;
  stir_verification: string;
  source_ip: string;
  /** Call quality feedback as JSON {rating, issues, notes, posted_at}, null until some is posted. */
  feedback: string | null;
}

export interface SandboxPhonesTable {
  account_id: string;
  /** '' for the main account's own setting (part of the primary key, so never null). */
  subaccount_key: string;
  /** Country code and digits, or a SIP URI, as compared by the carrier. */
  number: string;
  behaviour: string;
  ring_ms: number;
  /** JSON array of script steps. */
  script: string;
  /** rfc4733, inband or both. */
  dtmf_mode: string;
  updated_at: number;
}

/**
 * A call while it is live, so one that outlives its server process (a
 * crash) is still closed with a record: written when it is dialled or
 * taken, updated when it is answered, deleted in the transaction that
 * writes its CDR.
 */
export interface LiveCallsTable
  extends Pick<CallsTable, 'call_uuid' | 'request_uuid' | 'account_id' | 'subaccount_id' | 'call_direction' | 'from_number' | 'to_number' | 'caller_name' | 'parent_call_uuid' | 'initiated_at' | 'answered_at'> {
  /** The node (server process) running it. */
  node_id: string;
  /** Rates an inbound call ('local', 'tollfree' …); null when not rated by number type. */
  number_type: string | null;
  hangup_url: string | null;
  hangup_method: string | null;
  /** JSON of the parameters its webhooks carry, as of its last change (start, answer). */
  params: string;
}

export interface CallsTables {
  calls: CallsTable;
  live_calls: LiveCallsTable;
  sandbox_phones: SandboxPhonesTable;
}

export type CallRow = Selectable<CallsTable>;
export type NewCallRow = Insertable<CallsTable>;
export type LiveCallRow = Selectable<LiveCallsTable>;
export type NewLiveCallRow = Insertable<LiveCallsTable>;
export type SandboxPhoneRow = Selectable<SandboxPhonesTable>;
