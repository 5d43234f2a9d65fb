// Table shapes as Kysely sees them. Times are epoch milliseconds, money is
// integer micro-units, booleans are 0/1 integers, so one schema serves both
// SQLite and PostgreSQL without dialect branches in the repositories.
import type { Generated, Insertable, Selectable } from 'kysely';
import type { NumbersTables } from './tables/numbers.ts';
import type { EndpointsTables } from './tables/endpoints.ts';
import type { MessagesTables } from './tables/messages.ts';
import type { WebhooksTables } from './tables/webhooks.ts';
import type { CallsTables } from './tables/calls.ts';
import type { RecordingsTables } from './tables/recordings.ts';
import type { ConferencesTables } from './tables/conferences.ts';
import type { PhloTables } from './tables/phlo.ts';
import type { NodesTables } from './tables/nodes.ts';

import type { Flag } from './tables/flag.ts';
export type { Flag };

export interface AccountsTable {
  auth_id: string;
  /** null for a main account; the main account's auth id for a subaccount. */
  parent_id: string | null;
  auth_token: string;
  name: string;
  city: string;
  address: string;
  state: string;
  timezone: string;
  account_type: string;
  billing_mode: string;
  auto_recharge: Flag;
  enabled: Flag;
  /** Balance in micros; always equal to the sum of the account's ledger entries. */
  cash_credits: number;
  /** Micros held for the account's calls in progress; always equal to the sum of its credit_holds. */
  held_credits: Generated<number>;
  created_at: number;
  modified_at: number | null;
}

export interface LedgerTable {
  id: string;
  /** The main account that pays (subaccounts draw on their parent). */
  account_id: string;
  subaccount_id: string | null;
  kind: string;
  amount: number;
  description: string;
  reference: string | null;
  created_at: number;
}

/** What a call in progress may still cost: the account's available credit is its balance less its holds. */
export interface CreditHoldsTable {
  /** The call it is held for. */
  reference: string;
  /** The main account that pays. */
  account_id: string;
  amount: number;
  created_at: number;
}

export interface ApplicationsTable {
  app_id: string;
  account_id: string;
  subaccount_id: string | null;
  app_name: string;
  answer_url: string;
  answer_method: string;
  hangup_url: string;
  hangup_method: string;
  fallback_answer_url: string;
  fallback_method: string;
  message_url: string;
  message_method: string;
  default_number_app: Flag;
  default_endpoint_app: Flag;
  log_incoming_messages: Flag;
  public_uri: Flag;
  enabled: Flag;
  application_type: string;
  created_at: number;
}

export interface FoundationTables {
  accounts: AccountsTable;
  ledger: LedgerTable;
  credit_holds: CreditHoldsTable;
  applications: ApplicationsTable;
}

/**
 * The whole database. Each feature keeps its table interfaces in
 * src/store/tables/<feature>.ts and adds its `…Tables` interface here.
 */
export interface DB extends FoundationTables, NumbersTables, EndpointsTables, MessagesTables, WebhooksTables, CallsTables, RecordingsTables, ConferencesTables, PhloTables, NodesTables {}

export type AccountRow = Selectable<AccountsTable>;
export type NewAccountRow = Insertable<AccountsTable>;
/** What the account's own update may change (POST /Account/{id}/). */
export const ACCOUNT_PROFILE_COLUMNS = ['name', 'city', 'address', 'state', 'timezone', 'modified_at'] as const;
export type AccountProfilePatch = Partial<Pick<AccountsTable, (typeof ACCOUNT_PROFILE_COLUMNS)[number]>>;
/** What the main account may change on a subaccount. */
export const SUBACCOUNT_COLUMNS = ['name', 'enabled', 'modified_at'] as const;
export type SubaccountPatch = Partial<Pick<AccountsTable, (typeof SUBACCOUNT_COLUMNS)[number]>>;
export type ApplicationRow = Selectable<ApplicationsTable>;
export type NewApplicationRow = Insertable<ApplicationsTable>;
/** What an application update may change (ids, owner account, type and creation time never). */
export const APPLICATION_COLUMNS = [
  'app_name', 'answer_url', 'answer_method', 'hangup_url', 'hangup_method', 'fallback_answer_url', 'fallback_method', 'message_url', 'message_method',
  'default_number_app', 'default_endpoint_app', 'log_incoming_messages', 'public_uri', 'subaccount_id',
] as const;
export type ApplicationPatch = Partial<Pick<ApplicationsTable, (typeof APPLICATION_COLUMNS)[number]>>;
