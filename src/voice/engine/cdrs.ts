// Call detail records: every ended call is rated, billed and written in one
// transaction, so a CDR and its charge exist together or not at all. Calls
// that end in the same turn of the event loop share a transaction: at
// hundreds of calls a second that turns hundreds of commits into a few.
import { ApiError } from '../../errors.ts';
import type { Billing } from '../../platform/billing.ts';
import type { PlatformContext } from '../../platform/context.ts';
import { formatTimestamp } from '../../platform/time.ts';
import { formatMoney } from '../../money.ts';
import { callsRepo } from '../../store/repos/calls.ts';
import type { CallRow, NewCallRow } from '../../store/tables/calls.ts';
import type { CdrPort, Charge, EndedCall } from './ports.ts';

interface Pending {
  call: EndedCall;
  resolve(charge: Charge): void;
  reject(err: unknown): void;
}

export class CdrWriter implements CdrPort {
  private batch: Pending[] = [];
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: PlatformContext,
    private readonly billing: Billing,
  ) {}

  record(call: EndedCall): Promise<Charge> {
    return new Promise((resolve, reject) => {
      if (this.batch.length === 0) setImmediate(() => this.flush());
      this.batch.push({ call, resolve, reject });
    });
  }

  /** Resolves once everything recorded so far is written. */
  async drain(): Promise<void> {
    this.flush();
    await this.flushing;
  }

  private flush(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    this.flushing = this.flushing.then(() => this.write(batch));
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      const charges = await this.ctx.db.transaction().execute(async (trx) => {
        const out: Charge[] = [];
        const rows: NewCallRow[] = [];
        for (const { call } of batch) {
          const charge = await this.charge(trx, call);
          out.push(charge);
          rows.push(rowOf(call, charge));
        }
        await callsRepo.insert(trx, rows);
        return out;
      });
      batch.forEach((p, i) => p.resolve(charges[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  private async charge(trx: Parameters<Billing['chargeCall']>[0], call: EndedCall): Promise<Charge> {
    try {
      const c = await this.billing.chargeCall(trx, call.owner, {
        callUuid: call.uuid,
        direction: call.direction,
        number: call.to,
        numberType: call.numberType,
        durationSeconds: call.durationS,
      });
      return { rate: c.rate.rate, billedS: c.billed, amount: c.amount };
    } catch (err) {
      // A destination without a rate is free rather than unrecorded (outbound calls were rated before they were placed).
      if (err instanceof ApiError) return { rate: 0, billedS: 0, amount: 0 };
      throw err;
    }
  }
}

function rowOf(call: EndedCall, charge: Charge): NewCallRow {
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
    conference_uuid: null,
    call_state: call.state,
    initiated_at: call.initiatedAt,
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
  };
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
  };
}
