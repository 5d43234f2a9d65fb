// Applications: the answer/hangup/message URLs a number or endpoint runs.
// One default number app and one default endpoint app per owner.
import { ApiError, notFound } from '../errors.ts';
import { assignableSubaccount } from './owner.ts';
import { newNumericId } from '../ids.ts';
import { applicationsRepo } from '../store/repos/applications.ts';
import type { Executor } from '../store/repos/accounts.ts';
import type { ApplicationRow } from '../store/schema.ts';
import type { Accounts } from './accounts.ts';
import type { ApplicationDependent, PlatformContext } from './context.ts';
import { ownerFilter, subaccountUri, type Scope } from './scope.ts';
import { assertSomethingToChange } from './patch.ts';

type Method = 'GET' | 'POST';

export interface ApplicationInput {
  app_name?: string;
  answer_url?: string;
  answer_method?: Method;
  hangup_url?: string;
  hangup_method?: Method;
  fallback_answer_url?: string;
  fallback_method?: Method;
  message_url?: string;
  message_method?: Method;
  default_number_app?: boolean;
  default_endpoint_app?: boolean;
  subaccount?: string;
  log_incoming_messages?: boolean;
  public_uri?: boolean;
}

/** The parameters an application update can change. */
const UPDATABLE = [
  'app_name', 'answer_url', 'answer_method', 'hangup_url', 'hangup_method', 'fallback_answer_url', 'fallback_method', 'message_url', 'message_method',
  'default_number_app', 'default_endpoint_app', 'subaccount', 'log_incoming_messages', 'public_uri',
] as const satisfies ReadonlyArray<keyof ApplicationInput>;

export interface ApplicationListQuery {
  subaccount?: string;
  app_name?: string;
  limit: number;
  offset: number;
}

export const SIP_DOMAIN = 'app.switchboard.local';

export function applicationView(row: ApplicationRow) {
  return {
    answer_method: row.answer_method,
    answer_url: row.answer_url,
    app_id: row.app_id,
    app_name: row.app_name,
    application_type: row.application_type,
    // The spec's object says default_app; the create/update parameter is
    // default_number_app. Both are sent so either reader finds it.
    default_app: row.default_number_app === 1,
    default_number_app: row.default_number_app === 1,
    default_endpoint_app: row.default_endpoint_app === 1,
    enabled: row.enabled === 1,
    fallback_answer_url: row.fallback_answer_url,
    fallback_method: row.fallback_method,
    hangup_method: row.hangup_method,
    hangup_url: row.hangup_url,
    log_incoming_messages: row.log_incoming_messages === 1,
    // The official SDK reads logIncomingMessage (singular).
    log_incoming_message: row.log_incoming_messages === 1,
    message_method: row.message_method,
    message_url: row.message_url,
    public_uri: row.public_uri === 1,
    resource_uri: `/v1/Account/${row.account_id}/Application/${row.app_id}/`,
    sip_uri: `sip:${row.app_id}@${SIP_DOMAIN}`,
    sub_account: row.subaccount_id ? subaccountUri(row.account_id, row.subaccount_id) : null,
  };
}

const flag = (b: boolean | undefined): 0 | 1 | undefined => (b === undefined ? undefined : b ? 1 : 0);

export class Applications {
  private readonly dependents: ApplicationDependent[] = [];

  constructor(
    private readonly ctx: PlatformContext,
    private readonly accounts: Accounts,
  ) {
    accounts.registerDependent({
      moveToMain: (trx, a, s) => applicationsRepo.moveToMain(trx, a, s),
      deleteAll: (trx, a, s) => this.deleteAllOfSubaccount(trx, a, s),
    });
  }

  registerDependent(d: ApplicationDependent): void {
    this.dependents.push(d);
  }

  async create(scope: Scope, input: ApplicationInput & { app_name: string; answer_url: string }): Promise<ApplicationRow> {
    const subaccountId = await assignableSubaccount(this.accounts, scope, input.subaccount);
    return this.ctx.db.transaction().execute((trx) => this.insert(trx, { accountId: scope.accountId, subaccountId }, input));
  }

  /** A new application of `owner`, inside the caller's transaction (a number rented with its application: numbers.ts). */
  async insert(trx: Executor, owner: { accountId: string; subaccountId: string | null }, input: ApplicationInput & { app_name: string; answer_url: string }): Promise<ApplicationRow> {
    const row: ApplicationRow = {
      app_id: newNumericId(),
      account_id: owner.accountId,
      subaccount_id: owner.subaccountId,
      app_name: input.app_name,
      answer_url: input.answer_url,
      answer_method: input.answer_method ?? 'POST',
      // The platform documents hangup_url as defaulting to answer_url.
      hangup_url: input.hangup_url ?? input.answer_url,
      hangup_method: input.hangup_method ?? 'POST',
      fallback_answer_url: input.fallback_answer_url ?? '',
      fallback_method: input.fallback_method ?? 'POST',
      message_url: input.message_url ?? '',
      message_method: input.message_method ?? 'POST',
      default_number_app: flag(input.default_number_app) ?? 0,
      default_endpoint_app: flag(input.default_endpoint_app) ?? 0,
      log_incoming_messages: flag(input.log_incoming_messages) ?? 1,
      public_uri: flag(input.public_uri) ?? 0,
      enabled: 1,
      application_type: 'XML',
      created_at: this.ctx.clock.now(),
    };
    await applicationsRepo.insert(trx, row);
    await this.keepDefaultsUnique(trx, row);
    return row;
  }

  private async keepDefaultsUnique(trx: Executor, row: ApplicationRow): Promise<void> {
    const owner = { accountId: row.account_id, subaccountId: row.subaccount_id };
    if (row.default_number_app) await applicationsRepo.clearDefault(trx, owner, 'default_number_app', row.app_id);
    if (row.default_endpoint_app) await applicationsRepo.clearDefault(trx, owner, 'default_endpoint_app', row.app_id);
  }

  async find(scope: Scope, appId: string): Promise<ApplicationRow> {
    const row = await applicationsRepo.find(this.ctx.db, ownerFilter(scope), appId);
    if (!row) throw notFound(`application ${appId}`);
    return row;
  }

  /**
   * The owner's default number or endpoint application (undefined when none
   * is set): a number or endpoint created without an app_id is linked to it
   * at creation, as the platform does, so changing the default later moves
   * no older number or endpoint.
   */
  async defaultAppId(db: Executor, owner: { accountId: string; subaccountId: string | null }, kind: 'number' | 'endpoint'): Promise<string | null> {
    const app = await applicationsRepo.findDefault(db, owner, kind === 'number' ? 'default_number_app' : 'default_endpoint_app');
    return app?.app_id ?? null;
  }

  async list(scope: Scope, q: ApplicationListQuery) {
    if (q.subaccount) await assignableSubaccount(this.accounts, scope, q.subaccount);
    const filter = { ...ownerFilter(scope, q.subaccount), appNameContains: q.app_name };
    const [rows, total] = await Promise.all([
      applicationsRepo.list(this.ctx.db, filter, q.limit, q.offset),
      applicationsRepo.count(this.ctx.db, filter),
    ]);
    return { objects: rows.map(applicationView), total };
  }

  async update(scope: Scope, appId: string, input: ApplicationInput): Promise<void> {
    assertSomethingToChange(Object.fromEntries(UPDATABLE.map((k) => [k, input[k]])));
    await this.ctx.db.transaction().execute(async (trx) => {
      const current = await applicationsRepo.find(trx, ownerFilter(scope), appId);
      if (!current) throw notFound(`application ${appId}`);
      const subaccountId = input.subaccount === undefined ? current.subaccount_id : await assignableSubaccount(this.accounts, scope, input.subaccount || undefined);
      const next: ApplicationRow = {
        ...current,
        app_name: input.app_name ?? current.app_name,
        answer_url: input.answer_url ?? current.answer_url,
        answer_method: input.answer_method ?? current.answer_method,
        hangup_url: input.hangup_url ?? current.hangup_url,
        hangup_method: input.hangup_method ?? current.hangup_method,
        fallback_answer_url: input.fallback_answer_url ?? current.fallback_answer_url,
        fallback_method: input.fallback_method ?? current.fallback_method,
        message_url: input.message_url ?? current.message_url,
        message_method: input.message_method ?? current.message_method,
        default_number_app: flag(input.default_number_app) ?? current.default_number_app,
        default_endpoint_app: flag(input.default_endpoint_app) ?? current.default_endpoint_app,
        log_incoming_messages: flag(input.log_incoming_messages) ?? current.log_incoming_messages,
        public_uri: flag(input.public_uri) ?? current.public_uri,
        subaccount_id: subaccountId,
      };
      await applicationsRepo.update(trx, appId, next);
      await this.keepDefaultsUnique(trx, next);
    });
  }

  /**
   * Numbers and endpoints linked to the application are re-pointed to
   * `new_endpoint_application` (endpoints) or unlinked; with cascade the
   * linked endpoints are deleted, as the platform documents.
   */
  async delete(scope: Scope, appId: string, opts: { cascade?: boolean; newEndpointApplication?: string }): Promise<void> {
    await this.ctx.db.transaction().execute(async (trx) => {
      const app = await applicationsRepo.find(trx, ownerFilter(scope), appId);
      if (!app) throw notFound(`application ${appId}`);
      let replacement: string | null = null;
      if (opts.newEndpointApplication) {
        const target = await applicationsRepo.find(trx, ownerFilter(scope), opts.newEndpointApplication);
        if (!target) throw new ApiError(400, `new_endpoint_application ${opts.newEndpointApplication} is not an application of this account`);
        replacement = target.app_id;
      }
      for (const d of this.dependents) {
        if (opts.cascade && d.deleteLinked) await d.deleteLinked(trx, app.account_id, appId);
        else await d.relink(trx, app.account_id, appId, replacement);
      }
      await applicationsRepo.delete(trx, appId);
    });
  }

  private async deleteAllOfSubaccount(trx: Executor, accountId: string, subaccountId: string): Promise<void> {
    const apps = await applicationsRepo.list(trx, { accountId, subaccountId }, 1_000_000, 0);
    for (const app of apps) {
      for (const d of this.dependents) await d.relink(trx, accountId, app.app_id, null);
    }
    await applicationsRepo.deleteForSubaccount(trx, accountId, subaccountId);
  }
}
