// The sandbox API's voice side (SANDBOX.md): calls from virtual phones, the
// far end of live legs (keys, speech, audio, hanging up), what the far end
// heard, waiting for a call to reach a state without sleeping, and the
// platform clock. Legs are visible to the account (or subaccount) whose
// traffic they are.
import type { Clock, TimerGroup } from '../clock/clock.ts';
import { enterDomainOf, hasDomains, virtualClockOf } from '../clock/domains.ts';
import { ApiError, notFound } from '../errors.ts';
import { newUuid } from '../ids.ts';
import { writeWav } from '../media/wav.ts';
import type { Scope } from '../platform/scope.ts';
import type { Tenant } from '../telephony/driver.ts';
import type { SimCarrier } from '../telephony/sim/carrier.ts';
import type { SimLeg } from '../telephony/sim/leg.ts';
import type { TranscriptEvent } from '../telephony/sim/transcript.ts';
import { visible } from '../voice/engine/visibility.ts';
import type { PhoneDirectory } from '../telephony/sim/behaviour.ts';
import { dtmfModeOf, phoneNumberOf, scriptOf } from './phones.ts';

export interface PlaceCallInput {
  from: string;
  to: string;
  sip_headers?: Record<string, string>;
  script?: unknown[];
  caller_name?: string;
  /** How the calling phone sends keys; default: as the phone is set up. */
  dtmf_mode?: string;
}

const nameOf = (t: Tenant): string => (t.subaccountId ? `subaccount ${t.subaccountId}` : `account ${t.accountId}`);

export type WaitUntil = 'answered' | 'ended' | 'hears';

/** The platform's calls as the sandbox sees them: a call still queued behind the calls-per-second limit has no leg yet. */
export interface PlacedCalls {
  find(uuid: string): { owner: Tenant; live: boolean; onEnd(fn: () => void): () => void } | undefined;
  /** Resolves once an ended call's record (CDR) is written. */
  recorded(uuid: string): Promise<void>;
}

export interface Transcript {
  call_uuid: string;
  state: string;
  events: TranscriptEvent[];
}

/** The transcript's call state, in the platform's call status words. */
const STATES = { trying: 'ringing', ringing: 'ringing', early: 'early-media', answered: 'in-progress', ended: 'completed' } as const;

/** Live listening hands over audio this often (platform time): small enough to sound live, large enough to be cheap. */
const LISTEN_CHUNK_MS = 100;

/** A whole day of platform time is the most one advance may cover. */
const MAX_ADVANCE_MS = 24 * 3600_000;

export class Sandbox {
  constructor(
    private readonly clock: Clock,
    private readonly timers: TimerGroup,
    private readonly carrier: SimCarrier,
    private readonly calls: PlacedCalls,
    private readonly phones: PhoneDirectory,
    /** Whose platform number `address` is, if it is one. */
    private readonly numberOwner: (address: string) => Promise<Tenant | undefined>,
  ) {}

  // ---- calls from virtual phones -------------------------------------------------

  async placeCall(scope: Scope, input: PlaceCallInput): Promise<string> {
    const from = phoneNumberOf(input.from, 'from');
    const to = input.to.trim();
    if (!/^\+?\d{3,20}$/.test(to) && !/^sips?:[^\s@]+@\S+$/i.test(to)) {
      throw new ApiError(400, `to "${input.to}" must be a platform number (country code and digits) or an endpoint's sip: URI`);
    }
    const script = scriptOf(input.script);
    const tenant = { accountId: scope.accountId, subaccountId: scope.subaccountId };
    await this.sameDomain(tenant, to.replace(/^\+/, ''));
    const dtmfMode = input.dtmf_mode !== undefined ? dtmfModeOf(input.dtmf_mode) : ((await this.phones.behaviourOf(tenant, from)).dtmf_mode ?? 'rfc4733');
    const uuid = newUuid();
    this.carrier.placeCall({ uuid, tenant, from, to: to.replace(/^\+/, ''), callerName: input.caller_name ?? '', sipHeaders: input.sip_headers ?? {}, script, dtmfMode });
    return uuid;
  }

  /** A phone may call a number of another domain of time (a main account's phone, its subaccount's number) only on a clock with one domain. */
  private async sameDomain(caller: Tenant, to: string): Promise<void> {
    if (!hasDomains(this.clock)) return;
    const owner = await this.numberOwner(to);
    const crossing = owner && visible(caller, owner) ? this.clock.crossing(owner) : undefined;
    if (crossing) {
      throw new ApiError(409, `a phone of ${nameOf(caller)} cannot call ${to}, a number of ${nameOf(owner!)}: ${crossing}. Place the call as ${nameOf(owner!)} (its credentials, or its /v1/Account/${owner!.subaccountId ?? owner!.accountId}/ path)`);
    }
  }

  // ---- the far end of a live leg -------------------------------------------------------

  /** A leg of `scope`'s traffic, live or recently ended; what the request does to it runs on the leg's time. */
  leg(scope: Scope, uuid: string): SimLeg {
    const leg = this.carrier.find(uuid);
    if (!leg || !visible(scope, leg.tenant)) throw notFound(`call ${uuid} (no sandbox leg with this call_uuid in this account)`);
    enterDomainOf(this.clock, leg.tenant);
    return leg;
  }

  private liveLeg(scope: Scope, uuid: string, needsMedia: boolean): SimLeg {
    const leg = this.leg(scope, uuid);
    if (leg.state === 'ended') throw new ApiError(404, `call ${uuid} has ended; its far end can no longer act`);
    if (needsMedia && leg.state !== 'answered' && leg.state !== 'early') throw new ApiError(409, `call ${uuid} is ${STATES[leg.state]}: the far end can press keys or speak once it is answered`);
    return leg;
  }

  /** The far end presses keys, sent as `mode` says (default: as the phone sends them). */
  dtmf(scope: Scope, uuid: string, digits: string, mode?: string): void {
    const leg = this.liveLeg(scope, uuid, true);
    leg.pressKeys(digits, undefined, mode === undefined ? undefined : dtmfModeOf(mode));
  }

  async say(scope: Scope, uuid: string, text: string): Promise<void> {
    await this.liveLeg(scope, uuid, true).say(text);
  }

  async play(scope: Scope, uuid: string, url: string): Promise<void> {
    const leg = this.liveLeg(scope, uuid, true);
    try {
      await leg.play(url);
    } catch (err) {
      throw new ApiError(400, `url ${url} cannot be played: ${err instanceof Error ? err.message : String(err)} (give a WAV or MP3 file)`);
    }
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
   * What the far end hears from now on, as it plays: `onAudio` gets the
   * audio of each LISTEN_CHUNK_MS of platform time as it passes, `onEnd`
   * runs once the leg has ended and its last audio was given. Returns a
   * function that stops listening.
   */
  listen(scope: Scope, uuid: string, onAudio: (pcm: Int16Array) => void, onEnd: () => void): () => void {
    const leg = this.leg(scope, uuid);
    let cursor = Math.min(this.clock.now(), leg.endedAt ?? Infinity);
    let timer: { cancel(): void } | undefined;
    const tick = (): void => {
      const until = Math.min(this.clock.now(), leg.endedAt ?? Infinity);
      if (until > cursor) {
        onAudio(leg.receivedAudio(cursor));
        cursor = until;
      }
      if (leg.state === 'ended') return onEnd();
      // On the clock but outside the call timers: a listener must not keep a virtual clock's until_idle running.
      timer = this.clock.after(LISTEN_CHUNK_MS, tick);
    };
    tick();
    return () => timer?.cancel();
  }

  /**
   * Resolves when the leg reaches `until` (true) or `timeoutMs` of platform
   * time passes (false). On a virtual clock waiting moves the clock, timer
   * by timer, so a test never sleeps; on other clocks it watches the leg.
   */
  async wait(scope: Scope, uuid: string, until: WaitUntil, text: string | undefined, timeoutMs: number): Promise<{ reached: boolean; transcript: Transcript }> {
    if (until === 'hears' && !text) throw new ApiError(400, 'text is required when until is hears');
    // Waiting moves the call's time (a main account may wait on its subaccount's call).
    const owner = this.carrier.find(uuid)?.tenant ?? this.calls.find(uuid)?.owner;
    if (owner && visible(scope, owner)) enterDomainOf(this.clock, owner);
    const deadline = this.clock.now() + timeoutMs;
    // A call still queued behind the calls-per-second limit has no leg yet: wait for it to be dialled.
    if (!this.carrier.find(uuid)) await this.dialled(scope, uuid, deadline);
    const leg = this.leg(scope, uuid);
    const holds = (): boolean => (until === 'answered' ? leg.answeredAt !== undefined : until === 'ended' ? leg.state === 'ended' : leg.hears(text!));
    // Once the leg has ended nothing more can happen to it.
    const settled = (): boolean => holds() || leg.state === 'ended';
    await this.until(settled, deadline, (wake) => leg.watch(() => settled() && wake()));
    // A call reported ended has its CDR: GET /Call/{uuid}/ answers at once.
    if (leg.state === 'ended') await this.calls.recorded(uuid);
    return { reached: holds(), transcript: this.transcriptOf(leg) };
  }

  private async dialled(scope: Scope, uuid: string, deadline: number): Promise<void> {
    const call = this.calls.find(uuid);
    if (!call || !visible(scope, call.owner)) return;
    const exists = () => this.carrier.find(uuid) !== undefined || !call.live;
    await this.until(exists, deadline, (wake) => {
      const offCreated = this.carrier.onCreated(uuid, wake);
      const offEnded = call.onEnd(wake);
      return () => (offCreated(), offEnded());
    });
  }

  /**
   * Until `done()` holds or platform time reaches `deadline`. A virtual clock
   * is moved timer by timer; otherwise `watch(wake)` says when to look again.
   */
  private async until(done: () => boolean, deadline: number, watch: (wake: () => void) => () => void): Promise<void> {
    const virtual = virtualClockOf(this.clock);
    if (virtual) {
      // Watching still matters: it makes the leg mark moments (words ending) the clock must stop at.
      const off = watch(() => {});
      await virtual.runUntil(done, deadline).finally(off);
      return;
    }
    if (done()) return;
    await new Promise<void>((resolve) => {
      const finish = () => {
        timer.cancel();
        off();
        resolve();
      };
      const timer = this.clock.after(deadline - this.clock.now(), finish);
      const off = watch(() => done() && finish());
    });
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
    // On the virtual clock: the caller's own domain of time (its subaccount's, or the main account's).
    const clock = virtualClockOf(this.clock);
    if (!clock) throw new ApiError(409, `the clock is ${this.clock.mode}: only a virtual clock (SWITCHBOARD_CLOCK=virtual) can be advanced`);
    if (input.until_idle) await clock.runWhile(() => this.timers.pending() > 0, MAX_ADVANCE_MS);
    else if (input.ms !== undefined) await clock.advance(input.ms);
    else throw new ApiError(400, 'give ms (platform milliseconds to advance) or until_idle: true');
    await clock.quiesce();
    return this.clockView();
  }
}
