import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metaFor, pageOf } from '../../src/http/pagination.ts';
import { ConfigError, resolveConfig } from '../../src/config.ts';

test('meta links keep filters and step by limit', () => {
  const m = metaFor('/v1/Account/MA/Call/?limit=5&offset=5&call_direction=inbound', { limit: 5, offset: 5 }, 12);
  assert.deepEqual(m, {
    limit: 5,
    offset: 5,
    next: '/v1/Account/MA/Call/?limit=5&offset=10&call_direction=inbound',
    previous: '/v1/Account/MA/Call/?limit=5&offset=0&call_direction=inbound',
    total_count: 12,
  });
  assert.equal(metaFor('/x/', { limit: 20, offset: 0 }, 20).next, null);
  assert.deepEqual(pageOf({}), { limit: 20, offset: 0 });
});

test('configuration: defaults, env, flags over env, and clear errors', () => {
  const d = resolveConfig({});
  assert.equal(d.port, 8080);
  assert.equal(d.host, '127.0.0.1');
  assert.equal(d.clock, 'real');
  assert.equal(d.telephony, 'sim');
  assert.match(d.dataDir, /\/data$/);
  const e = resolveConfig({ PORT: '9000', SWITCHBOARD_CLOCK: 'scaled', SWITCHBOARD_TIME_SCALE: '20' }, { port: '9100' });
  assert.equal(e.port, 9100);
  assert.equal(e.clock, 'scaled');
  assert.equal(e.timeScale, 20);
  assert.throws(() => resolveConfig({ SWITCHBOARD_CLOCK: 'fast' }), (err: Error) => err instanceof ConfigError && /real, scaled, virtual/.test(err.message));
  assert.throws(() => resolveConfig({ PORT: 'x' }), ConfigError);
  assert.throws(() => resolveConfig({ SWITCHBOARD_AUTH_ID: 'MAABCDEFGHIJKLMNOPQR' }), /both/);
  assert.throws(() => resolveConfig({ SWITCHBOARD_AUTH_ID: 'bad', SWITCHBOARD_AUTH_TOKEN: 'x'.repeat(40) }), /MA/);
});

test('configuration: the RTP port range', () => {
  assert.deepEqual(resolveConfig({}).rtpPorts, { min: 10000, max: 20000 });
  assert.deepEqual(resolveConfig({ SWITCHBOARD_RTP_PORTS: ' 30001 - 30003 ' }).rtpPorts, { min: 30001, max: 30003 });
  for (const bad of ['10000', '20000-10000', '80-90', '10000-70000', 'a-b', '10001-10002']) {
    assert.throws(() => resolveConfig({ SWITCHBOARD_RTP_PORTS: bad }), (err: Error) => err instanceof ConfigError && /such as 10000-20000/.test(err.message), bad);
  }
});

test('configuration: the media workers take real-time priority 10 by default, or the one set, or none', () => {
  assert.equal(resolveConfig({}).rtpRealtime, 10);
  assert.equal(resolveConfig({ SWITCHBOARD_RTP_REALTIME: 'AUTO' }).rtpRealtime, 10);
  assert.equal(resolveConfig({ SWITCHBOARD_RTP_REALTIME: 'off' }).rtpRealtime, 0);
  assert.equal(resolveConfig({ SWITCHBOARD_RTP_REALTIME: '45' }).rtpRealtime, 45);
  for (const bad of ['0', '100', 'on', '1.5', '-3']) {
    assert.throws(() => resolveConfig({ SWITCHBOARD_RTP_REALTIME: bad }), (err: Error) => err instanceof ConfigError && /auto.*off.*1 to 99/.test(err.message), bad);
  }
});

test('configuration: the Digest algorithms offered to endpoints, preferred first', () => {
  assert.deepEqual(resolveConfig({}).sipDigest, ['MD5']);
  assert.deepEqual(resolveConfig({ SWITCHBOARD_SIP_DIGEST: 'sha-256, md5' }).sipDigest, ['SHA-256', 'MD5']);
  for (const bad of ['SHA-1', 'MD5,MD5', 'MD5-sess', ',']) {
    assert.throws(() => resolveConfig({ SWITCHBOARD_SIP_DIGEST: bad }), (err: Error) => err instanceof ConfigError && /SHA-256,MD5/.test(err.message), bad);
  }
});

test('configuration: the hosts sip: URIs outside the SIP domain may be dialled at', () => {
  assert.deepEqual(resolveConfig({}).sipUriDomains, [], 'none unless the operator lists them');
  assert.deepEqual(resolveConfig({ SWITCHBOARD_SIP_URI_DOMAINS: ' PBX.Example.com, *.partner.example ,192.0.2.10,[2001:DB8::1],*' }).sipUriDomains, ['pbx.example.com', '*.partner.example', '192.0.2.10', '2001:db8::1', '*']);
  for (const bad of ['pbx example.com', '*.', 'a..b', 'sip:pbx.example.com']) {
    assert.throws(() => resolveConfig({ SWITCHBOARD_SIP_URI_DOMAINS: bad }), (err: Error) => err instanceof ConfigError && /SWITCHBOARD_SIP_URI_DOMAINS/.test(err.message), bad);
  }
});
