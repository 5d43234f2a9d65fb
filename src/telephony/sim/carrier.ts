// The sandbox carrier: a TelephonyDriver whose every destination is a
// virtual phone. Legs it originates ring, answer or fail as the phone's
// behaviour says; `placeCall` lets a virtual phone call the platform.
// Ended legs are kept (bounded) so their transcripts and audio stay readable.
import type { TimerGroup } from '../../clock/clock.ts';
import type { InboundInfo, Leg, LegObserver, OriginateRequest, TelephonyDriver } from '../driver.ts';
import { addressKey, type PhoneDirectory, type PhoneMedia, type ScriptStep } from './behaviour.ts';
import { SimLeg, type SimContext } from './leg.ts';

/** Ended legs kept for transcripts and audio, oldest dropped first. */
export const RETAINED_ENDED_LEGS = 10_000;

export interface SimCarrierDeps {
  timers: TimerGroup;
  directory: PhoneDirectory;
  media: PhoneMedia;
  onError(leg: SimLeg, err: unknown): void;
  retain?: number;
}

/** A virtual phone's call to the platform: what an originated leg carries, and what the phone does once answered. */
export interface PlaceCall extends OriginateRequest {
  script: ScriptStep[];
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
    const clock = this.deps.timers.clock;
    clock.track(this.deps.directory.behaviourOf(req.tenant, addressKey(req.to))).then(
      (b) => leg.dial(b, observer),
      (err: unknown) => {
        this.deps.onError(leg, err);
        leg.hangup('NORMAL_TEMPORARY_FAILURE');
      },
    );
    return leg;
  }

  onInbound(handler: (leg: Leg, info: InboundInfo) => void): void {
    this.inbound = handler;
  }

  /** A virtual phone calls the platform; the engine receives it as any inbound call. */
  placeCall(call: PlaceCall): SimLeg {
    const leg = new SimLeg(this.ctx, { uuid: call.uuid, direction: 'inbound', from: call.from, to: call.to, tenant: call.tenant, sipHeaders: call.sipHeaders });
    leg.callWith(call.script);
    this.add(leg);
    const handler = this.inbound;
    if (!handler) leg.hangup('NORMAL_TEMPORARY_FAILURE');
    else handler(leg, { sipHeaders: call.sipHeaders, callerName: call.callerName, tenant: call.tenant });
    return leg;
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
