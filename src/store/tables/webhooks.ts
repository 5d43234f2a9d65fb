// Durable webhook jobs and the per-call debug log. Times are epoch ms on the
// platform clock; JSON columns hold plain objects.
import type { Insertable, Selectable } from 'kysely';

/** A callback that is not on a call's critical path, kept until it is delivered or gives up. */
export interface WebhookJobsTable {
  job_id: string;
  account_id: string;
  /** The call's subaccount when the engine gave it; null: the call log works it out from `account_id`. */
  subaccount_id: string | null;
  call_uuid: string | null;
  /** 'hangup', 'ring', 'callback', 'message_status', … */
  kind: string;
  /** As given, callback-configuration fragment included. */
  url: string;
  method: string;
  /** JSON object of string parameters. */
  params: string;
  /** The token that signs it (the owner's); kept because delivery may happen after a restart. */
  auth_token: string;
  /** The main account's token for the `-Ma-` signatures; null when the owner is the main account. */
  main_auth_token: string | null;
  /** JSON of the resolved CallbackPolicy, so a restart retries on the same terms. */
  policy: string;
  /** Attempts made so far. */
  attempts: number;
  next_attempt_at: number;
  /** The Webhooks instance working on it right now, and until when its claim holds. */
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
}

export interface CallLogEntriesTable {
  entry_id: string;
  call_uuid: string;
  account_id: string;
  subaccount_id: string | null;
  /** Order within the call (entries of one call can share a millisecond). */
  seq: number;
  /** 'webhook' | 'xml' | 'error' | 'event' | … */
  kind: string;
  message: string;
  /** JSON object or null. */
  data: string | null;
  created_at: number;
}

export interface WebhooksTables {
  webhook_jobs: WebhookJobsTable;
  call_log_entries: CallLogEntriesTable;
}

export type WebhookJobRow = Selectable<WebhookJobsTable>;
export type NewWebhookJobRow = Insertable<WebhookJobsTable>;
export type CallLogEntryRow = Selectable<CallLogEntriesTable>;
export type NewCallLogEntryRow = Insertable<CallLogEntriesTable>;
