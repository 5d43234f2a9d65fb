// The per-call debug log (our extension): every state change, webhook attempt,
// verb and XML error of a call, readable through GET /Call/{uuid}/Log/ so a developer
// can see why a call did what it did.
import type { Accounts } from './accounts.ts';
import { keptByMainAccount, type PlatformContext } from './context.ts';
import { ownerFilter, type Scope } from './scope.ts';
import { formatTimestamp } from './time.ts';
import { newRowUuid } from '../ids.ts';
import { ApiError } from '../errors.ts';
import { callLogRepo } from '../store/repos/call-log.ts';
import type { CallLogEntryRow } from '../store/tables/webhooks.ts';
import type { LiveEvents } from '../platform/live-events.ts';
import { TurnBatch, type AfterCommit } from '../store/turn-batch.ts';
import type { Executor } from '../store/repos/accounts.ts';

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

/** Calls whose highest entry number is kept (about 20 s of calls at 500 a second); an older one's is read again. */
const LAST_SEQS_KEPT = 10_000;

interface Appended {
  callUuid: string;
  owner: string | CallOwner;
  entry: CallLogEntry;
  at: number;
}

export class CallLog {
  /**
   * Entries made in one turn of the event loop are stored together (one
   * transaction, one insert): a call's set-up alone makes several, and one
   * commit each cost more than the rest of its set-up. Batches are written
   * in order, so a call's entries keep the order they were made in.
   */
  private readonly batch: TurnBatch<Appended>;

  /**
   * The highest entry number of calls logged lately, as committed: on SQLite
   * this process alone writes the log, so a call's next entry is numbered
   * without reading its highest again (a read per call at each turn it logs
   * in). PostgreSQL's nodes may append to one call's log alike (a webhook
   * retry from another node), so there each append reads what is there.
   */
  private readonly lastSeqs: Map<string, number> | undefined;

  /** Where failed writes are reported: appending never rejects, so the engine can fire and forget. */
  onError: (err: unknown) => void = (err) => process.emitWarning(`call log: ${err instanceof Error ? err.stack : String(err)}`);

  constructor(
    private readonly ctx: PlatformContext,
    private readonly accounts: Accounts,
    /** Each entry is published here once stored, for the account's event stream. */
    private readonly events?: LiveEvents,
  ) {
    accounts.registerDependent(keptByMainAccount(callLogRepo.moveToMain));
    this.lastSeqs = ctx.dialect === 'sqlite' ? new Map() : undefined;
    this.batch = new TurnBatch(ctx.db, (items, trx, afterCommit) => this.write(items, trx, afterCommit), { before: (items) => this.resolveOwners(items) });
  }

  /**
   * Add an entry to a call's log. `owner` is the owner itself, or an auth id:
   * a subaccount's (`SA…`) is resolved to its main account. Never rejects.
   */
  append(callUuid: string, owner: string | CallOwner, entry: CallLogEntry): Promise<void> {
    return this.batch.add({ callUuid, owner, entry, at: this.ctx.clock.now() }).catch((err) => this.onError(err));
  }

  /** A page of a call's entries, oldest first; 404 when the scope has none for that call. */
  async list(scope: Scope, callUuid: string, page: { limit: number; offset: number }) {
    const f = ownerFilter(scope);
    const total = await callLogRepo.count(this.ctx.db, f, callUuid);
    if (total === 0) throw new ApiError(404, `call ${callUuid} has no debug log in this account: check the call_uuid`);
    const rows = await callLogRepo.list(this.ctx.db, f, callUuid, page.limit, page.offset);
    return { objects: rows.map(callLogView), total };
  }

  /** Subaccount auth ids to their owners, before the turn's transaction. */
  private async resolveOwners(items: Appended[]): Promise<void> {
    const owners = new Map<string, Promise<CallOwner>>();
    const ownerOf = (o: string) => owners.get(o) ?? owners.set(o, this.resolve(o)).get(o)!;
    await Promise.all(items.map(async (item) => typeof item.owner === 'string' && (item.owner = await ownerOf(item.owner))));
  }

  private async write(items: Appended[], trx: Executor, afterCommit: AfterCommit): Promise<void> {
    const rows = items.map((item) => {
      const owner = item.owner as CallOwner;
      return {
        entry_id: newRowUuid(),
        call_uuid: item.callUuid,
        account_id: owner.accountId,
        subaccount_id: owner.subaccountId,
        kind: item.entry.kind,
        message: item.entry.message,
        data: item.entry.data === undefined ? null : JSON.stringify(item.entry.data),
        created_at: item.at,
      };
    });
    const seqs = await callLogRepo.append(trx, rows, this.lastSeqs);
    if (this.lastSeqs) afterCommit(() => this.numbered(rows, seqs));
    // Views are made only for someone watching (each parses its data back).
    const events = this.events;
    if (events?.watching) afterCommit(() => rows.forEach((row, i) => events.publish('call', items[i]!.owner as CallOwner, callLogView({ seq: seqs[i]!, ...row }))));
  }

  /** Each call's highest number as committed here, the newest calls first to stay. */
  private numbered(rows: ReadonlyArray<{ call_uuid: string }>, seqs: readonly number[]): void {
    const last = this.lastSeqs!;
    rows.forEach((row, i) => {
      // Re-inserted: a call still logging moves to the back, away from eviction.
      last.delete(row.call_uuid);
      last.set(row.call_uuid, seqs[i]!);
    });
    for (const uuid of last.keys()) {
      if (last.size <= LAST_SEQS_KEPT) break;
      last.delete(uuid);
    }
  }

  private async resolve(owner: string): Promise<CallOwner> {
    const row = await this.accounts.find(owner);
    return row?.parent_id ? { accountId: row.parent_id, subaccountId: owner } : { accountId: owner, subaccountId: null };
  }
}
