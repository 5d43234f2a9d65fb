// SIP endpoints, incoming carriers, verified caller IDs and the sandbox inbox
// (what virtual phones received). Times are epoch ms, flags 0/1.
import type { Insertable, Selectable } from 'kysely';
import type { Flag } from './flag.ts';

export interface EndpointsTable {
  endpoint_id: string;
  account_id: string;
  subaccount_id: string | null;
  /** Platform-unique: the name given at creation plus a 12-digit suffix. */
  username: string;
  alias: string;
  /** null: the owner's default endpoint application answers its calls. */
  app_id: string | null;
  /** A PHLO the endpoint's calls run instead of an application. */
  phlo_id: string | null;
  /** md5(username:realm:password), the SIP digest secret; the password itself is never stored. */
  ha1: string;
  /** sha256(username:realm:password), for Digest with SHA-256 (null for endpoints whose password was last set before it was kept). */
  ha1_sha256: string | null;
  /** The realm `ha1` and `ha1_sha256` were computed for (the SIP domain when the password was set). */
  realm: string;
  /** md5(password) in hex: what the platform shows as the endpoint's `password` (null for endpoints made before it was kept). */
  password_md5: string | null;
  /** Filled by the SIP driver (or the sandbox) while a client is registered. */
  sip_contact: string | null;
  sip_expires_at: number | null;
  sip_user_agent: string | null;
  created_at: number;
}

export interface IncomingCarriersTable {
  carrier_id: string;
  account_id: string;
  name: string;
  /** Comma-separated addresses, as given (normalised); `incoming_carrier_ips` indexes them. */
  ip_set: string;
  prefix_set: string;
  voice: Flag;
  sms: Flag;
  created_at: number;
}

/** One row per address of a carrier; the primary key (account_id, ip) keeps an address in one carrier of each account. */
export interface IncomingCarrierIpsTable {
  account_id: string;
  ip: string;
  carrier_id: string;
}

export interface CallerIdVerificationsTable {
  verification_uuid: string;
  account_id: string;
  subaccount_id: string | null;
  /** Country code and digits, no '+'. */
  phone_number: string;
  alias: string;
  channel: 'sms' | 'call';
  country: string;
  /** sha256 of uuid:otp, so a database read does not reveal live codes. */
  otp_hash: string;
  /** Wrong OTPs so far. */
  attempts: number;
  expires_at: number;
  verified_at: number | null;
  created_at: number;
}

export interface VerifiedCallerIdsTable {
  /** (account_id, phone_number) is the primary key: a number is verified once per main account. */
  account_id: string;
  phone_number: string;
  subaccount_id: string | null;
  alias: string;
  channel: 'sms' | 'call';
  country: string;
  verification_uuid: string;
  created_at: number;
  modified_at: number;
}

export interface SandboxInboxTable {
  message_uuid: string;
  account_id: string;
  subaccount_id: string | null;
  /** The virtual phone that received it: country code and digits, no '+'. */
  to_number: string;
  from_number: string;
  text: string;
  /** 'sms' or 'mms'. */
  type: string;
  /** JSON array of URLs. */
  media_urls: string;
  received_at: number;
  /** Arrival order, for messages received in the same millisecond (virtual clock). */
  seq: number;
}

export interface EndpointsTables {
  endpoints: EndpointsTable;
  incoming_carriers: IncomingCarriersTable;
  incoming_carrier_ips: IncomingCarrierIpsTable;
  caller_id_verifications: CallerIdVerificationsTable;
  verified_caller_ids: VerifiedCallerIdsTable;
  sandbox_inbox: SandboxInboxTable;
}

export type EndpointRow = Selectable<EndpointsTable>;
export type NewEndpointRow = Insertable<EndpointsTable>;
/** What an endpoint update may change (the username never: its digest secret depends on it). */
export const ENDPOINT_COLUMNS = ['alias', 'app_id', 'phlo_id', 'ha1', 'ha1_sha256', 'realm', 'password_md5'] as const;
export type EndpointPatch = Partial<Pick<EndpointsTable, (typeof ENDPOINT_COLUMNS)[number]>>;
/** What a SIP registration sets. */
export const REGISTRATION_COLUMNS = ['sip_contact', 'sip_expires_at', 'sip_user_agent'] as const;
export type RegistrationPatch = Pick<EndpointsTable, (typeof REGISTRATION_COLUMNS)[number]>;
/** What a carrier update may change. */
export const CARRIER_COLUMNS = ['name', 'ip_set', 'prefix_set', 'voice', 'sms'] as const;
export type CarrierPatch = Partial<Pick<IncomingCarriersTable, (typeof CARRIER_COLUMNS)[number]>>;
/** What a verified caller ID update may change. */
export const CALLER_ID_COLUMNS = ['alias', 'subaccount_id', 'modified_at'] as const;
export type CallerIdPatch = Partial<Pick<VerifiedCallerIdsTable, (typeof CALLER_ID_COLUMNS)[number]>>;
export type CarrierRow = Selectable<IncomingCarriersTable>;
export type VerificationRow = Selectable<CallerIdVerificationsTable>;
export type VerifiedCallerIdRow = Selectable<VerifiedCallerIdsTable>;
export type InboxRow = Selectable<SandboxInboxTable>;
