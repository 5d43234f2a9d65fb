// A flow is where a message came from or goes to: a transport, the far
// address and port, and for TCP the connection it travels on. Responses go
// back along the flow their request arrived on (symmetric response routing,
// RFC 3581), and a registered phone behind NAT is reached through the flow
// it registered from.

export type TransportName = 'udp' | 'tcp';

export interface Flow {
  readonly transport: TransportName;
  readonly address: string;
  readonly port: number;
  /** TCP: the connection the message arrived on or should leave by; absent for UDP or "any connection to address:port". */
  readonly connection?: number;
}

export const flowKey = (f: Flow): string => `${f.transport}:${f.address}:${f.port}`;

/** An address as it is written in a URI, a Via or host:port: an IPv6 address in brackets (once). */
export const uriHost = (address: string): string => (address.includes(':') && !address.startsWith('[') ? `[${address}]` : address);

export const formatFlow = (f: Flow): string => `${f.transport}:${uriHost(f.address)}:${f.port}`;

/** Reliable transports need no retransmissions and no Timer D/I/K waits (RFC 3261 §17). */
export const isReliable = (t: TransportName): boolean => t === 'tcp';

export function transportOf(name: string | null | undefined): TransportName | undefined {
  const t = (name ?? '').toLowerCase();
  return t === 'udp' || t === 'tcp' ? t : undefined;
}
