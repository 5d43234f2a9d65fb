// Digest authentication: RFC 2617's worked example, our client against our
// server for both algorithms, nonce expiry (stale), replayed nonce counts,
// and the same outcome for an unknown user as for a wrong password.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/clock/clock.ts';
import { answerChallenge, digestResponse, ha1 } from '../../../src/telephony/sip/auth/digest.ts';
import { DigestServer, type CredentialLookup } from '../../../src/telephony/sip/auth/digest-server.ts';
import { parseAuth } from '../../../src/telephony/sip/message/sip-header-values.ts';
import { request } from './helpers.ts';
import type { SipRequest } from '../../../src/telephony/sip/message/sip-message.ts';

const REALM = 'switchboard.test';
const users: Record<string, string> = { alice260101: 'correct horse' };
const lookup: CredentialLookup<string> = async (username, realm) =>
  users[username] === undefined ? undefined : { ha1: { MD5: ha1('MD5', username, realm, users[username]!), 'SHA-256': ha1('SHA-256', username, realm, users[username]!) }, identity: `endpoint:${username}` };

function signed(server: DigestServer<string>, opts: { user?: string; password?: string; algorithm?: number; nc?: number; challenge?: string } = {}): SipRequest {
  const challenge = parseAuth(opts.challenge ?? server.challenge()[opts.algorithm ?? 0]!, 'WWW-Authenticate');
  const auth = answerChallenge(challenge, 'REGISTER', 'sip:switchboard.test', { username: opts.user ?? 'alice260101', password: opts.password ?? 'correct horse' }, opts.nc ?? 1)!;
  return request('REGISTER', { uri: 'sip:switchboard.test', extra: [`Authorization: ${auth}`] });
}

describe('digest', () => {
  test('RFC 2617 §3.5 example response', () => {
    const h = ha1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life');
    const r = digestResponse({ algorithm: 'MD5', ha1: h, method: 'GET', uri: '/dir/index.html', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', qop: { nc: '00000001', cnonce: '0a4f113b' } });
    assert.equal(r, '6629fae49393a05397450978507c4ef1');
  });

  test('RFC 7616 §3.9.1 example responses, SHA-256 and MD5', () => {
    const input = { method: 'GET', uri: '/dir/index.html', nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', qop: { nc: '00000001', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' } };
    const response = (algorithm: 'MD5' | 'SHA-256') => digestResponse({ ...input, algorithm, ha1: ha1(algorithm, 'Mufasa', 'http-auth@example.org', 'Circle of Life') });
    assert.equal(response('SHA-256'), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
    assert.equal(response('MD5'), '8ca523f5e9506fed4657c9700eebdbec');
  });

  test('MD5 alone by default; asked for both, SHA-256 is offered first, then MD5, with qop=auth; both verify', async () => {
    const clock = new VirtualClock(0);
    assert.equal(new DigestServer<string>({ realm: REALM, clock }).challenge().length, 1);
    const server = new DigestServer<string>({ realm: REALM, clock, algorithms: ['SHA-256', 'MD5'] });
    const [sha, md5] = server.challenge();
    assert.match(sha!, /^Digest realm="switchboard.test", nonce="[^"]+", algorithm=SHA-256, qop="auth"$/);
    assert.match(md5!, /algorithm=MD5/);
    for (const algorithm of [0, 1]) {
      const v = await server.verify(signed(server, { algorithm }), 'authorization', lookup);
      assert.deepEqual(v, { ok: true, username: 'alice260101', identity: 'endpoint:alice260101' });
    }
  });

  test('an endpoint without a SHA-256 secret (password set before it was kept): its SHA-256 answer is refused like a wrong password, its MD5 one accepted', async () => {
    const server = new DigestServer<string>({ realm: REALM, clock: new VirtualClock(0), algorithms: ['SHA-256', 'MD5'] });
    const md5Only: CredentialLookup<string> = async (username, realm) => ({ ha1: { MD5: ha1('MD5', username, realm, 'correct horse') }, identity: username });
    const sha = await server.verify(signed(server, { algorithm: 0 }), 'authorization', md5Only);
    assert.equal(sha.ok || sha.outcome, 'rejected');
    assert.match(!sha.ok ? sha.reason : '', /no SHA-256 secret for alice260101/);
    assert.equal((await server.verify(signed(server, { algorithm: 1 }), 'authorization', md5Only)).ok, true);
  });

  test('an unknown user and a wrong password get the same outcome; the reason tells them apart for the log', async () => {
    const server = new DigestServer<string>({ realm: REALM, clock: new VirtualClock(0), algorithms: ['SHA-256', 'MD5'] });
    const unknown = await server.verify(signed(server, { user: 'mallory' }), 'authorization', lookup);
    const wrong = await server.verify(signed(server, { password: 'battery staple' }), 'authorization', lookup);
    assert.equal(unknown.ok || unknown.outcome, 'rejected');
    assert.equal(wrong.ok || wrong.outcome, 'rejected');
    assert.match(!unknown.ok ? unknown.reason : '', /unknown user/);
    assert.match(!wrong.ok ? wrong.reason : '', /wrong password/);
  });

  test('an expired nonce with the right password is stale; a forged nonce is challenged afresh', async () => {
    const clock = new VirtualClock(0);
    const server = new DigestServer<string>({ realm: REALM, clock, nonceTtlMs: 60_000 });
    const req = signed(server);
    await clock.advance(60_001);
    const v = await server.verify(req, 'authorization', lookup);
    assert.equal(!v.ok && v.outcome, 'stale');
    const forged = signed(server, { challenge: `Digest realm="${REALM}", nonce="abc.def.ghi", qop="auth"` });
    const f = await server.verify(forged, 'authorization', lookup);
    assert.equal(!f.ok && f.outcome, 'challenge');
  });

  test('a nonce count is accepted once and must grow: a replay is refused as stale', async () => {
    const server = new DigestServer<string>({ realm: REALM, clock: new VirtualClock(0), algorithms: ['SHA-256', 'MD5'] });
    const challenge = server.challenge()[0]!;
    const first = signed(server, { challenge, nc: 1 });
    assert.equal((await server.verify(first, 'authorization', lookup)).ok, true);
    const replay = await server.verify(first, 'authorization', lookup);
    assert.equal(!replay.ok && replay.outcome, 'stale');
    assert.equal((await server.verify(signed(server, { challenge, nc: 2 }), 'authorization', lookup)).ok, true);
    assert.equal((await server.verify(signed(server, { challenge, nc: 2 }), 'authorization', lookup)).ok, false);
  });

  test('credentials without qop, for another realm or of another scheme are challenged', async () => {
    const server = new DigestServer<string>({ realm: REALM, clock: new VirtualClock(0), algorithms: ['SHA-256', 'MD5'] });
    const noQop = signed(server, { challenge: server.challenge()[1]!.replace(', qop="auth"', '') });
    assert.equal((await server.verify(noQop, 'authorization', lookup)).ok || 'challenged', 'challenged');
    const other = request('REGISTER', { extra: ['Authorization: NoOneKnowsThisScheme opaque-data=here'] });
    const v = await server.verify(other, 'authorization', lookup);
    assert.equal(!v.ok && v.outcome, 'challenge');
  });
});
