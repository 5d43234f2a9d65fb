// Bytes → SipRequest | SipResponse. Three stages, each refusing with a reason
// and never throwing: the frame (start line, header lines with folding and
// compact names, body by Content-Length), the essentials every layer needs
// (Via, From, To, Call-ID, CSeq, Max-Forwards; checked here so the
// transaction layer can trust them), and `checkHeaders` for the rest of the
// headers this stack interprets, run only for requests it will act on
// (retransmissions are absorbed before that).
import { canonicalName } from './sip-headers.ts';
import { checkDate, checkWarning } from './sip-header-values.ts';
import { SipRequest, SipResponse, type SipMessage } from './sip-message.ts';
import { TOKEN, is, isToken, isWs, parseBoundedInt, trimWs, SipSyntaxError } from './sip-syntax.ts';

export type ParseResult =
  | { ok: true; message: SipMessage }
  /** `message` is there when the start line and headers could be read, so a request can still be answered (400, 505 …). */
  | { ok: false; error: string; status: number; message?: SipMessage };

/** More header lines than any real message carries: refuse instead of working through them. */
const MAX_HEADER_LINES = 256;

/** Headers a message may carry only once (RFC 4475 §3.3.8, §3.3.9). */
const SINGLE = ['from', 'to', 'call-id', 'cseq', 'max-forwards', 'content-length', 'content-type'] as const;

function fail(error: string, status = 400, message?: SipMessage): ParseResult {
  return { ok: false, error, status, message };
}

const isSipVersion = (v: string): boolean => v.length === 7 && v.toUpperCase() === 'SIP/2.0';
/** SIP/<digits>.<digits> of another version: answered 505 rather than 400. */
const isOtherVersion = (v: string): boolean => /^SIP\/\d{1,3}\.\d{1,3}$/i.test(v);

interface StartLine {
  msg: SipMessage;
  /** A request whose start line is wrong but whose headers may still allow an answer (505, 400). */
  refusal?: { error: string; status: number };
}

function parseStartLine(line: string): StartLine | ParseResult {
  if (line.length > 7 && line.slice(0, 4).toUpperCase() === 'SIP/') {
    const sp1 = line.indexOf(' ');
    if (sp1 < 0) return fail('status line has no status code');
    const version = line.slice(0, sp1);
    if (!isSipVersion(version)) return fail(`unsupported version ${version.slice(0, 16)}`, 505);
    const sp2 = line.indexOf(' ', sp1 + 1);
    const code = sp2 < 0 ? line.slice(sp1 + 1) : line.slice(sp1 + 1, sp2);
    if (!/^[1-6]\d\d$/.test(code)) return fail(`bad status code "${code.slice(0, 16)}"`);
    return { msg: new SipResponse(Number(code), sp2 < 0 ? '' : line.slice(sp2 + 1)) };
  }
  const sp1 = line.indexOf(' ');
  const sp2 = line.lastIndexOf(' ');
  if (sp1 <= 0 || sp2 === sp1) return fail('request line must be "Method SP Request-URI SP SIP/2.0"');
  const method = line.slice(0, sp1);
  const version = line.slice(sp2 + 1);
  const uri = line.slice(sp1 + 1, sp2);
  if (!isToken(method)) return fail(`bad method "${method.slice(0, 24)}"`);
  const req = new SipRequest(method, uri);
  if (!isSipVersion(version)) {
    if (isOtherVersion(version)) return { msg: req, refusal: { error: `unsupported version ${version}`, status: 505 } };
    return { msg: req, refusal: { error: version.length === 0 ? 'request line ends in whitespace' : `bad request line version "${version.slice(0, 16)}"`, status: 400 } };
  }
  if (uri.length === 0 || uri.includes(' ') || uri.includes('\t')) return { msg: req, refusal: { error: 'Request-URI must be one element without whitespace', status: 400 } };
  try {
    const parsed = req.requestUri();
    if ('headers' in parsed && parsed.headers !== null) return { msg: req, refusal: { error: 'Request-URI must not carry headers', status: 400 } };
  } catch (err) {
    return { msg: req, refusal: { error: (err as Error).message, status: err instanceof SipSyntaxError ? err.status : 400 } };
  }
  return { msg: req };
}

/** Offset of the blank line ending the header section in buf[from..], and its length (4 for CRLFCRLF, 2 for LFLF); -1 when absent. */
export function headerEnd(buf: Buffer, from: number): [number, number] {
  const crlf = buf.indexOf('\r\n\r\n', from, 'latin1');
  const lf = buf.indexOf('\n\n', from, 'latin1');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return [crlf, 4];
  if (lf >= 0) return [lf, 2];
  return [-1, 0];
}

/** Skip the CRLFs a peer may send before a message (keep-alives, RFC 3261 §7.5). */
export function skipLeadingBlankLines(buf: Buffer, i: number): number {
  while (i < buf.length && (buf[i] === 13 || buf[i] === 10)) i++;
  return i;
}

/** Start line and header fields of `head` (already unfolded by this function). */
function parseHead(head: string): StartLine | ParseResult {
  let lineEnd = head.indexOf('\n');
  if (lineEnd < 0) lineEnd = head.length;
  const startLine = head.charCodeAt(lineEnd - 1) === 13 ? head.slice(0, lineEnd - 1) : head.slice(0, lineEnd);
  const parsed = parseStartLine(startLine);
  if ('ok' in parsed) return parsed;
  const msg = parsed.msg;
  let lines = 0;
  let pos = lineEnd + 1;
  // The header being read: appended when the next one starts (continuation lines may still extend it) and at the end.
  let name = '';
  let value = '';
  while (pos < head.length) {
    let end = head.indexOf('\n', pos);
    if (end < 0) end = head.length;
    const line = head.charCodeAt(end - 1) === 13 ? head.slice(pos, end - 1) : head.slice(pos, end);
    pos = end + 1;
    if (line.length === 0) continue;
    if (isWs(line.charCodeAt(0))) {
      if (!name) return fail('header section starts with a continuation line', 400, msg);
      value += ' ' + trimWs(line);
      continue;
    }
    if (name) msg.headers.append(name, trimWs(value));
    if (++lines > MAX_HEADER_LINES) return fail('too many header lines', 400, msg);
    let i = 0;
    while (i < line.length && is(line.charCodeAt(i), TOKEN)) i++;
    if (i === 0) return fail(`malformed header line "${line.slice(0, 24)}"`, 400, msg);
    let j = i;
    while (j < line.length && isWs(line.charCodeAt(j))) j++;
    if (line.charCodeAt(j) !== 58 /* : */) return fail(`header line without ":" "${line.slice(0, 24)}"`, 400, msg);
    name = canonicalName(line.slice(0, i));
    value = line.slice(j + 1);
  }
  if (name) msg.headers.append(name, trimWs(value));
  return parsed;
}

/**
 * Parse one message. `datagram`: the buffer is a whole UDP datagram, so a
 * Content-Length beyond it is an error and bytes past it are ignored (RFC
 * 3261 §18.3); without Content-Length the rest is the body.
 */
export function parseMessage(buf: Buffer, datagram = true): ParseResult {
  const start = skipLeadingBlankLines(buf, 0);
  if (start >= buf.length) return fail('empty message');
  let [hEnd, sepLen] = headerEnd(buf, start);
  if (hEnd < 0) {
    if (!datagram) return fail('no blank line after the headers');
    hEnd = buf.length;
    sepLen = 0;
  }
  const head = parseHead(buf.toString('utf8', start, hEnd));
  if ('ok' in head) return head;
  const msg = head.msg;
  if (head.refusal) return fail(head.refusal.error, head.refusal.status, msg);
  const bodyStart = Math.min(buf.length, hEnd + sepLen);
  const lengths = msg.headers.getAll('content-length');
  if (lengths.length > 1) return fail('more than one Content-Length', 400, msg);
  if (lengths.length === 1) {
    let len: number;
    try {
      len = parseBoundedInt(lengths[0]!, 2 ** 31, 'Content-Length');
    } catch (err) {
      return fail((err as Error).message, 400, msg);
    }
    if (bodyStart + len > buf.length) return fail(`Content-Length ${len} is larger than the message`, 400, msg);
    msg.body = buf.subarray(bodyStart, bodyStart + len);
  } else if (datagram) {
    msg.body = buf.subarray(bodyStart);
  }
  return checkEssentials(msg);
}

/** What every layer relies on: one From, To, Call-ID and CSeq, parseable Vias, a CSeq matching the method. */
export function checkEssentials(msg: SipMessage): ParseResult {
  try {
    for (const name of SINGLE) {
      if (msg.headers.count(name) > 1) return fail(`more than one ${name} header`, 400, msg);
    }
    if (msg.vias().length === 0) return fail('missing Via header', 400, msg);
    for (const name of ['from', 'to', 'call-id', 'cseq'] as const) {
      if (!msg.headers.has(name)) return fail(`missing ${name} header`, 400, msg);
    }
    if (msg.callId().length === 0) return fail('empty Call-ID', 400, msg);
    msg.from();
    msg.to();
    const cseq = msg.cseq();
    const mf = msg.headers.get('max-forwards');
    if (mf !== undefined) parseBoundedInt(mf, 255, 'Max-Forwards');
    if (msg instanceof SipRequest && cseq.method !== msg.method) {
      return fail(`CSeq method ${cseq.method} does not match the request method ${msg.method}`, 400, msg);
    }
  } catch (err) {
    if (err instanceof SipSyntaxError) return fail(err.message, err.status, msg);
    throw err;
  }
  return { ok: true, message: msg };
}

/**
 * The other headers this stack interprets: Contact, Record-Route, Route,
 * Expires, Date, Warning. Throws SipSyntaxError naming the first bad one.
 */
export function checkHeaders(msg: SipMessage): void {
  if (!msg.isWildcardContact()) {
    for (const c of msg.contacts()) {
      const e = c.params.get('expires');
      if (e !== undefined) parseBoundedInt(e ?? '', 2 ** 32 - 1, 'Contact expires');
    }
  }
  msg.recordRoutes();
  msg.routes();
  msg.expires();
  const date = msg.headers.get('date');
  if (date !== undefined) checkDate(date);
  for (const w of msg.headers.list('warning')) checkWarning(w);
}
