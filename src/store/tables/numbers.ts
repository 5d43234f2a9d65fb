// Phone numbers: the inventory the platform can rent out, and the numbers
// accounts own (rented from the inventory, or added from their own carrier).
import type { Insertable, Selectable } from 'kysely';
import type { Flag } from './flag.ts';

export type NumberType = 'local' | 'mobile' | 'tollfree' | 'national';

/** A number available for rent unless a row in `numbers` has the same number. */
export interface NumberPoolTable {
  number: string;
  country_iso: string;
  number_type: NumberType;
  region: string;
  city: string;
  /** Area code shown in search results. */
  prefix: string;
  /** US/CA only. */
  rate_center: string | null;
  lata: number | null;
  voice_enabled: Flag;
  sms_enabled: Flag;
  mms_enabled: Flag;
  /** Micros. */
  monthly_rental_rate: number;
  setup_rate: number;
  /** 'shipped' (resources/numbers.csv), 'import' (`switchboard numbers import`) or 'sandbox' (added by POST …/Sandbox/Number/ when a country's were sold out). */
  source: string;
  created_at: number;
}

export interface NumbersTable {
  /** Digits with country code, no '+'; the primary key makes ownership exclusive. */
  number: string;
  account_id: string;
  subaccount_id: string | null;
  app_id: string | null;
  /** A PHLO the number runs instead of an application (inbound calls and messages start runs). */
  phlo_id: string | null;
  alias: string | null;
  /** 'rented' from the pool, or 'own' (an operator trunk number added with POST /Number/). */
  source: 'rented' | 'own';
  /** RENTED_CARRIER for rented numbers; the carrier_id of the account's incoming carrier for own ones. */
  carrier: string;
  country_iso: string;
  number_type: NumberType;
  region: string;
  voice_enabled: Flag;
  sms_enabled: Flag;
  mms_enabled: Flag;
  cnam_lookup: string | null;
  monthly_rental_rate: number;
  setup_rate: number;
  added_at: number;
  /** Rental months paid so far; the next renewal falls `rental_periods` months after added_at. */
  rental_periods: number;
  /** When the next month is charged; null for own-carrier numbers, which pay no rental. */
  renewal_at: number | null;
}

export interface NumbersTables {
  number_pool: NumberPoolTable;
  numbers: NumbersTable;
}

export type PoolRow = Selectable<NumberPoolTable>;
export type NewPoolRow = Insertable<NumberPoolTable>;
export type NumberRow = Selectable<NumbersTable>;
export type NewNumberRow = Insertable<NumbersTable>;
/** What a number update may change (rental, carrier and capabilities never). */
export const NUMBER_COLUMNS = ['app_id', 'phlo_id', 'subaccount_id', 'alias', 'cnam_lookup'] as const;
export type NumberPatch = Partial<Pick<NumbersTable, (typeof NUMBER_COLUMNS)[number]>>;
