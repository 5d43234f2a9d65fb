// The SIP/RTP telephony driver: one SIP stack (UDP and TCP on
// SWITCHBOARD_SIP_LISTEN) and the RTP media workers, wired to the driver
// contract. Who may call and register is asked of the platform through the
// `SipDirectory` port (endpoints' digest secrets, carriers' addresses and
// numbers); this module imports nothing above media/.
//
// Inbound INVITEs: from an incoming carrier's address to one of that
// carrier's numbers → a call to the number; otherwise Digest as an endpoint
// → a call placed by the endpoint (its application runs); anything else is
// challenged or refused without a call, and logged with its source.
// Outbound legs: an endpoint's address rings every phone registered for it;
// a number leaves through the gateways that take it (gateways.ts); a sip:
// URI outside the SIP domain, where the operator allows its host, through
// the gateways flagged for URIs or straight to its host (sip-resolver.ts).
import type { Logger } from 'pino';
import type { Clock } from '../../clock/clock.ts';
import { newUuid } from '../../ids.ts';
import type { InboundInfo, Leg, LegObserver, OriginateRequest, TelephonyDriver, Tenant } from '../driver.ts';
import type { DigestAlgorithm } from './auth/digest.ts';
import { DigestServer, type StoredCredentials } from './auth/digest-server.ts';
import { RequestAuthenticator } from './auth/request-authenticator.ts';
import type { InboundCall } from './dialog/inbound-call.ts';
import type { OutboundCallOptions } from './dialog/outbound-call.ts';
import { fromHeader, gatewayAddressing, GatewayTable, type Gateway } from './gateways.ts';
import { wireName, type SipHeaders } from './message/sip-headers.ts';
import { formatUri, isSipUri, parseUri, uriUser, type Uri } from './message/sip-uri.ts';
import { registerHandler } from './registrar/register-handler.ts';
import { Registrar, type Binding } from './registrar/registrar.ts';
import { RtpMedia, type MediaSession } from './rtp/rtp-media.ts';
import type { JitterBufferOptions } from './rtp/rtp-jitter-buffer.ts';
import type { PortRange } from './rtp/rtp-ports.ts';
import { SourceGuard } from './security/source-guard.ts';
import { LegMediaEvents, SipLeg, type OutboundPlan, type SipLegHost, type SipTarget } from './sip-leg.ts';
import { SdpSession } from './sip-sdp.ts';
import { resolveSipUri, type SipDns } from './sip-resolver.ts';
import { SipStack } from './sip-stack.ts';
import { formatFlow } from './transport/sip-flow.ts';
import { NetSipTransport } from './transport/sip-transport.ts';

/** Whose an endpoint is: what a successful Digest check yields. */
export interface EndpointIdentity {
  username: string;
  tenant: Tenant;
  /** Whether the endpoint has an application (or flow) of its own: its calls run it; without one they go where they were dialled. */
  hasApplication: boolean;
}

/** An endpoint's newest registration as the Endpoint API shows it, or null when none is left. */
export interface RegistrationView {
  contact: string;
  expiresAt: number;
  userAgent: string;
}

/** What the driver asks the platform (filled in by the composition root). */
export interface SipDirectory {
  /** An endpoint's digest secrets for `realm`, per algorithm it has one for (undefined: no such endpoint, or its password was set under another realm). */
  credentials(username: string, realm: string): Promise<StoredCredentials<EndpointIdentity> | undefined>;
  /** An endpoint's registrations changed. */
  registered(username: string, registration: RegistrationView | null): void;
  /** The incoming carrier (of the account `number` belongs to) whose ip_set holds `address`, whether `number` is that carrier's, and the number's owner (whose call limit the call counts in); undefined when `number` is not the platform's or `address` is none of its account's carriers. */
  carrier(address: string, number: string): Promise<{ carrierId: string; owns: boolean; tenant: Tenant; known?: unknown } | undefined>;
  /** Every address in any incoming carrier's ip_set: trusted by the per-source guard (a trunk's traffic is many calls from one address). */
  carrierAddresses(): Promise<Iterable<string>>;
}

export interface SipDriverOptions {
  clock: Clock;
  /** SWITCHBOARD_SIP_LISTEN. */
  listen: { host: string; port: number };
  /** SWITCHBOARD_SIP_PUBLIC_ADDRESS: what goes in Via, Contact and SDP. */
  publicAddress: string;
  /** The SIP domain: endpoints' addresses and the digest realm. */
  domain: string;
  rtp: { ports: PortRange; bindAddress?: string; workers?: number; jitter?: JitterBufferOptions; catchUpMs?: number; realtime?: number };
  gateways: readonly Gateway[];
  directory: SipDirectory;
  log?: Logger;
  /** Per-source limits (tests raise them). */
  guard?: { ratePerSecond?: number; burst?: number };
  /** Digest algorithms endpoints are challenged with, preferred first (default MD5 alone: see DigestServerOptions). */
  digest?: DigestAlgorithm[];
  /** Toll-fraud limits: live SIP calls per account (outbound, and inbound from its endpoints and to its carriers' numbers), the destination prefixes outbound calls may go to (absent: any), and the hosts outside the SIP domain sip: URIs may be dialled at (absent or empty: none). */
  limits?: { callsPerAccount?: number; allowedPrefixes?: readonly string[]; uriDomains?: readonly string[] };
  /** DNS for sip: URIs outside the SIP domain (tests give their own records). */
  dns?: SipDns;
}

const USER_AGENT = 'Switchboard';
/** How long an address that carried a carrier call stays exempt from the per-source rate limit after its last call (for carriers another node added since this one loaded them; admission always asks the database). */
const CARRIER_TRUST_MS = 10 * 60_000;

export class SipDriver implements TelephonyDriver, SipLegHost {
  readonly clock: Clock;
  readonly publicAddress: string;
  readonly log: Logger | undefined;
  readonly stack: SipStack;
  readonly registrar: Registrar;
  readonly gateways: GatewayTable;
  private readonly guard: SourceGuard;
  private readonly auth: RequestAuthenticator<EndpointIdentity>;
  private transport: NetSipTransport | undefined;
  private media: RtpMedia | undefined;
  private inbound: ((leg: Leg, info: InboundInfo) => void) | undefined;
  private readonly legs = new Map<string, SipLeg>();
  /** Live legs per account: outbound, and inbound from its endpoints and to its carriers' numbers. */
  private readonly perAccount = new Map<string, number>();
  private readonly accountOf = new Map<string, string>();
  /** Carriers' addresses, loaded at start and on every change made through this node: not rate-limited by the guard. */
  private carrierAddresses = new Set<string>();
  /** Addresses seen carrying carrier calls lately, until when (also trusted). */
  private readonly carriersSeen = new Map<string, number>();

  constructor(private readonly opts: SipDriverOptions) {
    this.clock = opts.clock;
    this.publicAddress = opts.publicAddress;
    this.log = opts.log;
    this.gateways = new GatewayTable(opts.gateways);
    // Gateways are the operator's own trunks, trusted like carriers: a busy one sends a BYE for every call its side
    // ends (past any per-source rate at a few dozen calls a second), and a block would drop its answers to our INVITEs too.
    this.guard = new SourceGuard({ clock: opts.clock, logger: opts.log, trusted: (address) => this.trusts(address) || this.gateways.isGatewayAddress(plainAddress(address)), ...opts.guard });
    this.stack = new SipStack({ clock: opts.clock, publicAddress: opts.publicAddress, guard: this.guard, logger: opts.log, userAgent: USER_AGENT });
    const digest = new DigestServer<EndpointIdentity>({ realm: opts.domain, clock: opts.clock, algorithms: opts.digest });
    this.auth = new RequestAuthenticator(digest, (username, realm) => opts.directory.credentials(username, realm), this.guard, opts.log);
    this.registrar = new Registrar({ clock: opts.clock, changed: (aor, bindings) => this.registrationsChanged(aor, bindings) });
    this.stack.handlers.register = registerHandler(this.stack, this.auth, this.registrar);
    this.stack.handlers.invite = (call) => {
      this.clock.track(this.admit(call)).catch((err: unknown) => {
        this.log?.error({ err, source: formatFlow(call.flow) }, 'sip inbound call failed');
        call.reject(500);
      });
    };
  }

  /** Listen for SIP and start the media workers. */
  async start(): Promise<void> {
    const { listen, rtp } = this.opts;
    // Known before the first packet, so a carrier's first burst of calls is not rate-limited as a scanner's.
    await this.carriersChanged();
    // Gateways given by host name are looked up now (not awaited: a slow DNS must not hold start-up), so their
    // addresses are trusted before their first call.
    void this.gateways.addresses();
    // Keys sent as tones are found by the one line analysis of every leg's audio (media/line-analysis.ts, run in the media workers for SIP legs), not twice.
    this.media = await RtpMedia.start({ ...rtp, clock: this.clock, log: this.log, inbandDtmf: false });
    this.transport = await NetSipTransport.listen({ host: listen.host, port: listen.port, clock: this.clock }, this.stack.receive, this.stack.transportError);
    this.stack.attach(this.transport);
    this.log?.info({ sip: `${listen.host}:${this.transport.local.port}`, public_address: this.publicAddress, rtp_ports: `${rtp.ports.min}-${rtp.ports.max}`, gateways: this.opts.gateways.length }, 'sip driver listening');
  }

  /** Incoming carriers' addresses changed: load them again (an address taken off an ip_set is no longer trusted). */
  async carriersChanged(): Promise<void> {
    this.carrierAddresses = new Set([...(await this.opts.directory.carrierAddresses())].map(plainAddress));
    this.carriersSeen.clear();
  }

  /** Whether the per-source guard trusts `address` as a carrier's (for tests and metrics). */
  trusts(address: string): boolean {
    const a = plainAddress(address);
    return this.carrierAddresses.has(a) || (this.carriersSeen.get(a) ?? 0) > this.clock.now();
  }

  /** The SIP port bound (the one picked when 0 was asked). */
  get port(): number {
    return this.transport?.local.port ?? 0;
  }

  get rtp(): RtpMedia {
    if (!this.media) throw new Error('the SIP driver has not started');
    return this.media;
  }

  /** A live leg by its call uuid. */
  find(uuid: string): SipLeg | undefined {
    return this.legs.get(uuid);
  }

  retire(leg: SipLeg): void {
    this.legs.delete(leg.uuid);
    const account = this.accountOf.get(leg.uuid);
    if (account === undefined) return;
    this.accountOf.delete(leg.uuid);
    const n = (this.perAccount.get(account) ?? 1) - 1;
    if (n > 0) this.perAccount.set(account, n);
    else this.perAccount.delete(account);
  }

  /** Count a leg against its account's limit; false (nothing counted) when the account is at it. */
  private admitFor(uuid: string, tenant: Tenant | undefined): boolean {
    const limit = this.opts.limits?.callsPerAccount;
    if (!tenant) return true;
    const n = this.perAccount.get(tenant.accountId) ?? 0;
    if (limit !== undefined && n >= limit) return false;
    this.perAccount.set(tenant.accountId, n + 1);
    this.accountOf.set(uuid, tenant.accountId);
    return true;
  }

  /** Live legs of `accountId` (for tests and metrics). */
  callsOf(accountId: string): number {
    return this.perAccount.get(accountId) ?? 0;
  }

  invite(opts: OutboundCallOptions) {
    return this.stack.invite(opts);
  }

  onInbound(handler: (leg: Leg, info: InboundInfo) => void): void {
    this.inbound = handler;
  }

  // ---- registrations -------------------------------------------------------------

  private registrationsChanged(username: string, bindings: readonly Binding[]): void {
    const newest = bindings[0];
    this.opts.directory.registered(username, newest ? { contact: newest.contact, expiresAt: newest.expiresAt, userAgent: newest.userAgent } : null);
  }

  // ---- inbound -------------------------------------------------------------------

  private async admit(call: InboundCall): Promise<void> {
    const req = call.request;
    const dialled = uriUser(req.requestUri()) ?? '';
    const number = dialled.replace(/^\+/, '');
    const caller = req.from();
    const callerUser = uriUser(caller.uri) ?? '';
    const trunk = /^\d{3,20}$/.test(number) ? await this.opts.directory.carrier(call.flow.address, number) : undefined;
    let from: string;
    let to: string;
    let routeAs: string | undefined;
    let tenant: Tenant | undefined;
    let known: unknown;
    if (trunk) {
      this.carriersSeen.set(plainAddress(call.flow.address), this.clock.now() + CARRIER_TRUST_MS);
      if (!trunk.owns) {
        // No open relay: a carrier reaches only its own numbers.
        this.log?.warn({ source: formatFlow(call.flow), carrier_id: trunk.carrierId, to: number }, 'sip call from a carrier to a number it does not own refused');
        return call.reject(404, 'Not Found');
      }
      from = callerUser.replace(/^\+/, '');
      to = number;
      tenant = trunk.tenant;
      known = trunk.known;
    } else {
      // A carrier's address calling what is none of its numbers (an outside number: relaying out through our gateways)
      // is challenged like any caller; a carrier has no password, so this is the refusal, logged with its source.
      if (this.trusts(call.flow.address) && !req.headers.has('authorization')) {
        this.log?.warn({ source: formatFlow(call.flow), to: dialled }, "sip call from a carrier's address to none of its numbers challenged");
      }
      const who = await this.auth.authenticate(req, call.flow, (status, headers, reason) => call.reject(status, reason, headers));
      if (!who) return;
      from = `sip:${who.username}@${this.opts.domain}`;
      to = /^\+?\d{3,20}$/.test(dialled) ? number : `sip:${dialled}@${this.opts.domain}`;
      routeAs = who.identity.hasApplication ? from : undefined;
      tenant = who.identity.tenant;
    }
    if (call.ended) return;
    await this.answerable(call, { from, to, routeAs, tenant, known, callerName: caller.displayName ?? '' });
  }

  /** Open the leg's media, answer its offer, and hand it to the engine. */
  private async answerable(call: InboundCall, who: { from: string; to: string; routeAs?: string; tenant?: Tenant; known?: unknown; callerName: string }): Promise<void> {
    const events = new LegMediaEvents();
    const media: MediaSession = await this.rtp.open(events, { analyse: true });
    if (call.ended) return media.close();
    const sdp = new SdpSession({ address: this.publicAddress, port: media.port });
    let answer = null;
    const offer = call.offer;
    if (offer) {
      const r = sdp.answer(offer.body.toString());
      if (!r.ok) {
        media.close();
        this.log?.info({ source: formatFlow(call.flow), reason: r.detail }, 'sip inbound call refused: its offer');
        if (r.reason === 'malformed') return call.reject(400, 'Bad SDP');
        return call.reject(488, 'Not Acceptable Here', [['warning', `304 ${this.publicAddress} "no common codec"`]]);
      }
      answer = { sdp: r.sdp, media: r.media };
    }
    const uuid = newUuid();
    if (!this.admitFor(uuid, who.tenant)) {
      media.close();
      this.log?.warn({ source: formatFlow(call.flow), account_id: who.tenant?.accountId, from: who.from, limit: this.opts.limits?.callsPerAccount }, 'sip call refused: the account is at its concurrent call limit');
      return call.reject(486, 'Busy Here');
    }
    const leg = SipLeg.inbound(this, { uuid, from: who.from, to: who.to, call, media, sdp, answer });
    events.leg = leg;
    this.legs.set(leg.uuid, leg);
    const handler = this.inbound;
    if (!handler) return leg.hangup('NORMAL_TEMPORARY_FAILURE');
    handler(leg, { sipHeaders: xHeaders(call.request.headers), callerName: who.callerName, tenant: who.tenant, routeAs: who.routeAs, known: who.known });
  }

  // ---- outbound ------------------------------------------------------------------

  originate(req: OriginateRequest, observer: LegObserver): Leg {
    const headers = toXHeaders(req.sipHeaders);
    const counted = this.admitFor(req.uuid, req.tenant);
    this.legs.set(req.uuid, SipLeg.outbound(this, req.uuid, req.from, req.to, observer, this.plan(req, counted), headers));
    return this.legs.get(req.uuid)!;
  }

  private async plan(req: OriginateRequest, counted: boolean): Promise<OutboundPlan> {
    if (!this.media || !this.transport) return { refused: 'NORMAL_TEMPORARY_FAILURE', why: 'the SIP driver has not started' };
    if (!counted) return { refused: 'NORMAL_TEMPORARY_FAILURE', why: `account ${req.tenant.accountId} is at its limit of ${this.opts.limits?.callsPerAccount} concurrent SIP calls` };
    const fromUser = /^sips?:/i.test(req.from) ? (/^sips?:([^@;>]+)/i.exec(req.from)?.[1] ?? 'anonymous') : req.from;
    if (/^sips?:/i.test(req.to)) {
      const endpoint = /^sips?:([^@;>]+)@([^;>]+)/i.exec(req.to);
      if (!endpoint || endpoint[2]!.toLowerCase() !== this.opts.domain) return this.uriPlan(req.to, fromUser, req.callerName);
      const user = endpoint[1]!;
      const bindings = this.registrar.lookup(decodeURIComponent(user));
      if (bindings.length === 0) return { refused: 'DESTINATION_OUT_OF_ORDER', why: `endpoint ${user} is not registered` };
      const from = fromHeader(req.callerName, fromUser, this.publicAddress);
      return { attempts: [bindings.map((b) => ({ target: b.contact, flow: b.flow, to: `<${req.to}>`, from, via: b.contact }))] };
    }
    const number = req.to.replace(/^\+/, '');
    const allowed = this.opts.limits?.allowedPrefixes;
    if (allowed && !allowed.some((p) => number.startsWith(p))) return { refused: 'CALL_REJECTED', why: `${number} is outside the allowed destinations (SWITCHBOARD_SIP_ALLOWED_PREFIXES)` };
    const candidates = this.gateways.candidates(number);
    if (candidates.length === 0) return { refused: 'UNALLOCATED_NUMBER', why: `no gateway takes ${number} (SWITCHBOARD_SIP_GATEWAYS)` };
    const attempts: SipTarget[][] = [];
    for (const gw of candidates) {
      const target = await this.throughGateway(gw, gatewayAddressing(gw, number, fromUser, req.callerName, this.publicAddress));
      if (target) attempts.push([target]);
    }
    return { attempts };
  }

  /**
   * A `sip:` URI outside the SIP domain, when its host is one the operator
   * allows (SWITCHBOARD_SIP_URI_DOMAINS): through the gateways flagged
   * `sip_uris` when there are any (an outbound proxy), else straight to the
   * URI's host (RFC 3263) — but never to a gateway's address, whose numbers
   * are dialled as numbers, under the gateways' and prefixes' rules.
   */
  private async uriPlan(to: string, fromUser: string, callerName: string): Promise<OutboundPlan> {
    let uri: Uri;
    try {
      uri = parseUri(to);
    } catch {
      return { refused: 'UNALLOCATED_NUMBER', why: `${to} is not a SIP URI` };
    }
    if (!isSipUri(uri)) return { refused: 'UNALLOCATED_NUMBER', why: `${to} is not a SIP URI` };
    const host = uri.host.replace(/^\[(.*)\]$/, '$1');
    if (!domainAllowed(this.opts.limits?.uriDomains ?? [], host)) {
      return { refused: 'CALL_REJECTED', why: `${to} is not an address of this platform (${this.opts.domain}) and ${host} is not in SWITCHBOARD_SIP_URI_DOMAINS` };
    }
    // Headers (`?…`) are not allowed in a Request-URI.
    const target = formatUri({ ...uri, headers: null });
    const proxies = this.gateways.uriProxies();
    if (proxies.length > 0) {
      const attempts: SipTarget[][] = [];
      for (const gw of proxies) {
        const through = await this.throughGateway(gw, { target, to: `<${target}>`, from: fromHeader(callerName, gw.caller_id?.fixed ?? `${gw.caller_id?.prefix ?? ''}${fromUser}`, this.publicAddress) });
        if (through) attempts.push([through]);
      }
      return { attempts };
    }
    const resolved = await resolveSipUri(uri, this.opts.dns);
    if ('unreachable' in resolved) return { refused: 'UNALLOCATED_NUMBER', why: `${to}: ${resolved.unreachable}` };
    if (resolved.flows.length === 0) return { refused: 'UNALLOCATED_NUMBER', why: `${host} (of ${to}) does not resolve` };
    const gatewayAddresses = await this.gateways.addresses();
    const trunk = resolved.flows.find((f) => gatewayAddresses.has(f.address));
    if (trunk) return { refused: 'CALL_REJECTED', why: `${to} is at a gateway's address (${trunk.address}): dial its numbers as numbers` };
    const from = fromHeader(callerName, fromUser, this.publicAddress);
    return { attempts: resolved.flows.map((flow) => [{ target, flow, to: `<${target}>`, from, via: formatFlow(flow) }]) };
  }

  /** One attempt through `gw` with its credentials and call slots; undefined when its address does not resolve. */
  private async throughGateway(gw: Gateway, addressing: { target: string; to: string; from: string }): Promise<SipTarget | undefined> {
    const flow = await this.gateways.flow(gw).catch((err: unknown) => {
      this.log?.warn({ gateway: gw.name, err }, 'sip gateway address does not resolve');
      return undefined;
    });
    if (!flow) return undefined;
    const credentials = gw.username && gw.password ? { username: gw.username, password: gw.password } : undefined;
    return { ...addressing, flow, credentials, via: gw.name, occupy: () => (this.gateways.hasRoom(gw) ? this.gateways.occupy(gw) : null) };
  }

  async close(): Promise<void> {
    for (const leg of [...this.legs.values()]) leg.hangup('NORMAL_TEMPORARY_FAILURE');
    this.registrar.clear();
    await this.stack.close();
    await this.media?.close();
  }
}

/**
 * The X-PH- headers of a request as the driver contract carries them: named
 * without the prefix (the engine adds `X-PH-` for the application), the name
 * capitalised like a SIP header's (SIP names are case-insensitive, so the
 * case sent is not kept: `X-PH-order-id` → `Order-Id`).
 */
export function xHeaders(headers: SipHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((name, value) => {
    if (name.startsWith('x-ph-') && name.length > 5) out[wireName(name.slice(5))] = value;
  });
  return out;
}

/** Whether the operator allows calls to sip: URIs at `host` (SWITCHBOARD_SIP_URI_DOMAINS: `*`, a host, or `*.domain` for its subdomains). */
const domainAllowed = (patterns: readonly string[], host: string): boolean =>
  patterns.some((p) => p === '*' || p === host || (p.startsWith('*.') && host.endsWith(p.slice(1))));

/** An IPv4 address as a dual-stack socket reports it (`::ffff:192.0.2.1`) in its plain form, as carriers' ip_sets hold it. */
const plainAddress = (address: string): string => address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');

/** A leg's SIP headers on the wire: each as `X-PH-<name>`. */
export const toXHeaders = (sipHeaders: Record<string, string>): Array<[string, string]> => Object.entries(sipHeaders).map(([n, v]) => [`X-PH-${n}`, v]);
