// The start-up contract of SANDBOX.md: environment variables, overridden by
// `switchboard serve` flags. Everything else reads the resolved Config.
import path from 'node:path';
import { networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import type { ClockMode } from './clock/clock.ts';

/** `json`: one JSON object a line, for machines; `pretty`: a readable, coloured line a record (pino-pretty), for a developer's terminal. */
export type LogFormat = 'json' | 'pretty';
const LOG_FORMATS = ['json', 'pretty'] as const;

export type TelephonyMode = 'sim' | 'sip';

export interface Config {
  port: number;
  host: string;
  authId?: string;
  authToken?: string;
  dataDir: string;
  databaseUrl?: string;
  clock: ClockMode;
  timeScale: number;
  telephony: TelephonyMode;
  logLevel: string;
  logFormat: LogFormat;
  /** Public base URL used in absolute links (recording_url …); defaults to http://host:port. */
  publicUrl?: string;
  /** The SIP domain of endpoint URIs and the digest realm of their credentials. */
  sipDomain: string;
  /** UDP ports for RTP (even) and RTCP (the odd one after) in `sip` mode. */
  rtpPorts: { min: number; max: number };
  /** `sip` mode: the real-time (SCHED_RR) priority the media workers take for themselves, guarded; 0: they stay at normal priority. */
  rtpRealtime: number;
  /** `sip` mode: where SIP is served, UDP and TCP on one address and port. */
  sipListen: { host: string; port: number };
  /** `sip` mode: the address written in Via, Contact and SDP (the public one behind NAT). */
  sipPublicAddress: string;
  /** `sip` mode: the outbound gateways file (JSON), if any. */
  sipGateways?: string;
  /** `sip` mode: live SIP calls one account may have at once. */
  sipMaxCallsPerAccount: number;
  /** `sip` mode: destination number prefixes outbound calls may go to (undefined: any). */
  sipAllowedPrefixes?: string[];
  /** `sip` mode: the Digest algorithms endpoints are challenged with, preferred first (RFC 8760). */
  sipDigest: SipDigestAlgorithm[];
  /** `sip` mode: hosts outside the SIP domain that `sip:` URIs may be dialled at (`*` any, `*.example.com` its subdomains); empty: none. */
  sipUriDomains: string[];
}

export type SipDigestAlgorithm = 'SHA-256' | 'MD5';

export interface ConfigOverrides {
  port?: string | number;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  clock?: string;
  timeScale?: string | number;
  telephony?: string;
  logLevel?: string;
  logFormat?: string;
  publicUrl?: string;
  sipDomain?: string;
}

export class ConfigError extends Error {}

const LISTEN_FAILURES: Record<string, string> = {
  EADDRINUSE: 'another program is using it',
  EACCES: 'not permitted (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'this host has no such address',
};

/** A listen that failed for a reason the operator fixes in a setting, as a ConfigError naming it (others unchanged). */
export function listenFailure(err: unknown, setting: string, address: string): unknown {
  const why = LISTEN_FAILURES[(err as NodeJS.ErrnoException | undefined)?.code ?? ''];
  return why ? new ConfigError(`cannot listen on ${address} (${setting}): ${why}`) : err;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${name} must be one of ${allowed.join(', ')}; got "${value}"`);
}

/** "10000-20000": at least one even/odd pair, above the privileged ports. */
function rtpPortsOf(value: string): { min: number; max: number } {
  const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(value);
  const min = m ? Number(m[1]) : NaN;
  const max = m ? Number(m[2]) : NaN;
  if (!m || min < 1024 || max > 65535 || min + (min % 2) + 1 > max) {
    throw new ConfigError(`SWITCHBOARD_RTP_PORTS must be a range of UDP ports such as 10000-20000 (low-high, from 1024 to 65535, holding at least one even/odd pair); got "${value}"`);
  }
  return { min, max };
}

/** The media workers' real-time priority by default: below the kernel's interrupt threads (50), where media servers usually run. */
const RTP_REALTIME_PRIORITY = 10;

/** "auto" (try, else normal priority with a line in the log), "off", or a real-time priority from 1 to 99. */
export function rtpRealtimeOf(value: string): number {
  const v = value.trim().toLowerCase();
  if (v === 'auto') return RTP_REALTIME_PRIORITY;
  if (v === 'off') return 0;
  const n = Number(v);
  if (/^\d+$/.test(v) && n >= 1 && n <= 99) return n;
  throw new ConfigError(`SWITCHBOARD_RTP_REALTIME must be auto (the media workers take real-time priority where the system allows it), off, or a real-time priority from 1 to 99; got "${value}"`);
}

/** "0.0.0.0:5060", "[::]:5060", "5060" (all IPv4 addresses). */
function sipListenOf(value: string): { host: string; port: number } {
  const m = /^\s*(?:(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+|[A-Za-z0-9.-]+)):)?(\d{1,5})\s*$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw new ConfigError(`SWITCHBOARD_SIP_LISTEN must be host:port such as 0.0.0.0:5060 (UDP and TCP); got "${value}"`);
  return { host: m[1] ?? m[2] ?? '0.0.0.0', port };
}

/** The machine's first non-internal IPv4 address: what a phone on the network can reach when no public address is given. */
function firstExternalIPv4(): string {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

function sipPublicAddressOf(value: string | undefined, listenHost: string): string {
  if (!value) return listenHost === '0.0.0.0' || listenHost === '::' ? firstExternalIPv4() : listenHost;
  if (/^[A-Za-z0-9.:-]+$/.test(value)) return value;
  throw new ConfigError(`SWITCHBOARD_SIP_PUBLIC_ADDRESS must be an IP address or host name (no port); got "${value}"`);
}

function positiveIntOf(name: string, value: string): number {
  const n = Number(value);
  if (Number.isInteger(n) && n > 0) return n;
  throw new ConfigError(`${name} must be a whole number above 0; got "${value}"`);
}

/** "1,44,33": country codes or longer prefixes, digits only. */
function prefixesOf(value: string | undefined): string[] | undefined {
  if (!value) return undefined;
  const list = value.split(',').map((p) => p.trim().replace(/^\+/, '')).filter(Boolean);
  if (list.length === 0 || list.some((p) => !/^\d{1,15}$/.test(p))) {
    throw new ConfigError(`SWITCHBOARD_SIP_ALLOWED_PREFIXES must be comma-separated number prefixes such as 1,44,33; got "${value}"`);
  }
  return list;
}

/** "MD5", "SHA-256,MD5" …: each algorithm once, preferred first. */
function digestAlgorithmsOf(value: string): SipDigestAlgorithm[] {
  const list = value.split(',').map((a) => a.trim().toUpperCase());
  if (list.length > 0 && list.every((a) => a === 'MD5' || a === 'SHA-256') && new Set(list).size === list.length) return list as SipDigestAlgorithm[];
  throw new ConfigError(`SWITCHBOARD_SIP_DIGEST must be MD5, SHA-256,MD5 or SHA-256 (Digest algorithms offered to endpoints, preferred first); got "${value}"`);
}

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** "example.com,*.pbx.example,192.0.2.10,[2001:db8::1]" or "*": lower-case, IPv6 without brackets. */
function uriDomainsOf(value: string | undefined): string[] {
  const list = (value ?? '').split(',').map((d) => d.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1')).filter(Boolean);
  for (const d of list) {
    if (d === '*' || isIP(d) || HOST_NAME.test(d.replace(/^\*\./, ''))) continue;
    throw new ConfigError(`SWITCHBOARD_SIP_URI_DOMAINS must be comma-separated host names, *.domain patterns or IP addresses (or * for any); got "${d}"`);
  }
  return list;
}

function sipDomainOf(value: string): string {
  if (HOST_NAME.test(value)) return value.toLowerCase();
  throw new ConfigError(`SWITCHBOARD_SIP_DOMAIN must be a host name such as sip.example.com; got "${value}"`);
}

export function resolveConfig(env: NodeJS.ProcessEnv, flags: ConfigOverrides = {}): Config {
  const port = Number(flags.port ?? env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be an integer between 0 and 65535; got "${flags.port ?? env.PORT}"`);
  }
  const timeScale = Number(flags.timeScale ?? env.SWITCHBOARD_TIME_SCALE ?? 1);
  if (!(timeScale > 0)) throw new ConfigError(`SWITCHBOARD_TIME_SCALE must be a positive number; got "${timeScale}"`);
  const authId = env.SWITCHBOARD_AUTH_ID || undefined;
  const authToken = env.SWITCHBOARD_AUTH_TOKEN || undefined;
  if (Boolean(authId) !== Boolean(authToken)) {
    throw new ConfigError('set both SWITCHBOARD_AUTH_ID and SWITCHBOARD_AUTH_TOKEN, or neither');
  }
  if (authId && !/^MA[A-Z0-9]{18}$/.test(authId)) {
    throw new ConfigError('SWITCHBOARD_AUTH_ID must be "MA" followed by 18 upper-case letters or digits');
  }
  if (authToken && !/^[A-Za-z0-9]{20,64}$/.test(authToken)) {
    throw new ConfigError('SWITCHBOARD_AUTH_TOKEN must be 20 to 64 letters or digits');
  }
  const sipListen = sipListenOf(env.SWITCHBOARD_SIP_LISTEN || '0.0.0.0:5060');
  return {
    port,
    host: flags.host ?? env.HOST ?? '127.0.0.1',
    authId,
    authToken,
    dataDir: path.resolve(flags.dataDir ?? env.SWITCHBOARD_DATA_DIR ?? './data'),
    databaseUrl: flags.databaseUrl ?? (env.DATABASE_URL || undefined),
    clock: oneOf('SWITCHBOARD_CLOCK', flags.clock ?? env.SWITCHBOARD_CLOCK ?? 'real', ['real', 'scaled', 'virtual'] as const),
    timeScale,
    telephony: oneOf('SWITCHBOARD_TELEPHONY', flags.telephony ?? env.SWITCHBOARD_TELEPHONY ?? 'sim', ['sim', 'sip'] as const),
    logLevel: flags.logLevel ?? env.LOG_LEVEL ?? 'info',
    // Readable lines for a person at a terminal, JSON for everything that reads the output.
    logFormat: oneOf('LOG_FORMAT', flags.logFormat ?? env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'), LOG_FORMATS),
    publicUrl: flags.publicUrl ?? (env.SWITCHBOARD_PUBLIC_URL || undefined),
    sipDomain: sipDomainOf(flags.sipDomain ?? (env.SWITCHBOARD_SIP_DOMAIN || 'switchboard.local')),
    rtpPorts: rtpPortsOf(env.SWITCHBOARD_RTP_PORTS || '10000-20000'),
    rtpRealtime: rtpRealtimeOf(env.SWITCHBOARD_RTP_REALTIME || 'auto'),
    sipListen,
    sipPublicAddress: sipPublicAddressOf(env.SWITCHBOARD_SIP_PUBLIC_ADDRESS, sipListen.host),
    sipGateways: env.SWITCHBOARD_SIP_GATEWAYS ? path.resolve(env.SWITCHBOARD_SIP_GATEWAYS) : undefined,
    sipMaxCallsPerAccount: positiveIntOf('SWITCHBOARD_SIP_MAX_CALLS_PER_ACCOUNT', env.SWITCHBOARD_SIP_MAX_CALLS_PER_ACCOUNT || '100'),
    sipAllowedPrefixes: prefixesOf(env.SWITCHBOARD_SIP_ALLOWED_PREFIXES),
    sipDigest: digestAlgorithmsOf(env.SWITCHBOARD_SIP_DIGEST || 'MD5'),
    sipUriDomains: uriDomainsOf(env.SWITCHBOARD_SIP_URI_DOMAINS),
  };
}
