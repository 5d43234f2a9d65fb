// Whatever arrives on a SIP port, the parser answers with a message or a
// reason and never throws; typed accessors on what it accepted throw only
// SipSyntaxError (which the stack answers with 400).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkHeaders, parseMessage } from '../../../src/telephony/sip/message/sip-parser.ts';
import { SipRequest } from '../../../src/telephony/sip/message/sip-message.ts';
import { SipSyntaxError } from '../../../src/telephony/sip/message/sip-syntax.ts';
import { parseAuth } from '../../../src/telephony/sip/message/sip-header-values.ts';
import * as t from './rfc4475.ts';

const seeds = [t.wsinv, t.intmeth, t.esc01, t.longreq, t.unreason, t.mpart01, t.inv2543, t.regaut01, ...Object.values(t.invalid)];

function exercise(buf: Buffer, datagram: boolean): void {
  const r = parseMessage(buf, datagram);
  if (!r.ok) {
    assert.equal(typeof r.error, 'string');
    return;
  }
  const m = r.message;
  const touch = [
    () => checkHeaders(m),
    () => m.vias(),
    () => m.contacts(),
    () => m.recordRoutes(),
    () => m.expires(),
    () => (m instanceof SipRequest ? m.requestUri() : m.method),
    () => m.headers.get('authorization') !== undefined && parseAuth(m.headers.get('authorization')!, 'Authorization'),
    () => m.toBuffer(),
  ];
  for (const f of touch) {
    try {
      f();
    } catch (err) {
      if (!(err instanceof SipSyntaxError)) throw err;
    }
  }
}

test('random bytes never throw out of the parser', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, datagram) => exercise(Buffer.from(bytes), datagram)),
    { numRuns: 3000 },
  );
});

test('mutated torture messages never throw out of the parser', () => {
  const mutation = fc.record({
    seed: fc.integer({ min: 0, max: seeds.length - 1 }),
    edits: fc.array(fc.record({ at: fc.nat(), kind: fc.integer({ min: 0, max: 3 }), byte: fc.integer({ min: 0, max: 255 }), len: fc.integer({ min: 1, max: 40 }) }), { maxLength: 6 }),
  });
  fc.assert(
    fc.property(mutation, fc.boolean(), ({ seed, edits }, datagram) => {
      let buf = Buffer.from(seeds[seed]!);
      for (const e of edits) {
        const at = e.at % (buf.length + 1);
        if (e.kind === 0) buf[at % buf.length] = e.byte;
        else if (e.kind === 1) buf = Buffer.concat([buf.subarray(0, at), Buffer.from([e.byte]), buf.subarray(at)]);
        else if (e.kind === 2) buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + e.len)]);
        else buf = Buffer.concat([buf.subarray(0, at), Buffer.from(' ;,<>"\\:@?%=\r\n\t'.slice(0, e.len % 16)), buf.subarray(at)]);
      }
      exercise(buf, datagram);
    }),
    { numRuns: 3000 },
  );
});

test('header-shaped noise never throws out of the parser', () => {
  const line = fc.tuple(fc.constantFrom('Via', 'v', 'From', 'To', 't', 'Contact', 'm', 'CSeq', 'Call-ID', 'Route', 'Record-Route', 'Expires', 'Content-Length', 'Authorization', 'Date', 'Warning'), fc.string({ maxLength: 60 }));
  fc.assert(
    fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
      const head = ['INVITE sip:a@example.com SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:a@b>;tag=1', 'To: <sip:c@d>', 'Call-ID: x', 'CSeq: 1 INVITE'];
      exercise(Buffer.from([...head, ...lines.map(([n, v]) => `${n}: ${v}`)].join('\r\n') + '\r\n\r\n'), true);
    }),
    { numRuns: 3000 },
  );
});
