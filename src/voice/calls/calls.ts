// The Call API's rules: placing calls (one or bulk), the outbound
// calls-per-second limit, queued and live calls, CDRs with their filters,
// hanging up a call, a request or everything, and transfers.
import { timeRange } from '../../platform/time-range.ts';
import { ApiError, notFound } from '../../errors.ts';
import { newUuid } from '../../ids.ts';
import type { Accounts } from '../../platform/accounts.ts';
import type { Billing } from '../../platform/billing.ts';
import { keptByMainAccount, type PlatformContext } from '../../platform/context.ts';
import { normalizeNumber } from '../../platform/phone.ts';
import type { Pricing, Rate } from '../../platform/pricing.ts';
import { ownerFilter, type Scope } from '../../platform/scope.ts';
import { callsRepo, type CdrFilter, type Range } from '../../store/repos/calls.ts';
import type { Call, CallSetup, Hook, MachineDetection } from '../engine/call.ts';
import { CAUSES } from '../engine/causes.ts';
import { factsOf, type CallFacts, type HeldCall } from '../engine/held-call.ts';
import { unconnected } from '../connect/outcome.ts';
import { cdrView } from '../engine/cdrs.ts';
import type { Engine } from '../engine/engine.ts';
import { sessionTime } from '../engine/format.ts';
import { Pacer } from './pacer.ts';
import type { HttpMethod, PlatformPort } from '../engine/ports.ts';
import { visible } from '../engine/visibility.ts';
import type { TimerGroup } from '../../clock/clock.ts';
import { DEFAULT_RING_TIMEOUT_S, DEFAULT_TIME_LIMIT_S } from '../defaults.ts';

/** The documented maximum of unique destinations in one request. */
export const MAX_DESTINATIONS = 1000;
/** Calls longer than this are cut at 24 hours whatever time_limit says. */
const MAX_TIME_LIMIT_S = 86_400;
/** send_digits tones last this long unless `@ms` says otherwise. */
const SEND_DIGITS_TONE_MS = 2000;

export interface MakeCallInput {
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
  machine_detection?: string;
  machine_detection_time?: number;
  machine_detection_url?: string;
  machine_detection_method?: HttpMethod;
  machine_detection_maximum_speech_length?: number;
  machine_detection_initial_silence?: number;
  machine_detection_maximum_words?: number;
  machine_detection_initial_greeting?: number;
  machine_detection_silence?: number;
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

/** Calls a flow rings (`Calls.ring`): numbers (normalized here) or SIP URIs. */
export interface RingCalls {
  from: string;
  to: readonly string[];
  ringTimeoutS: number;
  /** Tell a person from an answering machine before the call is handed over. */
  machineDetection: boolean;
}

/** What ringing came to: the first destination to answer, held for the flow, or why none did; every leg as it stands. */
export type RingOutcome = { answered: HeldCall; legs: CallFacts[] } | { status: 'busy' | 'no-answer' | 'failed'; legs: CallFacts[] };

/** Calls placed by `Calls.place`: numbers or SIP URIs already normalized. */
export interface PlaceCalls {
  from: string;
  to: readonly string[];
  setup: CallSetup;
  parentCallUuid?: string | null;
}

const DAY = 86_400_000;

/** A number (country code and digits) or a SIP URI. */
function address(input: string, field: string): string {
  const t = input.trim();
  if (/^sips?:[^\s@]+@\S+$/i.test(t)) return t;
  return normalizeNumber(t, field);
}

/** `head1=val1,head2=val2`: letters and digits only, as documented. */
export function sipHeaders(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const pair of raw.split(',')) {
    const m = /^\s*([A-Za-z0-9]+)=([A-Za-z0-9]*)\s*$/.exec(pair);
    if (!m) throw new ApiError(400, `sip_headers must be key=value pairs separated by commas, keys and values made of letters and digits (got "${pair}")`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** `1w2W3@1000` → digits and tone length. */
function sendDigits(raw: string | undefined, onPreanswer: boolean | undefined) {
  if (!raw) return undefined;
  const m = /^([0-9*#wWABCD]+)(?:@(\d{2,5}))?$/.exec(raw.trim());
  if (!m) throw new ApiError(400, `send_digits must be DTMF keys (0-9, *, #) with optional w or W pauses and an optional @duration in ms, e.g. 1w2W3@1000 (got "${raw}")`);
  return { digits: m[1]!, toneMs: m[2] ? Number(m[2]) : SEND_DIGITS_TONE_MS, onPreanswer: onPreanswer ?? false };
}

function inRange(name: string, v: number | undefined, min: number, max: number, absent: number): number {
  if (v === undefined) return absent;
  if (!Number.isInteger(v) || v < min || v > max) throw new ApiError(400, `${name} must be an integer from ${min} to ${max} (got ${v})`);
  return v;
}

function machineDetection(input: Partial<MakeCallInput>): MachineDetection | undefined {
  const mode = input.machine_detection?.toLowerCase();
  if (!mode || mode === 'false') return undefined;
  if (mode !== 'true' && mode !== 'hangup') throw new ApiError(400, `machine_detection must be true or hangup (got "${input.machine_detection}")`);
  return {
    mode,
    timeMs: inRange('machine_detection_time', input.machine_detection_time, 2000, 10_000, 5000),
    url: input.machine_detection_url ? { url: input.machine_detection_url, method: input.machine_detection_method ?? 'POST' } : undefined,
    maxSpeechMs: inRange('machine_detection_maximum_speech_length', input.machine_detection_maximum_speech_length, 1000, 6000, 5000),
    initialSilenceMs: inRange('machine_detection_initial_silence', input.machine_detection_initial_silence, 2000, 10_000, 4500),
    maxWords: inRange('machine_detection_maximum_words', input.machine_detection_maximum_words, 2, 10, 3),
    initialGreetingMs: inRange('machine_detection_initial_greeting', input.machine_detection_initial_greeting, 1000, 5000, 1500),
    silenceMs: inRange('machine_detection_silence', input.machine_detection_silence, 500, 5000, 800),
  };
}

const hook = (url: string | undefined, method: HttpMethod | undefined): Hook | undefined => (url ? { url, method: method ?? 'POST' } : undefined);

/** "YYYY-MM-DD HH:MM[:ss[.uuuuuu]]" (UTC) → the instant and how precise it is, in ms. */
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

export class Calls {
  private readonly pacer: Pacer;

  constructor(
    private readonly ctx: PlatformContext,
    private readonly engine: Engine,
    private readonly accounts: Accounts,
    private readonly billing: Billing,
    private readonly pricing: Pricing,
    private readonly platform: PlatformPort,
    timers: TimerGroup,
    callsPerSecond: number,
  ) {
    this.pacer = new Pacer(timers, callsPerSecond, (call) => engine.dial(call));
    accounts.registerDependent(keptByMainAccount(callsRepo.moveToMain));
  }

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
    const rates = await this.priced(scope, destinations);

    let parent: string | null = null;
    if (input.parent_call_uuid && !bulk) {
      const found = this.engine.find(input.parent_call_uuid);
      if (found && visible(scope, found.owner)) parent = found.uuid;
      else if (input.error_if_parent_not_found) throw new ApiError(400, `parent_call_uuid ${input.parent_call_uuid} is not a live call of this account`);
    }
    return { ...(await this.start(scope, { from, to: destinations, setup, parentCallUuid: parent }, rates)), bulk };
  }

  /**
   * One outbound call per destination, each running `setup`, paced by the
   * account's calls-per-second limit: the typed operation behind the Call
   * API, for callers that are not the API (verification calls, flows).
   */
  async place(scope: Scope, p: PlaceCalls): Promise<{ queued: boolean; requestUuids: string[] }> {
    return this.start(scope, p, await this.priced(scope, p.to));
  }

  /**
   * Ring every destination at once for a flow: the first to answer (once
   * machine detection has decided, when asked) is held for the flow and the
   * others are cancelled. The calls are placed like the API's: paced,
   * billed, logged.
   */
  async ring(scope: Scope, r: RingCalls): Promise<RingOutcome> {
    let settle!: (o: RingOutcome) => void;
    const outcome = new Promise<RingOutcome>((resolve) => (settle = resolve));
    let winner: Call | undefined;
    const legs: Call[] = [];
    const setup: CallSetup = {
      answer: { url: '', method: 'POST' },
      callerName: address(r.from, 'from'),
      timeLimitS: DEFAULT_TIME_LIMIT_S,
      ringTimeoutS: r.ringTimeoutS,
      sipHeaders: {},
      machine: r.machineDetection ? machineDetection({ machine_detection: 'true' }) : undefined,
      connect: (call) => {
        if (winner) return call.hangup({ cause: CAUSES.canceled, source: 'Plivo' });
        winner = call;
        for (const other of legs) if (other !== call) other.hangup({ cause: CAUSES.canceled, source: 'Plivo' });
        settle({ answered: this.engine.hold(call), legs: legs.map(factsOf) });
      },
    };
    const to = [...new Set(r.to.map((t) => address(t, 'to')))];
    const placed = await this.place(scope, { from: address(r.from, 'from'), to, setup });
    legs.push(...placed.requestUuids.map((uuid) => this.engine.find(uuid)!));
    for (const leg of legs) {
      leg.onEnd(() => {
        if (!winner && legs.every((l) => !l.live)) settle({ status: unconnected(legs), legs: legs.map(factsOf) });
      });
    }
    return outcome;
  }

  /** Every destination must be billable, and the balance must cover a first increment of the dearest. */
  private async priced(scope: Scope, destinations: readonly string[]): Promise<Rate[]> {
    const rates = destinations.map((d) => this.pricing.rate({ service: 'voice', direction: 'outbound', number: d }));
    await this.billing.assertCanSpend(scope, Math.max(...rates.map((r) => this.pricing.cost(r, 1).amount)));
    return rates;
  }

  private async start(scope: Scope, p: PlaceCalls, rates: readonly Rate[]): Promise<{ queued: boolean; requestUuids: string[] }> {
    const owner = { accountId: scope.accountId, subaccountId: scope.subaccountId };
    const signing = await this.platform.signing(owner);
    let queued = false;
    const requestUuids = p.to.map((to, i) => {
      const uuid = newUuid();
      const call = this.engine.create({ uuid, requestUuid: uuid, direction: 'outbound', from: p.from, to, owner, signing, setup: p.setup, parentCallUuid: p.parentCallUuid ?? null, rate: rates[i]!.rate });
      if (!this.pacer.submit(scope.accountId, call)) queued = true;
      return uuid;
    });
    return { queued, requestUuids };
  }

  // ---- live and queued calls ------------------------------------------------------

  private mine(scope: Scope, uuid: string): Call | undefined {
    const call = this.engine.find(uuid);
    return call && visible(scope, call.owner) ? call : undefined;
  }

  liveCalls(scope: Scope, f: LiveFilter): Call[] {
    const out: Call[] = [];
    for (const call of this.engine.live()) {
      if (call.status === 'queued' || !visible(scope, call.owner)) continue;
      if (f.call_direction && call.direction !== f.call_direction) continue;
      if (f.from_number && !call.from.startsWith(f.from_number.replace(/^\+/, ''))) continue;
      if (f.to_number && !call.to.startsWith(f.to_number.replace(/^\+/, ''))) continue;
      if (f.number) {
        const n = f.number.replace(/^\+/, '');
        if (!call.from.startsWith(n) && !call.to.startsWith(n)) continue;
      }
      out.push(call);
    }
    return out;
  }

  liveCall(scope: Scope, uuid: string): Call {
    const call = this.mine(scope, uuid);
    if (!call || call.status === 'queued') throw notFound(`live call ${uuid}`);
    return call;
  }

  queuedCalls(scope: Scope): Call[] {
    return [...this.engine.live()].filter((c) => c.status === 'queued' && visible(scope, c.owner));
  }

  queuedCall(scope: Scope, uuid: string): Call {
    const call = this.mine(scope, uuid);
    if (!call || call.status !== 'queued') throw notFound(`queued call ${uuid}`);
    return call;
  }

  // ---- CDRs -------------------------------------------------------------------------

  async cdr(scope: Scope, uuid: string) {
    let row = await callsRepo.find(this.ctx.db, ownerFilter(scope), uuid);
    if (!row) {
      // A call that has just ended: its record is being written.
      await this.engine.recorded(uuid);
      row = await callsRepo.find(this.ctx.db, ownerFilter(scope), uuid);
    }
    if (row) return cdrView(row);
    if (this.mine(scope, uuid)) throw new ApiError(404, `call ${uuid} has not ended yet: its record is written when it ends; read it live with ?status=live`);
    throw notFound(`call ${uuid}`);
  }

  async cdrs(scope: Scope, q: CdrQuery) {
    if (q.subaccount && scope.subaccountId === null) {
      const sub = await this.accounts.find(q.subaccount);
      if (!sub || sub.parent_id !== scope.accountId) throw new ApiError(400, `subaccount ${q.subaccount} is not a subaccount of this account`);
    }
    const f: CdrFilter = {
      ...ownerFilter(scope, q.subaccount),
      direction: q.call_direction,
      fromPrefix: q.from_number?.replace(/^\+/, ''),
      toPrefix: q.to_number?.replace(/^\+/, ''),
      parentCallUuid: q.parent_call_uuid,
      duration: durationRange(q),
      ended: endWindow(q, this.ctx.clock.now()),
      hangupCauseCode: q.hangup_cause_code,
      hangupSource: q.hangup_source,
      stirVerification: q.stir_verification,
    };
    const [rows, total] = await Promise.all([callsRepo.list(this.ctx.db, f, q.limit, q.offset), callsRepo.count(this.ctx.db, f)]);
    return { objects: rows.map(cdrView), total };
  }

  // ---- hanging up and transferring ---------------------------------------------------

  private hangupByApi(call: Call): void {
    call.hangup({ cause: call.isAnswered ? CAUSES.normal : CAUSES.canceled, source: 'API Request' });
  }

  hangup(scope: Scope, uuid: string): void {
    const call = this.mine(scope, uuid);
    if (!call) throw notFound(`live call ${uuid}`);
    this.hangupByApi(call);
  }

  /** DELETE /Request/{request_uuid}/: the call a request placed, queued or live. */
  hangupRequest(scope: Scope, requestUuid: string): void {
    const call = [...this.engine.live()].find((c) => c.requestUuid === requestUuid && visible(scope, c.owner));
    if (!call) throw notFound(`request ${requestUuid} (no queued or live call was placed by it)`);
    this.hangupByApi(call);
  }

  hangupAll(scope: Scope): number {
    let n = 0;
    for (const call of [...this.engine.live()]) {
      if (!visible(scope, call.owner)) continue;
      this.hangupByApi(call);
      n++;
    }
    return n;
  }

  transfer(scope: Scope, uuid: string, input: TransferInput): void {
    const call = this.mine(scope, uuid);
    if (!call || call.status === 'queued') throw notFound(`live call ${uuid}`);
    const legs = input.legs ?? 'aleg';
    if (legs !== 'bleg' && !input.aleg_url) throw new ApiError(400, `aleg_url is required when legs is ${legs}`);
    const b = legs === 'aleg' ? undefined : call.bridgedTo;
    if (legs !== 'aleg') {
      if (!input.bleg_url) throw new ApiError(400, `bleg_url is required when legs is ${legs}`);
      if (!b) throw new ApiError(400, `call ${uuid} has no bridged leg to transfer (legs=${legs}); use legs=aleg`);
    }
    const runsXml = call.status === 'in-progress' || call.status === 'early-media' || (call.direction === 'inbound' && call.status === 'ringing');
    if (!runsXml) throw new ApiError(400, `call ${uuid} is ${call.status}: only a call that is running XML (answered, or inbound) can be transferred`);
    // The B-leg first, so the Dial that bridged it lets it go on instead of hanging it up.
    if (b) this.engine.transfer(b, { url: input.bleg_url!, method: input.bleg_method ?? 'POST' });
    if (legs !== 'bleg') this.engine.transfer(call, { url: input.aleg_url!, method: input.aleg_method ?? 'POST' });
  }
}
