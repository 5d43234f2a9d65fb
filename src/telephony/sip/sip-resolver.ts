// Where the requests for a SIP URI outside the platform go (RFC 3263 §4, the
// parts that matter to a UDP/TCP user agent): the transport is the URI's
// `transport` parameter, UDP without one; an IP address is used as given,
// port 5060 unless the URI names one; a host name with a port is looked up
// by A/AAAA; a host name without one by its SRV records for the transport
// (`_sip._udp.<host>` or `_sip._tcp.<host>`), lowest priority first and the
// heavier weight first within one, or when it has none by A/AAAA at 5060.
// NAPTR is not consulted: it only chooses among transports, and TLS and SCTP
// are not spoken here (a `sips:` URI is refused).
import dns from 'node:dns/promises';
import { isIP } from 'node:net';
import type { SipUri } from './message/sip-uri.ts';
import { transportOf, type Flow, type TransportName } from './transport/sip-flow.ts';

/** The lookups resolution needs (tests give their own records). */
export interface SipDns {
  lookup(host: string): Promise<Array<{ address: string }>>;
  resolveSrv(name: string): Promise<Array<{ name: string; port: number; priority: number; weight: number }>>;
}

export const systemDns: SipDns = {
  lookup: (host) => dns.lookup(host, { all: true }),
  resolveSrv: (name) => dns.resolveSrv(name),
};

/** At most this many addresses are tried for one URI, one after another (an unanswered one takes Timer B, 32 s). */
export const MAX_URI_TARGETS = 4;

/** What a URI's host resolved to: the flows to try in order (none: the name does not resolve), or why it cannot be called. */
export type UriResolution = { flows: Flow[] } | { unreachable: string };

export async function resolveSipUri(uri: SipUri, lookups: SipDns = systemDns): Promise<UriResolution> {
  if (uri.scheme === 'sips') return { unreachable: 'sips: needs TLS, which this server does not speak' };
  const param = uri.params.get('transport');
  const transport = param === undefined ? 'udp' : transportOf(param);
  if (!transport) return { unreachable: `transport=${param ?? ''} is neither udp nor tcp` };
  const host = uri.host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host)) return { flows: [{ transport, address: host, port: uri.port ?? 5060 }] };
  if (uri.port !== null) return { flows: await at(lookups, host, uri.port, transport) };
  const records = await lookups.resolveSrv(`_sip._${transport}.${host}`).catch(() => []);
  if (records.length === 0) return { flows: await at(lookups, host, 5060, transport) };
  const flows: Flow[] = [];
  for (const r of [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight)) {
    if (flows.length >= MAX_URI_TARGETS) break;
    flows.push(...(await at(lookups, r.name, r.port, transport)));
  }
  return { flows: flows.slice(0, MAX_URI_TARGETS) };
}

/** `host`'s addresses at `port` (none when it does not resolve). */
async function at(lookups: SipDns, host: string, port: number, transport: TransportName): Promise<Flow[]> {
  const found = await lookups.lookup(host).catch(() => []);
  return found.slice(0, MAX_URI_TARGETS).map((a) => ({ transport, address: a.address, port }));
}
