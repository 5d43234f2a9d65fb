// Messages for SIP unit tests: built from text as a peer would send them.
import { parseMessage } from '../../../src/telephony/sip/message/sip-parser.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../../src/telephony/sip/message/sip-message.ts';
import type { Flow } from '../../../src/telephony/sip/transport/sip-flow.ts';

export function parse<T extends SipMessage = SipMessage>(text: string | Buffer): T {
  const r = parseMessage(typeof text === 'string' ? Buffer.from(text.replace(/\r?\n/g, '\r\n')) : text);
  if (!r.ok) throw new Error(`test message does not parse: ${r.error}`);
  return r.message as T;
}

export const PHONE: Flow = { transport: 'udp', address: '192.0.2.10', port: 5062 };

export function invite(opts: { branch?: string; callId?: string; cseq?: number; body?: string; transport?: string; host?: string; toTag?: string } = {}): SipRequest {
  const body = opts.body ?? '';
  return parse<SipRequest>(
    [
      'INVITE sip:bob@switchboard.test SIP/2.0',
      `Via: SIP/2.0/${opts.transport ?? 'UDP'} ${opts.host ?? '192.0.2.10:5062'};branch=${opts.branch ?? 'z9hG4bK-inv-1'};rport`,
      'Max-Forwards: 70',
      'From: "Alice" <sip:alice@example.com>;tag=a1',
      `To: <sip:bob@switchboard.test>${opts.toTag ? `;tag=${opts.toTag}` : ''}`,
      `Call-ID: ${opts.callId ?? 'call-1@192.0.2.10'}`,
      `CSeq: ${opts.cseq ?? 1} INVITE`,
      'Contact: <sip:alice@192.0.2.10:5062>',
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\n'),
  );
}

export function request(method: string, opts: { branch?: string; callId?: string; cseq?: number; toTag?: string; extra?: string[]; uri?: string } = {}): SipRequest {
  return parse<SipRequest>(
    [
      `${method} ${opts.uri ?? 'sip:bob@switchboard.test'} SIP/2.0`,
      `Via: SIP/2.0/UDP 192.0.2.10:5062;branch=${opts.branch ?? `z9hG4bK-${method.toLowerCase()}-1`};rport`,
      'Max-Forwards: 70',
      'From: "Alice" <sip:alice@example.com>;tag=a1',
      `To: <sip:bob@switchboard.test>${opts.toTag ? `;tag=${opts.toTag}` : ''}`,
      `Call-ID: ${opts.callId ?? 'call-1@192.0.2.10'}`,
      `CSeq: ${opts.cseq ?? 1} ${method}`,
      ...(opts.extra ?? []),
      'Content-Length: 0',
      '',
      '',
    ].join('\n'),
  );
}

/** A response to `req` as the far end would send it. */
export function reply(req: SipRequest, status: number, opts: { toTag?: string; extra?: string[]; reason?: string } = {}): SipResponse {
  const lines = [`SIP/2.0 ${status} ${opts.reason ?? 'Reason'}`];
  req.headers.forEach((name, value) => {
    if (name === 'via' || name === 'from' || name === 'call-id' || name === 'cseq') lines.push(`${name}: ${value}`);
    if (name === 'to') lines.push(`to: ${value}${opts.toTag && req.toTag() === null ? `;tag=${opts.toTag}` : ''}`);
  });
  return parse<SipResponse>([...lines, ...(opts.extra ?? []), 'Content-Length: 0', '', ''].join('\n'));
}
