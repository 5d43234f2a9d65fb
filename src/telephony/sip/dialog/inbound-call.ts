// The UAS side of an INVITE (RFC 3261 §13.3): ring, open early media,
// answer or reject; a CANCEL before the final response ends it with 487.
// The dialog comes into being with our first tagged response (early) and
// is confirmed by our 2xx; the ACK of the 2xx arrives through the dialog.
import { newSipToken } from '../../../ids.ts';
import { responseTo, type SipRequest } from '../message/sip-message.ts';
import type { InviteServerTransaction } from '../transaction/server-transactions.ts';
import type { Flow } from '../transport/sip-flow.ts';
import { Dialog } from './dialog.ts';
import { bodyOf, InviteSession, type Body, type SessionHost } from './invite-session.ts';

export class InboundCall extends InviteSession {
  readonly localTag = newSipToken();

  constructor(
    host: SessionHost,
    readonly request: SipRequest,
    readonly flow: Flow,
    private readonly tx: InviteServerTransaction,
  ) {
    super(host);
    tx.events.noAck = () => this.noAck();
    tx.events.cancelled = () => this.cancelled();
  }

  /** The offer in the INVITE, or null (late offer: ours goes in the 200, the answer comes in the ACK). */
  get offer(): Body | null {
    return bodyOf(this.request);
  }

  private ensureDialog(): Dialog {
    if (!this.dialog) {
      this.dialog = Dialog.asServer(this.request, this.localTag, this.flow);
      this.host.bind(this.dialog, this);
    }
    return this.dialog;
  }

  private send(status: number, body?: Body, headers: Array<[string, string]> = [], reason?: string): boolean {
    if (this.tx.finalSent || this.state === 'ended') return false;
    const res = responseTo(this.request, status, this.localTag, reason);
    if (status < 300) {
      res.headers.append('contact', this.host.contact(this.flow));
      this.ensureDialog();
    }
    for (const [n, v] of headers) res.headers.append(n, v);
    if (body) {
      res.headers.append('content-type', body.contentType);
      res.body = body.body;
    }
    this.tx.respond(res);
    if (status >= 200) this.request.forgetParsed();
    return true;
  }

  /** 180 Ringing. */
  ring(headers?: Array<[string, string]>): void {
    if (this.send(180, undefined, headers)) this.state = 'early';
  }

  /** 183 Session Progress with early media. */
  progress(body: Body, headers?: Array<[string, string]>): void {
    if (this.send(183, body, headers)) this.state = 'early';
  }

  /** 200 OK with our answer (or our offer, when the INVITE had none). */
  answer(body: Body, headers?: Array<[string, string]>): void {
    const seq = this.request.cseq().seq;
    if (!this.send(200, body, headers)) return;
    this.unacked.set(seq, this.tx);
    this.state = 'confirmed';
    this.dialog!.state = 'confirmed';
  }

  /** A final failure response (486, 603, 480, 488 …). */
  reject(status: number, reason?: string, headers?: Array<[string, string]>): void {
    if (this.send(status, undefined, headers, reason)) this.finish();
  }

  /** The caller's CANCEL matched this INVITE before our final response (the stack answered the CANCEL 200). */
  cancelled(): void {
    if (this.tx.finalSent || this.state === 'ended') return;
    this.tx.respond(responseTo(this.request, 487, this.localTag));
    this.request.forgetParsed();
    this.finish();
    this.events.cancelled?.();
  }
}
