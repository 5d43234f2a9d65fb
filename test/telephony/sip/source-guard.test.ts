// Scanner user agents, floods and password guessing get a source blocked
// for a while; blocked sources are dropped unread; trusted sources never are.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../../src/clock/clock.ts';
import { SourceGuard } from '../../../src/telephony/sip/security/source-guard.ts';

function setup() {
  const clock = new VirtualClock(0);
  const logs: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  const logger = { warn: (fields: Record<string, unknown>, msg: string) => logs.push({ fields, msg }), info: (fields: Record<string, unknown>, msg: string) => logs.push({ fields, msg }) };
  const guard = new SourceGuard({ clock, logger: { ...logger, error: () => undefined, debug: () => undefined }, ratePerSecond: 10, burst: 20, maxAuthFailures: 5, blockMs: 3600_000, floodBlockMs: 60_000, trusted: (a) => a === '198.51.100.1' });
  return { clock, guard, logs };
}

describe('source guard', () => {
  test('a scanner user agent blocks its source at once, logged with the source', () => {
    const { guard, logs } = setup();
    assert.equal(guard.admit('203.0.113.66', 'OPTIONS', 'friendly-scanner'), false);
    assert.equal(guard.isBlocked('203.0.113.66'), true);
    assert.deepEqual(logs[0]!.fields, { source: '203.0.113.66', method: 'OPTIONS', reason: 'scanner user agent "friendly-scanner"', blocked_for_s: 3600 });
  });

  test('a flood past the burst blocks the source for the flood time; it comes back after', async () => {
    const { clock, guard } = setup();
    let admitted = 0;
    for (let i = 0; i < 50; i++) if (guard.admit('203.0.113.7', 'REGISTER', 'phone')) admitted++;
    assert.equal(admitted, 20);
    assert.equal(guard.isBlocked('203.0.113.7'), true);
    await clock.advance(60_001);
    assert.equal(guard.isBlocked('203.0.113.7'), false);
    assert.equal(guard.admit('203.0.113.7', 'REGISTER', 'phone'), true);
  });

  test('a steady rate under the limit is never blocked', async () => {
    const { clock, guard } = setup();
    for (let i = 0; i < 200; i++) {
      assert.equal(guard.admit('203.0.113.8', 'OPTIONS', undefined), true);
      await clock.advance(100);
    }
  });

  test('repeated authentication failures block the source; trusted sources are never limited', () => {
    const { guard } = setup();
    for (let i = 0; i < 5; i++) guard.authFailed('203.0.113.9', `user${i}`);
    assert.equal(guard.isBlocked('203.0.113.9'), true);
    for (let i = 0; i < 100; i++) assert.equal(guard.admit('198.51.100.1', 'INVITE', 'sipvicious'), true);
    assert.deepEqual(guard.blocked(), ['203.0.113.9']);
  });
});
