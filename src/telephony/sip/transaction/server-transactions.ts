// Server transactions (RFC 3261 §17.2, with RFC 6026's Accepted state):
// absorb request retransmissions by resending the last response, resend
// final responses on unreliable transports until ACKed (INVITE) and stay
// around long enough to absorb late retransmissions.
//
// One deliberate move: the INVITE server transaction also retransmits its
// 2xx until the dialog reports the ACK (`acked`), a job RFC 3261 §13.3.1.4
// gives the UA core. Keeping it here puts every retransmission timer in
// one place; the UA core is told through `noAck` when none came.
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import type { Flow } from '../transport/sip-flow.ts';
import { Transaction, type TransactionContext } from './transaction.ts';

export interface ServerTransactionEvents {
  /** An INVITE's final response was never ACKed (Timer H, or Timer L for a 2xx): a UAS ends the dialog with BYE. */
  noAck?(): void;
  /** A CANCEL matched this INVITE before its final response (the stack answered the CANCEL). */
  cancelled?(): void;
}

export abstract class ServerTransaction extends Transaction {
  protected last: Buffer | undefined;
  /** Status of the last response sent (0: none yet). */
  lastStatus = 0;
  events: ServerTransactionEvents = {};

  constructor(
    ctx: TransactionContext,
    key: string,
    flow: Flow,
    /** Where responses go when the TCP connection of `flow` has closed: received address, sent-by port. */
    private readonly fallback: Flow,
    private readonly connected: (flow: Flow) => boolean,
    initial: 'proceeding' | 'trying',
  ) {
    super(ctx, key, flow, initial);
  }

  protected override send(bytes: Buffer): void {
    this.ctx.send(bytes, this.connected(this.flow) ? this.flow : this.fallback);
  }

  get finalSent(): boolean {
    return this.lastStatus >= 200;
  }

  /** Send a response; ignored once a final response was sent. */
  abstract respond(res: SipResponse): void;
  /** The request arrived again. */
  abstract retransmission(): void;

  transportError(): void {
    this.terminate();
  }
}

export class InviteServerTransaction extends ServerTransaction {
  /**
   * The INVITE, for a CANCEL's 487 and a re-INVITE's answer; undefined once
   * the final response went out: Timer L/H keeps the transaction 32 s more,
   * which must not keep the parsed INVITE (and its datagram) alive with it.
   */
  request: SipRequest | undefined;

  constructor(ctx: TransactionContext, key: string, flow: Flow, request: SipRequest, fallback: Flow, connected: (flow: Flow) => boolean) {
    super(ctx, key, flow, fallback, connected, 'proceeding');
    this.request = request;
  }

  /** Timer G: resend the final response, doubling up to T2. */
  private timerG(): void {
    if ((this.state !== 'completed' && this.state !== 'accepted') || !this.last) return;
    this.send(this.last);
    this.interval = Math.min(this.interval * 2, this.ctx.timers.t2);
    this.armResend(() => this.timerG());
  }

  /** Timer H (no ACK for a non-2xx) or Timer L (end of Accepted). */
  private timerHL(): void {
    const unacked = this.state === 'completed' || (this.state === 'accepted' && !this.ackSeen);
    this.terminate();
    if (unacked) this.events.noAck?.();
  }

  private ackSeen = false;

  respond(res: SipResponse): void {
    if (this.state !== 'proceeding') return;
    this.last = res.toBuffer();
    this.lastStatus = res.status;
    this.send(this.last);
    if (res.status < 200) return;
    // A CANCEL changes nothing now; the handler held the TU (and its call) for Timer L's 32 s.
    this.events.cancelled = undefined;
    this.request = undefined;
    this.state = res.status < 300 ? 'accepted' : 'completed';
    this.armResend(() => this.timerG());
    this.armEnd(64 * this.t1, () => this.timerHL());
  }

  retransmission(): void {
    // Proceeding: the last provisional; Completed and Accepted: the final (a lost 2xx is sent again sooner).
    if (this.last && (this.state === 'proceeding' || this.state === 'completed' || this.state === 'accepted')) this.send(this.last);
  }

  /** The ACK of a non-2xx final, matched by the transaction layer. */
  ack(): void {
    if (this.state !== 'completed') return;
    this.state = 'confirmed';
    this.stopResend();
    this.armEnd(this.reliable ? 0 : this.ctx.timers.t4, () => this.terminate()); // Timer I
  }

  /** The dialog received the ACK of our 2xx: stop resending it (Timer L still absorbs INVITE retransmissions). */
  acked(): void {
    if (this.state !== 'accepted') return;
    this.ackSeen = true;
    this.stopResend();
    // noAck can no longer fire: let go of the TU, which holds the whole call, for the 32 s Timer L keeps this transaction.
    this.events = {};
    // The far end got the 2xx (it ACKed it): an INVITE retransmission still in the network is absorbed without it.
    this.last = undefined;
  }
}

export class NonInviteServerTransaction extends ServerTransaction {
  constructor(ctx: TransactionContext, key: string, flow: Flow, fallback: Flow, connected: (flow: Flow) => boolean) {
    super(ctx, key, flow, fallback, connected, 'trying');
  }

  respond(res: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.last = res.toBuffer();
    this.lastStatus = res.status;
    this.send(this.last);
    if (res.status < 200) {
      this.state = 'proceeding';
      return;
    }
    this.state = 'completed';
    this.armEnd(this.reliable ? 0 : 64 * this.t1, () => this.terminate()); // Timer J
  }

  retransmission(): void {
    if (this.last && (this.state === 'proceeding' || this.state === 'completed')) this.send(this.last);
  }
}
