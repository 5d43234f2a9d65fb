// Main accounts and subaccounts: credentials, profile fields, enable/disable
// and removal with the platform's cascade rules.
import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError, notFound } from '../errors.ts';
import { newAccountAuthId, newAuthToken, newRowUuid, newSubaccountAuthId } from '../ids.ts';
import { formatMoney, type Micros } from '../money.ts';
import type { AccountRow } from '../store/schema.ts';
import { accountsRepo, ledgerRepo, type Executor } from '../store/repos/accounts.ts';
import type { PlatformContext, SubaccountDependent } from './context.ts';
import { accountUri, subaccountUri, type Scope } from './scope.ts';
import { formatDate } from './time.ts';
import { assertSomethingToChange } from './patch.ts';

export interface Credentials {
  authId: string;
  authToken: string;
}

export interface AccountPatchInput {
  name?: string;
  city?: string;
  address?: string;
  state?: string;
  timezone?: string;
}

/** Sandbox credit a new main account starts with, so the tour can buy a number. */
export const STARTING_CREDIT: Micros = 25_000_000;

/** A fresh account row: profile fields empty, prepaid, no balance of its own. */
function newAccountRow(fields: Pick<AccountRow, 'auth_id' | 'parent_id' | 'auth_token' | 'name' | 'enabled' | 'created_at'>): AccountRow {
  return {
    city: '',
    address: '',
    state: '',
    timezone: 'UTC',
    account_type: 'standard',
    billing_mode: 'prepaid',
    auto_recharge: 0,
    cash_credits: 0,
    held_credits: 0,
    modified_at: null,
    ...fields,
  };
}

export function accountView(row: AccountRow, cashCredits: Micros) {
  return {
    account_type: row.account_type,
    address: row.address,
    auth_id: row.auth_id,
    auto_recharge: row.auto_recharge === 1,
    billing_mode: row.billing_mode,
    cash_credits: formatMoney(cashCredits),
    city: row.city,
    name: row.name,
    resource_uri: accountUri(row.auth_id),
    state: row.state,
    timezone: row.timezone,
  };
}

export function subaccountView(row: AccountRow) {
  return {
    account: accountUri(row.parent_id!),
    auth_id: row.auth_id,
    auth_token: row.auth_token,
    created: formatDate(row.created_at),
    enabled: row.enabled === 1,
    modified: row.modified_at === null ? null : formatDate(row.modified_at),
    name: row.name,
    resource_uri: subaccountUri(row.parent_id!, row.auth_id),
  };
}

/**
 * Every API request authenticates, so account rows are cached briefly. The
 * TTL is wall time on purpose (a cache, not platform time) and bounds how
 * long another node's change (PostgreSQL, several nodes) can go unseen;
 * changes made through this node invalidate at once.
 */
const ACCOUNT_CACHE_MS = 1000;

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
/** Compared when the auth id does not exist, so that answer costs what a wrong token does. */
const NO_TOKEN = digest('no such account');

/** Constant-time: equal-length digests through timingSafeEqual, the same work whether or not the account exists. */
function checkToken(row: AccountRow | undefined, token: string): AccountRow | undefined {
  const match = timingSafeEqual(row ? digest(row.auth_token) : NO_TOKEN, digest(token));
  return row && match ? row : undefined;
}

export class Accounts {
  private readonly dependents: SubaccountDependent[] = [];
  private readonly cache = new Map<string, { row: AccountRow | undefined; at: number }>();

  constructor(private readonly ctx: PlatformContext) {}

  /** The cached row (`{ row }`, the row may be undefined: no such account), or undefined when not cached or stale. */
  private peek(authId: string): { row: AccountRow | undefined } | undefined {
    const hit = this.cache.get(authId);
    return hit && performance.now() - hit.at < ACCOUNT_CACHE_MS ? hit : undefined;
  }

  private async cached(authId: string): Promise<AccountRow | undefined> {
    const hit = this.peek(authId);
    if (hit) return hit.row;
    const now = performance.now();
    const row = await accountsRepo.find(this.ctx.db, authId);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(authId, { row, at: now });
    return row;
  }

  private invalidate(authId: string): void {
    this.cache.delete(authId);
  }

  /** Numbers, endpoints, applications … call this once at start-up. */
  registerDependent(d: SubaccountDependent): void {
    this.dependents.push(d);
  }

  /** Look up credentials for Basic auth; undefined when they do not match an enabled account. */
  async authenticate(authId: string, authToken: string): Promise<AccountRow | undefined> {
    return checkToken(await this.cached(authId), authToken);
  }

  /**
   * `authenticate` without a promise when the account is cached (null when
   * it is not): every API request authenticates, and most are cache hits.
   */
  authenticateCached(authId: string, authToken: string): AccountRow | undefined | null {
    const hit = this.peek(authId);
    return hit ? checkToken(hit.row, authToken) : null;
  }

  /** Cached read (see ACCOUNT_CACHE_MS); use for lookups, not for balances. */
  find(authId: string): Promise<AccountRow | undefined> {
    return this.cached(authId);
  }

  /**
   * Make sure the main account exists. With configured credentials it exists
   * with exactly those; otherwise credentials generated on first start are
   * kept in the data dir and reused. `created` tells the caller to print them.
   */
  async ensureMain(configured: Credentials | undefined, dataDir: string): Promise<{ credentials: Credentials; created: boolean }> {
    const file = path.join(dataDir, 'credentials.json');
    let credentials = configured;
    let generated = false;
    if (!credentials && fs.existsSync(file)) {
      credentials = JSON.parse(fs.readFileSync(file, 'utf8')) as Credentials;
    }
    if (!credentials) {
      credentials = { authId: newAccountAuthId(), authToken: newAuthToken() };
      generated = true;
    }
    const existing = await accountsRepo.find(this.ctx.db, credentials.authId);
    if (existing) {
      if (existing.auth_token !== credentials.authToken) {
        await accountsRepo.setAuthToken(this.ctx.db, credentials.authId, credentials.authToken);
        this.invalidate(credentials.authId);
      }
    } else {
      await this.createMain(credentials, 'Switchboard');
    }
    if (generated) {
      fs.mkdirSync(dataDir, { recursive: true });
      fs.writeFileSync(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
    }
    return { credentials, created: generated || !existing };
  }

  async createMain(credentials: Credentials, name: string): Promise<void> {
    const now = this.ctx.clock.now();
    await this.ctx.db.transaction().execute(async (trx) => {
      await accountsRepo.insert(trx, newAccountRow({ auth_id: credentials.authId, parent_id: null, auth_token: credentials.authToken, name, enabled: 1, created_at: now }));
      await this.addLedgerEntry(trx, credentials.authId, null, 'credit', STARTING_CREDIT, 'starting sandbox credit');
    });
  }

  /** Every balance change goes through here, inside the caller's transaction. */
  async addLedgerEntry(trx: Executor, accountId: string, subaccountId: string | null, kind: string, amount: Micros, description: string, reference: string | null = null): Promise<void> {
    await ledgerRepo.add(trx, {
      id: newRowUuid(),
      account_id: accountId,
      subaccount_id: subaccountId,
      kind,
      amount,
      description,
      reference,
      created_at: this.ctx.clock.now(),
    });
  }

  async get(scope: Scope) {
    const authId = scope.subaccountId ?? scope.accountId;
    const row = await accountsRepo.find(this.ctx.db, authId);
    if (!row) throw notFound(`account ${authId}`);
    // Subaccounts draw on their parent's credit, so they show its balance.
    const payer = scope.subaccountId ? await accountsRepo.find(this.ctx.db, scope.accountId) : row;
    return accountView(row, payer!.cash_credits);
  }

  async update(scope: Scope, input: AccountPatchInput): Promise<void> {
    const patch = { name: input.name, city: input.city, address: input.address, state: input.state, timezone: input.timezone };
    assertSomethingToChange(patch);
    const authId = scope.subaccountId ?? scope.accountId;
    await accountsRepo.updateProfile(this.ctx.db, authId, { ...patch, modified_at: this.ctx.clock.now() });
    this.invalidate(authId);
  }

  // ---- subaccounts -------------------------------------------------------

  private requireMain(scope: Scope): void {
    if (scope.subaccountId) {
      throw new ApiError(401, 'subaccounts cannot manage subaccounts; use the main account credentials and path');
    }
  }

  async createSubaccount(scope: Scope, input: { name: string; enabled?: boolean }) {
    this.requireMain(scope);
    const row = newAccountRow({
      auth_id: newSubaccountAuthId(),
      parent_id: scope.accountId,
      auth_token: newAuthToken(),
      name: input.name,
      // The platform documents "Defaults to False".
      enabled: input.enabled ? 1 : 0,
      created_at: this.ctx.clock.now(),
    });
    await accountsRepo.insert(this.ctx.db, row);
    return row;
  }

  async getSubaccount(scope: Scope, subId: string) {
    this.requireMain(scope);
    const row = await accountsRepo.findSubaccount(this.ctx.db, scope.accountId, subId);
    if (!row) throw notFound(`subaccount ${subId}`);
    return subaccountView(row);
  }

  async listSubaccounts(scope: Scope, limit: number, offset: number) {
    this.requireMain(scope);
    const [rows, total] = await Promise.all([
      accountsRepo.listSubaccounts(this.ctx.db, scope.accountId, limit, offset),
      accountsRepo.countSubaccounts(this.ctx.db, scope.accountId),
    ]);
    return { objects: rows.map(subaccountView), total };
  }

  async updateSubaccount(scope: Scope, subId: string, input: { name: string; enabled?: boolean }): Promise<void> {
    this.requireMain(scope);
    const patch = { name: input.name, modified_at: this.ctx.clock.now(), ...(input.enabled === undefined ? {} : { enabled: (input.enabled ? 1 : 0) as 0 | 1 }) };
    const changed = await accountsRepo.updateSubaccount(this.ctx.db, scope.accountId, subId, patch);
    this.invalidate(subId);
    if (!changed) throw notFound(`subaccount ${subId}`);
  }

  /**
   * Without cascade the subaccount's applications, numbers and endpoints move
   * to the main account; with cascade they are deleted (numbers unrented).
   */
  async deleteSubaccount(scope: Scope, subId: string, cascade: boolean): Promise<void> {
    this.requireMain(scope);
    const found = await this.ctx.db.transaction().execute(async (trx) => {
      if (!(await accountsRepo.findSubaccount(trx, scope.accountId, subId))) return false;
      for (const d of this.dependents) {
        if (cascade) await d.deleteAll(trx, scope.accountId, subId);
        else await d.moveToMain(trx, scope.accountId, subId);
      }
      await accountsRepo.delete(trx, subId);
      return true;
    });
    this.invalidate(subId);
    if (!found) throw notFound(`subaccount ${subId}`);
  }
}
