// The operator's outbound gateways (SWITCHBOARD_SIP_GATEWAYS, a JSON file):
// where calls to numbers the platform does not serve leave, with the
// credentials a gateway challenges for, the number prefixes it takes, the
// caller ID it wants, how many calls it carries at once and its priority.
// A call tries the gateways whose prefix matches, longest prefix first and
// then by priority, moving to the next when a gateway fails (not when the
// callee is busy or refuses).
import fs from 'node:fs';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { uriHost, type Flow, type TransportName } from './transport/sip-flow.ts';

const GatewaySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
    /** host or host:port (IPv6 in brackets); 5060 by default. */
    address: Type.String({ minLength: 1 }),
    transport: Type.Optional(Type.Union([Type.Literal('udp'), Type.Literal('tcp')])),
    username: Type.Optional(Type.String({ minLength: 1 })),
    password: Type.Optional(Type.String({ minLength: 1 })),
    /** Destination number prefixes (country code first, digits); none: every number. */
    prefixes: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{1,15}$' }))),
    /** Lower goes first among gateways with equally long matching prefixes. */
    priority: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Calls the gateway carries at once; past it the next gateway is tried. */
    max_calls: Type.Optional(Type.Integer({ minimum: 1 })),
    /** Caller ID rules: a fixed number to present, or a prefix to put before the caller's number (e.g. "+"). */
    caller_id: Type.Optional(Type.Object({ fixed: Type.Optional(Type.String({ pattern: '^\\+?[0-9]{3,20}$' })), prefix: Type.Optional(Type.String({ pattern: '^[+0-9]{0,8}$' })) }, { additionalProperties: false })),
    /** Put before the dialled number in the Request-URI (a trunk's technical prefix, or "+"). */
    dial_prefix: Type.Optional(Type.String({ pattern: '^[+0-9#*]{0,16}$' })),
    /** Also carries calls to sip: URIs outside the SIP domain, as an outbound proxy (the Request-URI stays the URI). */
    sip_uris: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const GatewayFile = Type.Array(GatewaySchema);

export type GatewayConfig = Static<typeof GatewaySchema>;

export interface Gateway extends GatewayConfig {
  host: string;
  port: number;
  transport: TransportName;
}

/** Check a gateways file's content; a broken one stops start-up with a message naming the bad field. */
export function parseGateways(data: unknown, source = 'gateways'): Gateway[] {
  if (!Value.Check(GatewayFile, data)) {
    const e = [...Value.Errors(GatewayFile, data)][0];
    throw new Error(`${source} is invalid at ${e?.instancePath || '/'}: ${e?.message} (a JSON array of {name, address, transport?, username?, password?, prefixes?, priority?, max_calls?, caller_id?, dial_prefix?, sip_uris?})`);
  }
  const names = new Set<string>();
  return data.map((g, i) => {
    if (names.has(g.name)) throw new Error(`${source} is invalid at /${i}/name: gateway ${g.name} is listed twice`);
    names.add(g.name);
    if (Boolean(g.username) !== Boolean(g.password)) throw new Error(`${source} is invalid at /${i}: give both username and password, or neither`);
    // A host name or IPv4 address (letters, digits, dots, hyphens), or an IPv6 address in brackets: a URI's scheme or
    // parameters (sip:…, ;transport=tcp) are refused here rather than failing every call's address lookup.
    const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(g.address);
    const port = m?.[3] ? Number(m[3]) : 5060;
    if (!m || port < 1 || port > 65535) throw new Error(`${source} is invalid at /${i}/address: "${g.address}" is not host, host:port or [ipv6]:port (no sip: and no ;parameters: the transport goes in "transport")`);
    return { ...g, host: m[1] ?? m[2]!, port, transport: g.transport ?? 'udp' };
  });
}

export function loadGateways(file: string | undefined): Gateway[] {
  if (!file) return [];
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the gateways file ${file} (SWITCHBOARD_SIP_GATEWAYS): ${(err as Error).message}`);
  }
  return parseGateways(data, `the gateways file ${file}`);
}

/** The length of `gw`'s longest prefix `number` starts with: 0 for a gateway taking every number, -1 when it takes none of this. */
function matchLength(gw: Gateway, number: string): number {
  if (!gw.prefixes || gw.prefixes.length === 0) return 0;
  let best = -1;
  for (const p of gw.prefixes) if (number.startsWith(p) && p.length > best) best = p.length;
  return best;
}

export class GatewayTable {
  private readonly calls = new Map<string, number>();
  private readonly resolved = new Map<string, Promise<string>>();
  /** Addresses the gateways are at, as far as known: IP addresses from the start, host names once looked up. */
  private readonly known = new Set<string>();

  constructor(readonly gateways: readonly Gateway[]) {
    for (const gw of gateways) if (isIP(gw.host)) this.known.add(gw.host);
  }

  /** Whether `address` is a gateway's (one whose host name has not been looked up yet is not known). */
  isGatewayAddress(address: string): boolean {
    return this.known.has(address);
  }

  /** Every gateway's address, looking up the host names not looked up yet (one that does not resolve is left out). */
  async addresses(): Promise<Set<string>> {
    await Promise.all(this.gateways.map((gw) => this.flow(gw).catch(() => undefined)));
    return new Set(this.known);
  }

  /** Gateways that take `number`, in the order to try them (longest prefix, then priority, then file order). */
  candidates(number: string): Gateway[] {
    return this.gateways
      .map((gw, i) => ({ gw, i, len: matchLength(gw, number) }))
      .filter((c) => c.len >= 0)
      .sort((a, b) => b.len - a.len || (a.gw.priority ?? 0) - (b.gw.priority ?? 0) || a.i - b.i)
      .map((c) => c.gw);
  }

  /** Gateways that carry calls to outside sip: URIs (`sip_uris`), in the order to try them (priority, then file order). */
  uriProxies(): Gateway[] {
    return this.gateways
      .map((gw, i) => ({ gw, i }))
      .filter((c) => c.gw.sip_uris)
      .sort((a, b) => (a.gw.priority ?? 0) - (b.gw.priority ?? 0) || a.i - b.i)
      .map((c) => c.gw);
  }

  /** Whether `gw` can carry one more call now. */
  hasRoom(gw: Gateway): boolean {
    return gw.max_calls === undefined || (this.calls.get(gw.name) ?? 0) < gw.max_calls;
  }

  /** Count a call on `gw` until the returned function is called. */
  occupy(gw: Gateway): () => void {
    this.calls.set(gw.name, (this.calls.get(gw.name) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.calls.set(gw.name, (this.calls.get(gw.name) ?? 1) - 1);
    };
  }

  inUse(gw: Gateway): number {
    return this.calls.get(gw.name) ?? 0;
  }

  /** Where `gw`'s requests go (a host name is looked up once, A/AAAA; no SRV). */
  async flow(gw: Gateway): Promise<Flow> {
    let address = this.resolved.get(gw.name);
    if (!address) {
      address = isIP(gw.host) ? Promise.resolve(gw.host) : lookup(gw.host).then((r) => r.address);
      this.resolved.set(gw.name, address);
      address.then((found) => this.known.add(found), () => this.resolved.delete(gw.name));
    }
    return { transport: gw.transport, address: await address, port: gw.port };
  }
}

/** The Request-URI, From and To of a call to `number` through `gw`, with its caller-ID rules applied to `from`. */
export function gatewayAddressing(gw: Gateway, number: string, from: string, callerName: string, localHost: string) {
  const host = uriHost(gw.host);
  const port = gw.port === 5060 ? '' : `:${gw.port}`;
  const transport = gw.transport === 'tcp' ? ';transport=tcp' : '';
  const target = `sip:${gw.dial_prefix ?? ''}${number}@${host}${port}${transport}`;
  return { target, to: `<sip:${gw.dial_prefix ?? ''}${number}@${host}${port}>`, from: fromHeader(callerName, gw.caller_id?.fixed ?? `${gw.caller_id?.prefix ?? ''}${from}`, localHost) };
}

/** A From header value (without tag): the caller's name quoted, then `sip:user@host`. */
export function fromHeader(callerName: string, user: string, host: string): string {
  const display = callerName ? `"${callerName.replace(/["\\]/g, '')}" ` : '';
  return `${display}<sip:${user}@${host}>`;
}
