// SMS and MMS: send (validate, rate, charge and record in one transaction,
// then hand to the carrier), follow delivery reports with status callbacks,
// take inbound messages to platform numbers to their application's
// message_url, and read message records. The API, the voice engine's
// <Message> verb and the sandbox all come through here.
import type { Logger } from 'pino';
import { ApiError, notFound } from '../errors.ts';
import { newUuid } from '../ids.ts';
import type { Accounts } from '../platform/accounts.ts';
import type { Billing } from '../platform/billing.ts';
import type { CallerIds } from '../platform/caller-ids.ts';
import { keptByMainAccount, type PlatformContext } from '../platform/context.ts';
import type { InboundRoute, Numbers } from '../platform/numbers.ts';
import { assignableSubaccount } from '../platform/owner.ts';
import { normalizeNumber } from '../platform/phone.ts';
import type { Pricing } from '../platform/pricing.ts';
import { ownerFilter, type Scope } from '../platform/scope.ts';
import { mediaRepo, messagesRepo, type MessageFilter } from '../store/repos/messages.ts';
import { numbersRepo } from '../store/repos/numbers.ts';
import type { MessageDirection, MessageLog, MessagePatch, MessageRow, MessageState, MessageType } from '../store/tables/messages.ts';
import { parsePlivoXml } from '../plivo-xml/parse.ts';
import type { CarrierEvents, DeliveryReport, InboundMessage, MessagingDriver } from './driver.ts';
import { DELIVERED_CODE } from './error-codes.ts';
import { timeWindow, type TimeFilters } from './filters.ts';
import type { FlowTrigger, HookOutcome, MessageHooks } from './hooks.ts';
import type { LiveEvents } from '../platform/live-events.ts';
import { checkContent, checkSenderReach, parseDestinations, resolveSender } from './rules.ts';
import { mediaRows, messageRow } from './records.ts';
import { inboundParams, mediaView, messageView, statusParams } from './views.ts';

/** A send request, named as the API names its parameters (the <Message> verb uses the same). */
export interface SendInput {
  src?: string;
  powerpack_uuid?: string;
  /** One or more numbers separated by '<'. */
  dst: string;
  text?: string;
  type?: MessageType;
  /** Status callback. */
  url?: string;
  method?: 'GET' | 'POST';
  media_urls?: string[];
  media_ids?: string[];
  log?: MessageLog;
  requester_ip?: string;
}

export interface SendResult {
  messageUuids: string[];
  /** Destinations skipped because they are not numbers or cannot be reached. */
  invalidNumbers: string[];
}

export interface ListQuery extends TimeFilters {
  subaccount?: string;
  message_direction?: MessageDirection;
  message_state?: MessageState;
  message_type?: MessageType;
  error_code?: string;
  from_number?: string;
  to_number?: string;
  destination_country_iso2?: string;
  limit: number;
  offset: number;
}

/** A message from a virtual phone to a platform number (POST /Sandbox/Message/). */
export interface SandboxInboundInput {
  from: string;
  to: string;
  text?: string;
  type?: MessageType;
  media_urls?: string[];
}

export interface MessagingDeps {
  accounts: Accounts;
  numbers: Numbers;
  billing: Billing;
  pricing: Pricing;
  callerIds: CallerIds;
  hooks: MessageHooks;
  logger: Logger;
  /** Each message's changes of state, for the account's event stream. */
  events?: LiveEvents;
}

/** States a report may move a message out of: final states never change again. */
const REPORT_FROM: Record<DeliveryReport['state'], MessageState[]> = {
  sent: ['queued'],
  failed: ['queued'],
  delivered: ['queued', 'sent'],
  undelivered: ['queued', 'sent'],
};

/** GET /Message/ without a message_time filter lists the last 24 hours. */
export const DEFAULT_LIST_WINDOW_MS = 24 * 3600_000;

const scopeOf = (owner: { accountId: string; subaccountId: string | null }): Scope => ({ ...owner, callerId: owner.subaccountId ?? owner.accountId });

export class Messages implements CarrierEvents {
  private readonly driver: MessagingDriver;
  private flows?: FlowTrigger;
  /** Failures after a request has been answered (callbacks, carrier steps) can only be logged. */
  private readonly onError = (err: unknown): void => this.deps.logger.error({ err }, 'messaging step failed');

  constructor(
    private readonly ctx: PlatformContext,
    private readonly deps: MessagingDeps,
    driver: (events: CarrierEvents, onError: (err: unknown) => void) => MessagingDriver,
  ) {
    this.driver = driver(this, this.onError);
    deps.accounts.registerDependent(keptByMainAccount(messagesRepo.moveToMain));
  }

  /** Where messages to numbers attached to a PHLO go (set once by the composition root). */
  setFlowTrigger(flows: FlowTrigger): void {
    this.flows = flows;
  }

  stop(): void {
    this.driver.stop();
  }

  // ---- outbound --------------------------------------------------------------

  async send(scope: Scope, input: SendInput): Promise<SendResult> {
    if (input.powerpack_uuid && input.src) throw new ApiError(400, 'give either src or powerpack_uuid, not both');
    if (input.powerpack_uuid) throw new ApiError(400, `powerpack_uuid ${input.powerpack_uuid}: no such Powerpack (Switchboard has none); send with src`);
    if (!input.src) throw new ApiError(400, 'src is required: a number of this account, a verified caller ID or an alphanumeric sender ID');
    const type = input.type ?? 'sms';
    const content = checkContent(type, input.text, input.media_urls ?? [], input.media_ids ?? []);
    const sender = await resolveSender(input.src, type, {
      ownedNumber: (digits) => numbersRepo.find(this.ctx.db, ownerFilter(scope), digits),
      isVerifiedCallerId: (digits) => this.deps.callerIds.isVerifiedCallerId(scope, digits),
    });
    const { valid, invalid } = parseDestinations(input.dst);
    const routable: string[] = [];
    for (const to of valid) {
      checkSenderReach(sender, to);
      try {
        this.deps.pricing.rate({ service: type, direction: 'outbound', number: to });
        routable.push(to);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        invalid.push({ input: to, reason: err.message });
      }
    }
    if (routable.length === 0) {
      throw new ApiError(400, invalid.length === 1 ? invalid[0].reason : `invalid phone numbers: ${invalid.map((i) => i.reason).join('; ')}`);
    }

    const now = this.ctx.clock.now();
    const log = input.log ?? 'true';
    const mediaUrls = input.media_urls ?? [];
    const rows = await this.ctx.db.transaction().execute(async (trx) => {
      const seq = await messagesRepo.nextSeq(trx, scope.accountId);
      const out: MessageRow[] = [];
      for (const [i, to] of routable.entries()) {
        const uuid = newUuid();
        const charged = await this.deps.billing.chargeMessage(trx, scope, { messageUuid: uuid, direction: 'outbound', service: type, number: to, units: content.units });
        out.push(
          messageRow({
            uuid,
            owner: scope,
            direction: 'outbound',
            type,
            state: 'queued',
            from: sender.from,
            to,
            content,
            log,
            charged,
            now,
            seq: seq + i,
            callback: input.url ? { url: input.url, method: input.method ?? 'POST' } : undefined,
            requesterIp: input.requester_ip,
          }),
        );
      }
      await messagesRepo.insert(trx, out);
      await mediaRepo.insert(trx, out.flatMap((r) => mediaRows(r, mediaUrls)));
      return out;
    });

    for (const row of rows) {
      this.changed(row);
      await this.statusCallback(row);
      await this.driver.submit({
        messageUuid: row.message_uuid,
        accountId: row.account_id,
        subaccountId: row.subaccount_id,
        from: row.from_number,
        to: row.to_number,
        text: content.text,
        type,
        mediaUrls,
      });
    }
    return { messageUuids: rows.map((r) => r.message_uuid), invalidNumbers: invalid.map((i) => i.input) };
  }

  /** A carrier's report: move the message on (never back), refund a message that failed before it left, tell the status callback. */
  async report(r: DeliveryReport): Promise<void> {
    const now = this.ctx.clock.now();
    const patch: MessagePatch = { state: r.state, updated_at: now };
    if (r.state === 'sent') patch.sent_at = now;
    else patch.reported_at = now;
    if (r.state === 'delivered') patch.error_code = DELIVERED_CODE;
    if (r.state === 'failed' || r.state === 'undelivered') patch.error_code = r.errorCode;
    // The platform does not charge for messages that failed before reaching a carrier.
    if (r.state === 'failed') patch.total_amount = 0;
    const row = await this.ctx.db.transaction().execute(async (trx) => {
      const before = await messagesRepo.findAny(trx, r.messageUuid);
      if (!before || !(await messagesRepo.transition(trx, r.messageUuid, REPORT_FROM[r.state], patch))) return undefined;
      if (r.state === 'failed' && before.total_amount > 0) {
        await this.deps.accounts.addLedgerEntry(trx, before.account_id, before.subaccount_id, 'message', Number(before.total_amount), `refund: message to ${before.to_number} failed`, before.message_uuid);
      }
      return { ...before, ...patch } as MessageRow;
    });
    if (!row) return;
    this.changed(row);
    await this.statusCallback(row);
  }

  private changed(row: MessageRow): void {
    this.deps.events?.publish('message', { accountId: row.account_id, subaccountId: row.subaccount_id }, messageView(row));
  }

  private async statusCallback(row: MessageRow): Promise<void> {
    if (!row.callback_url) return;
    try {
      const sequence = await messagesRepo.nextCallback(this.ctx.db, row.message_uuid);
      await this.deps.hooks.notify({
        url: row.callback_url,
        method: row.callback_method === 'GET' ? 'GET' : 'POST',
        params: statusParams(row, sequence),
        authToken: await this.authToken(row.subaccount_id ?? row.account_id),
        accountId: row.account_id,
        kind: 'message_status',
      });
    } catch (err) {
      this.onError(err);
    }
  }

  private async authToken(authId: string): Promise<string> {
    const account = await this.deps.accounts.find(authId);
    if (!account) throw new Error(`account ${authId} no longer exists`);
    return account.auth_token;
  }

  // ---- inbound ---------------------------------------------------------------

  /** A carrier brought a message for a platform number (the sandbox's platform-to-platform traffic). */
  async inbound(m: InboundMessage): Promise<void> {
    const route = await this.deps.numbers.routeInbound(m.to);
    if (route) await this.receive(route, m);
  }

  /** POST /Sandbox/Message/: a virtual phone messages one of the caller's numbers. */
  async receiveFromSandbox(scope: Scope, input: SandboxInboundInput): Promise<string> {
    const from = normalizeNumber(input.from, 'from');
    const to = normalizeNumber(input.to, 'to');
    if (await this.deps.numbers.routeInbound(from)) {
      throw new ApiError(400, `from ${from} is a platform number, not a virtual phone; send from it with POST /Message/`);
    }
    const route = await this.deps.numbers.routeInbound(to);
    const visible = route && route.accountId === scope.accountId && (!scope.subaccountId || route.subaccountId === scope.subaccountId);
    if (!visible) throw new ApiError(404, `to ${to} is not a number of this account; rent one with POST /PhoneNumber/{number}/`);
    return this.receive(route, { from, to, text: input.text ?? '', type: input.type ?? 'sms', mediaUrls: input.media_urls ?? [] });
  }

  /** Record (and bill) an inbound message, then take it to the number's application. */
  private async receive(route: InboundRoute, m: InboundMessage): Promise<string> {
    const content = checkContent(m.type, m.text, m.mediaUrls, []);
    const app = route.application;
    // An application that does not log incoming messages keeps the number but not the text.
    const log: MessageLog = app && !app.log_incoming_messages ? 'number_only' : 'true';
    const owner = { accountId: route.accountId, subaccountId: route.subaccountId };
    const now = this.ctx.clock.now();
    const uuid = newUuid();
    const row = await this.ctx.db.transaction().execute(async (trx) => {
      const charged = await this.deps.billing.chargeMessage(trx, owner, { messageUuid: uuid, direction: 'inbound', service: m.type, number: route.number.number, units: content.units });
      const seq = await messagesRepo.nextSeq(trx, owner.accountId);
      const r = messageRow({ uuid, owner, direction: 'inbound', type: m.type, state: 'received', from: m.from, to: route.number.number, content, log, charged, now, seq });
      await messagesRepo.insert(trx, [r]);
      await mediaRepo.insert(trx, mediaRows(r, m.mediaUrls));
      return r;
    });
    this.changed(row);
    if (route.number.phlo_id && this.flows) {
      const delivered = await this.flows
        .messageReceived(route.number.phlo_id, owner, { message_uuid: uuid, from: row.from_number, to: row.to_number, text: content.text, type: m.type })
        .then(() => true, (err) => (this.onError(err), false));
      const patch = { state: delivered ? ('delivered' as const) : ('undelivered' as const), updated_at: now, reported_at: now };
      if (await messagesRepo.transition(this.ctx.db, uuid, ['received'], patch)) this.changed({ ...row, ...patch });
    } else if (app?.message_url) {
      await this.deps.hooks.deliver(
        {
          url: app.message_url,
          method: app.message_method === 'GET' ? 'GET' : 'POST',
          params: inboundParams(row, m.mediaUrls, content.text),
          authToken: await this.authToken(route.subaccountId ?? route.accountId),
          accountId: route.accountId,
          kind: 'message_inbound',
        },
        (outcome) => this.delivered(row, outcome, scopeOf(owner)).catch((err) => this.onError(err)),
      );
    }
    return uuid;
  }

  /** The message_url answered (or gave up): the message is delivered or undelivered, and a <Message> answer is sent as a reply. */
  private async delivered(row: MessageRow, outcome: HookOutcome, owner: Scope): Promise<void> {
    const now = this.ctx.clock.now();
    const patch = { state: outcome.ok ? ('delivered' as const) : ('undelivered' as const), updated_at: now, reported_at: now };
    if (await messagesRepo.transition(this.ctx.db, row.message_uuid, ['received'], patch)) this.changed({ ...row, ...patch });
    const body = outcome.body?.trim();
    if (!outcome.ok || !body?.startsWith('<')) return;
    const parsed = parsePlivoXml(body);
    if (!parsed.ok) throw new Error(`the message_url answer for message ${row.message_uuid} is not valid XML: ${parsed.error}`);
    for (const verb of parsed.doc.verbs) {
      if (verb.kind !== 'Message') continue;
      await this.send(owner, { src: verb.src ?? row.to_number, dst: verb.dst.join('<'), text: verb.text, type: verb.type, url: verb.callbackUrl, method: verb.callbackMethod });
    }
  }

  // ---- records ---------------------------------------------------------------

  private async find(scope: Scope, uuid: string): Promise<MessageRow> {
    const row = await messagesRepo.find(this.ctx.db, ownerFilter(scope), uuid);
    if (!row) throw notFound(`message ${uuid}`);
    return row;
  }

  async get(scope: Scope, uuid: string) {
    return messageView(await this.find(scope, uuid));
  }

  async list(scope: Scope, q: ListQuery) {
    const subaccount = q.subaccount ? await assignableSubaccount(this.deps.accounts, scope, q.subaccount) : undefined;
    const number = (n: string | undefined) => n?.trim().replace(/^\+/, '') || undefined;
    const filter: MessageFilter = {
      ...ownerFilter(scope, subaccount),
      direction: q.message_direction,
      state: q.message_state,
      type: q.message_type,
      errorCode: q.error_code,
      fromNumber: number(q.from_number),
      toNumber: number(q.to_number),
      countryIso: q.destination_country_iso2?.toUpperCase(),
      ...this.listWindow(q),
    };
    const [rows, total] = await Promise.all([messagesRepo.list(this.ctx.db, filter, q.limit, q.offset), messagesRepo.count(this.ctx.db, filter)]);
    return { objects: rows.map(messageView), total };
  }

  /**
   * The message_time filters' window; without any, the last 24 hours of the
   * platform clock, as the platform documents ("If you do not specify this
   * attribute, the MDR for the last 24 hours will be retrieved by default").
   */
  private listWindow(q: ListQuery): { from?: number; to?: number } {
    const window = timeWindow(q);
    if (window.from !== undefined || window.to !== undefined) return window;
    return { from: this.ctx.clock.now() - DEFAULT_LIST_WINDOW_MS };
  }

  async media(scope: Scope, uuid: string) {
    const row = await this.find(scope, uuid);
    return (await mediaRepo.list(this.ctx.db, row.message_uuid)).map(mediaView);
  }
}
