// One call leg over SIP: an INVITE session (ours or the far end's) and the
// leg's RTP media session, presented as the driver contract's `Leg`. The
// SIP side carries SDP as text; `SdpSession` reads and writes it and the
// media session plays what was negotiated (docs/sip.md "Media").
//
// Outbound legs may ring several contacts at once (an endpoint registered
// from two phones: the first to answer wins, the others are cancelled) and
// fail over from one gateway to the next when a gateway, not the callee,
// fails (408, 5xx but 502's "callee unreachable" … see sip-causes.ts).
import type { Clock } from '../../clock/clock.ts';
import { type AudioOut, type EndedBy, type FrameRun, type Leg, type LegDirection, type LegObserver, type LegState, type NetworkCause } from '../driver.ts';
import { NoMedia } from '../no-media.ts';
import type { ClientCredentials } from './auth/digest.ts';
import type { InboundCall } from './dialog/inbound-call.ts';
import { sdpBody, type Body, type EndReason, type SessionEvents } from './dialog/invite-session.ts';
import type { OutboundCall, OutboundCallOptions } from './dialog/outbound-call.ts';
import type { SipRequest } from './message/sip-message.ts';
import type { MediaListener, MediaSession, RtpMedia } from './rtp/rtp-media.ts';
import { causeOfStatus, failsOver, statusOfCause } from './sip-causes.ts';
import type { SipLog } from './sip-log.ts';
import { SdpSession, type NegotiatedMedia } from './sip-sdp.ts';
import type { Flow } from './transport/sip-flow.ts';

/** Where one INVITE of an outbound leg goes. */
export interface SipTarget {
  /** Request-URI. */
  target: string;
  flow: Flow;
  /** To header value. */
  to: string;
  /** From header value without tag. */
  from: string;
  credentials?: ClientCredentials;
  /** For logs: the gateway's name or the endpoint's contact. */
  via: string;
  /** Take one of the target's call slots (a gateway's max_calls): the function that gives it back, or null when it is full. */
  occupy?: () => (() => void) | null;
}

/** How an outbound leg is placed: attempts in order (the next only when one failed over), each ringing its targets at once. */
export type OutboundPlan = { attempts: SipTarget[][] } | { refused: NetworkCause; why: string };

/** What a leg needs from its driver. */
export interface SipLegHost {
  readonly clock: Clock;
  /** The address written in our SDP (SWITCHBOARD_SIP_PUBLIC_ADDRESS). */
  readonly publicAddress: string;
  readonly rtp: RtpMedia;
  readonly log?: SipLog;
  invite(opts: OutboundCallOptions): OutboundCall;
  /** The leg has ended: forget it. */
  retire(leg: SipLeg): void;
}

/** `application/dtmf-relay` INFO bodies (Cisco's, which most phones send): `Signal=5`. */
const DTMF_RELAY = /^\s*signal\s*=\s*([0-9A-Da-d*#])\s*$/im;

export interface InboundLegInit {
  uuid: string;
  from: string;
  to: string;
  call: InboundCall;
  media: MediaSession;
  sdp: SdpSession;
  /** Our answer to the INVITE's offer; null when the INVITE had none (ours goes in the 200, theirs in the ACK). */
  answer: { sdp: string; media: NegotiatedMedia } | null;
}

export class SipLeg implements Leg {
  state: LegState = 'trying';
  /** Real audio: no labels. */
  readonly speechLabelled = false;
  /** Its media worker analyses what the far end sends (the engine hears findings, and the audio only while it asks). */
  readonly analysesLine = true;
  readonly startedAt: number;
  private observer: LegObserver | undefined;
  private media: MediaSession | undefined;
  private sdp: SdpSession | undefined;
  private readonly noMedia: NoMedia;
  /** Inbound: the far end's INVITE session and our answer to its offer. */
  private inboundCall: InboundCall | undefined;
  private answerSdp: { sdp: string; media: NegotiatedMedia } | null = null;
  /** Outbound: the INVITEs ringing now, and the one answered. */
  private forks: OutboundCall[] = [];
  private chosen: OutboundCall | undefined;
  private mediaUp = false;
  private audioWanted = false;
  /** Gateway call slots this leg holds. */
  private slots: Array<() => void> = [];

  private constructor(
    private readonly host: SipLegHost,
    readonly uuid: string,
    readonly direction: LegDirection,
    readonly from: string,
    readonly to: string,
  ) {
    this.startedAt = host.clock.now();
    this.noMedia = new NoMedia(host.clock);
  }

  /** An INVITE the driver admitted, its media port open and its offer answered. */
  static inbound(host: SipLegHost, init: InboundLegInit): SipLeg {
    const leg = new SipLeg(host, init.uuid, 'inbound', init.from, init.to);
    leg.inboundCall = init.call;
    leg.media = init.media;
    leg.sdp = init.sdp;
    leg.answerSdp = init.answer;
    init.call.events = leg.sessionEvents(init.call);
    return leg;
  }

  /** A leg toward the network: rings once `plan` says where (and the media port is open). */
  static outbound(host: SipLegHost, uuid: string, from: string, to: string, observer: LegObserver, plan: Promise<OutboundPlan>, headers: Array<[string, string]>): SipLeg {
    const leg = new SipLeg(host, uuid, 'outbound', from, to);
    leg.observer = observer;
    host.clock
      .track(leg.prepare(plan))
      .then((ready) => ready && leg.dial(ready.attempts, ready.offer, headers))
      .catch((err: unknown) => {
        host.log?.error({ err, call_uuid: uuid }, 'sip outbound leg failed');
        leg.end('NORMAL_TEMPORARY_FAILURE', 'far_end');
      });
    return leg;
  }

  /** Ended (read after an await, where the compiler's narrowing of `state` no longer holds). */
  private get over(): boolean {
    return this.state === 'ended';
  }

  get audio(): AudioOut {
    return this.media ?? this.noMedia;
  }

  /** The SIP Call-ID of the INVITE that made (or is making) this leg. */
  get callId(): string | undefined {
    return (this.inboundCall?.request.callId() ?? this.chosen?.callId ?? this.forks[0]?.callId);
  }

  attach(observer: LegObserver): void {
    this.observer = observer;
  }

  hearAudio(wanted: boolean): void {
    this.audioWanted = wanted;
    this.media?.hearAudio(wanted);
  }

  // ---- inbound -----------------------------------------------------------------

  ring(): void {
    if (this.direction !== 'inbound' || this.state !== 'trying') return;
    this.inboundCall!.ring();
    this.state = 'ringing';
  }

  preAnswer(): void {
    if (this.direction !== 'inbound' || (this.state !== 'trying' && this.state !== 'ringing')) return;
    // Early media needs our answer in the 183; an INVITE without an offer can only ring (no PRACK, no UPDATE).
    if (!this.answerSdp) return this.ring();
    this.inboundCall!.progress(sdpBody(this.answerSdp.sdp));
    this.startMedia(this.answerSdp.media);
    this.state = 'early';
  }

  answer(): void {
    if (this.direction !== 'inbound' || this.state === 'answered' || this.state === 'ended') return;
    const call = this.inboundCall!;
    if (this.answerSdp) {
      call.answer(sdpBody(this.answerSdp.sdp));
      this.startMedia(this.answerSdp.media);
    } else {
      call.answer(sdpBody(this.sdp!.offer()));
    }
    this.state = 'answered';
    this.emit((o) => o.answered(this));
  }

  // ---- both ----------------------------------------------------------------------

  hangup(cause: NetworkCause): void {
    if (this.state === 'ended') return;
    const call = this.inboundCall;
    if (call) {
      if (this.state === 'answered') call.bye();
      else {
        const { status, reason } = statusOfCause(cause);
        call.reject(status, reason);
      }
    }
    for (const fork of this.forks) fork.cancel();
    this.end(cause, 'platform');
  }

  sendDigits(digits: string, toneMs: number): number {
    return this.media ? this.media.sendDigits(digits, toneMs) : this.host.clock.now();
  }

  // ---- internals -------------------------------------------------------------------

  private emit(fn: (o: LegObserver) => void): void {
    const o = this.observer;
    if (o) queueMicrotask(() => fn(o));
  }

  private end(cause: NetworkCause, by: EndedBy): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    for (const free of this.slots) free();
    this.media?.close();
    this.host.retire(this);
    this.emit((o) => o.ended(this, cause, by));
  }

  private startMedia(negotiated: NegotiatedMedia): void {
    this.media!.configure(negotiated);
    this.mediaUp = true;
  }

  /** The observer, for the leg's media events (LegMediaEvents). */
  get observing(): LegObserver | undefined {
    return this.observer;
  }

  /** The leg's media worker died. */
  mediaLost(reason: string): void {
    this.host.log?.error({ call_uuid: this.uuid, reason }, 'sip leg lost its media');
    this.hangup('NORMAL_TEMPORARY_FAILURE');
  }

  /**
   * Events of the leg's dialog, whichever side made it. Methods, not arrow
   * properties: under tsx (keepNames) each named arrow would also get a
   * defineProperty for its name, a 256-byte dictionary object per event per call.
   */
  private sessionEvents(session: InboundCall | OutboundCall): SessionEvents {
    const leg = this;
    return {
      cancelled() {
        leg.end('ORIGINATOR_CANCEL', 'far_end');
      },
      bye() {
        leg.end('NORMAL_CLEARING', 'far_end');
      },
      ended(reason: EndReason) {
        leg.host.log?.warn({ call_uuid: leg.uuid, reason }, 'sip dialog ended without a BYE');
        leg.end('NORMAL_TEMPORARY_FAILURE', 'far_end');
      },
      acked(body) {
        // Their answer to the offer in our 200: a late-offer INVITE's or an offerless re-INVITE's.
        if (!body || !leg.sdp?.awaitingAnswer) return;
        const r = leg.sdp.accept(body.body.toString());
        if (r.ok) leg.startMedia(r.media);
        // A re-INVITE's unusable answer leaves the media as it was; a call's first one cannot work.
        else if (leg.mediaUp) leg.host.log?.warn({ call_uuid: leg.uuid, detail: r.detail }, 'sip answer in an ACK unusable; media unchanged');
        else leg.refuseMedia(session, r.detail);
      },
      reinvite(req, respond) {
        leg.reinvited(req, respond);
      },
      info(req) {
        leg.info(req);
      },
    };
  }

  /** Hold, unhold, a new address or codec from the far end: answered from the same SDP session (488 keeps the old media, RFC 3261 §14.2). */
  private reinvited(req: SipRequest, respond: (status: number, body?: Body) => void): void {
    if (req.body.length === 0) return respond(200, sdpBody(this.sdp!.offer()));
    const r = this.sdp!.answer(req.body.toString());
    if (!r.ok) return respond(r.reason === 'malformed' ? 400 : 488);
    respond(200, sdpBody(r.sdp));
    this.startMedia(r.media);
  }

  private info(req: SipRequest): void {
    if ((req.contentType() ?? '').split(';')[0]!.trim().toLowerCase() !== 'application/dtmf-relay') return;
    const m = DTMF_RELAY.exec(req.body.toString());
    if (m) this.observer?.dtmf(this, m[1]!.toUpperCase());
  }

  /** The far end's answer named no media we can play: the call cannot work, end it (RFC 3261 §13.2.2.4: ACK, then BYE). */
  private refuseMedia(session: InboundCall | OutboundCall, detail: string): void {
    this.host.log?.warn({ call_uuid: this.uuid, detail }, 'sip answer unusable; hanging up');
    session.bye([['reason', 'SIP;cause=488;text="Not Acceptable Here"']]);
    this.end('NORMAL_TEMPORARY_FAILURE', 'far_end');
  }

  // ---- outbound ----------------------------------------------------------------------

  /** The route and the media port: quick work (tracked on the clock, so a virtual clock waits for it); ringing is not. */
  private async prepare(planned: Promise<OutboundPlan>): Promise<{ attempts: SipTarget[][]; offer: Body } | undefined> {
    const plan = await planned;
    if (this.over) return undefined;
    if ('refused' in plan) {
      this.host.log?.info({ call_uuid: this.uuid, to: this.to, reason: plan.why }, 'sip outbound leg refused');
      this.end(plan.refused, 'far_end');
      return undefined;
    }
    const media = await this.host.rtp.open(new LegMediaEvents(this), { analyse: true });
    if (this.over) {
      media.close();
      return undefined;
    }
    this.media = media;
    if (this.audioWanted) media.hearAudio(true);
    this.sdp = new SdpSession({ address: this.host.publicAddress, port: media.port });
    return { attempts: plan.attempts, offer: sdpBody(this.sdp.offer()) };
  }

  private async dial(attempts: SipTarget[][], offer: Body, headers: Array<[string, string]>): Promise<void> {
    let cause: NetworkCause = 'NORMAL_TEMPORARY_FAILURE';
    for (const attempt of attempts) {
      const outcome = await this.ringTargets(attempt, offer, headers);
      if (outcome === 'done' || this.over) return;
      cause = outcome.cause;
    }
    this.end(cause, 'far_end');
  }

  /** Ring `targets` at once; resolves when one answered or all failed (with whether to try the next attempt). */
  private ringTargets(all: SipTarget[], offer: Body, headers: Array<[string, string]>): Promise<'done' | { cause: NetworkCause }> {
    const targets = all.filter((t) => {
      const free = t.occupy ? t.occupy() : () => undefined;
      if (free) this.slots.push(free);
      else this.host.log?.info({ call_uuid: this.uuid, via: t.via }, 'sip gateway at its max_calls; trying the next');
      return free !== null;
    });
    if (targets.length === 0) return Promise.resolve({ cause: 'NORMAL_TEMPORARY_FAILURE' });
    return new Promise((resolve) => {
      let failed = 0;
      let busy = false;
      let failover = true;
      let last: NetworkCause = 'NORMAL_TEMPORARY_FAILURE';
      this.forks = targets.map((t, i) => {
        const call = this.host.invite({ target: t.target, flow: t.flow, from: t.from, to: t.to, body: offer, headers, credentials: t.credentials, callId: i === 0 ? this.uuid : `${this.uuid}-${i}` });
        const events = this.sessionEvents(call);
        events.progress = (res) => {
          if (this.state === 'ended' || this.chosen) return;
          if (this.state === 'trying') {
            this.state = 'ringing';
            this.emit((o) => o.ringing(this));
          }
          if (res.body.length > 0 && !this.mediaUp) {
            const r = this.sdp!.accept(res.body.toString(), { early: true });
            if (!r.ok) return; // an early answer we cannot use: wait for the 200
            this.startMedia(r.media);
            this.state = 'early';
            this.emit((o) => o.earlyMedia(this));
          }
        };
        events.answered = (res) => {
          if (this.state === 'ended' || this.chosen) {
            call.bye();
            return resolve('done');
          }
          this.chosen = call;
          for (const other of this.forks) if (other !== call) other.cancel();
          this.forks = [call];
          // The 200's answer is the one that counts (RFC 3261 §13.2.1): early media may have come from another fork.
          if (res.body.length > 0 || !this.mediaUp) {
            const r = this.sdp!.accept(res.body.toString());
            if (!r.ok) {
              this.refuseMedia(call, r.detail);
              return resolve('done');
            }
            this.startMedia(r.media);
          }
          this.state = 'answered';
          this.emit((o) => o.answered(this));
          resolve('done');
        };
        events.failed = (status, reason, res) => {
          this.host.log?.info({ call_uuid: this.uuid, via: t.via, status, reason }, 'sip outbound attempt failed');
          if (this.chosen || this.state === 'ended') return resolve('done');
          failed++;
          last = causeOfStatus(status, res !== undefined);
          busy ||= last === 'USER_BUSY';
          failover &&= failsOver(status, res !== undefined);
          if (failed < targets.length) return;
          // Several phones of one endpoint: busy on any means the user is busy.
          if (failover) {
            for (const free of this.slots.splice(0)) free();
            return resolve({ cause: busy ? 'USER_BUSY' : last });
          }
          this.end(busy ? 'USER_BUSY' : last, 'far_end');
          resolve('done');
        };
        call.events = events;
        return call;
      });
    });
  }
}

/**
 * What a leg's media session reports, passed on to the leg's observer: one
 * object per leg, with methods rather than closures (each closure of a call's
 * set-up is an allocation, and under tsx a defineProperty for its name). An
 * inbound leg's session is opened before the leg exists: `leg` is set once it does.
 */
export class LegMediaEvents implements MediaListener {
  constructor(public leg?: SipLeg) {}

  audio(run: FrameRun, at: number): void {
    const leg = this.leg;
    if (leg) leg.observing?.audio(leg, run, at);
  }

  sound(start: number, end: number): void {
    const leg = this.leg;
    if (leg) leg.observing?.lineSound?.(leg, start, end);
  }

  tone(digit: string, start: number, end: number): void {
    const leg = this.leg;
    if (leg) leg.observing?.lineKey?.(leg, digit, start, end);
  }

  dtmf(digit: string): void {
    const leg = this.leg;
    if (leg) leg.observing?.dtmf(leg, digit);
  }

  lost(reason: string): void {
    this.leg?.mediaLost(reason);
  }
}
