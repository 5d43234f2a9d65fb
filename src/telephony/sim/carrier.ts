// The sandbox carrier: a TelephonyDriver whose every destination the
// platform does not serve is a virtual phone. Legs it originates ring,
// answer or fail as the phone's behaviour says; a call to one of the
// platform's own numbers comes back in as an inbound call to that number
// (loop-back). `placeCall` lets a virtual phone call the platform.
// Ended legs are kept (bounded) so their transcripts and audio stay readable.
import type { TimerGroup } from '../../clock/clock.ts';
import { newUuid } from '../../ids.ts';
import type { InboundInfo, Leg, LegObserver, OriginateRequest, Tenant, TelephonyDriver } from '../driver.ts';
import { addressKey, DEFAULT_PHONE, type DtmfMode, type PhoneDirectory, type PhoneMedia, type ScriptStep } from './behaviour.ts';
import { SimLeg, type SimContext } from './leg.ts';

/** Ended legs kept for transcripts and audio, oldest dropped first. */
export const RETAINED_ENDED_LEGS = 10_000;
/** How many times one call may come back into the platform (a number whose application dials itself would loop for ever). */
export const MAX_LOOP_HOPS = 5;

export interface SimCarrierDeps {
  timers: TimerGroup;
  directory: PhoneDirectory;
  /** Whose number `address` is when the platform serves it (it routes calls to it to an application). */
  platformOwner(address: string): Promise<Tenant | undefined>;
  media: PhoneMedia;
  onError(leg: SimLeg, err: unknown): void;
  retain?: number;
}

/** A virtual phone's call to the platform: what an originated leg carries, and what the phone does once answered. */
export interface PlaceCall extends OriginateRequest {
  script: ScriptStep[];
  /** How the phone sends its keys (default rfc4733). */
  dtmfMode?: DtmfMode;
}

export class SimCarrier implements TelephonyDriver {
  private inbound: ((leg: Leg, info: InboundInfo) => void) | undefined;
  private readonly live = new Map<string, SimLeg>();
  private readonly ended = new Map<string, SimLeg>();
  private readonly awaited = new Map<string, Set<() => void>>();
  private readonly ctx: SimContext;
  private readonly retain: number;

  constructor(private readonly deps: SimCarrierDeps) {
    this.retain = deps.retain ?? RETAINED_ENDED_LEGS;
    this.ctx = {
      timers: deps.timers,
      media: deps.media,
      onError: deps.onError,
      retire: (leg) => {
        this.live.delete(leg.uuid);
        this.ended.set(leg.uuid, leg);
        if (this.ended.size > this.retain) this.ended.delete(this.ended.keys().next().value!);
      },
    };
  }

  originate(req: OriginateRequest, observer: LegObserver): Leg {
    const leg = new SimLeg(this.ctx, { uuid: req.uuid, direction: 'outbound', from: req.from, to: req.to, tenant: req.tenant, sipHeaders: req.sipHeaders });
    leg.attach(observer);
    this.add(leg);
    this.deps.timers.clock.track(this.connect(leg, req, observer)).catch((err: unknown) => {
      this.deps.onError(leg, err);
      leg.hangup('NORMAL_TEMPORARY_FAILURE');
    });
    return leg;
  }

  /** The platform's own numbers take the call in as an inbound call, as if a virtual phone with the caller's number dialled them; any other address is a virtual phone. */
  private async connect(leg: SimLeg, req: OriginateRequest, observer: LegObserver): Promise<void> {
    const owner = await this.deps.platformOwner(req.to);
    if (!owner) return leg.dial(await this.deps.directory.behaviourOf(req.tenant, addressKey(req.to)), observer);
    // The platform may have given up while the number was looked up.
    if (leg.state === 'ended') return;
    // Like a network's hop counter: past the limit the number is unreachable.
    const hops = (req.parentUuid === undefined ? 0 : (this.live.get(req.parentUuid)?.hops ?? 0)) + 1;
    if (hops > MAX_LOOP_HOPS) return leg.dial({ ...DEFAULT_PHONE, behaviour: 'unreachable' }, observer);
    // The owner's traffic, so the owner's sandbox sees the inbound leg; the caller's tenant is not given, since any account may call any number.
    const inbound = new SimLeg(this.ctx, { uuid: newUuid(), direction: 'inbound', from: req.from, to: req.to, tenant: owner, sipHeaders: req.sipHeaders, hops });
    leg.loopBack(inbound);
    this.announce(inbound, { sipHeaders: req.sipHeaders, callerName: req.callerName });
  }

  onInbound(handler: (leg: Leg, info: InboundInfo) => void): void {
    this.inbound = handler;
  }

  /** A virtual phone calls the platform; the engine receives it as any inbound call. */
  placeCall(call: PlaceCall): SimLeg {
    const leg = new SimLeg(this.ctx, { uuid: call.uuid, direction: 'inbound', from: call.from, to: call.to, tenant: call.tenant, sipHeaders: call.sipHeaders });
    leg.callWith(call.script, call.dtmfMode);
    this.announce(leg, { sipHeaders: call.sipHeaders, callerName: call.callerName, tenant: call.tenant });
    return leg;
  }

  private announce(leg: SimLeg, info: InboundInfo): void {
    this.add(leg);
    const handler = this.inbound;
    if (!handler) leg.hangup('NORMAL_TEMPORARY_FAILURE');
    else handler(leg, info);
  }

  private add(leg: SimLeg): void {
    this.live.set(leg.uuid, leg);
    const waiting = this.awaited.get(leg.uuid);
    this.awaited.delete(leg.uuid);
    if (waiting) for (const fn of waiting) fn();
  }

  /** Calls `fn` once a leg with `uuid` exists (someone waiting on a call not dialled yet); the returned function cancels. */
  onCreated(uuid: string, fn: () => void): () => void {
    let set = this.awaited.get(uuid);
    if (!set) this.awaited.set(uuid, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.awaited.get(uuid) === set) this.awaited.delete(uuid);
    };
  }

  /** A live or recently ended leg. */
  find(uuid: string): SimLeg | undefined {
    return this.live.get(uuid) ?? this.ended.get(uuid);
  }

  /** Live and retained legs whose virtual phone is `number`, newest first. */
  legsOf(number: string): SimLeg[] {
    const key = addressKey(number);
    const out: SimLeg[] = [];
    for (const map of [this.live, this.ended]) for (const leg of map.values()) if (addressKey(leg.phone) === key) out.push(leg);
    return out.sort((a, b) => b.startedAt - a.startedAt);
  }

  /** Ends every live leg (server shutdown). */
  async close(): Promise<void> {
    for (const leg of [...this.live.values()]) leg.hangup('NORMAL_TEMPORARY_FAILURE');
  }
}
