// The sandbox API's voice side (SANDBOX.md): calls from virtual phones, the
// far end of live legs (keys, speech, audio, hanging up), what the far end
// heard, waiting for a call to reach a state without sleeping, and the
// platform clock. Legs are visible to the account (or subaccount) whose
// traffic they are.
import type { Clock, TimerGroup } from '../../clock/clock.ts';
import { VirtualClock } from '../../clock/clock.ts';
import { ApiError, notFound } from '../../errors.ts';
import { newUuid } from '../../ids.ts';
import { writeWav } from '../../media/wav.ts';
import type { Scope } from '../../platform/scope.ts';
import type { SimCarrier } from '../../telephony/sim/carrier.ts';
import type { SimLeg } from '../../telephony/sim/leg.ts';
import type { TranscriptEvent } from '../../telephony/sim/transcript.ts';
import { visible } from '../visibility.ts';
import { phoneNumberOf, scriptOf } from './phones.ts';

export interface PlaceCallInput {
  from: string;
  to: string;
  sip_headers?: Record<string, string>;
  script?: unknown[];
  caller_name?: string;
}

export type WaitUntil = 'answered' | 'ended' | 'hears';

export interface Transcript {
  call_uuid: string;
  state: string;
  events: TranscriptEvent[];
}

/** The transcript's call state, in the platform's call status words. */
const STATES = { trying: 'ringing', ringing: 'ringing', early: 'early-media', answered: 'in-progress', ended: 'completed' } as const;

/** A whole day of platform time is the most one advance may cover. */
const MAX_ADVANCE_MS = 24 * 3600_000;

export class Sandbox {
  constructor(
    private readonly clock: Clock,
    private readonly timers: TimerGroup,
    private readonly carrier: SimCarrier,
  ) {}

  // ---- calls from virtual phones -------------------------------------------------

  placeCall(scope: Scope, input: PlaceCallInput): string {
    const from = phoneNumberOf(input.from, 'from');
    const to = input.to.trim();
    if (!/^\+?\d{3,20}$/.test(to) && !/^sips?:[^\s@]+@\S+$/i.test(to)) {
      throw new ApiError(400, `to "${input.to}" must be a platform number (country code and digits) or an endpoint's sip: URI`);
    }
    const uuid = newUuid();
    this.carrier.placeCall({
      uuid,
      tenant: { accountId: scope.accountId, subaccountId: scope.subaccountId },
      from,
      to: to.replace(/^\+/, ''),
      callerName: input.caller_name ?? '',
      sipHeaders: input.sip_headers ?? {},
      script: scriptOf(input.script),
    });
    return uuid;
  }

  // ---- the far end of a live leg -------------------------------------------------------

  /** A leg of `scope`'s traffic, live or recently ended. */
  leg(scope: Scope, uuid: string): SimLeg {
    const leg = this.carrier.find(uuid);
    if (!leg || !visible(scope, leg.tenant)) throw notFound(`call ${uuid} (no sandbox leg with this call_uuid in this account)`);
    return leg;
  }

  private liveLeg(scope: Scope, uuid: string, needsMedia: boolean): SimLeg {
    const leg = this.leg(scope, uuid);
    if (leg.state === 'ended') throw new ApiError(404, `call ${uuid} has ended; its far end can no longer act`);
    if (needsMedia && leg.state !== 'answered' && leg.state !== 'early') throw new ApiError(409, `call ${uuid} is ${STATES[leg.state]}: the far end can press keys or speak once it is answered`);
    return leg;
  }

  dtmf(scope: Scope, uuid: string, digits: string): void {
    this.liveLeg(scope, uuid, true).pressKeys(digits);
  }

  async say(scope: Scope, uuid: string, text: string): Promise<void> {
    await this.liveLeg(scope, uuid, true).say(text);
  }

  async play(scope: Scope, uuid: string, url: string): Promise<void> {
    await this.liveLeg(scope, uuid, true).play(url);
  }

  hangup(scope: Scope, uuid: string): void {
    this.liveLeg(scope, uuid, false).hangUp();
  }

  // ---- what the far end heard ---------------------------------------------------------

  transcript(scope: Scope, uuid: string): Transcript {
    return this.transcriptOf(this.leg(scope, uuid));
  }

  private transcriptOf(leg: SimLeg): Transcript {
    return { call_uuid: leg.uuid, state: STATES[leg.state], events: leg.transcript() };
  }

  audio(scope: Scope, uuid: string): Uint8Array {
    return writeWav(this.leg(scope, uuid).receivedAudio());
  }

  /**
   * Resolves when the leg reaches `until` (true) or `timeoutMs` of platform
   * time passes (false). On a virtual clock waiting moves the clock, timer
   * by timer, so a test never sleeps; on other clocks it watches the leg.
   */
  async wait(scope: Scope, uuid: string, until: WaitUntil, text: string | undefined, timeoutMs: number): Promise<{ reached: boolean; transcript: Transcript }> {
    const leg = this.leg(scope, uuid);
    if (until === 'hears' && !text) throw new ApiError(400, 'text is required when until is hears');
    const holds = (): boolean => (until === 'answered' ? leg.answeredAt !== undefined : until === 'ended' ? leg.state === 'ended' : leg.hears(text!));
    // Once the leg has ended nothing more can happen to it.
    const settled = (): boolean => holds() || leg.state === 'ended';
    if (this.clock instanceof VirtualClock) {
      await this.clock.runUntil(settled, this.clock.now() + timeoutMs);
    } else if (!settled()) {
      await new Promise<void>((resolve) => {
        const done = () => {
          timer.cancel();
          off();
          resolve();
        };
        const timer = this.clock.after(timeoutMs, done);
        const off = leg.watch(() => {
          if (settled()) done();
        });
      });
    }
    return { reached: holds(), transcript: this.transcriptOf(leg) };
  }

  /** Calls that reached or left a virtual phone, newest first. */
  phoneCalls(scope: Scope, numberInput: string, limit: number, offset: number) {
    const legs = this.carrier.legsOf(phoneNumberOf(numberInput)).filter((l) => visible(scope, l.tenant));
    const objects = legs.slice(offset, offset + limit).map((l) => ({
      call_uuid: l.uuid,
      direction: l.direction,
      from: l.from,
      to: l.to,
      state: STATES[l.state],
    }));
    return { objects, total: legs.length };
  }

  // ---- the clock ----------------------------------------------------------------------------

  clockView() {
    const now = this.clock.now();
    return { mode: this.clock.mode, now: new Date(now).toISOString(), epoch_ms: now };
  }

  /** Virtual clock only: run `ms` of timers, or until no call waits on a timer. */
  async advance(input: { ms?: number; until_idle?: boolean }) {
    const clock = this.clock;
    if (!(clock instanceof VirtualClock)) throw new ApiError(409, `the clock is ${clock.mode}: only a virtual clock (SWITCHBOARD_CLOCK=virtual) can be advanced`);
    if (input.until_idle) await clock.runWhile(() => this.timers.pending() > 0, MAX_ADVANCE_MS);
    else if (input.ms !== undefined) await clock.advance(input.ms);
    else throw new ApiError(400, 'give ms (platform milliseconds to advance) or until_idle: true');
    await clock.quiesce();
    return this.clockView();
  }
}
