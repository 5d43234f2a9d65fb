// RFC 4475's torture messages through the parser: the valid ones parse with
// the values the RFC describes, the invalid ones are refused with a reason
// (and, where a request can be answered, the status to answer).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkHeaders, parseMessage } from '../../../src/telephony/sip/message/sip-parser.ts';
import { SipRequest, SipResponse, type SipMessage } from '../../../src/telephony/sip/message/sip-message.ts';
import { isSipUri, uriUser, type SipUri } from '../../../src/telephony/sip/message/sip-uri.ts';
import * as t from './rfc4475.ts';

function parsed(buf: Buffer): SipMessage {
  const r = parseMessage(buf);
  if (!r.ok) assert.fail(`refused: ${r.error}`);
  checkHeaders(r.message);
  return r.message;
}

function refused(buf: Buffer): { error: string; status: number; answerable: boolean } {
  const r = parseMessage(buf);
  if (r.ok) {
    try {
      checkHeaders(r.message);
    } catch (err) {
      return { error: (err as Error).message, status: 400, answerable: true };
    }
    assert.fail('accepted');
  }
  return { error: r.error, status: r.status, answerable: r.message !== undefined };
}

const sip = (m: SipMessage): SipUri => {
  const u = (m as SipRequest).requestUri();
  assert.ok(isSipUri(u));
  return u;
};

describe('RFC 4475 valid messages', () => {
  test('wsinv: folding, LWS, compact and mixed-case names, escaped quotes, leading zeros', () => {
    const m = parsed(t.wsinv) as SipRequest;
    assert.equal(m.method, 'INVITE');
    assert.equal(sip(m).user, 'vivekg');
    assert.equal(sip(m).host, 'chair-dnrc.example.com');
    assert.deepEqual([...sip(m).params], [['unknownparam', null]]);
    assert.equal(m.toTag(), '1918181833n');
    assert.equal(uriUser(m.to().uri), 'vivekg');
    assert.equal(m.from().displayName, 'J Rosenberg \\"');
    assert.equal(m.fromTag(), '98asjd8');
    assert.equal(m.headers.get('max-forwards'), '0068');
    assert.deepEqual(m.cseq(), { seq: 9, method: 'INVITE' });
    assert.deepEqual(
      m.vias().map((v) => [v.transport, v.host, v.params.get('branch')]),
      [
        ['UDP', '192.0.2.2', '390skdjuw'],
        ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
        ['UDP', '192.168.255.111', 'z9hG4bK30239'],
      ],
    );
    assert.equal(m.headers.get('subject'), '');
    assert.equal(m.headers.get('newfangledheader'), 'newfangled value continued newfangled value');
    assert.equal(m.headers.get('unknownheaderwithunusualvalue'), ';;,,;;,;');
    const [contact] = m.contacts();
    assert.equal(contact!.displayName, 'Quoted string ""');
    assert.deepEqual([...contact!.params], [['newparam', 'newvalue'], ['secondparam', null], ['q', '0.33']]);
    const [route] = m.routes();
    assert.ok(isSipUri(route!.uri) && route!.uri.params.has('lr') && route!.uri.params.get('unknownwith') === 'value');
    assert.equal(m.body.length, 150);
  });

  test('intmeth: the whole range of token, word and user characters, quoted NUL, UTF-8 values', () => {
    const m = parsed(t.intmeth) as SipRequest;
    assert.equal(m.method, "!interesting-Method0123456789_*+`.%indeed'~");
    assert.equal(sip(m).user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    assert.equal(sip(m).password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    assert.equal(sip(m).host, 'example.com');
    assert.equal(m.to().displayName, 'BEL:\x07 NUL:\x00 DEL:\x7F');
    assert.equal(m.from().displayName, "token1~` token2'+_ token3*%!.-");
    assert.equal(m.from().params.get("fromparam''~+*_!.-%"), '"работающий"');
    assert.equal(m.fromTag(), "_token~1'+`*%!-.");
    assert.equal(m.callId(), "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    assert.equal(m.cseq().seq, 139122385);
    assert.equal(m.topVia().params.get('branch'), "z9hG4bK-.!%66*_+`'~");
    assert.equal(m.headers.get("extensionheader-!.%*+_`'~"), '\ufeff大停電');
  });

  test('esc01: escapes stay as sent, compare unescaped', () => {
    const m = parsed(t.esc01) as SipRequest;
    assert.equal(sip(m).user, 'sips%3Auser%40example.com');
    assert.equal(uriUser(sip(m)), 'sips:user@example.com');
    assert.equal(uriUser(m.to().uri), 'user');
    assert.equal(uriUser(m.from().uri), 'I have spaces');
    const c = m.contacts()[0]!.uri as SipUri;
    assert.equal(uriUser(c), 'caller');
    assert.equal(c.params.get('n%61me'), 'v%61lue%25%34%31');
    assert.equal(m.contentType(), 'application/sdp');
  });

  test('escnull: escaped NULs in URIs', () => {
    const m = parsed(t.escnull);
    assert.equal(uriUser(m.to().uri), 'null-\x00-null');
    assert.deepEqual(m.contacts().map((c) => uriUser(c.uri)), ['\x00', '\x00\x00']);
  });

  test('esc02: % is not an escape in methods or header names', () => {
    const m = parsed(t.esc02) as SipRequest;
    assert.equal(m.method, 'RE%47IST%45R');
    assert.equal(m.contacts().length, 2);
    assert.equal(m.headers.get('c%6fntact'), '<sip:alias2@host2.example.com>');
    assert.equal(m.to().displayName, '%Z%45');
  });

  test('lwsdisp: no LWS between display name and <', () => {
    assert.equal(parsed(t.lwsdisp).from().displayName, 'caller');
  });

  test('longreq: long values and many Vias', () => {
    const m = parsed(t.longreq);
    assert.equal(m.vias().length, 34);
    assert.equal((m.to().uri as SipUri).port, 6000);
    assert.equal(m.from().params.get('tag'), `12${'982'.repeat(50)}424`);
    assert.equal(m.vias()[33]!.params.get('received'), '192.0.2.5');
    assert.equal(m.body.length, 150);
  });

  test('dblreq: octets after Content-Length in a datagram are ignored', () => {
    const m = parsed(t.dblreq);
    assert.equal(m.method, 'REGISTER');
    assert.equal(m.body.length, 0);
  });

  test('semiuri: ; and = in the user part', () => {
    const u = sip(parsed(t.semiuri));
    assert.equal(u.user, 'user;par=u%40example.net');
    assert.equal(u.host, 'example.com');
    assert.equal(u.params.size, 0);
  });

  test('transports: known and unknown transports in Via', () => {
    assert.deepEqual(parsed(t.transports).vias().map((v) => v.transport), ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
  });

  test('mpart01: a multipart body framed by Content-Length, binary octets intact', () => {
    const m = parsed(t.mpart01);
    assert.equal(m.body.length, Number(m.headers.get('content-length')));
    assert.ok(m.body.includes(Buffer.from([0, 1, 2, 3, 0xc3, 0xbf])));
  });

  test('unreason and noreason: unusual and empty reason phrases', () => {
    const u = parsed(t.unreason) as SipResponse;
    assert.equal(u.status, 200);
    assert.equal(u.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
    const n = parsed(t.noreason) as SipResponse;
    assert.equal(n.status, 100);
    assert.equal(n.reason, '');
  });

  test('badbranch, inv2543, cparam01/02, zeromf parse (their meaning is the UA\'s business)', () => {
    assert.equal(parsed(t.badbranch).topVia().params.get('branch'), 'z9hG4bK');
    const old = parsed(t.inv2543);
    assert.equal(old.topVia().params.get('branch'), undefined);
    assert.equal(old.fromTag(), null);
    assert.ok(old.body.toString().startsWith('v=0'));
    const c1 = parsed(t.cparam01).contacts()[0]!;
    assert.ok(c1.params.has('unknownparam') && !(c1.uri as SipUri).params.has('unknownparam'));
    const c2 = parsed(t.cparam02).contacts()[0]!;
    assert.ok(!c2.params.has('unknownparam') && (c2.uri as SipUri).params.has('unknownparam'));
    assert.equal(parsed(t.zeromf).headers.get('max-forwards'), '0');
    assert.equal((parsed(t.regescrt).contacts()[0]!.uri as SipUri).headers, 'Route=%3Csip:sip.example.com%3E');
    assert.equal(parsed(t.unksm2).to().uri.scheme, 'isbn');
  });
});

describe('RFC 4475 invalid messages are refused with a reason', () => {
  const expected: Record<string, { status: number; reason: RegExp }> = {
    badinv01: { status: 400, reason: /empty parameter in Via/ },
    clerr: { status: 400, reason: /Content-Length 9999 is larger/ },
    ncl: { status: 400, reason: /Content-Length is not a number/ },
    scalar02: { status: 400, reason: /CSeq number/ },
    scalarlg: { status: 400, reason: /Content-Length/ },
    quotbal: { status: 400, reason: /To: unterminated quoted/ },
    ltgtruri: { status: 400, reason: /Request-URI: bad scheme/ },
    lwsruri: { status: 400, reason: /without whitespace/ },
    lwsstart: { status: 400, reason: /without whitespace/ },
    trws: { status: 400, reason: /ends in whitespace/ },
    escruri: { status: 400, reason: /must not carry headers/ },
    baddate: { status: 400, reason: /not an RFC 1123 date in GMT/ },
    regbadct: { status: 400, reason: /must be enclosed in <>/ },
    badaspec: { status: 400, reason: /no spaces are allowed inside <URI>/ },
    baddn: { status: 400, reason: /must be quoted/ },
    badvers: { status: 505, reason: /unsupported version SIP\/7.0/ },
    mismatch01: { status: 400, reason: /CSeq method INVITE does not match the request method OPTIONS/ },
    mismatch02: { status: 400, reason: /does not match the request method NEWMETHOD/ },
    bigcode: { status: 400, reason: /bad status code/ },
  };
  for (const [name, buf] of Object.entries(t.invalid)) {
    test(name, () => {
      const r = refused(buf);
      assert.match(r.error, expected[name]!.reason);
      assert.equal(r.status, expected[name]!.status);
    });
  }

  test('insuf, multi01, mcl01: missing or repeated single-value headers', () => {
    assert.match(refused(t.insuf).error, /missing from header/);
    assert.match(refused(t.multi01).error, /more than one/);
    assert.match(refused(t.mcl01).error, /more than one Content-Length/);
  });
});

describe('framing and serialising', () => {
  test('a parsed message re-serialises to bytes that parse to the same values', () => {
    for (const buf of [t.wsinv, t.esc01, t.longreq, t.unreason, t.mpart01]) {
      const a = parsed(buf);
      const b = parsed(a.toBuffer());
      assert.equal(b.callId(), a.callId());
      assert.deepEqual(b.cseq(), a.cseq());
      assert.deepEqual(b.vias(), a.vias());
      assert.deepEqual(b.from(), a.from());
      assert.deepEqual(b.to(), a.to());
      assert.deepEqual(b.body, a.body);
    }
  });

  test('a stream message without a blank line is incomplete, not a datagram', () => {
    const r = parseMessage(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n'), false);
    assert.equal(r.ok, false);
  });
});
