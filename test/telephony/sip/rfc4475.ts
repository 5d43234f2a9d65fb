// The torture messages of RFC 4475 (§3.1 parser tests, §3.2, §3.3 and
// §3.4), transcribed as fixtures. Lines end in CRLF on the wire; bodies are
// the RFC's, so each Content-Length is the RFC's too. Non-printable and
// non-ASCII octets (the RFC's <hex> notation) are written as escapes; the
// RFC's <repeat> notation is expanded with `repeat`.

const CRLF = '\r\n';

/** Header lines joined with CRLF, a blank line, then the body. */
export const message = (lines: string[], body = ''): Buffer => Buffer.from(lines.join(CRLF) + CRLF + CRLF + body, 'utf8');

const bytes = (hex: string): string => Buffer.from(hex, 'hex').toString('utf8');
const repeat = (s: string, n: number): string => s.repeat(n);

/** The SDP body most messages carry (150 octets with two 9-character addresses). */
export const sdp = (o: string, c = o): string =>
  [`v=0`, `o=mhandley 29739 7272939 IN IP4 ${o}`, `s=-`, `c=IN IP4 ${c}`, `t=0 0`, `m=audio 49217 RTP/AVP 0 12`, `m=video 3227 RTP/AVP 31`, `a=rtpmap:31 LPC`, ''].join(CRLF);

// ---- 3.1.1 valid messages --------------------------------------------------

export const wsinv = message(
  [
    'INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0',
    'TO :',
    ' sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n',
    'from   : "J Rosenberg \\\\\\""       <sip:jdrosen@example.com>',
    '  ;',
    '  tag = 98asjd8',
    'MaX-fOrWaRdS: 0068',
    'Call-ID: wsinv.ndaksdj@192.0.2.1',
    'Content-Length   : 150',
    'cseq: 0009',
    '  INVITE',
    'Via  : SIP  /   2.0',
    ' /UDP',
    '    192.0.2.2;branch=390skdjuw',
    's :',
    'NewFangledHeader:   newfangled value',
    ' continued newfangled value',
    'UnknownHeaderWithUnusualValue: ;;,,;;,;',
    'Content-Type: application/sdp',
    'Route:',
    ' <sip:services.example.com;lr;unknownwith=value;unknown-no-value>',
    'v:  SIP  / 2.0  / TCP     spindle.example.com   ;',
    '  branch  =   z9hG4bK9ikj8  ,',
    ' SIP  /    2.0   / UDP  192.168.255.111   ; branch=',
    ' z9hG4bK30239',
    'm:"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam =',
    '      newvalue ;',
    '  secondparam ; q = 0.33',
  ],
  sdp('192.0.2.3', '192.0.2.4'),
);

export const intmeth = message([
  "!interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0",
  "Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~",
  `To: "BEL:\\\x07 NUL:\\\x00 DEL:\\\x7F" <sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>`,
  `From: token1~\` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%="${bytes('d180d0b0d0b1d0bed182d0b0d18ed189d0b8d0b9')}";tag=_token~1'+\`*%!-.`,
  `Call-ID: intmeth.word%ZK-!.*_+'@word\`~)(><:\\/"][?}{`,
  "CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~",
  'Max-Forwards: 255',
  `extensionHeader-!.%*+_\`'~:${bytes('efbbbfe5a4a7e5819ce99bbb')}`,
  'Content-Length: 0',
]);

export const esc01 = message(
  [
    'INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0',
    'To: sip:%75se%72@example.com',
    'From: <sip:I%20have%20spaces@example.net>;tag=938',
    'Max-Forwards: 87',
    'i: esc01.239409asdfakjkn23onasd0-3234',
    'CSeq: 234234 INVITE',
    'Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw',
    'C: application/sdp',
    'Contact:',
    '  <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>',
    'Content-Length: 150',
  ],
  sdp('192.0.2.1'),
);

export const escnull = message([
  'REGISTER sip:example.com SIP/2.0',
  'To: sip:null-%00-null@example.com',
  'From: sip:null-%00-null@example.com;tag=839923423',
  'Max-Forwards: 70',
  'Call-ID: escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd',
  'CSeq: 14398234 REGISTER',
  'Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw',
  'Contact: <sip:%00@host5.example.com>',
  'Contact: <sip:%00%00@host5.example.com>',
  'L:0',
]);

export const esc02 = message([
  'RE%47IST%45R sip:registrar.example.com SIP/2.0',
  'To: "%Z%45" <sip:resource@example.com>',
  'From: "%Z%45" <sip:resource@example.com>;tag=f232jadfj23',
  'Call-ID: esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf',
  'Via: SIP/2.0/TCP host.example.com;branch=z9hG4bK209%fzsnel234',
  'CSeq: 29344 RE%47IST%45R',
  'Max-Forwards: 70',
  'Contact: <sip:alias1@host1.example.com>',
  'C%6Fntact: <sip:alias2@host2.example.com>',
  'Contact: <sip:alias3@host3.example.com>',
  'l: 0',
]);

export const lwsdisp = message([
  'OPTIONS sip:user@example.com SIP/2.0',
  'To: sip:user@example.com',
  'From: caller<sip:caller@example.com>;tag=323',
  'Max-Forwards: 70',
  'Call-ID: lwsdisp.1234abcd@funky.example.com',
  'CSeq: 60 OPTIONS',
  'Via: SIP/2.0/UDP funky.example.com;branch=z9hG4bKkdjuw',
  'l: 0',
]);

const longVias: string[] = [];
for (let n = 33; n >= 1; n--) longVias.push(`${['Via', 'v', 'V'][n % 3]}: SIP/2.0/TCP sip${n}.example.com`);
export const longreq = message(
  [
    'INVITE sip:user@example.com SIP/2.0',
    `To: "I have a user name of ${repeat('extreme', 10)} proportion"<sip:user@example.com:6000;unknownparam1=very${repeat('long', 20)}value;longparam${repeat('name', 25)}=shortvalue;very${repeat('long', 25)}ParameterNameWithNoValue>`,
    `F: sip:${repeat('amazinglylongcallername', 5)}@example.net;tag=12${repeat('982', 50)}424;unknownheaderparam${repeat('name', 20)}=unknowheaderparam${repeat('value', 15)};unknownValueless${repeat('paramname', 10)}`,
    `Call-ID: longreq.one${repeat('really', 20)}longcallid`,
    'CSeq: 3882340 INVITE',
    `Unknown-${repeat('Long', 20)}-Name: unknown-${repeat('long', 20)}-value; unknown-${repeat('long', 20)}-parameter-name = unknown-${repeat('long', 20)}-parameter-value`,
    ...longVias,
    `Via: SIP/2.0/TCP host.example.com;received=192.0.2.5;branch=very${repeat('long', 50)}branchvalue`,
    'Max-Forwards: 70',
    `Contact: <sip:${repeat('amazinglylongcallername', 5)}@host5.example.net>`,
    'Content-Type: application/sdp',
    'l: 150',
  ],
  sdp('192.0.2.1'),
);

export const dblreq = Buffer.concat([
  message([
    'REGISTER sip:example.com SIP/2.0',
    'To: sip:j.user@example.com',
    'From: sip:j.user@example.com;tag=43251j3j324',
    'Max-Forwards: 8',
    'I: dblreq.0ha0isndaksdj99sdfafnl3lk233412',
    'Contact: sip:j.user@host.example.com',
    'CSeq: 8 REGISTER',
    'Via: SIP/2.0/UDP 192.0.2.125;branch=z9hG4bKkdjuw23492',
    'Content-Length: 0',
  ]),
  Buffer.from(CRLF),
  message(
    [
      'INVITE sip:joe@example.com SIP/2.0',
      't: sip:joe@example.com',
      'From: sip:caller@example.net;tag=141334',
      'Max-Forwards: 8',
      'Call-ID: dblreq.0ha0isnda977644900765@192.0.2.15',
      'CSeq: 8 INVITE',
      'Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKkdjuw380234',
      'Content-Type: application/sdp',
      'Content-Length: 150',
    ],
    sdp('192.0.2.15'),
  ),
]);

export const semiuri = message([
  'OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0',
  'To: sip:j_user@example.com',
  'From: sip:caller@example.org;tag=33242',
  'Max-Forwards: 3',
  'Call-ID: semiuri.0ha0isndaksdj',
  'CSeq: 8 OPTIONS',
  'Accept: application/sdp, application/pkcs7-mime,',
  '        multipart/mixed, multipart/signed,',
  '        message/sip, message/sipfrag',
  'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw',
  'l: 0',
]);

export const transports = message([
  'OPTIONS sip:user@example.com SIP/2.0',
  'To: sip:user@example.com',
  'From: <sip:caller@example.com>;tag=323',
  'Max-Forwards: 70',
  'Call-ID:  transports.kijh4akdnaqjkwendsasfdj',
  'Accept: application/sdp',
  'CSeq: 60 OPTIONS',
  'Via: SIP/2.0/UDP t1.example.com;branch=z9hG4bKkdjuw',
  'Via: SIP/2.0/SCTP t2.example.com;branch=z9hG4bKklasjdhf',
  'Via: SIP/2.0/TLS t3.example.com;branch=z9hG4bK2980unddj',
  'Via: SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en',
  'Via: SIP/2.0/TCP t5.example.com;branch=z9hG4bK0a9idfnee',
  'l: 0',
]);

const MPART_BOUNDARY = '----=_NextPart_000_0000_01C2B3E2.37B4D9D0';
const mpartBody = [
  `--${MPART_BOUNDARY}`,
  'Content-Type: application/sdp',
  '',
  sdp('192.0.2.1').trimEnd(),
  `--${MPART_BOUNDARY}`,
  'Content-Type: application/octet-stream',
  'Content-Transfer-Encoding: binary',
  '',
  '\x00\x01\x02\x03\xff binary part',
  `--${MPART_BOUNDARY}--`,
  '',
].join(CRLF);
export const mpart01 = message(
  [
    'MESSAGE sip:kumiko@example.org SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1-0',
    'Max-Forwards: 70',
    'From: <sip:user@example.com>;tag=1',
    'To: <sip:kumiko@example.org>',
    'Call-ID: mpart01.1@192.0.2.1',
    'CSeq: 1 MESSAGE',
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${MPART_BOUNDARY}"`,
    `Content-Length: ${Buffer.byteLength(mpartBody)}`,
  ],
  mpartBody,
);

export const unreason = message(
  [
    `SIP/2.0 200 = 2**3 * 5**2 ${bytes('d0bdd0be20d181d182d0be20d0b4d0b5d0b2d18fd0bdd0bed181d182d0be20d0b4d0b5d0b2d18fd182d18c202d20d0bfd180d0bed181d182d0bed0b5')}`,
    'Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923',
    'Call-ID: unreason.1234ksdfak3j2erwedfsASdf',
    'CSeq: 35 INVITE',
    'From: sip:user@example.com;tag=11141343',
    'To: sip:user@example.edu;tag=2229',
    'Content-Length: 154',
    'Content-Type: application/sdp',
    'Contact: <sip:user@host198.example.com>',
  ],
  sdp('192.0.2.198'),
);

export const noreason = message([
  'SIP/2.0 100 ',
  'Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe',
  'Call-ID: noreason.asndj203insdf99223ndf',
  'CSeq: 35 INVITE',
  'From: <sip:user@example.com>;tag=39ansfi3',
  'To: <sip:user@example.edu>;tag=902jndnke3',
  'Content-Length: 0',
]);

// ---- 3.1.2 invalid messages ------------------------------------------------

export const invalid: Record<string, Buffer> = {
  badinv01: message(
    [
      'INVITE sip:user@example.com SIP/2.0',
      'To: sip:j.user@example.com',
      'From: sip:caller@example.net;tag=134161461246',
      'Max-Forwards: 7',
      'Call-ID: badinv01.0ha0isndaksdjasdf3234nas',
      'CSeq: 8 INVITE',
      'Via: SIP/2.0/UDP 192.0.2.15;;,;,,',
      'Contact: "Joe" <sip:joe@example.org>;;;;',
      'Content-Length: 152',
      'Content-Type: application/sdp',
    ],
    sdp('192.0.2.15'),
  ),
  clerr: message(
    [
      'INVITE sip:user@example.com SIP/2.0',
      'Max-Forwards: 80',
      'To: sip:j.user@example.com',
      'From: sip:caller@example.net;tag=93942939o2',
      'Contact: <sip:caller@hungry.example.net>',
      'Call-ID: clerr.0ha0isndaksdjweiafasdk3',
      'CSeq: 8 INVITE',
      'Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bK-39234-23523',
      'Content-Type: application/sdp',
      'Content-Length: 9999',
    ],
    sdp('192.0.2.155'),
  ),
  ncl: message(
    [
      'INVITE sip:user@example.com SIP/2.0',
      'Max-Forwards: 254',
      'To: sip:j.user@example.com',
      'From: sip:caller@example.net;tag=32394234',
      'Call-ID: ncl.0ha0isndaksdj2193423r542w35',
      'CSeq: 0 INVITE',
      'Via: SIP/2.0/UDP 192.0.2.53;branch=z9hG4bKkdjuw',
      'Contact: <sip:caller@example53.example.net>',
      'Content-Type: application/sdp',
      'Content-Length: -999',
    ],
    sdp('192.0.2.53'),
  ),
  scalar02: message([
    'REGISTER sip:example.com SIP/2.0',
    'Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3',
    'To: <sip:user@example.com>',
    'From: <sip:user@example.com>;tag=239232jh3',
    'CSeq: 36893488147419103232 REGISTER',
    'Call-ID: scalar02.23o0pd9vanlq3wnrlnewofjas9ui32',
    'Max-Forwards: 300',
    `Expires: 1${repeat('0', 100)}`,
    'Contact: <sip:user@host129.example.com>',
    '  ;expires=280297596632815',
    'Content-Length: 0',
  ]),
  scalarlg: message([
    'SIP/2.0 503 Service Unavailable',
    'Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bKzzxdiwo34sw;received=192.0.2.129',
    'To: <sip:user@example.com>',
    'From: <sip:other@example.net>;tag=2easdjfejw',
    'CSeq: 9292394834772304023312 OPTIONS',
    'Call-ID: scalarlg.noase0of0234hn2qofoaf0232aewf2394r',
    'Retry-After: 949302838503028349304023988',
    'Warning: 1812 overture "In Progress"',
    'Content-Length: 18446744073709551617',
  ]),
  quotbal: message(
    [
      'INVITE sip:user@example.com SIP/2.0',
      'To: "Mr. J. User <sip:j.user@example.com>',
      'From: sip:caller@example.net;tag=93334',
      'Max-Forwards: 10',
      'Call-ID: quotbal.aksdj',
      'Contact: <sip:caller@host59.example.net>',
      'CSeq: 8 INVITE',
      'Via: SIP/2.0/UDP 192.0.2.59:5050;branch=z9hG4bKkdjuw39234',
      'Content-Type: application/sdp',
      'Content-Length: 152',
    ],
    sdp('192.0.2.15'),
  ),
  ltgtruri: message(
    [
      'INVITE <sip:user@example.com> SIP/2.0',
      'To: sip:user@example.com',
      'From: sip:caller@example.net;tag=39291',
      'Max-Forwards: 23',
      'Call-ID: ltgtruri.1@192.0.2.5',
      'CSeq: 1 INVITE',
      'Via: SIP/2.0/UDP 192.0.2.5',
      'Contact: <sip:caller@host5.example.net>',
      'Content-Type: application/sdp',
      'Content-Length: 150',
    ],
    sdp('192.0.2.5', '192.0.2.5'),
  ),
  lwsruri: message(
    [
      'INVITE sip:user@example.com; lr SIP/2.0',
      'To: sip:user@example.com;tag=3xfe-9921883-z9f',
      'From: sip:caller@example.net;tag=231413434',
      'Max-Forwards: 5',
      'Call-ID: lwsruri.asdfasdoeoi2323-asdfwrn23-asd834rk423',
      'CSeq: 2130706432 INVITE',
      'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKkdjuw2395',
      'Contact: <sip:caller@host1.example.net>',
      'Content-Type: application/sdp',
      'Content-Length: 150',
    ],
    sdp('192.0.2.1'),
  ),
  lwsstart: message(
    [
      'INVITE  sip:user@example.com  SIP/2.0',
      'Max-Forwards: 8',
      'To: sip:user@example.com',
      'From: sip:caller@example.net;tag=8814',
      'Call-ID: lwsstart.dfknq234oi243099adsdfnawe3@example.com',
      'CSeq: 1893884 INVITE',
      'Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw3923',
      'Contact: <sip:caller@host1.example.net>',
      'Content-Type: application/sdp',
      'Content-Length: 150',
    ],
    sdp('192.0.2.1'),
  ),
  trws: message([
    'OPTIONS sip:remote-target@example.com SIP/2.0  ',
    'Via: SIP/2.0/TCP host1.examle.com;branch=z9hG4bK299342093',
    'To: <sip:remote-target@example.com>',
    'From: <sip:local-resource@example.com>;tag=329429089',
    'Call-ID: trws.oicu34958239neffasdhr2345r',
    'Accept: application/sdp',
    'CSeq: 238923 OPTIONS',
    'Max-Forwards: 70',
    'Content-Length: 0',
  ]),
  escruri: message(
    [
      'INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0',
      'To: sip:user@example.com',
      'From: sip:caller@example.net;tag=341518',
      'Max-Forwards: 7',
      'Contact: <sip:caller@host39923.example.net>',
      'Call-ID: escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5',
      'CSeq: 149209342 INVITE',
      'Via: SIP/2.0/UDP host-of-the-hour.example.com;branch=z9hG4bKkdjuw',
      'Content-Type: application/sdp',
      'Content-Length: 150',
    ],
    sdp('192.0.2.1'),
  ),
  baddate: message(
    [
      'INVITE sip:user@example.com SIP/2.0',
      'To: sip:user@example.com',
      'From: sip:caller@example.net;tag=2234923',
      'Max-Forwards: 70',
      'Call-ID: baddate.239423mnsadf3j23lj42--sedfnm234',
      'CSeq: 1392934 INVITE',
      'Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw',
      'Date: Fri, 01 Jan 2010 16:00:00 EST',
      'Contact: <sip:caller@host5.example.net>',
      'Content-Type: application/sdp',
      'Content-Length: 150',
    ],
    sdp('192.0.2.5', '192.0.2.5'),
  ),
  regbadct: message([
    'REGISTER sip:example.com SIP/2.0',
    'To: sip:user@example.com',
    'From: sip:user@example.com;tag=998332',
    'Max-Forwards: 70',
    'Call-ID: regbadct.k345asrl3fdbv@10.0.0.1',
    'CSeq: 1 REGISTER',
    'Via: SIP/2.0/UDP 135.180.130.133:5060;branch=z9hG4bKkdjuw',
    'Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E',
    'l: 0',
  ]),
  badaspec: message([
    'OPTIONS sip:user@example.org SIP/2.0',
    'Via: SIP/2.0/UDP host4.example.com:5060;branch=z9hG4bKkdju43234',
    'Max-Forwards: 70',
    'From: "Bell, Alexander" <sip:a.g.bell@example.com>;tag=433423',
    'To: "Watson, Thomas" < sip:t.watson@example.org >',
    'Call-ID: badaspec.sdf0234n2nds0a099u23h3hnnw009cdkne3',
    'Accept: application/sdp',
    'CSeq: 3923239 OPTIONS',
    'l: 0',
  ]),
  baddn: message([
    'OPTIONS sip:t.watson@example.org SIP/2.0',
    'Via:     SIP/2.0/UDP c.example.com:5060;branch=z9hG4bKkdjuw',
    'Max-Forwards:      70',
    'From:    Bell, Alexander <sip:a.g.bell@example.com>;tag=43',
    'To:      Watson, Thomas <sip:t.watson@example.org>',
    'Call-ID: baddn.31415@c.example.com',
    'Accept: application/sdp',
    'CSeq:    3923239 OPTIONS',
    'l: 0',
  ]),
  badvers: message([
    'OPTIONS sip:t.watson@example.org SIP/7.0',
    'Via:     SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw',
    'Max-Forwards:     70',
    'From:    A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe',
    'To:      T. Watson <sip:t.watson@example.org>',
    'Call-ID: badvers.31417@c.example.com',
    'CSeq:    1 OPTIONS',
    'l: 0',
  ]),
  mismatch01: message([
    'OPTIONS sip:user@example.com SIP/2.0',
    'To: sip:j.user@example.com',
    'From: sip:caller@example.net;tag=34525',
    'Max-Forwards: 6',
    'Call-ID: mismatch01.dj0234sxdfl3',
    'CSeq: 8 INVITE',
    'Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw',
    'l: 0',
  ]),
  mismatch02: message(
    [
      'NEWMETHOD sip:user@example.com SIP/2.0',
      'To: sip:j.user@example.com',
      'From: sip:caller@example.net;tag=34525',
      'Max-Forwards: 6',
      'Call-ID: mismatch02.dj0234sxdfl3',
      'CSeq: 8 INVITE',
      'Contact: <sip:caller@host.example.net>',
      'Via: SIP/2.0/UDP host.example.net;branch=z9hG4bKkdjuw',
      'Content-Type: application/sdp',
      'l: 138',
    ],
    ['v=0', 'o=mhandley 29739 7272939 IN IP4 192.0.2.1', 'c=IN IP4 192.0.2.1', 'm=audio 49217 RTP/AVP 0 12', 'm=video 3227 RTP/AVP 31', 'a=rtpmap:31 LPC', ''].join(CRLF),
  ),
  bigcode: message([
    'SIP/2.0 4294967301 better not break the receiver',
    'Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe',
    'Call-ID: bigcode.asdof3uj203asdnf3429uasdhfas3ehjasdfas9i',
    'CSeq: 353494 INVITE',
    'From: <sip:user@example.com>;tag=39ansfi3',
    'To: <sip:user@example.edu>;tag=902jndnke3',
    'Content-Length: 0',
    'Contact: <sip:user@host105.example.com>',
  ]),
};

// ---- 3.2 transaction layer, 3.3 application layer, 3.4 backward compatibility

export const badbranch = message([
  'OPTIONS sip:user@example.com SIP/2.0',
  'To: sip:user@example.com',
  'From: sip:caller@example.org;tag=33242',
  'Max-Forwards: 3',
  'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK',
  'Accept: application/sdp',
  'Call-ID: badbranch.sadonfo23i420jv0as0derf3j3n',
  'CSeq: 8 OPTIONS',
  'l: 0',
]);

export const insuf = message(
  ['INVITE sip:user@example.com SIP/2.0', 'CSeq: 193942 INVITE', 'Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf', 'Content-Type: application/sdp', 'l: 152'],
  sdp('192.0.2.95', '192.0.2.95'),
);

export const unkscm = message([
  'OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0',
  'To: sip:user@example.com',
  'From: sip:caller@example.net;tag=384',
  'Max-Forwards: 3',
  'Call-ID: unkscm.nasdfasser0q239nwsdfasdkl34',
  'CSeq: 3923423 OPTIONS',
  'Via: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234',
  'Content-Length: 0',
]);

export const novelsc = message([
  'OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0',
  'To: sip:user@example.com',
  'From: sip:caller@example.net;tag=384',
  'Max-Forwards: 3',
  'Call-ID: novelsc.asdfasser0q239nwsdfasdkl34',
  'CSeq: 3923423 OPTIONS',
  'Via: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234',
  'Content-Length: 0',
]);

export const unksm2 = message([
  'REGISTER sip:example.com SIP/2.0',
  'To: isbn:2983792873',
  'From: <http://www.example.com>;tag=3234233',
  'Call-ID: unksm2.daksdj@hyphenated-host.example.com',
  'CSeq: 234902 REGISTER',
  'Max-Forwards: 70',
  'Via: SIP/2.0/UDP 192.0.2.21:5060;branch=z9hG4bKkdjuw',
  'Contact: <name:John_Smith>',
  'l: 0',
]);

export const bext01 = message([
  'OPTIONS sip:user@example.com SIP/2.0',
  'To: sip:j_user@example.com',
  'From: sip:caller@example.net;tag=242etr',
  'Max-Forwards: 6',
  'Call-ID: bext01.0ha0isndaksdj',
  'Require: nothingSupportsThis, nothingSupportsThisEither',
  'Proxy-Require: noProxiesSupportThis, norDoAnyProxiesSupportThis',
  'CSeq: 8 OPTIONS',
  'Via: SIP/2.0/TLS fold-and-staple.example.com;branch=z9hG4bKkdjuw',
  'Content-Length: 0',
]);

export const invut = message(
  [
    'INVITE sip:user@example.com SIP/2.0',
    'Contact: <sip:caller@host5.example.net>',
    'To: sip:j.user@example.com',
    'From: sip:caller@example.net;tag=8392034',
    'Max-Forwards: 70',
    'Call-ID: invut.0ha0isndaksdjadsfij34n23d',
    'CSeq: 235448 INVITE',
    'Via: SIP/2.0/UDP somehost.example.com;branch=z9hG4bKkdjuw',
    'Content-Type: application/unknownformat',
    'Content-Length: 40',
  ],
  '<audio>\r\n <pcmu port="443"/>\r\n</audio>\r\n',
);

export const regaut01 = message([
  'REGISTER sip:example.com SIP/2.0',
  'To: sip:j.user@example.com',
  'From: sip:j.user@example.com;tag=87321hj23128',
  'Max-Forwards: 8',
  'Call-ID: regaut01.0ha0isndaksdj',
  'CSeq: 9338 REGISTER',
  'Via: SIP/2.0/TCP 192.0.2.253;branch=z9hG4bKkdjuw',
  'Authorization: NoOneKnowsThisScheme opaque-data=here',
  'Content-Length:0',
]);

export const multi01 = message(
  [
    'INVITE sip:user@company.com SIP/2.0',
    'Contact: <sip:caller@host25.example.net>',
    'Via: SIP/2.0/UDP 192.0.2.25;branch=z9hG4bKkdjuw',
    'Max-Forwards: 70',
    'CSeq: 5 INVITE',
    'Call-ID: multi01.98asdh@192.0.2.1',
    'CSeq: 59 INVITE',
    'Call-ID: multi01.98asdh@192.0.2.2',
    'From: sip:caller@example.com;tag=3413415',
    'To: sip:user@example.com',
    'To: sip:other@example.net',
    'From: sip:caller@example.net;tag=2923420123',
    'Content-Type: application/sdp',
    'l: 154',
    'Contact: <sip:caller@host36.example.net>',
    'Max-Forwards: 5',
  ],
  sdp('192.0.2.251', '192.0.2.251'),
);

export const mcl01 = message(
  [
    'OPTIONS sip:user@example.com SIP/2.0',
    'Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bK293423',
    'To: sip:user@example.com',
    'From: sip:other@example.net;tag=3923942',
    'Call-ID: mcl01.fhn2323orihawfdoa3o4r52o3irsdf',
    'CSeq: 15932 OPTIONS',
    'Content-Length: 13',
    'Max-Forwards: 60',
    'Content-Length: 5',
    'Content-Type: text/plain',
  ],
  "There's no way to know how many octets are supposed to be here.\r\n",
);

export const zeromf = message([
  'OPTIONS sip:user@example.com SIP/2.0',
  'To: sip:user@example.com',
  'From: sip:caller@example.net;tag=3ghsd41',
  'Call-ID: zeromf.jfasdlfnm2o2l43r5u0asdfas',
  'CSeq: 39234321 OPTIONS',
  'Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw2349i',
  'Max-Forwards: 0',
  'Content-Length: 0',
]);

export const cparam01 = message([
  'REGISTER sip:example.com SIP/2.0',
  'Via: SIP/2.0/UDP saturn.example.com:5060;branch=z9hG4bKkdjuw',
  'Max-Forwards: 70',
  'From: sip:watson@example.com;tag=DkfVgjkrtMwaerKKpe',
  'To: sip:watson@example.com',
  'Call-ID: cparam01.70710@saturn.example.com',
  'CSeq: 2 REGISTER',
  'Contact: sip:+19725552222@gw1.example.net;unknownparam',
  'l: 0',
]);

export const cparam02 = message([
  'REGISTER sip:example.com SIP/2.0',
  'Via: SIP/2.0/UDP saturn.example.com:5060;branch=z9hG4bKkdjuw',
  'Max-Forwards: 70',
  'From: sip:watson@example.com;tag=838293',
  'To: sip:watson@example.com',
  'Call-ID: cparam02.70710@saturn.example.com',
  'CSeq: 3 REGISTER',
  'Contact: <sip:+19725552222@gw1.example.net;unknownparam>',
  'l: 0',
]);

export const regescrt = message([
  'REGISTER sip:example.com SIP/2.0',
  'To: sip:user@example.com',
  'From: sip:user@example.com;tag=8',
  'Max-Forwards: 70',
  'Call-ID: regescrt.k345asrl3fdbv@192.0.2.1',
  'CSeq: 14398234 REGISTER',
  'Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw',
  'M: <sip:user@example.com?Route=%3Csip:sip.example.com%3E>',
  'L:0',
]);

export const inv2543 = message(
  [
    'INVITE sip:UserB@example.com SIP/2.0',
    'Via: SIP/2.0/UDP iftgw.example.com',
    'From: <sip:+13035551111@ift.client.example.net;user=phone>',
    'Record-Route: <sip:UserB@example.com;maddr=ss1.example.com>',
    'To: sip:+16505552222@ss1.example.net;user=phone',
    'Call-ID: inv2543.1717@ift.client.example.com',
    'CSeq: 56 INVITE',
    'Content-Type: application/sdp',
  ],
  ['v=0', 'o=mhandley 29739 7272939 IN IP4 192.0.2.5', 's=-', 'c=IN IP4 192.0.2.5', 't=0 0', 'm=audio 49217 RTP/AVP 0', ''].join(CRLF),
);
