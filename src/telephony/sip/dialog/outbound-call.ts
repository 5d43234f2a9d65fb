// The UAC side of an INVITE (RFC 3261 §13.2): send it, follow provisional
// responses (the first tagged one makes an early dialog), ACK the 2xx end to
// end, answer a gateway's 401/407 once with Digest, and CANCEL — only after
// a provisional response (§9.1), with the races handled: a 2xx arriving
// after our CANCEL is ACKed and ended with BYE, a 2xx from a second fork
// likewise, and a far end that never finishes after our CANCEL is given up
// on after 64*T1.
import { newSipToken } from '../../../ids.ts';
import { answerChallenge, type ClientCredentials } from '../auth/digest.ts';
import { parseAuth } from '../message/sip-header-values.ts';
import { SipRequest, type SipResponse } from '../message/sip-message.ts';
import type { Timer } from '../../../clock/clock.ts';
import type { Flow } from '../transport/sip-flow.ts';
import type { ClientTransaction } from '../transaction/client-transactions.ts';
import { IGNORE_OUTCOME } from '../transaction/transaction.ts';
import { Dialog } from './dialog.ts';
import { InviteSession, type Body, type SessionHost } from './invite-session.ts';

export interface OutboundCallOptions {
  /** Request-URI. */
  target: string;
  /** Where the INVITE goes (a gateway's address, a registered phone's flow). */
  flow: Flow;
  /** From header value without tag, e.g. `"Alice" <sip:+15550100@switchboard.example>`. */
  from: string;
  /** To header value, e.g. `<sip:+15550199@gateway.example>`. */
  to: string;
  /** Our offer (outbound INVITEs always carry one). */
  body?: Body;
  /** Extra headers: X-PH-…, P-Asserted-Identity, Privacy … */
  headers?: Array<[string, string]>;
  /** Answer 401/407 from the far end with these. */
  credentials?: ClientCredentials;
  callId?: string;
}

/** Host services an outbound call needs beyond a session's. */
export interface OutboundHost extends SessionHost {
  sendInvite(req: SipRequest, flow: Flow, call: OutboundCall): ClientTransaction;
  timerT1(): number;
}

export class OutboundCall extends InviteSession {
  readonly localTag = newSipToken();
  readonly callId: string;
  /** The INVITE now in progress (a new one after a challenge). */
  invite: SipRequest;
  private tx: ClientTransaction | undefined;
  private provisional = false;
  private cancelWanted = false;
  private cancelSent = false;
  private cancelTimer: Timer | undefined;
  private authTries = 0;
  private seq = 1;

  constructor(
    private readonly outHost: OutboundHost,
    private readonly opts: OutboundCallOptions,
  ) {
    super(outHost);
    this.callId = opts.callId ?? newSipToken();
    this.invite = this.buildInvite();
  }

  private buildInvite(authorization?: [string, string]): SipRequest {
    const req = new SipRequest('INVITE', this.opts.target);
    req.headers.append('max-forwards', '70');
    req.headers.append('from', `${this.opts.from};tag=${this.localTag}`);
    req.headers.append('to', this.opts.to);
    req.headers.append('call-id', this.callId);
    req.headers.append('cseq', `${this.seq} INVITE`);
    for (const [n, v] of this.opts.headers ?? []) req.headers.append(n, v);
    if (authorization) req.headers.append(authorization[0], authorization[1]);
    if (this.opts.body) {
      req.headers.append('content-type', this.opts.body.contentType);
      req.body = this.opts.body.body;
    }
    return req;
  }

  start(): void {
    this.tx = this.outHost.sendInvite(this.invite, this.opts.flow, this);
  }

  /** Give up before the answer. Idempotent; after the answer it is a BYE. */
  cancel(): void {
    if (this.state === 'confirmed') return this.bye();
    if (this.state === 'ended' || this.cancelWanted) return;
    this.cancelWanted = true;
    if (this.provisional) this.sendCancel();
  }

  private sendCancel(): void {
    if (this.cancelSent || !this.tx) return;
    this.cancelSent = true;
    const inv = this.invite;
    const cancel = new SipRequest('CANCEL', inv.uri);
    cancel.headers.append('via', inv.headers.get('via')!);
    cancel.headers.append('max-forwards', '70');
    cancel.headers.copyFrom(inv.headers, 'route');
    cancel.headers.append('from', inv.headers.get('from')!);
    cancel.headers.append('to', inv.headers.get('to')!);
    cancel.headers.append('call-id', this.callId);
    cancel.headers.append('cseq', `${inv.cseq().seq} CANCEL`);
    this.outHost.send(cancel, this.opts.flow, IGNORE_OUTCOME);
    // RFC 3261 §9.1: no final response within 64*T1 of the CANCEL: consider the INVITE cancelled.
    this.cancelTimer = this.outHost.clock.after(64 * this.outHost.timerT1(), () => {
      if (this.state === 'ended' || this.state === 'confirmed') return;
      this.tx?.terminate();
      this.fail(487, 'Request Terminated');
    });
  }

  private fail(status: number, reason: string, res?: SipResponse): void {
    if (this.state === 'ended') return;
    this.cancelTimer?.cancel();
    this.finish();
    this.events.failed?.(status, reason, res);
  }

  // ---- ClientTransactionUser of the INVITE transaction ---------------------

  response(res: SipResponse): void {
    if (res.cseq().seq !== this.seq) return; // a late response to the INVITE a challenge replaced
    const status = res.status;
    if (status < 200) return this.provisionalResponse(res);
    if (status < 300) return this.success(res);
    this.cancelTimer?.cancel();
    if ((status === 401 || status === 407) && this.retryWithCredentials(res)) return;
    this.fail(this.cancelWanted && status !== 487 ? 487 : status, res.reason, res);
  }

  failed(why: 'timeout' | 'transport'): void {
    if (this.cancelWanted) this.fail(487, 'Request Terminated');
    else this.fail(why === 'timeout' ? 408 : 503, why === 'timeout' ? 'Request Timeout' : 'Service Unavailable');
  }

  private provisionalResponse(res: SipResponse): void {
    if (this.state === 'ended' || this.state === 'confirmed') return;
    this.provisional = true;
    if (this.cancelWanted) return this.sendCancel();
    if (res.status === 100) return;
    if (!this.dialog && res.toTag() !== null) {
      this.dialog = Dialog.asClient(this.invite, res, this.opts.flow);
      this.outHost.bind(this.dialog, this);
    }
    this.state = 'early';
    this.events.progress?.(res);
  }

  private success(res: SipResponse): void {
    const tag = res.toTag() ?? '';
    if (this.state === 'confirmed' || this.state === 'ended') {
      if (this.dialog && tag === this.dialog.remoteTag) return this.ackTwoHundred(res);
      return this.dropFork(res);
    }
    this.cancelTimer?.cancel();
    // The 2xx fixes the dialog: a new one if it comes from another fork than the early dialog.
    if (this.dialog) this.outHost.unbind(this.dialog);
    this.dialog = Dialog.asClient(this.invite, res, this.opts.flow);
    this.dialog.state = 'confirmed';
    this.outHost.bind(this.dialog, this);
    this.state = 'confirmed';
    this.ackTwoHundred(res);
    if (this.cancelWanted) {
      // Our CANCEL lost the race (RFC 3261 §9.1): the call exists, so end it.
      this.bye();
      this.events.failed?.(487, 'Request Terminated', res);
      return;
    }
    this.events.answered?.(res);
  }

  /** A 2xx from a fork we did not keep: ACK it and hang it up at once (RFC 3261 §13.2.2.4). */
  private dropFork(res: SipResponse): void {
    const fork = Dialog.asClient(this.invite, res, this.opts.flow);
    this.outHost.sendAck(fork.request('ACK', res.cseq().seq), fork.flow);
    this.outHost.send(fork.request('BYE'), fork.flow, IGNORE_OUTCOME);
  }

  /** Answer a 401/407 once (twice when the first nonce went stale). */
  private retryWithCredentials(res: SipResponse): boolean {
    const creds = this.opts.credentials;
    if (!creds || this.cancelWanted || this.state === 'ended') return false;
    const proxy = res.status === 407;
    const values = res.headers.getAll(proxy ? 'proxy-authenticate' : 'www-authenticate');
    for (const v of values) {
      let challenge;
      try {
        challenge = parseAuth(v, proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate');
      } catch {
        continue;
      }
      const stale = challenge.params.get('stale')?.toLowerCase() === 'true';
      if (this.authTries >= (stale ? 2 : 1)) return false;
      const answer = answerChallenge(challenge, 'INVITE', this.opts.target, creds);
      if (!answer) continue;
      this.authTries++;
      this.seq++;
      if (this.dialog) {
        this.outHost.unbind(this.dialog);
        this.dialog = undefined;
      }
      this.state = 'calling';
      this.provisional = false;
      this.invite = this.buildInvite([proxy ? 'proxy-authorization' : 'authorization', answer]);
      this.start();
      return true;
    }
    return false;
  }
}
