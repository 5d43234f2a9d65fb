// What the four transaction state machines share (RFC 3261 §17): the
// timer values, a retransmission timer and a deadline timer on the
// injected clock, the bytes to resend, and telling the layer when done.
import type { Clock, Timer } from '../../../clock/clock.ts';
import type { SipResponse } from '../message/sip-message.ts';
import { isReliable, type Flow } from '../transport/sip-flow.ts';

/** RFC 3261's T1 (RTT estimate), T2 (largest retransmit interval) and T4 (longest a message stays in the network). */
export interface SipTimerValues {
  t1: number;
  t2: number;
  t4: number;
}

export const DEFAULT_TIMERS: SipTimerValues = { t1: 500, t2: 4000, t4: 5000 };

export interface TransactionContext {
  clock: Clock;
  timers: SipTimerValues;
  send(bytes: Buffer, to: Flow): void;
  /** The transaction reached Terminated: the layer forgets it. */
  terminated(tx: Transaction): void;
}

/** The TU's side of a client transaction. */
export interface ClientTransactionUser {
  /** Every provisional and final response the transaction passes up (2xx retransmissions too, for INVITE). */
  response(res: SipResponse): void;
  /** No final response before Timer B/F, or the transport failed (RFC 3261 §8.1.3.1: act as on 408 / 503). */
  failed(reason: 'timeout' | 'transport'): void;
}

/** The TU of a request whose outcome changes nothing (a BYE, a CANCEL), and of a transaction with nothing more to say. */
export const IGNORE_OUTCOME: ClientTransactionUser = { response: () => undefined, failed: () => undefined };

export type TransactionState = 'calling' | 'trying' | 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';

export abstract class Transaction {
  state: TransactionState;
  protected readonly reliable: boolean;
  /** Timer A, E or G: the next retransmission. */
  private resendTimer: Timer | undefined;
  /** Timer B, D, F, H, I, J, K, L or M: the end of the current state. */
  private endTimer: Timer | undefined;
  /** The interval Timer A/E/G waits next. */
  protected interval: number;

  constructor(
    protected readonly ctx: TransactionContext,
    readonly key: string,
    /** Where requests go (client) or responses go (server). */
    readonly flow: Flow,
    initial: TransactionState,
  ) {
    this.state = initial;
    this.reliable = isReliable(flow.transport);
    this.interval = ctx.timers.t1;
  }

  protected get t1(): number {
    return this.ctx.timers.t1;
  }

  /** Arm the retransmission timer for `interval` (only on unreliable transports). */
  protected armResend(fire: () => void): void {
    this.resendTimer?.cancel();
    this.resendTimer = this.reliable ? undefined : this.ctx.clock.after(this.interval, fire);
  }

  protected stopResend(): void {
    this.resendTimer?.cancel();
    this.resendTimer = undefined;
  }

  /** Arm the state's deadline; 0 ends the transaction at once. */
  protected armEnd(ms: number, fire: () => void): void {
    this.endTimer?.cancel();
    this.endTimer = undefined;
    if (ms <= 0) fire();
    else this.endTimer = this.ctx.clock.after(ms, fire);
  }

  protected stopEnd(): void {
    this.endTimer?.cancel();
    this.endTimer = undefined;
  }

  protected send(bytes: Buffer): void {
    this.ctx.send(bytes, this.flow);
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.stopResend();
    this.stopEnd();
    this.ctx.terminated(this);
  }

  /** Network trouble on the flow this transaction uses (a refused TCP connection, an ICMP error). */
  abstract transportError(): void;
}
