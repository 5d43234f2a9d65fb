// Queries on the number inventory (number_pool) and on owned numbers. A pool
// number is available while no row in `numbers` has it; the primary key of
// `numbers` is what makes two concurrent purchases of one number impossible.
import type { ExpressionBuilder } from 'kysely';
import type { ApplicationRow, ApplicationsTable, DB } from '../schema.ts';
import type { CarrierRow, IncomingCarriersTable } from '../tables/endpoints.ts';
import { NUMBER_COLUMNS, type NewNumberRow, type NewPoolRow, type NumberPatch, type NumberRow, type NumberType, type PoolRow } from '../tables/numbers.ts';
import type { Executor } from './accounts.ts';
import type { OwnerFilter } from './applications.ts';
import { only } from './sql.ts';
import { prepared } from '../prepared.ts';

export interface Capabilities {
  voice?: boolean;
  sms?: boolean;
  mms?: boolean;
}

export interface PoolSearch {
  countryIso: string;
  types?: NumberType[];
  /** Digits after the country calling code; `_` matches any one digit. */
  startsWith?: string;
  regionContains?: string;
  services?: Capabilities;
  lata?: number;
  rateCenter?: string;
}

export interface NumberFilter extends OwnerFilter {
  types?: NumberType[];
  startsWith?: string;
  alias?: string;
  services?: Capabilities;
  /** Epoch-ms bounds on renewal_at: [from, to). */
  renewalFrom?: number;
  renewalTo?: number;
}

type PoolEb = ExpressionBuilder<DB, 'number_pool'>;
type NumbersEb = ExpressionBuilder<DB, 'numbers'>;

function capabilityTerms(eb: PoolEb | NumbersEb, services: Capabilities | undefined) {
  const e = eb as NumbersEb;
  const terms = [];
  if (services?.voice) terms.push(e('voice_enabled', '=', 1));
  if (services?.sms) terms.push(e('sms_enabled', '=', 1));
  if (services?.mms) terms.push(e('mms_enabled', '=', 1));
  return terms;
}

function poolWhere(q: PoolSearch) {
  return (eb: PoolEb) => {
    const terms = [
      eb('number_pool.country_iso', '=', q.countryIso),
      eb.not(eb.exists(eb.selectFrom('numbers').select('numbers.number').whereRef('numbers.number', '=', 'number_pool.number'))),
      ...capabilityTerms(eb, q.services),
    ];
    if (q.types?.length) terms.push(eb('number_pool.number_type', 'in', q.types));
    if (q.startsWith) terms.push(eb('number_pool.number', 'like', `${q.startsWith}%`));
    if (q.regionContains) {
      const like = `%${q.regionContains.toLowerCase()}%`;
      terms.push(eb.or([eb(eb.fn('lower', ['number_pool.region']), 'like', like), eb(eb.fn('lower', ['number_pool.city']), 'like', like)]));
    }
    if (q.lata !== undefined) terms.push(eb('number_pool.lata', '=', q.lata));
    if (q.rateCenter) terms.push(eb(eb.fn('upper', ['number_pool.rate_center']), '=', q.rateCenter.toUpperCase()));
    return eb.and(terms);
  };
}

function numbersWhere(f: NumberFilter) {
  return (eb: NumbersEb) => {
    const terms = [eb('account_id', '=', f.accountId), ...capabilityTerms(eb, f.services)];
    if (f.subaccountId !== undefined) terms.push(f.subaccountId === null ? eb('subaccount_id', 'is', null) : eb('subaccount_id', '=', f.subaccountId));
    if (f.types?.length) terms.push(eb('number_type', 'in', f.types));
    if (f.startsWith) terms.push(eb('number', 'like', `${f.startsWith}%`));
    if (f.alias !== undefined) terms.push(eb('alias', '=', f.alias));
    if (f.renewalFrom !== undefined) terms.push(eb('renewal_at', '>=', f.renewalFrom));
    if (f.renewalTo !== undefined) terms.push(eb('renewal_at', '<', f.renewalTo));
    return eb.and(terms);
  };
}

export const poolRepo = {
  /** Insert inventory rows; existing numbers are kept as they are, or replaced when `replace`. */
  async upsert(db: Executor, rows: NewPoolRow[], replace: boolean): Promise<void> {
    if (rows.length === 0) return;
    await db
      .insertInto('number_pool')
      .values(rows)
      .onConflict((oc) =>
        replace
          ? oc.column('number').doUpdateSet((eb) => ({
              country_iso: eb.ref('excluded.country_iso'),
              number_type: eb.ref('excluded.number_type'),
              region: eb.ref('excluded.region'),
              city: eb.ref('excluded.city'),
              prefix: eb.ref('excluded.prefix'),
              rate_center: eb.ref('excluded.rate_center'),
              lata: eb.ref('excluded.lata'),
              voice_enabled: eb.ref('excluded.voice_enabled'),
              sms_enabled: eb.ref('excluded.sms_enabled'),
              mms_enabled: eb.ref('excluded.mms_enabled'),
              monthly_rental_rate: eb.ref('excluded.monthly_rental_rate'),
              setup_rate: eb.ref('excluded.setup_rate'),
              source: eb.ref('excluded.source'),
            }))
          : oc.column('number').doNothing(),
      )
      .execute();
  },

  find(db: Executor, number: string): Promise<PoolRow | undefined> {
    return db.selectFrom('number_pool').selectAll().where('number', '=', number).executeTakeFirst();
  },

  /** Every inventory number of a country with voice, rented or not. */
  withVoice(db: Executor, countryIso: string): Promise<PoolRow[]> {
    return db.selectFrom('number_pool').selectAll().where('country_iso', '=', countryIso).where('voice_enabled', '=', 1).orderBy('number').execute();
  },

  search(db: Executor, q: PoolSearch, limit: number, offset: number): Promise<PoolRow[]> {
    return db.selectFrom('number_pool').selectAll().where(poolWhere(q)).orderBy('number').limit(limit).offset(offset).execute();
  },

  async count(db: Executor, q: PoolSearch): Promise<number> {
    const r = await db
      .selectFrom('number_pool')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(poolWhere(q))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
};

// Every inbound call and message asks.
const numberOwner = prepared((db, number: string) => db.selectFrom('numbers').selectAll().where('number', '=', number));

/** `columns`, when they are every column of T: a column added to the table must be added to the list. */
const everyColumn =
  <T>() =>
  <const K extends readonly (keyof T & string)[]>(columns: Exclude<keyof T, K[number]> extends never ? K : never): K =>
    columns;
const CARRIER = everyColumn<IncomingCarriersTable>()(['carrier_id', 'account_id', 'name', 'ip_set', 'prefix_set', 'voice', 'sms', 'created_at']);
const APPLICATION = everyColumn<ApplicationsTable>()([
  'app_id',
  'account_id',
  'subaccount_id',
  'app_name',
  'answer_url',
  'answer_method',
  'hangup_url',
  'hangup_method',
  'fallback_answer_url',
  'fallback_method',
  'message_url',
  'message_method',
  'default_number_app',
  'default_endpoint_app',
  'log_incoming_messages',
  'public_uri',
  'enabled',
  'application_type',
  'created_at',
]);
// Joined tables' columns come back named `carrier__…` and `app__…` (no column of `numbers` has a double underscore).
const CARRIER_AS = 'carrier__';
const APP_AS = 'app__';

// Every call from an incoming carrier: its number, the carrier listing the source address among the number
// owner's carriers, and the number's application, in one read (three point reads were a read transaction each).
const carrierCall = prepared((db, v: { number: string; ip: string }) =>
  db
    .selectFrom('numbers')
    .leftJoin('incoming_carrier_ips as ip', (j) => j.onRef('ip.account_id', '=', 'numbers.account_id').on('ip.ip', '=', v.ip))
    .leftJoin('incoming_carriers as c', 'c.carrier_id', 'ip.carrier_id')
    .leftJoin('applications as a', (j) => j.onRef('a.app_id', '=', 'numbers.app_id').onRef('a.account_id', '=', 'numbers.account_id'))
    .selectAll('numbers')
    .select((eb) => [...CARRIER.map((c) => eb.ref(`c.${c}`).as(`${CARRIER_AS}${c}`)), ...APPLICATION.map((c) => eb.ref(`a.${c}`).as(`${APP_AS}${c}`))])
    .where('numbers.number', '=', v.number),
);

/** A joined row taken apart: the number's own columns, and each joined table's (undefined when it found no row). */
function takenApart(row: Record<string, unknown>): { number: NumberRow; carrier: CarrierRow | undefined; application: ApplicationRow | undefined } {
  const number: Record<string, unknown> = {};
  const carrier: Record<string, unknown> = {};
  const application: Record<string, unknown> = {};
  for (const k in row) {
    if (k.startsWith(CARRIER_AS)) carrier[k.slice(CARRIER_AS.length)] = row[k];
    else if (k.startsWith(APP_AS)) application[k.slice(APP_AS.length)] = row[k];
    else number[k] = row[k];
  }
  return {
    number: number as NumberRow,
    carrier: carrier.carrier_id === null ? undefined : (carrier as CarrierRow),
    application: application.app_id === null ? undefined : (application as ApplicationRow),
  };
}

export const numbersRepo = {
  /** The owner of a number, whoever it is (inbound routing, purchase checks). */
  async findAny(db: Executor, number: string): Promise<NumberRow | undefined> {
    return (await numberOwner(db, number)).rows[0];
  },

  /**
   * A number as a call from an incoming carrier at `ip` (normalised) needs it: the row, the carrier of the
   * number's owner listing `ip`, the number's application; undefined when nobody owns the number.
   */
  async forCarrierCall(db: Executor, number: string, ip: string) {
    const row = (await carrierCall(db, { number, ip })).rows[0];
    return row && takenApart(row as Record<string, unknown>);
  },

  find(db: Executor, owner: OwnerFilter, number: string): Promise<NumberRow | undefined> {
    return db
      .selectFrom('numbers')
      .selectAll()
      .where('number', '=', number)
      .where(numbersWhere(owner))
      .executeTakeFirst();
  },

  async insert(db: Executor, row: NewNumberRow): Promise<void> {
    await db.insertInto('numbers').values(row).execute();
  },

  async update(db: Executor, number: string, patch: NumberPatch): Promise<void> {
    await db.updateTable('numbers').set(only(patch, NUMBER_COLUMNS)).where('number', '=', number).execute();
  },

  async delete(db: Executor, number: string): Promise<void> {
    await db.deleteFrom('numbers').where('number', '=', number).execute();
  },

  list(db: Executor, f: NumberFilter, limit: number, offset: number): Promise<NumberRow[]> {
    return db
      .selectFrom('numbers')
      .selectAll()
      .where(numbersWhere(f))
      .orderBy('added_at', 'desc')
      .orderBy('number')
      .limit(limit)
      .offset(offset)
      .execute();
  },

  async count(db: Executor, f: NumberFilter): Promise<number> {
    const r = await db
      .selectFrom('numbers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(numbersWhere(f))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  /** Subaccount removed without cascade: its numbers become the main account's. */
  async moveToMain(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.updateTable('numbers').set({ subaccount_id: null }).where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },

  /** Subaccount removed with cascade: its numbers are released (rentals stop with the row). */
  async deleteForSubaccount(db: Executor, accountId: string, subaccountId: string): Promise<void> {
    await db.deleteFrom('numbers').where('account_id', '=', accountId).where('subaccount_id', '=', subaccountId).execute();
  },

  /** An incoming carrier removed: the numbers added for it go with it. */
  async deleteForCarrier(db: Executor, accountId: string, carrierId: string): Promise<void> {
    await db.deleteFrom('numbers').where('account_id', '=', accountId).where('source', '=', 'own').where('carrier', '=', carrierId).execute();
  },

  async relinkApp(db: Executor, accountId: string, appId: string, replacement: string | null): Promise<void> {
    await db.updateTable('numbers').set({ app_id: replacement }).where('account_id', '=', accountId).where('app_id', '=', appId).execute();
  },

  /** Rented numbers whose next month is due at `now`, oldest first. */
  dueForRenewal(db: Executor, now: number, limit: number): Promise<NumberRow[]> {
    return db.selectFrom('numbers').selectAll().where('renewal_at', '<=', now).orderBy('renewal_at').orderBy('number').limit(limit).execute();
  },

  async nextRenewalAt(db: Executor): Promise<number | undefined> {
    const r = await db
      .selectFrom('numbers')
      .select((eb) => eb.fn.min<number | null>('renewal_at').as('next'))
      .executeTakeFirstOrThrow();
    return r.next === null ? undefined : Number(r.next);
  },

  /**
   * Record one more paid month, only if nobody (another node, a concurrent
   * run) recorded it first: compare-and-set on rental_periods. Returns
   * whether this caller won and must charge.
   */
  async advanceRenewal(db: Executor, number: string, fromPeriods: number, nextRenewalAt: number): Promise<boolean> {
    const r = await db
      .updateTable('numbers')
      .set({ rental_periods: fromPeriods + 1, renewal_at: nextRenewalAt })
      .where('number', '=', number)
      .where('rental_periods', '=', fromPeriods)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
};
