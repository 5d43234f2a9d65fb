// The per-call debug log (our extension): every state change, webhook attempt,
// verb and XML error of a call, readable through GET /Call/{uuid}/Log/ so a developer
// can see why a call did what it did.
import type { Accounts } from './accounts.ts';
import { keptByMainAccount, type PlatformContext } from './context.ts';
import { ownerFilter, type Scope } from './scope.ts';
import { formatTimestamp } from './time.ts';
import { newUuid } from '../ids.ts';
import { ApiError } from '../errors.ts';
import { callLogRepo } from '../store/repos/call-log.ts';
import type { CallLogEntryRow } from '../store/tables/webhooks.ts';
import type { LiveEvents } from '../platform/live-events.ts';

export type CallLogKind = 'state' | 'webhook' | 'verb' | 'xml' | 'error' | 'event';

export interface CallLogEntry {
  kind: CallLogKind | (string & {});
  message: string;
  data?: Record<string, unknown>;
}

/** Who owns a call: the main account and, when the call is a subaccount's, that subaccount. */
export interface CallOwner {
  accountId: string;
  subaccountId: string | null;
}

export function callLogView(row: CallLogEntryRow) {
  return {
    sequence: row.seq,
    call_uuid: row.call_uuid,
    time: formatTimestamp(row.created_at),
    epoch_ms: row.created_at,
    kind: row.kind,
    message: row.message,
    data: row.data === null ? null : (JSON.parse(row.data) as Record<string, unknown>),
  };
}

export class CallLog {
  /** The tail of each call's append chain, so a call's entries keep the order they were made in. */
  private readonly tails = new Map<string, Promise<void>>();

  /** Where failed writes are reported: appending never rejects, so the engine can fire and forget. */
  onError: (err: unknown) => void = (err) => process.emitWarning(`call log: ${err instanceof Error ? err.stack : String(err)}`);

  constructor(
    private readonly ctx: PlatformContext,
    private readonly accounts: Accounts,
    /** Each entry is published here once stored, for the account's event stream. */
    private readonly events?: LiveEvents,
  ) {
    accounts.registerDependent(keptByMainAccount(callLogRepo.moveToMain));
  }

  /**
   * Add an entry to a call's log. `owner` is the owner itself, or an auth id:
   * a subaccount's (`SA…`) is resolved to its main account. Never rejects.
   */
  append(callUuid: string, owner: string | CallOwner, entry: CallLogEntry): Promise<void> {
    const at = this.ctx.clock.now();
    const previous = this.tails.get(callUuid) ?? Promise.resolve();
    const next = previous.then(async () => {
      const o = await this.resolve(owner);
      const row = {
        entry_id: newUuid(),
        call_uuid: callUuid,
        account_id: o.accountId,
        subaccount_id: o.subaccountId,
        kind: entry.kind,
        message: entry.message,
        data: entry.data === undefined ? null : JSON.stringify(entry.data),
        created_at: at,
      };
      const seq = await callLogRepo.insert(this.ctx.db, row);
      this.events?.publish('call', o, callLogView({ ...row, seq }));
    }).catch((err) => this.onError(err));
    this.tails.set(callUuid, next);
    return next.then(() => {
      if (this.tails.get(callUuid) === next) this.tails.delete(callUuid);
    });
  }

  /** A page of a call's entries, oldest first; 404 when the scope has none for that call. */
  async list(scope: Scope, callUuid: string, page: { limit: number; offset: number }) {
    const f = ownerFilter(scope);
    const total = await callLogRepo.count(this.ctx.db, f, callUuid);
    if (total === 0) throw new ApiError(404, `call ${callUuid} has no debug log in this account: check the call_uuid`);
    const rows = await callLogRepo.list(this.ctx.db, f, callUuid, page.limit, page.offset);
    return { objects: rows.map(callLogView), total };
  }

  private async resolve(owner: string | CallOwner): Promise<CallOwner> {
    if (typeof owner !== 'string') return owner;
    const row = await this.accounts.find(owner);
    return row?.parent_id ? { accountId: row.parent_id, subaccountId: owner } : { accountId: owner, subaccountId: null };
  }
}
