// The UA core: bytes in from the transport, through the source guard and
// the parser, to the transaction layer, and each new request to where it
// belongs — its dialog, the INVITE handler, the registrar handler, or an
// answer the stack gives itself (OPTIONS, 4xx for what it cannot do).
// Outgoing requests get our Via, Contact and User-Agent here.
//
// The stack knows nothing of accounts or endpoints: the driver that owns it
// decides who may call and register (digest, carriers' addresses) through
// the handlers.
import type { SipLog } from './sip-log.ts';
import type { Clock } from '../../clock/clock.ts';
import { newSipToken } from '../../ids.ts';
import { InboundCall } from './dialog/inbound-call.ts';
import { dialogKey, type Dialog } from './dialog/dialog.ts';
import { ALLOW, SDP, type InviteSession } from './dialog/invite-session.ts';
import { OutboundCall, type OutboundCallOptions, type OutboundHost } from './dialog/outbound-call.ts';
import { answerChallenge, type ClientCredentials } from './auth/digest.ts';
import { parseAuth } from './message/sip-header-values.ts';
import { responseTo, SipRequest, SipResponse } from './message/sip-message.ts';
import { checkHeaders, parseMessage } from './message/sip-parser.ts';
import { quote, SipSyntaxError } from './message/sip-syntax.ts';
import { MAGIC_COOKIE } from './message/sip-via.ts';
import type { SourceGuard } from './security/source-guard.ts';
import type { ClientTransaction } from './transaction/client-transactions.ts';
import { InviteServerTransaction, type ServerTransaction } from './transaction/server-transactions.ts';
import { TransactionLayer, type TransactionLayerUser } from './transaction/transaction-layer.ts';
import type { ClientTransactionUser, SipTimerValues } from './transaction/transaction.ts';
import { formatFlow, uriHost, type Flow } from './transport/sip-flow.ts';
import type { SipTransport } from './transport/sip-transport.ts';

export interface SipStackOptions {
  clock: Clock;
  logger?: SipLog;
  /** Host written in Via and Contact: the address the world reaches us at (SWITCHBOARD_SIP_PUBLIC_ADDRESS). */
  publicAddress: string;
  /** Port written in Via and Contact; the transport's own port when absent. */
  publicPort?: number;
  /** User-Agent of our requests. */
  userAgent?: string;
  timers?: Partial<SipTimerValues>;
  guard?: SourceGuard;
}

/** Extra headers and body of a response the stack builds. */
export interface ReplyOptions {
  reason?: string;
  headers?: Array<[string, string]>;
}

export interface SipHandlers {
  /** A new INVITE outside any dialog: ring, answer or reject it. */
  invite?(call: InboundCall): void;
  /** A REGISTER: answer through `tx` (stack.reply). Without a handler: 405. */
  register?(req: SipRequest, flow: Flow, tx: ServerTransaction): void;
}

/** Methods we know but do not serve outside a dialog: 405 with Allow (others get 501). */
const KNOWN_METHODS = new Set(['MESSAGE', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'REFER', 'UPDATE', 'PRACK', 'INFO']);
const SCHEMES = new Set(['sip', 'sips', 'tel']);

export class SipStack implements OutboundHost, TransactionLayerUser {
  readonly clock: Clock;
  readonly layer: TransactionLayer;
  handlers: SipHandlers = {};
  private transport: SipTransport | undefined;
  private readonly sessions = new Map<string, InviteSession>();
  private readonly userAgent: string;
  private readonly host: string;

  constructor(private readonly opts: SipStackOptions) {
    this.clock = opts.clock;
    this.userAgent = opts.userAgent ?? 'Switchboard';
    this.host = uriHost(opts.publicAddress);
    this.layer = new TransactionLayer({
      clock: opts.clock,
      timers: opts.timers,
      send: (bytes, to) => this.transport?.send(bytes, to),
      connected: (flow) => this.transport?.connected(flow) ?? false,
    });
    this.layer.attach(this);
  }

  /** Start using `transport` (whose receive handler is `stack.receive`). */
  attach(transport: SipTransport): void {
    this.transport = transport;
  }

  private get port(): number {
    return this.opts.publicPort ?? this.transport?.local.port ?? 5060;
  }

  /** Live dialogs with a session (for tests and metrics). */
  get dialogCount(): number {
    return this.sessions.size;
  }

  // ---- receiving -----------------------------------------------------------

  /** The transport's receive handler: one datagram or one framed stream message. */
  readonly receive = (bytes: Buffer, flow: Flow): void => {
    const guard = this.opts.guard;
    if (guard?.isBlocked(flow.address)) return;
    const parsed = parseMessage(bytes, flow.transport === 'udp');
    if (!parsed.ok) {
      const m = parsed.message;
      this.log('info', { source: formatFlow(flow), reason: parsed.error, status: parsed.status }, 'sip message refused');
      if (m instanceof SipRequest && m.method !== 'ACK' && m.headers.has('via')) this.stateless(m, flow, parsed.status, parsed.error);
      return;
    }
    const msg = parsed.message;
    if (msg instanceof SipRequest) {
      if (guard && !guard.admit(flow.address, msg.method, msg.headers.get('user-agent'))) return;
      this.layer.receiveRequest(msg, flow);
    } else {
      this.layer.receiveResponse(msg as SipResponse, flow);
    }
  };

  /** The transport reports an error on a flow. */
  readonly transportError = (err: Error, flow?: Flow): void => {
    this.log('info', { flow: flow ? formatFlow(flow) : undefined, err: err.message }, 'sip transport error');
    if (flow) this.layer.transportError(flow);
  };

  /** A response outside any transaction: to requests too broken to make one. */
  private stateless(req: SipRequest, flow: Flow, status: number, why: string): void {
    const res = responseTo(req, status);
    res.headers.append('warning', `399 ${this.host} ${quote(why.slice(0, 120))}`);
    this.transport?.send(res.toBuffer(), flow);
  }

  // ---- TransactionLayerUser -------------------------------------------------

  request(req: SipRequest, flow: Flow, tx: ServerTransaction): void {
    try {
      this.dispatch(req, flow, tx);
    } catch (err) {
      if (tx.finalSent) throw err;
      if (err instanceof SipSyntaxError) this.refuse(tx, req, flow, err.status, err.message);
      else {
        this.log('error', { err, source: formatFlow(flow), method: req.method }, 'sip request handler failed');
        this.reply(tx, req, 500);
      }
    }
  }

  private dispatch(req: SipRequest, flow: Flow, tx: ServerTransaction): void {
    checkHeaders(req);
    const uri = req.requestUri();
    if (!SCHEMES.has(uri.scheme)) return this.refuse(tx, req, flow, 416, `unsupported URI scheme ${uri.scheme}`);
    if (req.method === 'CANCEL') return this.cancel(req, flow, tx);
    const required = req.headers.list('require');
    if (required.length > 0) {
      return this.refuse(tx, req, flow, 420, `unsupported extension ${required.join(', ')}`, { headers: [['unsupported', required.join(', ')]] });
    }
    const toTag = req.toTag();
    if (toTag !== null) {
      const session = this.sessions.get(dialogKey(req.callId(), toTag, req.fromTag() ?? ''));
      if (!session) return this.refuse(tx, req, flow, 481, 'no such dialog');
      return session.receiveRequest(req, tx);
    }
    switch (req.method) {
      case 'INVITE': {
        const type = req.contentType();
        if (req.body.length > 0 && type?.split(';')[0]!.trim().toLowerCase() !== SDP) {
          return this.refuse(tx, req, flow, 415, `unsupported body ${type}`, { headers: [['accept', SDP]] });
        }
        if (!this.handlers.invite) return this.refuse(tx, req, flow, 503, 'not taking calls');
        this.handlers.invite(new InboundCall(this, req, flow, tx as InviteServerTransaction));
        return;
      }
      case 'REGISTER':
        if (this.handlers.register) return this.handlers.register(req, flow, tx);
        return this.reply(tx, req, 405, { headers: [['allow', ALLOW]] });
      case 'OPTIONS':
        return this.reply(tx, req, 200, { headers: [['allow', ALLOW], ['accept', SDP]] });
      case 'BYE':
        return this.refuse(tx, req, flow, 481, 'BYE outside a dialog');
      default:
        return this.reply(tx, req, KNOWN_METHODS.has(req.method) ? 405 : 501, { headers: [['allow', ALLOW]] });
    }
  }

  private cancel(req: SipRequest, flow: Flow, tx: ServerTransaction): void {
    const invite = this.layer.inviteFor(req);
    if (!invite) return this.refuse(tx, req, flow, 481, 'CANCEL of no INVITE');
    this.reply(tx, req, 200);
    if (invite.finalSent || !invite.request) return;
    if (invite.events.cancelled) invite.events.cancelled();
    else invite.respond(responseTo(invite.request, 487, newSipToken()));
  }

  ack(req: SipRequest): void {
    const toTag = req.toTag();
    if (toTag === null) return;
    this.sessions.get(dialogKey(req.callId(), toTag, req.fromTag() ?? ''))?.receiveAck(req);
  }

  strayResponse(res: SipResponse): void {
    if (res.status < 200 || res.status >= 300 || res.cseq().method !== 'INVITE') return;
    this.sessions.get(dialogKey(res.callId(), res.fromTag() ?? '', res.toTag() ?? ''))?.strayTwoHundred(res);
  }

  /** Answer a request with `status` (and log nothing: use `refuse` for refusals). */
  reply(tx: ServerTransaction, req: SipRequest, status: number, opts: ReplyOptions = {}): void {
    const res = responseTo(req, status, status > 100 ? newSipToken() : undefined, opts.reason);
    for (const [n, v] of opts.headers ?? []) res.headers.append(n, v);
    tx.respond(res);
  }

  /** Refuse a request and log it with its source. */
  refuse(tx: ServerTransaction, req: SipRequest, flow: Flow, status: number, why: string, opts: ReplyOptions = {}): void {
    this.log(status === 403 ? 'warn' : 'info', { source: formatFlow(flow), method: req.method, status, reason: why, user_agent: req.headers.get('user-agent') }, 'sip request refused');
    this.reply(tx, req, status, opts);
  }

  // ---- sending -------------------------------------------------------------

  private via(flow: Flow): string {
    return `SIP/2.0/${flow.transport.toUpperCase()} ${this.host}:${this.port};branch=${MAGIC_COOKIE}${newSipToken()};rport`;
  }

  contact(flow: Flow): string {
    return `<sip:${this.host}:${this.port}${flow.transport === 'tcp' ? ';transport=tcp' : ''}>`;
  }

  private prepare(req: SipRequest, flow: Flow): void {
    if (!req.headers.has('via')) req.headers.prepend('via', this.via(flow));
    if ((req.method === 'INVITE' || req.method === 'REGISTER') && !req.headers.has('contact')) req.headers.append('contact', this.contact(flow));
    if (req.method !== 'ACK' && req.method !== 'CANCEL' && !req.headers.has('user-agent')) req.headers.append('user-agent', this.userAgent);
  }

  send(req: SipRequest, flow: Flow, user: ClientTransactionUser): ClientTransaction {
    this.prepare(req, flow);
    return this.layer.request(req, flow, user);
  }

  sendInvite(req: SipRequest, flow: Flow, call: OutboundCall): ClientTransaction {
    return this.send(req, flow, call);
  }

  sendAck(ack: SipRequest, flow: Flow): Buffer {
    this.prepare(ack, flow);
    const bytes = ack.toBuffer();
    this.layer.sendStateless(bytes, flow);
    return bytes;
  }

  resend(bytes: Buffer, flow: Flow): void {
    this.layer.sendStateless(bytes, flow);
  }

  timerT1(): number {
    return this.layer.timers.t1;
  }

  bind(dialog: Dialog, session: InviteSession): void {
    this.sessions.set(dialog.key, session);
  }

  unbind(dialog: Dialog): void {
    if (this.sessions.get(dialog.key)) this.sessions.delete(dialog.key);
  }

  warn(fields: Record<string, unknown>, msg: string): void {
    this.log('warn', fields, msg);
  }

  private log(level: 'warn' | 'info' | 'debug' | 'error', fields: Record<string, unknown>, msg: string): void {
    this.opts.logger?.[level](fields, msg);
  }

  /** Place a call: the INVITE leaves at once; events arrive on `call.events` (set them before the first await). */
  invite(opts: OutboundCallOptions): OutboundCall {
    const call = new OutboundCall(this, opts);
    // Events are attached by the caller after this returns: start on the next turn.
    queueMicrotask(() => call.start());
    return call;
  }

  /**
   * A request outside any dialog (OPTIONS to a gateway, REGISTER toward a
   * registrar …), answering one 401/407 with `credentials`. Resolves with
   * the final response (408/503 stand-ins on timeout or transport failure).
   */
  requestOutOfDialog(
    method: string,
    target: string,
    flow: Flow,
    opts: { from: string; to: string; headers?: Array<[string, string]>; credentials?: ClientCredentials } = { from: '', to: '' },
  ): Promise<SipResponse> {
    const callId = newSipToken();
    const tag = newSipToken();
    const build = (seq: number, auth?: [string, string]): SipRequest => {
      const req = new SipRequest(method, target);
      req.headers.append('max-forwards', '70');
      req.headers.append('from', `${opts.from || `<sip:${this.host}>`};tag=${tag}`);
      req.headers.append('to', opts.to || `<${target}>`);
      req.headers.append('call-id', callId);
      req.headers.append('cseq', `${seq} ${method}`);
      for (const [n, v] of opts.headers ?? []) req.headers.append(n, v);
      if (auth) req.headers.append(auth[0], auth[1]);
      return req;
    };
    return new Promise((resolve) => {
      const attempt = (seq: number, auth?: [string, string]): void => {
        this.send(build(seq, auth), flow, {
          response: (res) => {
            if (res.status < 200) return;
            if ((res.status === 401 || res.status === 407) && !auth && opts.credentials) {
              const proxy = res.status === 407;
              for (const v of res.headers.getAll(proxy ? 'proxy-authenticate' : 'www-authenticate')) {
                let answer: string | undefined;
                try {
                  answer = answerChallenge(parseAuth(v, 'challenge'), method, target, opts.credentials);
                } catch {
                  continue;
                }
                if (answer) return attempt(seq + 1, [proxy ? 'proxy-authorization' : 'authorization', answer]);
              }
            }
            resolve(res);
          },
          failed: (why) => resolve(new SipResponse(why === 'timeout' ? 408 : 503)),
        });
      };
      attempt(1);
    });
  }

  /** Hang up live calls (one BYE each, not retransmitted), drop every transaction, close the transport. */
  async close(): Promise<void> {
    for (const s of [...this.sessions.values()]) s.bye();
    this.layer.close();
    await this.transport?.close();
  }
}
