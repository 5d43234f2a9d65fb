// Matches messages to transactions (RFC 3261 §17.1.3, §17.2.3) and creates
// them. Incoming requests get `received`/`rport` stamped on their top Via
// (RFC 3261 §18.2.1, RFC 3581) so every response built from them finds its
// way back; retransmissions are absorbed here and never reach the TU.
import { responseTo, type SipRequest, type SipResponse } from '../message/sip-message.ts';
import type { Clock } from '../../../clock/clock.ts';
import { MAGIC_COOKIE, type Via } from '../message/sip-via.ts';
import { uriHost, type Flow } from '../transport/sip-flow.ts';
import { InviteClientTransaction, NonInviteClientTransaction, type ClientTransaction } from './client-transactions.ts';
import { InviteServerTransaction, NonInviteServerTransaction, type ServerTransaction } from './server-transactions.ts';
import { DEFAULT_TIMERS, type ClientTransactionUser, type SipTimerValues, type Transaction, type TransactionContext } from './transaction.ts';

export interface TransactionLayerUser {
  /** A new request and its server transaction (retransmissions never get here). */
  request(req: SipRequest, flow: Flow, tx: ServerTransaction): void;
  /** An ACK no INVITE server transaction claims: the ACK of a 2xx, for its dialog. */
  ack(req: SipRequest, flow: Flow): void;
  /** A response no client transaction claims (a 2xx retransmitted after Timer M, a late fork). */
  strayResponse(res: SipResponse, flow: Flow): void;
}

export interface TransactionLayerOptions {
  clock: Clock;
  timers?: Partial<SipTimerValues>;
  send(bytes: Buffer, to: Flow): void;
  /** Whether a TCP flow's connection is still open. */
  connected(flow: Flow): boolean;
}

const sentBy = (v: Via): string => `${v.host}:${v.port ?? ''}`;

/** The server-side key: branch + sent-by + method, ACK folded onto INVITE; RFC 2543 peers (no magic cookie) by dialog fields. */
export function serverKey(req: SipRequest): string {
  const via = req.topVia();
  const method = req.method === 'ACK' ? 'INVITE' : req.method;
  const branch = via.params.get('branch');
  if (branch && branch.startsWith(MAGIC_COOKIE)) return `${branch}|${sentBy(via)}|${method}`;
  return `2543|${req.callId()}|${req.fromTag() ?? ''}|${req.cseq().seq}|${sentBy(via)}|${branch ?? ''}|${method}`;
}

/** The client-side key: our branch + CSeq method. */
export const clientKey = (branch: string, method: string): string => `${branch}|${method}`;

export class TransactionLayer {
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly ctx: TransactionContext;
  private user: TransactionLayerUser | undefined;

  constructor(private readonly opts: TransactionLayerOptions) {
    this.ctx = {
      clock: opts.clock,
      timers: { ...DEFAULT_TIMERS, ...opts.timers },
      send: opts.send,
      terminated: (tx: Transaction) => {
        if (this.servers.get(tx.key) === tx) this.servers.delete(tx.key);
        else if (this.clients.get(tx.key) === tx) this.clients.delete(tx.key);
      },
    };
  }

  get timers(): SipTimerValues {
    return this.ctx.timers;
  }

  attach(user: TransactionLayerUser): void {
    this.user = user;
  }

  /** Live transactions (for tests and metrics). */
  get size(): { servers: number; clients: number } {
    return { servers: this.servers.size, clients: this.clients.size };
  }

  receiveRequest(req: SipRequest, flow: Flow): void {
    stampVia(req, flow);
    const key = serverKey(req);
    const tx = this.servers.get(key);
    if (req.method === 'ACK') {
      if (tx instanceof InviteServerTransaction && tx.lastStatus >= 300) tx.ack();
      else this.user?.ack(req, flow);
      return;
    }
    if (tx) {
      tx.retransmission();
      return;
    }
    const fallback = responseFallback(req, flow);
    const created =
      req.method === 'INVITE'
        ? new InviteServerTransaction(this.ctx, key, flow, req, fallback, this.opts.connected)
        : new NonInviteServerTransaction(this.ctx, key, flow, fallback, this.opts.connected);
    this.servers.set(key, created);
    this.user?.request(req, flow, created);
    // RFC 3261 §17.2.1: a TU that did not answer at once gets a 100 Trying sent for it.
    if (created instanceof InviteServerTransaction && created.lastStatus === 0 && created.state === 'proceeding') {
      created.respond(trying(req));
    }
  }

  receiveResponse(res: SipResponse, flow: Flow): void {
    const branch = res.topVia().params.get('branch');
    const tx = branch ? this.clients.get(clientKey(branch, res.cseq().method)) : undefined;
    if (tx) tx.receive(res);
    else this.user?.strayResponse(res, flow);
  }

  /** The INVITE server transaction a CANCEL is for (same key but the method). */
  inviteFor(cancel: SipRequest): InviteServerTransaction | undefined {
    const key = serverKey(cancel);
    const tx = this.servers.get(key.slice(0, key.length - 'CANCEL'.length) + 'INVITE');
    return tx instanceof InviteServerTransaction ? tx : undefined;
  }

  /** Start a client transaction for `req`, whose top Via carries a fresh branch. ACKs are not transactions: use `sendStateless`. */
  request(req: SipRequest, flow: Flow, user: ClientTransactionUser): ClientTransaction {
    const branch = req.topVia().params.get('branch');
    if (!branch) throw new Error('a client request needs a branch in its top Via');
    const key = clientKey(branch, req.method);
    const tx = req.method === 'INVITE' ? new InviteClientTransaction(this.ctx, key, flow, req, user) : new NonInviteClientTransaction(this.ctx, key, flow, req, user);
    // A transaction that failed at once (reliable transport refused) has already terminated.
    if (tx.state !== 'terminated') this.clients.set(key, tx);
    return tx;
  }

  /** End every transaction now (shutdown): no more retransmissions, no timers left. */
  close(): void {
    for (const tx of [...this.clients.values(), ...this.servers.values()]) tx.terminate();
  }

  sendStateless(bytes: Buffer, flow: Flow): void {
    this.opts.send(bytes, flow);
  }

  /** The transport reports trouble on a flow: transactions using it fail now rather than at Timer B/F. */
  transportError(flow: Flow): void {
    for (const tx of [...this.clients.values(), ...this.servers.values()]) {
      if (tx.flow.transport === flow.transport && tx.flow.address === flow.address && tx.flow.port === flow.port) tx.transportError();
    }
  }
}

/** 100 Trying, echoing Timestamp (RFC 3261 §8.2.6.1). */
function trying(req: SipRequest): SipResponse {
  const res = responseTo(req, 100);
  const ts = req.headers.get('timestamp');
  if (ts !== undefined) res.headers.append('timestamp', ts);
  return res;
}

/**
 * Record where a request really came from in its top Via: `received` when
 * the sent-by host is not the source address, and with `rport` asked for,
 * the source port too (RFC 3581).
 */
export function stampVia(req: SipRequest, flow: Flow): void {
  const via = req.topVia();
  const wantsRport = via.params.has('rport');
  if (via.host === flow.address && !wantsRport) return;
  const params = new Map(via.params);
  params.set('received', uriHost(flow.address));
  if (wantsRport) params.set('rport', String(flow.port));
  const stamped = { ...via, params };
  req.replaceTopVia(stamped);
}

/** Where responses go when the request's TCP connection is gone: the received address, the sent-by port (RFC 3261 §18.2.2). */
function responseFallback(req: SipRequest, flow: Flow): Flow {
  const via = req.topVia();
  if (flow.transport === 'udp') return flow;
  return { transport: 'tcp', address: flow.address, port: via.port ?? 5060 };
}
