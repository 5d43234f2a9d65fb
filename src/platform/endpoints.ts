// SIP endpoints: credentials SIP phones register with, and the application
// their calls run. The password itself is never stored or logged: we keep
// the digest secrets HA1 = H(username:realm:password) for SIP, with MD5 and
// with SHA-256, and md5 of the password, which the platform shows as the
// endpoint's `password`.
import { createHash } from 'node:crypto';
import { ApiError, notFound } from '../errors.ts';
import { newNumericId } from '../ids.ts';
import { applicationsRepo } from '../store/repos/applications.ts';
import { endpointsRepo } from '../store/repos/endpoints.ts';
import { phlosRepo } from '../store/repos/phlos.ts';
import { linkedUri } from './numbers.ts';
import { isUniqueViolation } from '../store/repos/owned.ts';
import type { Executor } from '../store/repos/accounts.ts';
import type { ApplicationRow } from '../store/schema.ts';
import type { EndpointRow } from '../store/tables/endpoints.ts';
import type { Accounts } from './accounts.ts';
import type { Applications } from './applications.ts';
import type { PlatformContext } from './context.ts';
import { assignableSubaccount } from './owner.ts';
import { ownerFilter, subaccountUri, type Scope } from './scope.ts';
import { formatTimestamp } from './time.ts';
import { assertSomethingToChange } from './patch.ts';

export interface EndpointCreateInput {
  username: string;
  password: string;
  alias: string;
  app_id?: string;
  /** A PHLO the endpoint's calls run instead of an application. */
  phlo_id?: string;
}

export interface EndpointUpdateInput {
  password?: string;
  alias?: string;
  /** Empty string unlinks the application. */
  app_id?: string;
  /** A PHLO to run instead of an application; empty string detaches it. */
  phlo_id?: string;
  /** Refused: the digest secret is bound to the username. */
  username?: string;
}

export interface EndpointListQuery {
  subaccount?: string;
  limit: number;
  offset: number;
}

/** A SIP client's registration, as the SIP driver (or the sandbox) reports it. */
export interface Registration {
  contact: string;
  /** Epoch ms on the platform clock. */
  expiresAt: number;
  userAgent: string;
}

/** What the SIP driver and the sandbox need to mark endpoints registered. */
export interface EndpointRegistry {
  setRegistration(username: string, registration: Registration): Promise<boolean>;
  clearRegistration(username: string): Promise<boolean>;
}

const hex = (hash: 'md5' | 'sha256', text: string): string => createHash(hash).update(text).digest('hex');

/** The SIP Digest secret H(username:realm:password), MD5 unless asked for SHA-256. */
export const ha1Of = (username: string, realm: string, password: string, hash: 'md5' | 'sha256' = 'md5'): string => hex(hash, `${username}:${realm}:${password}`);

/** What a new password is kept as: the SIP digest secrets (MD5 and SHA-256) for today's realm, and the MD5 the API shows. */
const secretsOf = (username: string, realm: string, password: string) => ({
  ha1: ha1Of(username, realm, password),
  ha1_sha256: ha1Of(username, realm, password, 'sha256'),
  realm,
  password_md5: hex('md5', password),
});

/** The platform's 12-digit suffix: the creation time as yyMMddHHmmss (UTC), as in the spec's examples. */
export function usernameSuffix(ms: number): string {
  return formatTimestamp(ms).slice(2, 19).replace(/\D/g, '');
}

export const isRegistered = (row: EndpointRow, now: number): boolean => row.sip_contact !== null && row.sip_expires_at !== null && row.sip_expires_at > now;

export function endpointView(row: EndpointRow, sipDomain: string, now: number) {
  const registered = isRegistered(row, now);
  return {
    alias: row.alias,
    application: linkedUri(row),
    endpoint_id: row.endpoint_id,
    // The platform returns the MD5 hash of the password here.
    password: row.password_md5,
    resource_uri: `/v1/Account/${row.account_id}/Endpoint/${row.endpoint_id}/`,
    // The spec sends these as strings.
    sip_registered: registered ? 'true' : 'false',
    sip_uri: `sip:${row.username}@${sipDomain}`,
    sub_account: row.subaccount_id ? subaccountUri(row.account_id, row.subaccount_id) : null,
    username: row.username,
    // Present only while registered, as in the spec's examples.
    ...(registered
      ? { sip_contact: row.sip_contact, sip_expires: formatTimestamp(row.sip_expires_at!).slice(0, 19), sip_user_agent: row.sip_user_agent }
      : {}),
  };
}

/** Two creations racing for one username (or id) retry this often before giving up. */
const INSERT_RETRIES = 3;

export class Endpoints implements EndpointRegistry {
  constructor(
    private readonly ctx: PlatformContext,
    private readonly accounts: Accounts,
    private readonly applications: Applications,
    /** SIP domain of endpoint URIs; also the digest realm new passwords are hashed for. */
    readonly sipDomain: string,
  ) {
    accounts.registerDependent({
      moveToMain: (trx, a, s) => endpointsRepo.moveToMain(trx, a, s),
      deleteAll: (trx, a, s) => endpointsRepo.deleteForSubaccount(trx, a, s),
    });
    applications.registerDependent({
      relink: (trx, a, app, replacement) => endpointsRepo.relink(trx, a, app, replacement),
      deleteLinked: (trx, a, app) => endpointsRepo.deleteLinked(trx, a, app),
    });
  }

  view(row: EndpointRow) {
    return endpointView(row, this.sipDomain, this.ctx.clock.now());
  }

  /** app_id must name an application the caller can see. */
  private async appIdFor(trx: Executor, scope: Scope, appId: string | undefined): Promise<string | null | undefined> {
    if (appId === undefined) return undefined;
    if (appId === '') return null;
    const app = await applicationsRepo.find(trx, ownerFilter(scope), appId);
    if (!app) throw new ApiError(400, `app_id ${appId} is not an application of this account`);
    return app.app_id;
  }

  /** A new endpoint runs the PHLO it names, else the app it names, else its owner's default endpoint application. */
  private async linkOnCreate(trx: Executor, scope: Scope, input: EndpointCreateInput): Promise<{ app_id: string | null; phlo_id: string | null }> {
    const phlo_id = (await this.phloIdFor(trx, scope, input.phlo_id)) ?? null;
    if (phlo_id) return { app_id: null, phlo_id };
    return { app_id: (await this.appIdFor(trx, scope, input.app_id)) ?? (await this.applications.defaultAppId(trx, scope, 'endpoint')), phlo_id: null };
  }

  /** phlo_id must name a PHLO the caller can see; "" detaches. */
  private async phloIdFor(trx: Executor, scope: Scope, phloId: string | undefined): Promise<string | null | undefined> {
    if (phloId === undefined) return undefined;
    if (phloId === '') return null;
    const phlo = await phlosRepo.find(trx, ownerFilter(scope), phloId);
    if (!phlo) throw new ApiError(400, `phlo_id ${phloId} is not a PHLO of this account`);
    return phlo.phlo_id;
  }

  private async uniqueUsername(trx: Executor, base: string): Promise<string> {
    // Same name created twice in one second: take the next free second's suffix.
    for (let t = this.ctx.clock.now(); ; t += 1000) {
      const candidate = base + usernameSuffix(t);
      if (!(await endpointsRepo.findByUsername(trx, candidate))) return candidate;
    }
  }

  async create(scope: Scope, input: EndpointCreateInput): Promise<EndpointRow> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.ctx.db.transaction().execute(async (trx) => {
          const username = await this.uniqueUsername(trx, input.username);
          const row: EndpointRow = {
            endpoint_id: newNumericId(),
            account_id: scope.accountId,
            subaccount_id: scope.subaccountId,
            username,
            alias: input.alias,
            // Without an app_id: the owner's default endpoint application at this moment (none when a PHLO is attached).
            ...(await this.linkOnCreate(trx, scope, input)),
            ...secretsOf(username, this.sipDomain, input.password),
            sip_contact: null,
            sip_expires_at: null,
            sip_user_agent: null,
            created_at: this.ctx.clock.now(),
          };
          await endpointsRepo.insert(trx, row);
          return row;
        });
      } catch (err) {
        if (attempt < INSERT_RETRIES && isUniqueViolation(err)) continue;
        throw err;
      }
    }
  }

  async find(scope: Scope, endpointId: string): Promise<EndpointRow> {
    const row = await endpointsRepo.find(this.ctx.db, ownerFilter(scope), endpointId);
    if (!row) throw notFound(`endpoint ${endpointId}`);
    return row;
  }

  async list(scope: Scope, q: EndpointListQuery) {
    if (q.subaccount) await assignableSubaccount(this.accounts, scope, q.subaccount);
    const filter = ownerFilter(scope, q.subaccount);
    const [rows, total] = await Promise.all([endpointsRepo.list(this.ctx.db, filter, q.limit, q.offset), endpointsRepo.count(this.ctx.db, filter)]);
    return { objects: rows.map((r) => this.view(r)), total };
  }

  async update(scope: Scope, endpointId: string, input: EndpointUpdateInput): Promise<EndpointRow> {
    if (input.username !== undefined) throw new ApiError(400, 'username cannot be changed; create a new endpoint for a new username');
    assertSomethingToChange({ password: input.password, alias: input.alias, app_id: input.app_id, phlo_id: input.phlo_id });
    return this.ctx.db.transaction().execute(async (trx) => {
      const current = await endpointsRepo.find(trx, ownerFilter(scope), endpointId);
      if (!current) throw notFound(`endpoint ${endpointId}`);
      const appId = await this.appIdFor(trx, scope, input.app_id);
      const phloId = await this.phloIdFor(trx, scope, input.phlo_id);
      const next: EndpointRow = {
        ...current,
        alias: input.alias ?? current.alias,
        app_id: appId === undefined ? current.app_id : appId,
        // A PHLO replaces the application it is attached instead of, and an application the PHLO.
        phlo_id: phloId !== undefined ? phloId : appId ? null : current.phlo_id,
        // A new password is hashed for today's realm.
        ...(input.password === undefined ? {} : secretsOf(current.username, this.sipDomain, input.password)),
      };
      if (phloId) next.app_id = null;
      await endpointsRepo.update(trx, endpointId, { alias: next.alias, app_id: next.app_id, phlo_id: next.phlo_id, ha1: next.ha1, ha1_sha256: next.ha1_sha256, realm: next.realm, password_md5: next.password_md5 });
      return next;
    });
  }

  async delete(scope: Scope, endpointId: string): Promise<void> {
    await this.ctx.db.transaction().execute(async (trx) => {
      if (!(await endpointsRepo.find(trx, ownerFilter(scope), endpointId))) throw notFound(`endpoint ${endpointId}`);
      await endpointsRepo.delete(trx, endpointId);
    });
  }

  // ---- for the SIP driver and the sandbox ---------------------------------

  /** The endpoint a `sip:username@domain` address names (its row carries `ha1` and `realm` for digest auth). */
  findEndpointByUsername(username: string): Promise<EndpointRow | undefined> {
    return endpointsRepo.findByUsername(this.ctx.db, username);
  }

  /** How many endpoints have no SHA-256 digest secret yet (their password was last set before it was kept). */
  withoutSha256Secret(): Promise<number> {
    return endpointsRepo.countWithoutSha256(this.ctx.db);
  }

  /** The application an inbound call to the endpoint runs (undefined when it has none). */
  async applicationFor(endpoint: EndpointRow): Promise<ApplicationRow | undefined> {
    return endpoint.app_id ? applicationsRepo.find(this.ctx.db, { accountId: endpoint.account_id }, endpoint.app_id) : undefined;
  }

  async setRegistration(username: string, r: Registration): Promise<boolean> {
    const n = await endpointsRepo.setRegistration(this.ctx.db, username, { sip_contact: r.contact, sip_expires_at: r.expiresAt, sip_user_agent: r.userAgent });
    return n > 0;
  }

  async clearRegistration(username: string): Promise<boolean> {
    const n = await endpointsRepo.setRegistration(this.ctx.db, username, { sip_contact: null, sip_expires_at: null, sip_user_agent: null });
    return n > 0;
  }
}
