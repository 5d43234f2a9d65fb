// Incoming carriers: the SIP trunks an operator receives calls from. Their
// addresses authorize inbound SIP traffic. Tenants may share an upstream
// carrier, so an address is unique only among one account's carriers; the
// called number decides which account a call reaches (Numbers.fromCarrier).
import { isIP } from 'node:net';
import { ApiError, notFound } from '../errors.ts';
import { newNumericId } from '../ids.ts';
import type { Executor } from '../store/repos/accounts.ts';
import { carriersRepo } from '../store/repos/carriers.ts';
import { isUniqueViolation } from '../store/repos/owned.ts';
import type { CarrierRow } from '../store/tables/endpoints.ts';
import type { PlatformContext } from './context.ts';
import type { Scope } from './scope.ts';
import { assertSomethingToChange } from './patch.ts';

export interface CarrierInput {
  name?: string;
  ip_set?: string;
  prefix_set?: string;
  voice?: boolean;
  sms?: boolean;
}

export interface CarrierListQuery {
  name?: string;
  limit: number;
  offset: number;
}

/** Numbers added for a carrier register here: removing the carrier removes them, as the platform documents. */
export interface CarrierDependent {
  deleteForCarrier(trx: Executor, accountId: string, carrierId: string): Promise<void>;
}

/** A carrier may list at most this many addresses. */
export const MAX_CARRIER_IPS = 100;

/**
 * One spelling per address, so lookups by a packet's source match what was
 * configured: IPv6 in its compressed lower-case form, IPv4-mapped IPv6 as IPv4.
 */
export function normalizeIp(input: string): string | undefined {
  const ip = input.trim();
  const family = isIP(ip);
  if (family === 4) return ip;
  if (family !== 6) return undefined;
  const canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const hi = parseInt(mapped[1]!, 16);
  const lo = parseInt(mapped[2]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

function parseIpSet(value: string): string[] {
  const ips = new Set<string>();
  for (const part of value.split(',')) {
    if (part.trim() === '') continue;
    const ip = normalizeIp(part);
    if (!ip) throw new ApiError(400, `ip_set: "${part.trim()}" is not an IPv4 or IPv6 address; give a comma-separated list of addresses`);
    ips.add(ip);
  }
  if (ips.size === 0) throw new ApiError(400, 'ip_set must list at least one IP address (comma-separated)');
  if (ips.size > MAX_CARRIER_IPS) throw new ApiError(400, `ip_set may list at most ${MAX_CARRIER_IPS} addresses`);
  return [...ips];
}

function parsePrefixSet(value: string): string {
  const prefixes = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const p of prefixes) {
    if (!/^\+?\d{1,15}$/.test(p)) throw new ApiError(400, `prefix_set: "${p}" is not a number prefix; give a comma-separated list of digits, e.g. 1415,1650`);
  }
  return [...new Set(prefixes.map((p) => p.replace(/^\+/, '')))].join(',');
}

export function carrierView(row: CarrierRow) {
  return {
    carrier_id: row.carrier_id,
    ip_set: row.ip_set,
    name: row.name,
    prefix_set: row.prefix_set,
    resource_uri: `/v1/Account/${row.account_id}/IncomingCarrier/${row.carrier_id}/`,
    sms: row.sms === 1,
    voice: row.voice === 1,
  };
}

const flag = (b: boolean | undefined, fallback: 0 | 1): 0 | 1 => (b === undefined ? fallback : b ? 1 : 0);

export class Carriers {
  private readonly dependents: CarrierDependent[] = [];
  private readonly changeListeners: Array<() => void> = [];

  constructor(private readonly ctx: PlatformContext) {}

  registerDependent(d: CarrierDependent): void {
    this.dependents.push(d);
  }

  /** Hear of every committed change to carriers' addresses made through this node (the SIP driver reloads the ones it trusts). */
  onAddressesChanged(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  private addressesChanged(): void {
    for (const l of this.changeListeners) l();
  }

  /** Every address any incoming carrier lists, of every account. */
  addresses(): Promise<string[]> {
    return carriersRepo.allIps(this.ctx.db);
  }

  /**
   * Carriers are the main account's trunks, and their ip_set is the
   * operator's network: subaccounts can neither read nor change them.
   */
  private requireMain(scope: Scope): void {
    if (scope.subaccountId) throw new ApiError(401, 'incoming carriers belong to the main account; use the main account credentials and path');
  }

  private async claimIps(trx: Executor, scope: Scope, carrierId: string, ips: string[]): Promise<void> {
    const taken = await carriersRepo.takenIps(trx, scope.accountId, ips, carrierId);
    if (taken.length > 0) throw ipConflict(taken);
    await carriersRepo.setIps(trx, scope.accountId, carrierId, ips);
  }

  async create(scope: Scope, input: CarrierInput & { name: string; ip_set: string }): Promise<CarrierRow> {
    this.requireMain(scope);
    const ips = parseIpSet(input.ip_set);
    const row: CarrierRow = {
      carrier_id: newNumericId(),
      account_id: scope.accountId,
      name: input.name,
      ip_set: ips.join(','),
      prefix_set: parsePrefixSet(input.prefix_set ?? ''),
      voice: flag(input.voice, 1),
      sms: flag(input.sms, 0),
      created_at: this.ctx.clock.now(),
    };
    await this.write(async (trx) => {
      await carriersRepo.insert(trx, row);
      await this.claimIps(trx, scope, row.carrier_id, ips);
    });
    this.addressesChanged();
    return row;
  }

  async find(scope: Scope, carrierId: string): Promise<CarrierRow> {
    this.requireMain(scope);
    const row = await carriersRepo.find(this.ctx.db, scope.accountId, carrierId);
    if (!row) throw notFound(`incoming carrier ${carrierId}`);
    return row;
  }

  async list(scope: Scope, q: CarrierListQuery) {
    this.requireMain(scope);
    const filter = { accountId: scope.accountId, nameContains: q.name };
    const [rows, total] = await Promise.all([carriersRepo.list(this.ctx.db, filter, q.limit, q.offset), carriersRepo.count(this.ctx.db, filter)]);
    return { objects: rows.map(carrierView), total };
  }

  async update(scope: Scope, carrierId: string, input: CarrierInput): Promise<void> {
    this.requireMain(scope);
    assertSomethingToChange({ name: input.name, ip_set: input.ip_set, prefix_set: input.prefix_set, voice: input.voice, sms: input.sms });
    const ips = input.ip_set === undefined ? undefined : parseIpSet(input.ip_set);
    const prefixSet = input.prefix_set === undefined ? undefined : parsePrefixSet(input.prefix_set);
    await this.write(async (trx) => {
      const current = await carriersRepo.find(trx, scope.accountId, carrierId);
      if (!current) throw notFound(`incoming carrier ${carrierId}`);
      if (ips) await this.claimIps(trx, scope, carrierId, ips);
      await carriersRepo.update(trx, carrierId, {
        name: input.name ?? current.name,
        ip_set: ips ? ips.join(',') : current.ip_set,
        prefix_set: prefixSet ?? current.prefix_set,
        voice: flag(input.voice, current.voice),
        sms: flag(input.sms, current.sms),
      });
    });
    if (ips) this.addressesChanged();
  }

  async delete(scope: Scope, carrierId: string): Promise<void> {
    this.requireMain(scope);
    await this.ctx.db.transaction().execute(async (trx) => {
      if (!(await carriersRepo.find(trx, scope.accountId, carrierId))) throw notFound(`incoming carrier ${carrierId}`);
      for (const d of this.dependents) await d.deleteForCarrier(trx, scope.accountId, carrierId);
      await carriersRepo.delete(trx, carrierId);
    });
    this.addressesChanged();
  }

  /** The account's carrier with this id (an own-carrier number must name one). */
  findOfAccount(db: Executor, accountId: string, carrierId: string): Promise<CarrierRow | undefined> {
    return carriersRepo.find(db, accountId, carrierId);
  }

  /** A transaction whose address claims may race another request's: the unique index decides, reported as 400. */
  private async write(fn: (trx: Executor) => Promise<void>): Promise<void> {
    try {
      await this.ctx.db.transaction().execute(fn);
    } catch (err) {
      if (isUniqueViolation(err)) throw ipConflict([]);
      throw err;
    }
  }
}

function ipConflict(ips: string[]): ApiError {
  const which = ips.length > 0 ? ips.join(', ') : 'an address of ip_set';
  return new ApiError(400, `ip_set: ${which} already belongs to another incoming carrier of this account; an address can authorize only one of its carriers`);
}
