// An INVITE dialog usage, whichever side created it: what happens inside
// the dialog once it exists. BYE both ways, re-INVITE both ways (the body
// is carried, never read: SDP is the media side's), INFO and OPTIONS
// answered, the remote CSeq kept in order, 481/408 ending the dialog.
// InboundCall (UAS) and OutboundCall (UAC) add how the dialog comes about.
import type { Clock } from '../../../clock/clock.ts';
import { responseTo, SipResponse, type SipRequest } from '../message/sip-message.ts';
import { IGNORE_OUTCOME, type ClientTransactionUser } from '../transaction/transaction.ts';
import type { InviteServerTransaction, ServerTransaction } from '../transaction/server-transactions.ts';
import type { Flow } from '../transport/sip-flow.ts';
import type { Dialog } from './dialog.ts';

/** What a session needs from the stack. */
export interface SessionHost {
  readonly clock: Clock;
  /** Add our Via (a new branch), Contact and User-Agent, and start a client transaction. */
  send(req: SipRequest, flow: Flow, user: ClientTransactionUser): void;
  /** Add our Via and send an ACK for a 2xx (no transaction); returns its bytes to resend on 2xx retransmissions. */
  sendAck(ack: SipRequest, flow: Flow): Buffer;
  resend(bytes: Buffer, flow: Flow): void;
  /** Our Contact header value for responses sent along `flow`. */
  contact(flow: Flow): string;
  /** The session's dialog exists / is gone: in-dialog requests are routed to it, or no longer. */
  bind(dialog: Dialog, session: InviteSession): void;
  unbind(dialog: Dialog): void;
  /** A refusal or a failure worth an operator's attention. */
  warn(fields: Record<string, unknown>, msg: string): void;
}

/** A body and its type, as carried in INVITE, 18x, 200, ACK and re-INVITE. */
export interface Body {
  body: Buffer;
  contentType: string;
}

export const SDP = 'application/sdp';
export const sdpBody = (sdp: string | Buffer): Body => ({ body: typeof sdp === 'string' ? Buffer.from(sdp) : sdp, contentType: SDP });

/** The body of a message, or null when it has none. */
export function bodyOf(msg: SipRequest | SipResponse): Body | null {
  if (msg.body.length === 0) return null;
  return { body: msg.body, contentType: msg.contentType() ?? 'application/octet-stream' };
}

export type EndReason = 'bye' | 'no-ack' | 'gone' | 'timeout' | 'transport';

/** The session's events. One observer per session; set `events` before the first can fire. */
export interface SessionEvents {
  /** UAC: a provisional response (180, 183 …) with its early-media body, if any. */
  progress?(res: SipResponse): void;
  /** UAC: the call was answered (2xx, already ACKed). */
  answered?(res: SipResponse): void;
  /** UAC: the call failed: the final response's status (408 on timeout, 503 on transport failure, 487 once cancelled). */
  failed?(status: number, reason: string, res?: SipResponse): void;
  /** UAS: the caller cancelled before we answered (already answered 487). */
  cancelled?(): void;
  /** The ACK of our 2xx to the INVITE or a re-INVITE (carries the answer when that INVITE had no offer: ours was in the 2xx). */
  acked?(body: Body | null): void;
  /** A re-INVITE from the far end: answer it with `respond` (200 with a body, 488 …). */
  reinvite?(req: SipRequest, respond: (status: number, body?: Body) => void): void;
  /** An INFO from the far end (already answered 200), e.g. application/dtmf-relay. */
  info?(req: SipRequest): void;
  /** The far end hung up (BYE, answered 200). */
  bye?(req: SipRequest): void;
  /** The session ended some other way: no ACK for our 2xx, 481/408 to an in-dialog request, transport failure. */
  ended?(reason: EndReason): void;
}

export type SessionState = 'calling' | 'early' | 'confirmed' | 'ended';

export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REGISTER';

export abstract class InviteSession {
  events: SessionEvents = {};
  state: SessionState = 'calling';
  dialog: Dialog | undefined;
  /** Our re-INVITE in progress, or the far end's we have not answered: another one meanwhile gets 491. */
  private offering = false;
  private pendingReinvite: InviteServerTransaction | undefined;
  /** The ACKs we sent for 2xx, by CSeq, to resend when the 2xx is retransmitted. */
  protected readonly acks = new Map<number, Buffer>();
  /** Our 2xx waiting for their ACK, by CSeq: the transaction resends the 2xx until told. */
  protected readonly unacked = new Map<number, InviteServerTransaction>();

  constructor(protected readonly host: SessionHost) {}

  get ended(): boolean {
    return this.state === 'ended';
  }

  protected finish(): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    if (this.dialog) {
      this.dialog.state = 'terminated';
      this.host.unbind(this.dialog);
    }
  }

  /** End the session with a BYE (answered calls). Idempotent. */
  bye(headers: Array<[string, string]> = []): void {
    if (this.state !== 'confirmed' || !this.dialog) {
      this.finish();
      return;
    }
    const req = this.dialog.request('BYE');
    for (const [n, v] of headers) req.headers.append(n, v);
    const flow = this.dialog.flow;
    this.finish();
    this.host.send(req, flow, IGNORE_OUTCOME);
  }

  /**
   * Send a re-INVITE with `body` (hold, unhold, a new offer). Resolves with
   * the final response (a 491 means the far end was offering too: try
   * again later), or a 408/503 stand-in on timeout or transport failure.
   */
  reinvite(body: Body, headers: Array<[string, string]> = []): Promise<SipResponse> {
    const dialog = this.dialog;
    if (this.state !== 'confirmed' || !dialog) return Promise.resolve(new SipResponse(481));
    if (this.offering || this.pendingReinvite) return Promise.resolve(new SipResponse(491));
    this.offering = true;
    const req = dialog.request('INVITE');
    for (const [n, v] of headers) req.headers.append(n, v);
    req.headers.append('content-type', body.contentType);
    req.body = body.body;
    return new Promise((resolve) => {
      const done = (res: SipResponse): void => {
        this.offering = false;
        resolve(res);
      };
      this.host.send(req, dialog.flow, {
        response: (res) => {
          if (res.status < 200) return;
          if (res.status < 300) {
            dialog.refreshTarget(res);
            this.ackTwoHundred(res);
            if (this.offering) done(res);
            return;
          }
          if (res.status === 481 || res.status === 408) this.gone();
          done(res);
        },
        failed: (why) => {
          done(new SipResponse(why === 'timeout' ? 408 : 503));
          this.gone(why);
        },
      });
    });
  }

  /** ACK a 2xx to our INVITE or re-INVITE (again, for a retransmitted one). */
  protected ackTwoHundred(res: SipResponse): void {
    if (!this.dialog) return;
    const seq = res.cseq().seq;
    const sent = this.acks.get(seq);
    if (sent) {
      this.host.resend(sent, this.dialog.flow);
      return;
    }
    this.acks.set(seq, this.host.sendAck(this.dialog.request('ACK', seq), this.dialog.flow));
  }

  /** A 2xx no transaction claims any more (retransmitted after Timer M): ACK it again. */
  strayTwoHundred(res: SipResponse): void {
    if (this.acks.has(res.cseq().seq)) this.ackTwoHundred(res);
  }

  /** The far end made the dialog unusable (481/408 to our request, RFC 3261 §12.2.1.2) or the network did. */
  private gone(why: 'timeout' | 'transport' | undefined = undefined): void {
    if (this.state === 'ended') return;
    this.finish();
    this.events.ended?.(why ?? 'gone');
  }

  /** A request inside this session's dialog (not ACK, not CANCEL). */
  receiveRequest(req: SipRequest, tx: ServerTransaction): void {
    const dialog = this.dialog!;
    if (!dialog.acceptRemoteSeq(req)) {
      tx.respond(responseTo(req, 500, undefined, 'Out of Order'));
      return;
    }
    switch (req.method) {
      case 'BYE': {
        tx.respond(responseTo(req, 200));
        const wasLive = this.state !== 'ended';
        const pending = this.pendingReinvite;
        if (pending?.request) pending.respond(responseTo(pending.request, 487));
        this.finish();
        if (wasLive) this.events.bye?.(req);
        return;
      }
      case 'INVITE':
        return this.receiveReinvite(req, tx as InviteServerTransaction);
      case 'INFO':
        tx.respond(responseTo(req, 200));
        this.events.info?.(req);
        return;
      case 'OPTIONS': {
        const res = responseTo(req, 200);
        res.headers.append('allow', ALLOW);
        res.headers.append('accept', SDP);
        tx.respond(res);
        return;
      }
      default: {
        const res = responseTo(req, 405);
        res.headers.append('allow', ALLOW);
        tx.respond(res);
      }
    }
  }

  private receiveReinvite(req: SipRequest, tx: InviteServerTransaction): void {
    if (this.state !== 'confirmed') {
      tx.respond(responseTo(req, this.state === 'ended' ? 481 : 491));
      return;
    }
    if (this.offering) {
      tx.respond(responseTo(req, 491));
      return;
    }
    if (this.pendingReinvite) {
      const res = responseTo(req, 500);
      res.headers.append('retry-after', String(1 + Math.floor(Math.random() * 10)));
      tx.respond(res);
      return;
    }
    const dialog = this.dialog!;
    dialog.refreshTarget(req);
    this.pendingReinvite = tx;
    tx.events.noAck = () => this.noAck();
    const respond = (status: number, body?: Body): void => {
      if (tx.finalSent || this.state === 'ended') return;
      if (status >= 200) this.pendingReinvite = undefined;
      const res = responseTo(req, status);
      if (status >= 200 && status < 300) {
        res.headers.append('contact', this.host.contact(dialog.flow));
        this.unacked.set(req.cseq().seq, tx);
      }
      if (body) {
        res.headers.append('content-type', body.contentType);
        res.body = body.body;
      }
      tx.respond(res);
    };
    if (this.events.reinvite) this.events.reinvite(req, respond);
    else respond(488);
  }

  /** An ACK inside the dialog: for our 2xx to the INVITE or a re-INVITE. */
  receiveAck(req: SipRequest): void {
    const seq = req.cseq().seq;
    const tx = this.unacked.get(seq);
    if (!tx) return; // a retransmitted ACK, or one for a 2xx we never sent
    this.unacked.delete(seq);
    tx.acked();
    this.events.acked?.(bodyOf(req));
  }

  /** Our 2xx was never ACKed: the dialog is dead; end it with BYE (RFC 3261 §13.3.1.4). */
  protected noAck(): void {
    if (this.state !== 'confirmed') return;
    this.host.warn({ call_id: this.dialog?.callId }, 'no ACK for our 2xx; ending the call');
    this.bye();
    this.events.ended?.('no-ack');
  }
}
