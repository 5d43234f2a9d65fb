// SIP requests and responses: a start line, header fields and a body.
// Typed views of the headers (Via, From, To, CSeq, Contact …) are parsed on
// first use and cached until the headers change; a malformed header throws
// SipSyntaxError from its accessor, which the stack answers with 400.
import { SipHeaders, wireName } from './sip-headers.ts';
import { parseCSeq, parseDeltaSeconds, type CSeq } from './sip-header-values.ts';
import { parseNameAddr, parseNameAddrList, type NameAddr } from './sip-name-addr.ts';
import { parseBoundedInt, SipSyntaxError } from './sip-syntax.ts';
import { parseUri, type Uri } from './sip-uri.ts';
import { formatVia, parseVias, type Via } from './sip-via.ts';

const EMPTY = Buffer.alloc(0);

/** Reason phrases of the responses this stack sends. */
export const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  410: 'Gone',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
};

interface Cache {
  version: number;
  via?: Via[];
  from?: NameAddr;
  to?: NameAddr;
  cseq?: CSeq;
  contacts?: NameAddr[];
}

export abstract class SipMessage {
  readonly headers = new SipHeaders();
  body: Buffer = EMPTY;
  private cache: Cache = { version: -1 };

  abstract readonly isRequest: boolean;
  /** The request method, or the CSeq method of a response. */
  abstract get method(): string;
  protected abstract startLine(): string;

  private cached(): Cache {
    if (this.cache.version !== this.headers.version) this.cache = { version: this.headers.version };
    return this.cache;
  }

  private one(name: string): string {
    const v = this.headers.get(name);
    if (v === undefined) throw new SipSyntaxError(`missing ${wireName(name)} header`);
    return v;
  }

  /** Every Via, topmost first. */
  vias(): Via[] {
    const c = this.cached();
    return (c.via ??= parseVias(this.headers.getAll('via')));
  }

  /**
   * Put `via` in place of the topmost Via (the received/rport stamp on a
   * request that came in). Only the top Via changes, so the others and From,
   * To, CSeq and Contact keep their parsed values: a request's headers are
   * parsed once, when it is checked, not again by everything that reads them
   * after the stamp. `via` is what parsing its formatted text gives.
   */
  replaceTopVia(via: Via): void {
    const kept = this.cached();
    this.headers.shift('via');
    this.headers.prepend('via', formatVia(via));
    this.cache = { version: this.headers.version, via: kept.via && [via, ...kept.via.slice(1)], from: kept.from, to: kept.to, cseq: kept.cseq, contacts: kept.contacts };
  }

  /**
   * Drop the parsed views (read again, they are parsed again): for a message
   * kept long after it was handled, such as a call's INVITE, held for the
   * whole call though its headers are read only until the final response.
   */
  forgetParsed(): void {
    this.cache = { version: -1 };
  }

  topVia(): Via {
    const v = this.vias()[0];
    if (v === undefined) throw new SipSyntaxError('missing Via header');
    return v;
  }

  from(): NameAddr {
    const c = this.cached();
    return (c.from ??= parseNameAddr(this.one('from'), 'From'));
  }

  to(): NameAddr {
    const c = this.cached();
    return (c.to ??= parseNameAddr(this.one('to'), 'To'));
  }

  fromTag(): string | null {
    return this.from().params.get('tag') ?? null;
  }

  toTag(): string | null {
    return this.to().params.get('tag') ?? null;
  }

  callId(): string {
    return this.one('call-id');
  }

  cseq(): CSeq {
    const c = this.cached();
    return (c.cseq ??= parseCSeq(this.one('cseq')));
  }

  /** Contact values; `*` is not a contact (see `isWildcardContact`). */
  contacts(): NameAddr[] {
    const c = this.cached();
    return (c.contacts ??= parseNameAddrList(this.headers.getAll('contact'), 'Contact'));
  }

  isWildcardContact(): boolean {
    const all = this.headers.getAll('contact');
    return all.length === 1 && all[0] === '*';
  }

  recordRoutes(): NameAddr[] {
    return parseNameAddrList(this.headers.getAll('record-route'), 'Record-Route');
  }

  routes(): NameAddr[] {
    return parseNameAddrList(this.headers.getAll('route'), 'Route');
  }

  /** Expires in seconds, or undefined when absent. */
  expires(): number | undefined {
    const v = this.headers.get('expires');
    return v === undefined ? undefined : parseDeltaSeconds(v, 'Expires');
  }

  contentLength(): number {
    const v = this.headers.get('content-length');
    return v === undefined ? this.body.length : parseBoundedInt(v, 2 ** 31, 'Content-Length');
  }

  contentType(): string | undefined {
    return this.headers.get('content-type');
  }

  /** Bytes on the wire; Content-Length is always written from the body. */
  toBuffer(): Buffer {
    let head = this.startLine() + '\r\n';
    this.headers.forEach((name, value) => {
      if (name !== 'content-length') head += `${wireName(name)}: ${value}\r\n`;
    });
    head += `Content-Length: ${this.body.length}\r\n\r\n`;
    const h = Buffer.from(head, 'utf8');
    return this.body.length === 0 ? h : Buffer.concat([h, this.body], h.length + this.body.length);
  }

  toString(): string {
    return this.toBuffer().toString('utf8');
  }
}

export class SipRequest extends SipMessage {
  readonly isRequest = true;
  private parsedUri: Uri | undefined;

  constructor(
    readonly requestMethod: string,
    /** The Request-URI as text. */
    public uri: string,
  ) {
    super();
  }

  get method(): string {
    return this.requestMethod;
  }

  requestUri(): Uri {
    return (this.parsedUri ??= parseUri(this.uri, 'Request-URI'));
  }

  setUri(uri: string): void {
    this.uri = uri;
    this.parsedUri = undefined;
  }

  override forgetParsed(): void {
    super.forgetParsed();
    this.parsedUri = undefined;
  }

  protected startLine(): string {
    return `${this.requestMethod} ${this.uri} SIP/2.0`;
  }
}

export class SipResponse extends SipMessage {
  readonly isRequest = false;

  constructor(
    readonly status: number,
    readonly reason: string = REASONS[status] ?? '',
  ) {
    super();
  }

  get method(): string {
    return this.cseq().method;
  }

  protected startLine(): string {
    return `SIP/2.0 ${this.status} ${this.reason}`;
  }
}

/**
 * A response to `req` (RFC 3261 §8.2.6.2): Via, From, Call-ID and CSeq
 * copied, To copied with `toTag` added when it has none.
 */
function hasTag(req: SipRequest): boolean {
  try {
    return req.toTag() !== null;
  } catch {
    return true; // a malformed To is echoed as it came
  }
}

export function responseTo(req: SipRequest, status: number, toTag?: string, reason?: string): SipResponse {
  const res = new SipResponse(status, reason);
  res.headers.copyFrom(req.headers, 'via');
  // A request missing one of these is still answered (400) with what it has.
  const from = req.headers.get('from');
  if (from !== undefined) res.headers.append('from', from);
  const to = req.headers.get('to');
  if (to !== undefined) res.headers.append('to', toTag !== undefined && !hasTag(req) ? `${to};tag=${toTag}` : to);
  for (const name of ['call-id', 'cseq'] as const) {
    const v = req.headers.get(name);
    if (v !== undefined) res.headers.append(name, v);
  }
  return res;
}

export const isRequest = (m: SipMessage): m is SipRequest => m.isRequest;
