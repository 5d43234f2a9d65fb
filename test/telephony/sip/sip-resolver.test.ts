// Where a SIP URI outside the platform is called (RFC 3263 §4): IP
// addresses as given, host names with a port by A/AAAA, without one by SRV
// (priority, then weight) falling back to A/AAAA at 5060; the transport from
// the URI; sips: refused. DNS is a table here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUri, type SipUri } from '../../../src/telephony/sip/message/sip-uri.ts';
import { MAX_URI_TARGETS, resolveSipUri, type SipDns } from '../../../src/telephony/sip/sip-resolver.ts';

const table = (a: Record<string, string[]>, srv: Record<string, Array<{ name: string; port: number; priority: number; weight: number }>> = {}): SipDns & { asked: string[] } => {
  const asked: string[] = [];
  return {
    asked,
    lookup: async (host) => {
      asked.push(`A ${host}`);
      const found = a[host];
      if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return found.map((address) => ({ address }));
    },
    resolveSrv: async (name) => {
      asked.push(`SRV ${name}`);
      const found = srv[name];
      if (!found) throw Object.assign(new Error(`querySrv ENODATA ${name}`), { code: 'ENODATA' });
      return found;
    },
  };
};
const uri = (s: string) => parseUri(s) as SipUri;
const flows = async (s: string, dns: SipDns) => {
  const r = await resolveSipUri(uri(s), dns);
  assert.ok('flows' in r, JSON.stringify(r));
  return r.flows.map((f) => `${f.transport}:${f.address}:${f.port}`);
};

test('an IP address is called as given, port 5060 unless named; the transport parameter picks TCP; nothing is looked up', async () => {
  const dns = table({});
  assert.deepEqual(await flows('sip:bob@192.0.2.10', dns), ['udp:192.0.2.10:5060']);
  assert.deepEqual(await flows('sip:bob@192.0.2.10:5070;transport=tcp', dns), ['tcp:192.0.2.10:5070']);
  assert.deepEqual(await flows('sip:bob@[2001:db8::7]:5062', dns), ['udp:2001:db8::7:5062']);
  assert.deepEqual(dns.asked, []);
});

test('a host name with a port: its A/AAAA addresses at that port, no SRV', async () => {
  const dns = table({ 'pbx.example.com': ['192.0.2.20', '2001:db8::20'] });
  assert.deepEqual(await flows('sip:bob@pbx.example.com:5080', dns), ['udp:192.0.2.20:5080', 'udp:2001:db8::20:5080']);
  assert.deepEqual(dns.asked, ['A pbx.example.com']);
});

test('a host name without a port: SRV for the transport, lowest priority first, heavier weight first within it', async () => {
  const dns = table(
    { 'a.example.com': ['192.0.2.1'], 'b.example.com': ['192.0.2.2'], 'c.example.com': ['192.0.2.3'] },
    {
      '_sip._tcp.example.com': [
        { name: 'c.example.com', port: 5062, priority: 20, weight: 0 },
        { name: 'a.example.com', port: 5060, priority: 10, weight: 10 },
        { name: 'b.example.com', port: 5061, priority: 10, weight: 60 },
      ],
    },
  );
  assert.deepEqual(await flows('sip:bob@example.com;transport=tcp', dns), ['tcp:192.0.2.2:5061', 'tcp:192.0.2.1:5060', 'tcp:192.0.2.3:5062']);
});

test('no SRV records: A/AAAA at 5060; a name that does not resolve: no flows', async () => {
  const dns = table({ 'example.net': ['198.51.100.5'] });
  assert.deepEqual(await flows('sip:bob@example.net', dns), ['udp:198.51.100.5:5060']);
  assert.deepEqual(dns.asked, ['SRV _sip._udp.example.net', 'A example.net']);
  assert.deepEqual(await flows('sip:bob@nowhere.invalid', dns), []);
});

test(`at most ${MAX_URI_TARGETS} addresses are tried for one URI`, async () => {
  const many = Array.from({ length: 6 }, (_, i) => `192.0.2.${i + 1}`);
  assert.equal((await flows('sip:bob@big.example:5060', table({ 'big.example': many }))).length, MAX_URI_TARGETS);
});

test('sips: and transports other than UDP and TCP cannot be called', async () => {
  assert.deepEqual(await resolveSipUri(uri('sips:bob@192.0.2.10'), table({})), { unreachable: 'sips: needs TLS, which this server does not speak' });
  assert.deepEqual(await resolveSipUri(uri('sip:bob@192.0.2.10;transport=sctp'), table({})), { unreachable: 'transport=sctp is neither udp nor tcp' });
});
