// Via (RFC 3261 §20.42, RFC 3581 rport):
//   SIP / 2.0 / UDP host[:port] ;branch=z9hG4bK…;received=…;rport[=port]
// LWS may surround the slashes; parameters follow the generic grammar.
import { parseHostPort } from './sip-uri.ts';
import { TOKEN, formatParams, is, parseParams, skipWs, splitList, SipSyntaxError } from './sip-syntax.ts';

/** RFC 3261 branches start with this; older (RFC 2543) peers' do not. */
export const MAGIC_COOKIE = 'z9hG4bK';

export interface Via {
  /** Upper-cased: UDP, TCP, TLS, SCTP, WS … */
  readonly transport: string;
  readonly host: string;
  readonly port: number | null;
  readonly params: Map<string, string | null>;
}

export const viaBranch = (v: Via): string | null => v.params.get('branch') ?? null;

function token(s: string, i: number, what: string): [string, number] {
  const start = (i = skipWs(s, i));
  while (i < s.length && is(s.charCodeAt(i), TOKEN)) i++;
  if (i === start) throw new SipSyntaxError(`${what}: expected a token at "${s.slice(start, start + 12)}"`);
  return [s.slice(start, i), skipWs(s, i)];
}

function slash(s: string, i: number, what: string): number {
  if (s.charCodeAt(i) !== 47) throw new SipSyntaxError(`${what}: expected "/"`);
  return i + 1;
}

export function parseVia(s: string): Via {
  const what = 'Via';
  let [name, i] = token(s, 0, what);
  i = slash(s, i, what);
  let version: string;
  [version, i] = token(s, i, what);
  i = slash(s, i, what);
  let transport: string;
  [transport, i] = token(s, i, what);
  if (name.toUpperCase() !== 'SIP' || version !== '2.0') throw new SipSyntaxError(`Via: unsupported protocol ${name}/${version}`, 505);
  const hostStart = i;
  while (i < s.length && s.charCodeAt(i) !== 59 && s.charCodeAt(i) !== 32 && s.charCodeAt(i) !== 9) i++;
  const { host, port } = parseHostPort(s, hostStart, i, what);
  const params = new Map<string, string | null>();
  parseParams(s, i, params, what);
  const rport = params.get('rport');
  if (rport !== undefined && rport !== null) {
    const n = Number(rport);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new SipSyntaxError('Via: bad rport');
  }
  return { transport: transport.toUpperCase(), host, port, params };
}

/** Every Via in order (topmost first) from the header lines as received. */
export function parseVias(values: readonly string[]): Via[] {
  const out: Via[] = [];
  for (const v of values) {
    for (const part of splitList(v)) {
      if (part.length === 0) throw new SipSyntaxError('Via: empty list element');
      out.push(parseVia(part));
    }
  }
  return out;
}

export function formatVia(v: Via): string {
  const host = v.port === null ? v.host : `${v.host}:${v.port}`;
  return `SIP/2.0/${v.transport} ${host}${formatParams(v.params)}`;
}
