// Dialog state (RFC 3261 §12): identity (Call-ID and the two tags), the
// two CSeq spaces, the remote target and the route set, and building
// requests inside the dialog.
//
// Where in-dialog requests go: along the flow of the request that created
// the dialog (its source for a UAS dialog, its destination for a UAC one),
// not to the route set's first hop or the remote target's host. The
// Request-URI and Route headers still follow RFC 3261 §12.2.1.1, so
// proxies on the path route correctly; sending along the flow is what makes
// phones behind NAT reachable and keeps a TCP dialog on its connection.
import { SipRequest, type SipResponse } from '../message/sip-message.ts';
import { formatNameAddr, type NameAddr } from '../message/sip-name-addr.ts';
import { formatUri } from '../message/sip-uri.ts';
import type { Flow } from '../transport/sip-flow.ts';

export type DialogState = 'early' | 'confirmed' | 'terminated';

export const dialogKey = (callId: string, localTag: string, remoteTag: string): string => `${callId}\n${localTag}\n${remoteTag}`;

export class Dialog {
  state: DialogState = 'early';
  /** Request-URI of our requests: the far end's Contact, refreshed by re-INVITEs. */
  remoteTarget: string;
  /** Route header values for our requests, in order. */
  readonly routeSet: string[];
  localSeq: number;
  /** Highest CSeq seen from the far end (null before any request from it). */
  remoteSeq: number | null;

  private constructor(
    readonly callId: string,
    readonly localTag: string,
    readonly remoteTag: string,
    /** Our From (UAC) / To (UAS) header value, without the tag. */
    readonly localUri: string,
    readonly remoteUri: string,
    remoteTarget: string,
    routeSet: string[],
    localSeq: number,
    remoteSeq: number | null,
    readonly flow: Flow,
  ) {
    this.remoteTarget = remoteTarget;
    this.routeSet = routeSet;
    this.localSeq = localSeq;
    this.remoteSeq = remoteSeq;
  }

  get key(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  /** The UAS side, from the INVITE and the tag we answer with (RFC 3261 §12.1.1). */
  static asServer(req: SipRequest, localTag: string, flow: Flow): Dialog {
    const contact = req.contacts()[0];
    return new Dialog(
      req.callId(),
      localTag,
      req.fromTag() ?? '',
      withoutTag(req.to()),
      withoutTag(req.from()),
      contact ? formatUri(contact.uri) : req.uri,
      req.recordRoutes().map(formatNameAddr),
      0,
      req.cseq().seq,
      flow,
    );
  }

  /** The UAC side, from our INVITE and a response with a To tag (RFC 3261 §12.1.2): Record-Route reversed. */
  static asClient(req: SipRequest, res: SipResponse, flow: Flow): Dialog {
    const contact = res.contacts()[0];
    return new Dialog(
      req.callId(),
      req.fromTag() ?? '',
      res.toTag() ?? '',
      withoutTag(req.from()),
      withoutTag(req.to()),
      contact ? formatUri(contact.uri) : req.uri,
      res.recordRoutes().map(formatNameAddr).reverse(),
      req.cseq().seq,
      null,
      flow,
    );
  }

  /**
   * Check a request from the far end against the remote CSeq (RFC 3261
   * §12.2.2): false when it is out of order (answer 500). ACK and CANCEL
   * reuse their INVITE's number and are not checked.
   */
  acceptRemoteSeq(req: SipRequest): boolean {
    if (req.method === 'ACK' || req.method === 'CANCEL') return true;
    const seq = req.cseq().seq;
    if (this.remoteSeq !== null && seq <= this.remoteSeq) return false;
    this.remoteSeq = seq;
    return true;
  }

  /** A target refresh (re-INVITE or its 2xx) moves the remote target to the new Contact. */
  refreshTarget(msg: SipRequest | SipResponse): void {
    const contact = msg.contacts()[0];
    if (contact) this.remoteTarget = formatUri(contact.uri);
  }

  /**
   * A request inside the dialog with the next local CSeq (or `seq` for an
   * ACK). Via and Contact are the stack's to add. Strict routing (a first
   * route without `lr`) puts that route in the Request-URI and the remote
   * target at the end of the Route headers (RFC 3261 §12.2.1.1).
   */
  request(method: string, seq?: number): SipRequest {
    const cseq = seq ?? ++this.localSeq;
    let uri = this.remoteTarget;
    let routes = this.routeSet;
    const first = routes[0];
    if (first !== undefined && !isLooseRoute(first)) {
      uri = first.slice(first.indexOf('<') + 1, first.indexOf('>'));
      routes = [...routes.slice(1), `<${this.remoteTarget}>`];
    }
    const req = new SipRequest(method, uri);
    req.headers.append('max-forwards', '70');
    for (const r of routes) req.headers.append('route', r);
    req.headers.append('from', `${this.localUri};tag=${this.localTag}`);
    req.headers.append('to', `${this.remoteUri};tag=${this.remoteTag}`);
    req.headers.append('call-id', this.callId);
    req.headers.append('cseq', `${cseq} ${method}`);
    return req;
  }
}

function isLooseRoute(route: string): boolean {
  return /;\s*lr\b/i.test(route.slice(0, route.indexOf('>') + 1));
}

function withoutTag(na: NameAddr): string {
  if (!na.params.has('tag')) return formatNameAddr(na);
  const params = new Map(na.params);
  params.delete('tag');
  return formatNameAddr({ ...na, params });
}
