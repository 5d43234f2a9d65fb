// A call's records: a live row while it lasts, so a crash does not forget
// it (see recovery.ts), then its CDR. Every ended call is rated, billed,
// written, its hangup callback queued and its live row removed in one
// transaction, so a CDR, its charge and its callback exist together or not
// at all, and a call closed by another node after a crash is never billed
// twice. Calls that start, answer or end in
// the same turn of the event loop share a transaction: at hundreds of calls
// a second that turns hundreds of commits into a few.
import { ApiError } from '../../errors.ts';
import type { Billing } from '../../platform/billing.ts';
import type { PlatformContext } from '../../platform/context.ts';
import { formatTimestamp } from '../../platform/time.ts';
import { formatMoney } from '../../money.ts';
import { callsRepo, liveCallsRepo } from '../../store/repos/calls.ts';
import type { CallRow, NewCallRow, NewLiveCallRow } from '../../store/tables/calls.ts';
import type { Executor } from '../../store/repos/accounts.ts';
import { TurnBatch, type AfterCommit } from '../../store/turn-batch.ts';
import type { WebhookRequest } from '../../webhooks/types.ts';
import type { CallbackStore, CallLeg, CdrPort, Charge, EndedCall, LiveCall } from './ports.ts';

type Op = { kind: 'start'; row: NewLiveCallRow } | { kind: 'answer'; uuid: string; at: number; params: string } | { kind: 'end'; call: EndedCall };

export class CdrWriter implements CdrPort {
  private readonly batch: TurnBatch<Op, Charge | undefined>;
  /** Calls whose live row could not be written: their end writes the record without removing a row. */
  private readonly unrowed = new Set<string>();

  constructor(
    private readonly ctx: PlatformContext,
    private readonly billing: Billing,
    private readonly callbacks: CallbackStore,
    /** The node the live rows written here belong to. */
    private readonly nodeId: string,
    /** Where a failed live-row write is reported (the call goes on regardless). */
    private readonly onError: (err: unknown, callUuid: string) => void,
  ) {
    this.batch = new TurnBatch(ctx.db, (ops, trx, afterCommit) => this.write(ops, trx, afterCommit));
  }

  started(call: LiveCall): void {
    const row: NewLiveCallRow = Object.assign(legColumns(call), {
      node_id: this.nodeId,
      number_type: call.numberType ?? null,
      answered_at: null,
      hangup_url: call.hangup?.url ?? null,
      hangup_method: call.hangup?.method ?? null,
      params: JSON.stringify(call.params),
    });
    this.batch.add({ kind: 'start', row }).catch((err) => {
      this.unrowed.add(call.uuid);
      this.onError(err, call.uuid);
    });
  }

  answered(uuid: string, at: number, params: Record<string, string>): void {
    this.batch.add({ kind: 'answer', uuid, at, params: JSON.stringify(params) }).catch((err) => this.onError(err, uuid));
  }

  record(call: EndedCall): Promise<Charge | undefined> {
    return this.batch.add({ kind: 'end', call });
  }

  /** Resolves once everything recorded so far is written. */
  drain(): Promise<void> {
    return this.batch.drain();
  }

  private async write(ops: Op[], trx: Executor, afterCommit: AfterCommit): Promise<(Charge | undefined)[]> {
    const rowed = (call: EndedCall) => call.live && !this.unrowed.has(call.uuid);
    await liveCallsRepo.insert(trx, ops.flatMap((op) => (op.kind === 'start' ? [op.row] : [])));
    await liveCallsRepo.answered(trx, ops.flatMap((op) => (op.kind === 'answer' ? [op] : [])));
    const removed = await liveCallsRepo.remove(trx, ops.flatMap((op) => (op.kind === 'end' && rowed(op.call) ? [op.call.uuid] : [])));
    const out: (Charge | undefined)[] = [];
    const rows: NewCallRow[] = [];
    const hangups: WebhookRequest[] = [];
    for (const op of ops) {
      // A live call whose row is gone was closed elsewhere (another node took this one for crashed): its record is written there.
      // Each removed row closes one call, even when two closers asked in the same batch.
      if (op.kind !== 'end' || (rowed(op.call) && !removed.delete(op.call.uuid))) {
        out.push(undefined);
        continue;
      }
      const charge = await this.charge(trx, op.call);
      out.push(charge);
      rows.push(rowOf(op.call, charge));
      if (op.call.hangup) hangups.push(op.call.hangup(charge));
    }
    await callsRepo.insert(trx, rows);
    const send = await this.callbacks.enqueueIn(trx, hangups);
    afterCommit(() => {
      for (const op of ops) if (op.kind === 'end') this.unrowed.delete(op.call.uuid);
      send();
    });
    return out;
  }

  private async charge(trx: Parameters<Billing['chargeCall']>[0], call: EndedCall): Promise<Charge> {
    try {
      const c = await this.billing.chargeCall(trx, call.owner, {
        callUuid: call.uuid,
        direction: call.direction,
        number: call.to,
        numberType: call.numberType,
        durationSeconds: call.durationS,
        holdsCredit: call.holdsCredit,
      });
      return { rate: c.rate.rate, billedS: c.billed, amount: c.amount };
    } catch (err) {
      // A destination without a rate is free rather than unrecorded (outbound calls were rated before they were placed).
      if (err instanceof ApiError) return { rate: 0, billedS: 0, amount: 0 };
      throw err;
    }
  }
}

/**
 * The columns a live row and a CDR share, as a new object the caller adds its
 * own columns to (Object.assign, not `{ ...legColumns(call), … }`: see
 * docs/decisions.md, "No object literal on a call's path starts with a spread").
 */
function legColumns(call: CallLeg) {
  return {
    call_uuid: call.uuid,
    request_uuid: call.requestUuid,
    account_id: call.owner.accountId,
    subaccount_id: call.owner.subaccountId,
    call_direction: call.direction,
    from_number: call.from,
    to_number: call.to,
    caller_name: call.callerName,
    parent_call_uuid: call.parentCallUuid,
    initiated_at: call.initiatedAt,
  };
}

function rowOf(call: EndedCall, charge: Charge): NewCallRow {
  return Object.assign(legColumns(call), {
    conference_uuid: null,
    call_state: call.state,
    answered_at: call.answeredAt ?? null,
    ended_at: call.endedAt,
    call_duration: call.durationS,
    billed_duration: charge.billedS,
    total_amount: charge.amount,
    total_rate: charge.rate,
    hangup_cause_code: call.causeCode,
    hangup_cause_name: call.causeName,
    hangup_cause: call.cause,
    hangup_source: call.source,
    stir_verification: 'Not Applicable',
    source_ip: '',
  });
}

/** The Call object of the spec (CDR). */
export function cdrView(row: CallRow) {
  return {
    answer_time: row.answered_at === null ? null : formatTimestamp(row.answered_at),
    bill_duration: row.call_duration,
    billed_duration: row.billed_duration,
    call_direction: row.call_direction,
    call_duration: row.call_duration,
    call_state: row.call_state,
    call_uuid: row.call_uuid,
    conference_uuid: row.conference_uuid,
    end_time: formatTimestamp(row.ended_at),
    from_number: row.from_number,
    hangup_cause_code: row.hangup_cause_code,
    hangup_cause_name: row.hangup_cause_name,
    hangup_source: row.hangup_source,
    initiation_time: formatTimestamp(row.initiated_at),
    parent_call_uuid: row.parent_call_uuid,
    resource_uri: `/v1/Account/${row.account_id}/Call/${row.call_uuid}/`,
    stir_verification: row.stir_verification,
    stir_attestation: 'Not Applicable',
    to_number: row.to_number,
    total_amount: formatMoney(row.total_amount),
    total_rate: formatMoney(row.total_rate),
    voice_network_group: '',
    source_ip: row.source_ip,
    // Our addition: the call quality feedback posted for it (null when none).
    feedback: row.feedback === null ? null : (JSON.parse(row.feedback) as unknown),
  };
}
