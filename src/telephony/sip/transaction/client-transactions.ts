// Client transactions (RFC 3261 §17.1, with RFC 6026's Accepted state):
// send a request, retransmit it on unreliable transports, pass responses
// up, and give up with Timer B/F. The INVITE one ACKs non-2xx finals
// itself; 2xx responses (and their retransmissions, for Timer M) go to the
// TU, which ACKs them end to end.
import { SipRequest, type SipResponse } from '../message/sip-message.ts';
import type { Flow } from '../transport/sip-flow.ts';
import { IGNORE_OUTCOME, Transaction, type ClientTransactionUser, type TransactionContext } from './transaction.ts';

/** The ACK for a non-2xx final response: same transaction, same branch (RFC 3261 §17.1.1.3). */
export function ackForFailure(invite: SipRequest, res: SipResponse): SipRequest {
  const ack = new SipRequest('ACK', invite.uri);
  ack.headers.append('via', invite.headers.get('via')!.split(',')[0]!.trim());
  ack.headers.append('max-forwards', '70');
  ack.headers.copyFrom(invite.headers, 'route');
  ack.headers.append('from', invite.headers.get('from')!);
  ack.headers.append('to', res.headers.get('to')!);
  ack.headers.append('call-id', invite.headers.get('call-id')!);
  ack.headers.append('cseq', `${invite.cseq().seq} ACK`);
  return ack;
}

const NOTHING = Buffer.alloc(0);

export abstract class ClientTransaction extends Transaction {
  protected bytes: Buffer;

  constructor(
    ctx: TransactionContext,
    key: string,
    flow: Flow,
    request: SipRequest,
    protected user: ClientTransactionUser,
    initial: 'calling' | 'trying',
  ) {
    super(ctx, key, flow, initial);
    this.bytes = request.toBuffer();
  }

  abstract receive(res: SipResponse): void;

  transportError(): void {
    if (this.state === 'terminated' || this.state === 'completed' || this.state === 'accepted') return;
    this.terminate();
    this.user.failed('transport');
  }
}

export class InviteClientTransaction extends ClientTransaction {
  private ack: Buffer | undefined;

  constructor(
    ctx: TransactionContext,
    key: string,
    flow: Flow,
    /** Kept for the ACK of a non-2xx final (a non-INVITE transaction keeps only the bytes it resends). */
    readonly request: SipRequest,
    user: ClientTransactionUser,
  ) {
    super(ctx, key, flow, request, user, 'calling');
    this.send(this.bytes);
    this.armResend(() => this.timerA());
    this.armEnd(64 * this.t1, () => this.timerB());
  }

  private timerA(): void {
    if (this.state !== 'calling') return;
    this.send(this.bytes);
    this.interval *= 2;
    this.armResend(() => this.timerA());
  }

  private timerB(): void {
    if (this.state !== 'calling') return;
    this.terminate();
    this.user.failed('timeout');
  }

  receive(res: SipResponse): void {
    const s = res.status;
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        this.stopResend();
        if (s < 200) {
          // Timer B guards Calling only; once the far end answers provisionally the TU decides how long to wait.
          if (this.state === 'calling') this.stopEnd();
          this.state = 'proceeding';
        } else if (s < 300) {
          this.state = 'accepted';
          this.armEnd(64 * this.t1, () => this.terminate()); // Timer M
        } else {
          this.state = 'completed';
          this.ack = ackForFailure(this.request, res).toBuffer();
          this.send(this.ack);
          this.armEnd(this.reliable ? 0 : 32_000, () => this.terminate()); // Timer D
        }
        this.user.response(res);
        return;
      case 'accepted':
        // A 2xx retransmission (or another fork's 2xx): the TU ACKs it again.
        if (s >= 200 && s < 300) this.user.response(res);
        return;
      case 'completed':
        if (s >= 300 && this.ack) this.send(this.ack);
        return;
      default:
        return;
    }
  }
}

export class NonInviteClientTransaction extends ClientTransaction {
  constructor(ctx: TransactionContext, key: string, flow: Flow, request: SipRequest, user: ClientTransactionUser) {
    super(ctx, key, flow, request, user, 'trying');
    this.send(this.bytes);
    this.armResend(() => this.timerE());
    this.armEnd(64 * this.t1, () => this.timerF());
  }

  private timerE(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.send(this.bytes);
    this.interval = this.state === 'trying' ? Math.min(this.interval * 2, this.ctx.timers.t2) : this.ctx.timers.t2;
    this.armResend(() => this.timerE());
  }

  private timerF(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.terminate();
    this.user.failed('timeout');
  }

  receive(res: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    const user = this.user;
    if (res.status < 200) {
      this.state = 'proceeding';
    } else {
      this.state = 'completed';
      this.stopResend();
      // Timer K only absorbs retransmitted finals for 5 s: nothing to send or tell any more, so the TU and the bytes are let go.
      this.user = IGNORE_OUTCOME;
      this.bytes = NOTHING;
      this.armEnd(this.reliable ? 0 : this.ctx.timers.t4, () => this.terminate()); // Timer K
    }
    user.response(res);
  }
}
