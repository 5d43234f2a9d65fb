// Phone numbers: search the inventory, rent (buy) and release numbers, add
// numbers from the operator's own carrier, and find where an inbound call or
// message to a number goes.
import { ApiError, notFound } from '../errors.ts';
import { formatMoney } from '../money.ts';
import type { Executor } from '../store/repos/accounts.ts';
import { applicationsRepo } from '../store/repos/applications.ts';
import { numbersRepo, poolRepo, type Capabilities, type NumberFilter } from '../store/repos/numbers.ts';
import { phlosRepo } from '../store/repos/phlos.ts';
import { isUniqueViolation } from '../store/repos/owned.ts';
import type { ApplicationRow } from '../store/schema.ts';
import type { CarrierRow } from '../store/tables/endpoints.ts';
import type { NewPoolRow, NumberRow, NumberType, PoolRow } from '../store/tables/numbers.ts';
import type { Accounts } from './accounts.ts';
import type { ApplicationInput, Applications } from './applications.ts';
import type { Billing } from './billing.ts';
import { normalizeIp, type Carriers } from './carriers.ts';
import type { PlatformContext } from './context.ts';
import { readPoolFile, SHIPPED_POOL_FILE } from './number-pool.ts';
import { assignableSubaccount } from './owner.ts';
import { callingCode, countryName, countryOf, normalizeNumber, requireCountryIso } from './phone.ts';
import type { Pricing } from './pricing.ts';
import { addMonths, type Renewals } from './renewals.ts';
import { ownerFilter, subaccountUri, type Scope } from './scope.ts';
import { formatDate } from './time.ts';
import { assertSomethingToChange } from './patch.ts';

export const RENTED_CARRIER = 'Switchboard';

/** Search `type`: the platform's fixed = local + national; any = all. */
const SEARCH_TYPES: Record<string, NumberType[] | undefined> = {
  any: undefined,
  fixed: ['local', 'national'],
  local: ['local'],
  national: ['national'],
  mobile: ['mobile'],
  tollfree: ['tollfree'],
};

export interface SearchQuery {
  country_iso: string;
  type?: string;
  pattern?: string;
  region?: string;
  services?: string;
  lata?: number;
  rate_center?: string;
  limit: number;
  offset: number;
}

export interface ListQuery {
  type?: string;
  number_startswith?: string;
  subaccount?: string;
  alias?: string;
  services?: string;
  renewal_date?: string;
  renewal_date__lt?: string;
  renewal_date__lte?: string;
  renewal_date__gt?: string;
  renewal_date__gte?: string;
  limit: number;
  offset: number;
}

export interface UpdateInput {
  /** null or "" unlinks the application. */
  app_id?: string | null;
  /** What the number runs: `application` (object_id = app_id) or `phlo` (object_id = phlo_id); the other is unlinked. */
  object_type?: 'application' | 'phlo';
  object_id?: string;
  subaccount?: string;
  alias?: string;
  cnam_lookup?: 'enabled' | 'disabled';
}

export interface OwnNumbersInput {
  numbers: string;
  carrier: string;
  region: string;
  number_type?: NumberType;
  app_id?: string;
  subaccount?: string;
}

export interface InboundRoute {
  accountId: string;
  subaccountId: string | null;
  number: NumberRow;
  /** The number's application (undefined when it has none). */
  application: ApplicationRow | undefined;
}

function parseServices(services: string | undefined): Capabilities | undefined {
  if (!services) return undefined;
  const set = new Set(services.split(',').map((s) => s.trim()));
  return { voice: set.has('voice'), sms: set.has('sms'), mms: set.has('mms') };
}

const DAY = 86_400_000;
function dayStart(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/** renewal_date filters as a [from, to) range on renewal_at. */
function renewalRange(q: ListQuery): { renewalFrom?: number; renewalTo?: number } {
  const bounds: number[][] = [];
  if (q.renewal_date) bounds.push([dayStart(q.renewal_date), dayStart(q.renewal_date) + DAY]);
  if (q.renewal_date__lt) bounds.push([-Infinity, dayStart(q.renewal_date__lt)]);
  if (q.renewal_date__lte) bounds.push([-Infinity, dayStart(q.renewal_date__lte) + DAY]);
  if (q.renewal_date__gt) bounds.push([dayStart(q.renewal_date__gt) + DAY, Infinity]);
  if (q.renewal_date__gte) bounds.push([dayStart(q.renewal_date__gte), Infinity]);
  if (bounds.length === 0) return {};
  const from = Math.max(...bounds.map((b) => b[0]));
  const to = Math.min(...bounds.map((b) => b[1]));
  return { renewalFrom: Number.isFinite(from) ? from : undefined, renewalTo: Number.isFinite(to) ? to : undefined };
}

function checkCnam(country: string, value: string | undefined): string | null {
  const northAmerican = country === 'US' || country === 'CA';
  if (value && !northAmerican) throw new ApiError(400, 'cnam_lookup is available only for US and Canadian numbers');
  return northAmerican ? (value ?? 'disabled') : null;
}

/** What a number or endpoint runs, as a resource URI: its PHLO or its application (null: the owner's default application). */
export function linkedUri(row: { account_id: string; app_id: string | null; phlo_id: string | null }): string | null {
  if (row.phlo_id) return `/v1/Account/${row.account_id}/Phlo/${row.phlo_id}/`;
  return row.app_id ? `/v1/Account/${row.account_id}/Application/${row.app_id}/` : null;
}

/** How a number is looked up: as dialled, without a leading +. */
const numberKey = (numberInput: string): string => numberInput.trim().replace(/^\+/, '');

/** `known` when it is the route of `numberInput` (what fromCarrier returned), else undefined. */
function knownRoute(known: unknown, numberInput: string): InboundRoute | undefined {
  const route = known as Partial<InboundRoute> | null;
  return typeof route === 'object' && route !== null && route.number?.number === numberKey(numberInput) && 'application' in route ? (route as InboundRoute) : undefined;
}

export class Numbers {
  constructor(
    private readonly ctx: PlatformContext,
    private readonly accounts: Accounts,
    private readonly applications: Applications,
    private readonly billing: Billing,
    private readonly pricing: Pricing,
    private readonly renewals: Renewals,
    private readonly carriers: Carriers,
  ) {
    // Removing a carrier removes every number added for it, as the platform documents.
    carriers.registerDependent({ deleteForCarrier: (trx, a, carrierId) => numbersRepo.deleteForCarrier(trx, a, carrierId) });
    accounts.registerDependent({
      moveToMain: (trx, a, s) => numbersRepo.moveToMain(trx, a, s),
      deleteAll: (trx, a, s) => numbersRepo.deleteForSubaccount(trx, a, s),
    });
    // A deleted application's numbers are unlinked, whatever replacement an
    // application delete names for endpoints.
    applications.registerDependent({ relink: (trx, a, appId) => numbersRepo.relinkApp(trx, a, appId, null) });
  }

  // ---- inventory ---------------------------------------------------------

  /** Add the shipped inventory's numbers the store does not have yet (start-up; idempotent). */
  async seedPool(file = SHIPPED_POOL_FILE): Promise<void> {
    await this.addToPool(readPoolFile(file, this.pricing, 'shipped', this.ctx.clock.now()), false);
  }

  /**
   * Add (or, with replace, update) inventory rows in batches; `onBatch`
   * reports progress. Numbers already rented stay rented.
   */
  async addToPool(rows: NewPoolRow[], replace: boolean, onBatch?: (done: number) => void): Promise<void> {
    const BATCH = 200;
    for (let i = 0; i < rows.length; i += BATCH) {
      await poolRepo.upsert(this.ctx.db, rows.slice(i, i + BATCH), replace);
      onBatch?.(Math.min(rows.length, i + BATCH));
    }
  }

  async search(scope: Scope, q: SearchQuery) {
    const iso = requireCountryIso(q.country_iso);
    if (q.type !== undefined && !(q.type in SEARCH_TYPES)) {
      throw new ApiError(400, `type must be one of: ${Object.keys(SEARCH_TYPES).join(', ')}`);
    }
    const search = {
      countryIso: iso,
      types: SEARCH_TYPES[q.type ?? 'any'],
      startsWith: q.pattern ? callingCode(iso) + q.pattern.replace(/[*?]/g, '_') : undefined,
      regionContains: q.region,
      services: parseServices(q.services),
      lata: q.lata,
      rateCenter: q.rate_center,
    };
    const [rows, total] = await Promise.all([poolRepo.search(this.ctx.db, search, q.limit, q.offset), poolRepo.count(this.ctx.db, search)]);
    return { objects: rows.map((r) => this.phoneNumberView(scope, r)), total };
  }

  // ---- renting -----------------------------------------------------------

  /** Rent an inventory number: setup fee + first month from the account's credit, in one transaction. */
  async buy(scope: Scope, numberInput: string, input: { app_id?: string; cnam_lookup?: 'enabled' | 'disabled' }): Promise<NumberRow> {
    const number = normalizeNumber(numberInput);
    const pool = await poolRepo.find(this.ctx.db, number);
    if (!pool) {
      throw new ApiError(404, `number ${number} is not available: find numbers to buy with GET /v1/Account/${scope.callerId}/PhoneNumber/?country_iso=…`);
    }
    const row = this.rentedRow(scope, pool, checkCnam(pool.country_iso, input.cnam_lookup));
    try {
      await this.ctx.db.transaction().execute(async (trx) => {
        await this.assertNotOwned(trx, scope, number);
        row.app_id = await this.appFor(trx, scope, input.app_id);
        await this.rent(trx, scope, row);
      });
    } catch (err) {
      // Lost a race with a concurrent purchase of the same number.
      if (isUniqueViolation(err)) throw new ApiError(400, `number ${number} is already rented`);
      throw err;
    }
    this.renewals.kick();
    return row;
  }

  /**
   * Rent the first number for sale in a country with voice and point it at a
   * new application, in one transaction (the sandbox's shortcut for a test:
   * POST …/Sandbox/Number/). The rental is charged as `buy` charges it; the
   * application is named `test-{number}` unless `app_name` says otherwise.
   */
  async rentWithApplication(scope: Scope, countryIso: string, app: ApplicationInput & { answer_url: string }): Promise<{ number: NumberRow; application: ApplicationRow }> {
    const iso = requireCountryIso(countryIso);
    const owner = { accountId: scope.accountId, subaccountId: scope.subaccountId };
    // Another request may rent the number found between the search and the insert (PostgreSQL): the next one for sale is tried.
    for (let attempt = 0; ; attempt++) {
      try {
        const rented = await this.ctx.db.transaction().execute(async (trx) => {
          const [forSale] = await poolRepo.search(trx, { countryIso: iso, services: { voice: true } }, 1, 0);
          const pool = forSale ?? (await this.addSibling(trx, iso));
          if (!pool) {
            throw new ApiError(404, `no ${iso} number with voice is for sale: every one is rented (release some, or add numbers to the inventory with \`switchboard numbers import\`)`);
          }
          const application = await this.applications.insert(trx, owner, { ...app, app_name: app.app_name ?? `test-${pool.number}` });
          const number = { ...this.rentedRow(scope, pool, checkCnam(pool.country_iso, undefined)), app_id: application.app_id };
          await this.rent(trx, scope, number);
          return { number, application };
        });
        this.renewals.kick();
        return rented;
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= 5) throw err;
      }
    }
  }

  /**
   * When a country's inventory is sold out, the sandbox shortcut adds a
   * sibling of one of its numbers — the same number with other last two
   * digits, so the shipped fictional ranges (555-01xx, Ofcom's drama
   * numbers …) stay fictional — rather than fail the 29th test of a suite
   * that shares one server. None is added when all 100 siblings of every
   * number are taken, or the country has no numbers with voice at all.
   */
  private async addSibling(trx: Executor, iso: string): Promise<PoolRow | undefined> {
    const known = await poolRepo.withVoice(trx, iso);
    const taken = new Set(known.map((row) => row.number));
    for (const template of known) {
      const stem = template.number.slice(0, -2);
      for (let last = 0; last < 100; last++) {
        const number = stem + String(last).padStart(2, '0');
        if (taken.has(number) || countryOf(number) !== iso) continue;
        const sibling: PoolRow = { ...template, number, source: 'sandbox', created_at: this.ctx.clock.now() };
        await poolRepo.upsert(trx, [sibling], false);
        return sibling;
      }
    }
    return undefined;
  }

  /** A number row for `scope` renting `pool` now (its app linked by the caller). */
  private rentedRow(scope: Scope, pool: PoolRow, cnamLookup: string | null): NumberRow {
    const now = this.ctx.clock.now();
    return {
      number: pool.number,
      account_id: scope.accountId,
      subaccount_id: scope.subaccountId,
      app_id: null,
      phlo_id: null,
      alias: null,
      source: 'rented',
      carrier: RENTED_CARRIER,
      country_iso: pool.country_iso,
      number_type: pool.number_type,
      region: [pool.region, countryName(pool.country_iso).toUpperCase()].filter(Boolean).join(', '),
      voice_enabled: pool.voice_enabled,
      sms_enabled: pool.sms_enabled,
      mms_enabled: pool.mms_enabled,
      cnam_lookup: cnamLookup,
      monthly_rental_rate: pool.monthly_rental_rate,
      setup_rate: pool.setup_rate,
      added_at: now,
      rental_periods: 1,
      renewal_at: addMonths(now, 1),
    };
  }

  /** Insert the rented number and charge its setup fee and first month. */
  private async rent(trx: Executor, scope: Scope, row: NumberRow): Promise<void> {
    await numbersRepo.insert(trx, row);
    await this.billing.charge(trx, scope, 'number_rental', row.setup_rate + row.monthly_rental_rate,
      `rent ${row.number}: setup ${formatMoney(row.setup_rate)} + first month ${formatMoney(row.monthly_rental_rate)}`, row.number);
  }

  private async assertNotOwned(trx: Executor, scope: Scope, number: string): Promise<void> {
    const owner = await numbersRepo.findAny(trx, number);
    if (!owner) return;
    const yours = owner.account_id === scope.accountId && (!scope.subaccountId || owner.subaccount_id === scope.subaccountId);
    throw new ApiError(400, yours ? `number ${number} is already in your account` : `number ${number} is already rented`);
  }

  /** An application the caller can see, or null for none/"" ("null" is how some clients send null). */
  private async checkApp(db: Executor, scope: Scope, appId: string | null | undefined): Promise<string | null> {
    if (!appId || appId === 'null') return null;
    const app = await applicationsRepo.find(db, ownerFilter(scope), appId);
    if (!app) throw new ApiError(400, `app_id ${appId} is not an application of this account`);
    return app.app_id;
  }

  /** The app a new number is linked to: the one named, else the owner's default number application. */
  private async appFor(db: Executor, owner: Scope, appId: string | undefined): Promise<string | null> {
    return (await this.checkApp(db, owner, appId)) ?? (await this.applications.defaultAppId(db, owner, 'number'));
  }

  /** What the number runs after an update: an application (`app_id`, or object_type application) or a PHLO, never both. */
  private async linkFor(trx: Executor, scope: Scope, input: UpdateInput): Promise<{ app_id?: string | null; phlo_id?: string | null }> {
    if (input.object_type === 'phlo') {
      const phlo = await phlosRepo.find(trx, ownerFilter(scope), input.object_id!);
      if (!phlo) throw new ApiError(400, `object_id ${input.object_id} is not a PHLO of this account`);
      return { app_id: null, phlo_id: phlo.phlo_id };
    }
    const appId = input.object_type === 'application' ? input.object_id : input.app_id;
    if (appId === undefined) return {};
    const app_id = await this.checkApp(trx, scope, appId);
    return app_id ? { app_id, phlo_id: null } : { app_id };
  }

  /** Add numbers from the operator's own carrier (trunk numbers): no rental, inbound routed like rented numbers. */
  async addOwn(scope: Scope, input: OwnNumbersInput): Promise<string[]> {
    const list = [...new Set(input.numbers.split(',').map((n) => n.trim()).filter(Boolean).map((n) => normalizeNumber(n, 'numbers')))];
    if (list.length === 0) throw new ApiError(400, 'numbers must list at least one number (comma-separated)');
    if (list.length > 100) throw new ApiError(400, 'numbers may list at most 100 numbers per request');
    const subaccountId = await assignableSubaccount(this.accounts, scope, input.subaccount);
    const owner: Scope = { ...scope, subaccountId };
    const now = this.ctx.clock.now();
    try {
      await this.ctx.db.transaction().execute(async (trx) => {
        if (!(await this.carriers.findOfAccount(trx, scope.accountId, input.carrier))) {
          throw new ApiError(400, `carrier ${input.carrier} is not an incoming carrier of this account; give the carrier_id of one (GET /v1/Account/${scope.callerId}/IncomingCarrier/)`);
        }
        const appId = await this.appFor(trx, owner, input.app_id);
        for (const number of list) {
          await this.assertNotOwned(trx, owner, number);
          if (await poolRepo.find(trx, number)) {
            throw new ApiError(400, `number ${number} is in the platform's inventory: rent it with POST /v1/Account/${scope.callerId}/PhoneNumber/${number}/`);
          }
          const iso = countryOf(number) ?? '';
          await numbersRepo.insert(trx, {
            number,
            account_id: scope.accountId,
            subaccount_id: subaccountId,
            app_id: appId,
            phlo_id: null,
            alias: null,
            source: 'own',
            carrier: input.carrier,
            country_iso: iso,
            number_type: input.number_type ?? 'local',
            region: input.region,
            voice_enabled: 1,
            sms_enabled: 0,
            mms_enabled: 0,
            cnam_lookup: null,
            monthly_rental_rate: 0,
            setup_rate: 0,
            added_at: now,
            rental_periods: 0,
            renewal_at: null,
          });
        }
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ApiError(400, 'one of the numbers was added to the platform at the same time; nothing was added');
      throw err;
    }
    return list;
  }

  // ---- owned numbers -----------------------------------------------------

  async list(scope: Scope, q: ListQuery) {
    if (q.subaccount) await assignableSubaccount(this.accounts, scope, q.subaccount);
    const filter: NumberFilter = {
      ...ownerFilter(scope, q.subaccount),
      types: q.type ? SEARCH_TYPES[q.type] : undefined,
      startsWith: q.number_startswith,
      alias: q.alias,
      services: parseServices(q.services),
      ...renewalRange(q),
    };
    const [rows, total] = await Promise.all([numbersRepo.list(this.ctx.db, filter, q.limit, q.offset), numbersRepo.count(this.ctx.db, filter)]);
    return { objects: rows.map((r) => this.numberView(r)), total };
  }

  async get(scope: Scope, numberInput: string): Promise<NumberRow> {
    const number = normalizeNumber(numberInput);
    const row = await numbersRepo.find(this.ctx.db, ownerFilter(scope), number);
    if (!row) throw notFound(`number ${number} in this account`);
    return row;
  }

  async update(scope: Scope, numberInput: string, input: UpdateInput): Promise<void> {
    assertSomethingToChange({ app_id: input.app_id, object_type: input.object_type, object_id: input.object_id, subaccount: input.subaccount, alias: input.alias, cnam_lookup: input.cnam_lookup });
    const number = normalizeNumber(numberInput);
    const subaccountId = input.subaccount === undefined ? undefined : await assignableSubaccount(this.accounts, scope, input.subaccount || undefined);
    if ((input.object_type === undefined) !== (input.object_id === undefined)) {
      throw new ApiError(400, 'object_type and object_id go together: object_type=phlo&object_id={phlo_id}, or object_type=application&object_id={app_id}');
    }
    await this.ctx.db.transaction().execute(async (trx) => {
      const row = await numbersRepo.find(trx, ownerFilter(scope), number);
      if (!row) throw notFound(`number ${number} in this account`);
      await numbersRepo.update(trx, number, {
        ...(await this.linkFor(trx, scope, input)),
        ...(subaccountId !== undefined ? { subaccount_id: subaccountId } : {}),
        ...(input.alias !== undefined ? { alias: input.alias } : {}),
        ...(input.cnam_lookup !== undefined ? { cnam_lookup: checkCnam(row.country_iso, input.cnam_lookup) } : {}),
      });
    });
  }

  /** Release a number: rental stops and a rented number goes back to the inventory. No refund of the current month. */
  async unrent(scope: Scope, numberInput: string): Promise<void> {
    const number = normalizeNumber(numberInput);
    await this.ctx.db.transaction().execute(async (trx) => {
      if (!(await numbersRepo.find(trx, ownerFilter(scope), number))) throw notFound(`number ${number} in this account`);
      await numbersRepo.delete(trx, number);
    });
  }

  // ---- inbound -------------------------------------------------------------

  /**
   * Where an inbound call or message to `number` goes; undefined when no
   * account owns it. `known`: the route fromCarrier found moments ago for the
   * same call (InboundInfo.known), used instead of reading it again.
   */
  async routeInbound(numberInput: string, known?: unknown): Promise<InboundRoute | undefined> {
    const found = knownRoute(known, numberInput);
    if (found) return { accountId: found.accountId, subaccountId: found.subaccountId, number: found.number, application: found.application };
    const row = await this.ownerOf(numberInput);
    if (!row) return undefined;
    const application = row.app_id ? await applicationsRepo.find(this.ctx.db, { accountId: row.account_id }, row.app_id) : undefined;
    return { accountId: row.account_id, subaccountId: row.subaccount_id, number: row, application };
  }

  /**
   * A call from an incoming carrier's address to `number`: where it goes, the
   * carrier listing the address, and whether the number is that carrier's
   * own. Carriers of several accounts may share an address, so the called
   * number decides the account, and the address must be on one of that
   * account's carriers; undefined when it is not or nobody owns the number.
   */
  async fromCarrier(sourceIp: string, number: string): Promise<(InboundRoute & { carrier: CarrierRow; carriersOwn: boolean }) | undefined> {
    const ip = normalizeIp(sourceIp);
    // The number, its owner's carrier at that address and its application in one read: the call is routed by what it found.
    const found = ip === undefined ? undefined : await numbersRepo.forCarrierCall(this.ctx.db, numberKey(number), ip);
    if (!found?.carrier) return undefined;
    const { number: row, carrier, application } = found;
    return { accountId: row.account_id, subaccountId: row.subaccount_id, number: row, application, carrier, carriersOwn: row.carrier === carrier.carrier_id };
  }

  private ownerOf(numberInput: string): Promise<NumberRow | undefined> {
    return numbersRepo.findAny(this.ctx.db, numberKey(numberInput));
  }

  // ---- views -------------------------------------------------------------

  /** Which services a number has, each with the inbound rate its owner pays (null where the number lacks it or it is not priced). */
  private services(row: PoolRow | NumberRow) {
    const rate = (service: 'voice' | 'sms' | 'mms', enabled: number): string | null => {
      if (!enabled) return null;
      try {
        return formatMoney(this.pricing.rate({ service, direction: 'inbound', number: row.number, numberType: row.number_type }).rate);
      } catch {
        return null;
      }
    };
    return {
      mms_enabled: row.mms_enabled === 1,
      mms_rate: rate('mms', row.mms_enabled),
      sms_enabled: row.sms_enabled === 1,
      sms_rate: rate('sms', row.sms_enabled),
      voice_enabled: row.voice_enabled === 1,
      voice_rate: rate('voice', row.voice_enabled),
    };
  }

  phoneNumberView(scope: Scope, row: PoolRow) {
    return {
      city: row.city || null,
      country: countryName(row.country_iso).toUpperCase(),
      lata: row.lata,
      ...this.services(row), // mms_, sms_ and voice_ enabled and rate
      monthly_rental_rate: formatMoney(row.monthly_rental_rate),
      number: row.number,
      prefix: row.prefix,
      rate_center: row.rate_center,
      region: row.region,
      resource_uri: `/v1/Account/${scope.callerId}/PhoneNumber/${row.number}/`,
      restriction: null,
      restriction_text: null,
      setup_rate: formatMoney(row.setup_rate),
      // The platform's search types: local and national numbers are "fixed".
      sub_type: row.number_type,
      type: row.number_type === 'local' || row.number_type === 'national' ? 'fixed' : row.number_type,
    };
  }

  numberView(row: NumberRow) {
    return {
      active: true,
      added_on: formatDate(row.added_at),
      alias: row.alias,
      application: linkedUri(row),
      carrier: row.carrier,
      cnam_lookup: row.cnam_lookup,
      country: row.country_iso ? countryName(row.country_iso) : null,
      ...this.services(row), // mms_, sms_ and voice_ enabled and rate
      monthly_rental_rate: formatMoney(row.monthly_rental_rate),
      number: row.number,
      number_type: row.number_type,
      region: row.region,
      renewal_date: row.renewal_at === null ? null : formatDate(row.renewal_at),
      resource_uri: `/v1/Account/${row.account_id}/Number/${row.number}/`,
      sub_account: row.subaccount_id ? subaccountUri(row.account_id, row.subaccount_id) : null,
      tendlc_campaign_id: null,
      tendlc_registration_status: null,
      toll_free_sms_verification: null,
      type: row.number_type,
    };
  }
}
