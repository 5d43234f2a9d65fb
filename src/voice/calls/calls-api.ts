// The Call API over the typed operations of Calls: it reads the API's
// snake_case parameters (one call or bulk, CDR filters, transfer legs),
// answers with the API's views, and says what is wrong with a request as an
// ApiError before anything happens.
import { enterDomainOf } from '../../clock/domains.ts';
import { ApiError, notFound } from '../../errors.ts';
import type { Accounts } from '../../platform/accounts.ts';
import type { PlatformContext } from '../../platform/context.ts';
import { checkSubaccount } from '../../platform/owner.ts';
import { ownerFilter, type Scope } from '../../platform/scope.ts';
import { filterDigits } from '../../platform/phone.ts';
import { timeRange } from '../../platform/time-range.ts';
import type { CdrFilter, Range } from '../../store/repos/calls.ts';
import type { Call, CallSetup, Hook } from '../engine/call.ts';
import { cdrView } from '../engine/cdrs.ts';
import { sessionTime } from '../engine/format.ts';
import type { HttpMethod } from '../engine/ports.ts';
import { DEFAULT_RING_TIMEOUT_S, DEFAULT_TIME_LIMIT_S } from '../defaults.ts';
import { address, machineDetection, sendDigits, sipHeaders, type MachineDetectionInput } from './call-params.ts';
import type { Calls } from './calls.ts';

/** The documented maximum of unique destinations in one request. */
export const MAX_DESTINATIONS = 1000;
/** Calls longer than this are cut at 24 hours whatever time_limit says. */
const MAX_TIME_LIMIT_S = 86_400;
const DAY = 86_400_000;

export interface MakeCallInput extends MachineDetectionInput {
  from: string;
  to: string;
  answer_url: string;
  answer_method?: HttpMethod;
  ring_url?: string;
  ring_method?: HttpMethod;
  hangup_url?: string;
  hangup_method?: HttpMethod;
  fallback_url?: string;
  fallback_method?: HttpMethod;
  caller_name?: string;
  send_digits?: string;
  send_on_preanswer?: boolean;
  time_limit?: number;
  hangup_on_ring?: number;
  sip_headers?: string;
  ring_timeout?: number;
  parent_call_uuid?: string;
  error_if_parent_not_found?: boolean;
}

export interface LiveFilter {
  call_direction?: 'inbound' | 'outbound';
  from_number?: string;
  to_number?: string;
  /** v2: matches either end. */
  number?: string;
}

export interface CdrQuery {
  subaccount?: string;
  call_direction?: 'inbound' | 'outbound';
  from_number?: string;
  to_number?: string;
  parent_call_uuid?: string;
  hangup_cause_code?: number;
  hangup_source?: string;
  stir_verification?: string;
  bill_duration?: number;
  bill_duration__gt?: number;
  bill_duration__gte?: number;
  bill_duration__lt?: number;
  bill_duration__lte?: number;
  end_time?: string;
  end_time__gt?: string;
  end_time__gte?: string;
  end_time__lt?: string;
  end_time__lte?: string;
  limit: number;
  offset: number;
}

export interface TransferInput {
  legs?: 'aleg' | 'bleg' | 'both';
  aleg_url?: string;
  aleg_method?: HttpMethod;
  bleg_url?: string;
  bleg_method?: HttpMethod;
}

const hook = (url: string | undefined, method: HttpMethod | undefined): Hook | undefined => (url ? { url, method: method ?? 'POST' } : undefined);

/** The end_time filters as one [from, to) window: 7 days back by default, at most 30 days wide, within 90 days. */
function endWindow(q: CdrQuery, now: number): Range {
  const { from: lower, to } = timeRange('end_time', q);
  let from = lower;
  if (from === undefined && to === undefined) return { from: now - 7 * DAY, to: undefined };
  if (from !== undefined && to !== undefined && to - from > 30 * DAY) {
    throw new ApiError(400, 'the end_time range is wider than 30 days: narrow end_time__gt/gte and end_time__lt/lte to at most 30 days');
  }
  from ??= to! - 30 * DAY;
  // Only the last 90 days can be read.
  return { from: Math.max(from, now - 90 * DAY), to };
}

function durationRange(q: CdrQuery): Range {
  const r: Range = {};
  const lower = (v: number) => (r.from = Math.max(r.from ?? -Infinity, v));
  const upper = (v: number) => (r.to = Math.min(r.to ?? Infinity, v));
  if (q.bill_duration !== undefined) {
    lower(q.bill_duration);
    upper(q.bill_duration + 1);
  }
  if (q.bill_duration__gt !== undefined) lower(q.bill_duration__gt + 1);
  if (q.bill_duration__gte !== undefined) lower(q.bill_duration__gte);
  if (q.bill_duration__lt !== undefined) upper(q.bill_duration__lt);
  if (q.bill_duration__lte !== undefined) upper(q.bill_duration__lte + 1);
  return r;
}

export function liveView(call: Call) {
  return {
    direction: call.direction,
    from: call.from,
    to: call.to,
    call_status: call.status,
    caller_name: call.setup.callerName,
    call_uuid: call.uuid,
    request_uuid: call.requestUuid,
    parent_call_uuid: call.parentCallUuid,
    answer_url: call.setup.answer.url,
    session_start: call.sessionStart === undefined ? null : sessionTime(call.sessionStart),
    stir_attestation: 'Not Applicable',
    stir_verification: 'Not Applicable',
  };
}

export function queuedView(call: Call) {
  return {
    direction: call.direction,
    from: call.from,
    call_status: 'queued',
    to: call.to,
    caller_name: call.setup.callerName,
    call_uuid: call.uuid,
    request_uuid: call.requestUuid,
  };
}

export class CallsApi {
  constructor(
    private readonly calls: Calls,
    private readonly accounts: Accounts,
    private readonly ctx: PlatformContext,
  ) {}

  // ---- placing calls -----------------------------------------------------------

  async make(scope: Scope, input: MakeCallInput): Promise<{ queued: boolean; requestUuids: string[]; bulk: boolean }> {
    const from = address(input.from, 'from');
    const parts = input.to.split('<').map((t) => t.trim()).filter((t) => t !== '');
    if (parts.length === 0) throw new ApiError(400, 'to must name at least one destination (numbers or sip: URIs separated by <)');
    const destinations = [...new Set(parts.map((t) => address(t, 'to')))];
    if (destinations.length > MAX_DESTINATIONS) throw new ApiError(400, `to has ${destinations.length} unique destinations; at most ${MAX_DESTINATIONS} are allowed`);
    const bulk = parts.length > 1;
    if (input.caller_name !== undefined && input.caller_name.length > 50) throw new ApiError(400, 'caller_name must be at most 50 characters');
    const setup: CallSetup = {
      answer: { url: input.answer_url, method: input.answer_method ?? 'POST' },
      fallback: hook(input.fallback_url, input.fallback_method),
      ring: hook(input.ring_url, input.ring_method),
      hangup: hook(input.hangup_url, input.hangup_method),
      callerName: input.caller_name || from,
      sendDigits: sendDigits(input.send_digits, input.send_on_preanswer),
      timeLimitS: Math.min(MAX_TIME_LIMIT_S, input.time_limit ?? DEFAULT_TIME_LIMIT_S),
      hangupOnRingS: input.hangup_on_ring,
      ringTimeoutS: input.ring_timeout ?? DEFAULT_RING_TIMEOUT_S,
      sipHeaders: sipHeaders(input.sip_headers),
      machine: machineDetection(input),
    };
    // A bulk request has no parent.
    const parent = input.parent_call_uuid && !bulk ? { uuid: input.parent_call_uuid, required: input.error_if_parent_not_found ?? false } : undefined;
    return { ...(await this.calls.place(scope, { from, to: destinations, setup, parent })), bulk };
  }

  // ---- live and queued calls ------------------------------------------------------

  liveCalls(scope: Scope, f: LiveFilter): Call[] {
    return this.calls.live(scope, { direction: f.call_direction, fromPrefix: filterDigits(f.from_number), toPrefix: filterDigits(f.to_number), numberPrefix: filterDigits(f.number) });
  }

  /** A live (answered or ringing, not queued) call of `scope`, or 404. */
  liveCall(scope: Scope, uuid: string): Call {
    const call = this.calls.find(scope, uuid);
    if (!call || call.status === 'queued') throw notFound(`live call ${uuid}`);
    // What the request does to the call (a play, a recording) runs on the call's time.
    enterDomainOf(this.ctx.clock, call.owner);
    return call;
  }

  queuedCalls(scope: Scope): Call[] {
    return this.calls.queued(scope);
  }

  queuedCall(scope: Scope, uuid: string): Call {
    const call = this.calls.find(scope, uuid);
    if (!call || call.status !== 'queued') throw notFound(`queued call ${uuid}`);
    return call;
  }

  // ---- CDRs -------------------------------------------------------------------------

  async cdr(scope: Scope, uuid: string) {
    const row = await this.calls.record(scope, uuid);
    if (row) return cdrView(row);
    if (this.calls.find(scope, uuid)) throw new ApiError(404, `call ${uuid} has not ended yet: its record is written when it ends; read it live with ?status=live`);
    throw notFound(`call ${uuid}`);
  }

  async cdrs(scope: Scope, q: CdrQuery) {
    await checkSubaccount(this.accounts, scope, q.subaccount);
    const f: CdrFilter = {
      ...ownerFilter(scope, q.subaccount),
      direction: q.call_direction,
      fromPrefix: filterDigits(q.from_number),
      toPrefix: filterDigits(q.to_number),
      parentCallUuid: q.parent_call_uuid,
      duration: durationRange(q),
      ended: endWindow(q, this.ctx.clock.now()),
      hangupCauseCode: q.hangup_cause_code,
      hangupSource: q.hangup_source,
      stirVerification: q.stir_verification,
    };
    const { rows, total } = await this.calls.records(f, q.limit, q.offset);
    return { objects: rows.map(cdrView), total };
  }

  // ---- hanging up and transferring ---------------------------------------------------

  hangup(scope: Scope, uuid: string): void {
    const call = this.calls.find(scope, uuid);
    if (!call) throw notFound(`live call ${uuid}`);
    this.calls.hangup(call);
  }

  /** DELETE /Request/{request_uuid}/: the call a request placed, queued or live. */
  hangupRequest(scope: Scope, requestUuid: string): void {
    const call = this.calls.ofRequest(scope, requestUuid);
    if (!call) throw notFound(`request ${requestUuid} (no queued or live call was placed by it)`);
    this.calls.hangup(call);
  }

  hangupAll(scope: Scope): number {
    return this.calls.hangupAll(scope);
  }

  transfer(scope: Scope, uuid: string, input: TransferInput): void {
    const call = this.liveCall(scope, uuid);
    const legs = input.legs ?? 'aleg';
    if (legs !== 'bleg' && !input.aleg_url) throw new ApiError(400, `aleg_url is required when legs is ${legs}`);
    if (legs !== 'aleg' && !input.bleg_url) throw new ApiError(400, `bleg_url is required when legs is ${legs}`);
    this.calls.transfer(call, {
      aleg: legs === 'bleg' ? undefined : { url: input.aleg_url!, method: input.aleg_method ?? 'POST' },
      bleg: legs === 'aleg' ? undefined : { url: input.bleg_url!, method: input.bleg_method ?? 'POST' },
    });
  }
}
