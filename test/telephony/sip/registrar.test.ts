// Bindings on the virtual clock: expiry from the header or the contact,
// clamps and 423, removal by expires=0 and by `*`, Call-ID/CSeq ordering,
// the flow kept for NAT, and every change reported.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/clock/clock.ts';
import { Registrar, type Binding } from '../../../src/telephony/sip/registrar/registrar.ts';
import { PHONE, request } from './helpers.ts';

function setup(opts: { minExpires?: number; maxExpires?: number } = {}) {
  const clock = new VirtualClock(0);
  const changes: Array<[string, Binding[]]> = [];
  const registrar = new Registrar({ clock, changed: (aor, b) => changes.push([aor, [...b]]), ...opts });
  const register = (extra: string[], cseq = 1, callId = 'reg-1') => registrar.register(request('REGISTER', { cseq, callId, extra }), 'alice', PHONE);
  return { clock, registrar, changes, register };
}

describe('registrar', () => {
  test('a binding with its contact, user agent and flow, answered with its remaining expiry; it lapses on time', async () => {
    const { clock, registrar, changes, register } = setup();
    const out = register(['Contact: <sip:alice@10.0.0.7:5062;transport=udp>', 'Expires: 600', 'User-Agent: baresip v1.0.0']);
    assert.equal(out.status, 200);
    assert.deepEqual('headers' in out && out.headers[0], ['contact', '<sip:alice@10.0.0.7:5062;transport=udp>;expires=600']);
    const [b] = registrar.lookup('alice');
    assert.equal(b!.userAgent, 'baresip v1.0.0');
    assert.deepEqual(b!.flow, PHONE, 'reached through the flow it registered from');
    assert.equal(b!.expiresAt, 600_000);
    await clock.advance(599_999);
    assert.equal(registrar.lookup('alice').length, 1);
    await clock.advance(1);
    assert.equal(registrar.lookup('alice').length, 0);
    assert.deepEqual(changes.map(([, b]) => b.length), [1, 0]);
  });

  test('the contact expires parameter wins over the header; long expiries are shortened, short ones get 423 Min-Expires', () => {
    const { registrar, register } = setup({ minExpires: 60, maxExpires: 3600 });
    register(['Contact: <sip:alice@10.0.0.7>;expires=120', 'Expires: 900']);
    assert.equal(registrar.lookup('alice')[0]!.expiresAt, 120_000);
    register(['Contact: <sip:alice@10.0.0.7>', 'Expires: 86400'], 2);
    assert.equal(registrar.lookup('alice')[0]!.expiresAt, 3600_000);
    const brief = register(['Contact: <sip:alice@10.0.0.7>', 'Expires: 30'], 3);
    assert.equal(brief.status, 423);
    assert.deepEqual('headers' in brief && brief.headers, [['min-expires', '60']]);
  });

  test('Expires: 0 removes one contact; * with Expires: 0 removes all; * without it is refused', () => {
    const { registrar, register } = setup();
    register(['Contact: <sip:alice@10.0.0.7>, <sip:alice@10.0.0.8>']);
    assert.equal(registrar.lookup('alice').length, 2);
    register(['Contact: <sip:alice@10.0.0.7>;expires=0'], 2);
    assert.deepEqual(registrar.lookup('alice').map((b) => b.contact), ['sip:alice@10.0.0.8']);
    assert.equal(register(['Contact: *'], 3).status, 400);
    assert.equal(register(['Contact: *', 'Expires: 0'], 4).status, 200);
    assert.equal(registrar.lookup('alice').length, 0);
  });

  test('a REGISTER with an older CSeq in the same Call-ID is refused; a query without Contact lists the bindings', () => {
    const { register } = setup();
    register(['Contact: <sip:alice@10.0.0.7>'], 5);
    assert.equal(register(['Contact: <sip:alice@10.0.0.7>'], 4).status, 500);
    assert.equal(register(['Contact: <sip:alice@10.0.0.7>'], 3, 'another-call-id').status, 200);
    const q = register([], 9, 'another-call-id');
    assert.equal(q.status, 200);
    assert.equal('headers' in q && q.headers.filter(([n]) => n === 'contact').length, 1);
  });

  test('RFC 4475 cparam01/cparam02: header and URI parameters of a contact are told apart; unknown URI parameters do not make another binding', () => {
    const { registrar, register } = setup();
    register(['Contact: sip:+19725552222@gw1.example.net;unknownparam']);
    assert.equal(registrar.lookup('alice')[0]!.contact, 'sip:+19725552222@gw1.example.net');
    register(['Contact: <sip:+19725552222@gw1.example.net;unknownparam>'], 2);
    assert.deepEqual(registrar.lookup('alice').map((b) => b.contact), ['sip:+19725552222@gw1.example.net;unknownparam']);
  });
});
