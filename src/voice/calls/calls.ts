// Calls of every account and the typed operations on them, for the Call API
// (calls-api.ts, which parses its snake_case and answers with its views),
// verification calls and flows: place calls (paced by the account's
// calls-per-second limit), ring destinations for a flow (the first to answer
// is held for it), find queued and live calls, hang them up, transfer them
// to a new document, read their records (CDRs).
import { ApiError } from '../../errors.ts';
import { newUuid } from '../../ids.ts';
import type { Accounts } from '../../platform/accounts.ts';
import { keptByMainAccount, type PlatformContext } from '../../platform/context.ts';
import type { Pricing, Rate } from '../../platform/pricing.ts';
import { ownerFilter, type Scope } from '../../platform/scope.ts';
import { callsRepo, type CdrFilter } from '../../store/repos/calls.ts';
import type { Call, CallSetup, Hook } from '../engine/call.ts';
import { CAUSES } from '../engine/causes.ts';
import { factsOf, type CallFacts, type HeldCall } from '../engine/held-call.ts';
import { unconnected } from '../connect/outcome.ts';
import type { Engine } from '../engine/engine.ts';
import { Pacer } from './pacer.ts';
import type { PlatformPort } from '../engine/ports.ts';
import { visible } from '../engine/visibility.ts';
import type { TimerGroup } from '../../clock/clock.ts';
import { DEFAULT_TIME_LIMIT_S } from '../defaults.ts';
import { address, machineDetection } from './call-params.ts';

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
  /**
   * The call these serve (their parent_call_uuid): kept when it is a queued
   * or live call `scope` sees; otherwise left out, or with `required` the
   * request is refused (400).
   */
  parent?: { uuid: string; required: boolean };
}

/** Which live calls: by direction, by a prefix of either end, or of both ends (`numberPrefix`). Prefixes are digits, no `+`. */
export interface LiveCallFilter {
  direction?: 'inbound' | 'outbound';
  fromPrefix?: string;
  toPrefix?: string;
  numberPrefix?: string;
}

/** Where the Transfer operation sends the call (aleg) and the call a Dial bridged it to (bleg). */
export interface TransferTo {
  aleg?: Hook;
  bleg?: Hook;
}

export class Calls {
  private readonly pacer: Pacer;

  constructor(
    private readonly ctx: PlatformContext,
    private readonly engine: Engine,
    accounts: Accounts,
    private readonly pricing: Pricing,
    private readonly platform: PlatformPort,
    timers: TimerGroup,
    callsPerSecond: number,
  ) {
    this.pacer = new Pacer(timers, callsPerSecond, (call) => engine.dial(call));
    accounts.registerDependent(keptByMainAccount(callsRepo.moveToMain));
  }

  // ---- placing calls -----------------------------------------------------------

  /**
   * One outbound call per destination, each running `setup`, paced by the
   * account's calls-per-second limit: the typed operation behind the Call
   * API, for callers that are not the API too (verification calls, flows).
   */
  async place(scope: Scope, p: PlaceCalls): Promise<{ queued: boolean; requestUuids: string[] }> {
    return this.start(scope, p, this.parentOf(scope, p.parent), this.priced(p.to));
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

  /** Every destination must be billable (400 otherwise): nothing is placed that cannot be billed. */
  private priced(destinations: readonly string[]): Rate[] {
    return destinations.map((d) => this.pricing.rate({ service: 'voice', direction: 'outbound', number: d }));
  }

  private parentOf(scope: Scope, parent: PlaceCalls['parent']): string | null {
    if (!parent) return null;
    const found = this.find(scope, parent.uuid);
    if (found) return found.uuid;
    if (parent.required) throw new ApiError(400, `parent_call_uuid ${parent.uuid} is not a live call of this account`);
    return null;
  }

  /** The calls hold their first billing increments before any is placed: all of them, or none and 400 (insufficient credit). */
  private async start(scope: Scope, p: PlaceCalls, parentCallUuid: string | null, rates: readonly Rate[]): Promise<{ queued: boolean; requestUuids: string[] }> {
    const owner = { accountId: scope.accountId, subaccountId: scope.subaccountId };
    const signing = await this.platform.signing(owner);
    const uuids = p.to.map(() => newUuid());
    await this.engine.credit.hold(owner, uuids.map((uuid, i) => ({ uuid, rate: rates[i]!.rate })));
    let queued = false;
    const requestUuids = p.to.map((to, i) => {
      const uuid = uuids[i]!;
      const call = this.engine.create({ uuid, requestUuid: uuid, direction: 'outbound', from: p.from, to, owner, signing, setup: p.setup, parentCallUuid, rate: rates[i]!.rate });
      if (!this.pacer.submit(scope.accountId, call)) queued = true;
      return uuid;
    });
    return { queued, requestUuids };
  }

  // ---- queued and live calls ------------------------------------------------------

  /** A queued or live call `scope` sees. */
  find(scope: Scope, uuid: string): Call | undefined {
    const call = this.engine.find(uuid);
    return call && visible(scope, call.owner) ? call : undefined;
  }

  /** The live (not queued) calls `scope` sees that `f` matches. */
  live(scope: Scope, f: LiveCallFilter = {}): Call[] {
    const out: Call[] = [];
    for (const call of this.engine.live()) {
      if (call.status === 'queued' || !visible(scope, call.owner)) continue;
      if (f.direction && call.direction !== f.direction) continue;
      if (f.fromPrefix && !call.from.startsWith(f.fromPrefix)) continue;
      if (f.toPrefix && !call.to.startsWith(f.toPrefix)) continue;
      if (f.numberPrefix && !call.from.startsWith(f.numberPrefix) && !call.to.startsWith(f.numberPrefix)) continue;
      out.push(call);
    }
    return out;
  }

  /** The calls `scope` placed that wait for the calls-per-second limit. */
  queued(scope: Scope): Call[] {
    return [...this.engine.live()].filter((c) => c.status === 'queued' && visible(scope, c.owner));
  }

  /** The queued or live call a request placed. */
  ofRequest(scope: Scope, requestUuid: string): Call | undefined {
    return [...this.engine.live()].find((c) => c.requestUuid === requestUuid && visible(scope, c.owner));
  }

  // ---- hanging up and transferring ---------------------------------------------------

  /** End `call` as the API does: completed when answered, cancelled before. */
  hangup(call: Call): void {
    call.hangup({ cause: call.isAnswered ? CAUSES.normal : CAUSES.canceled, source: 'API Request' });
  }

  /** Hang up every queued and live call `scope` sees; how many there were. */
  hangupAll(scope: Scope): number {
    let n = 0;
    for (const call of [...this.engine.live()]) {
      if (!visible(scope, call.owner)) continue;
      this.hangup(call);
      n++;
    }
    return n;
  }

  /**
   * A new document takes `call` (aleg) or the call a Dial bridged it to
   * (bleg), or both, over. Only a call running XML (answered, or inbound)
   * can be transferred (400 otherwise), and a bleg needs a bridge.
   */
  transfer(call: Call, to: TransferTo): void {
    const b = to.bleg ? call.bridgedTo : undefined;
    if (to.bleg && !b) throw new ApiError(400, `call ${call.uuid} has no bridged leg to transfer (legs=${to.aleg ? 'both' : 'bleg'}); use legs=aleg`);
    const runsXml = call.status === 'in-progress' || call.status === 'early-media' || (call.direction === 'inbound' && call.status === 'ringing');
    if (!runsXml) throw new ApiError(400, `call ${call.uuid} is ${call.status}: only a call that is running XML (answered, or inbound) can be transferred`);
    // The B-leg first, so the Dial that bridged it lets it go on instead of hanging it up.
    if (b) this.engine.transfer(b, to.bleg!);
    if (to.aleg) this.engine.transfer(call, to.aleg);
  }

  // ---- records (CDRs) -------------------------------------------------------------------

  /** The record of an ended call `scope` sees; for a call that has just ended, once it is written. */
  async record(scope: Scope, uuid: string) {
    const row = await callsRepo.find(this.ctx.db, ownerFilter(scope), uuid);
    if (row) return row;
    // A call that has just ended: its record is being written.
    await this.engine.recorded(uuid);
    return callsRepo.find(this.ctx.db, ownerFilter(scope), uuid);
  }

  /** Records matching `f`, a page of them and how many in all. */
  async records(f: CdrFilter, limit: number, offset: number) {
    const [rows, total] = await Promise.all([callsRepo.list(this.ctx.db, f, limit, offset), callsRepo.count(this.ctx.db, f)]);
    return { rows, total };
  }
}
