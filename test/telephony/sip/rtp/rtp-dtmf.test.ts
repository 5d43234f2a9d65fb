// RFC 4733 events: payload layout and the receiver's one-report-per-key rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digitOf, DtmfReceiver, eventOf, writeEvent } from '../../../../src/telephony/sip/rtp/rtp-dtmf.ts';

const payload = (event: number, end: boolean, duration: number) => {
  const p = new Uint8Array(4);
  writeEvent(p, 0, event, end, duration);
  return p;
};

test('keys map to event codes 0-15 and back', () => {
  assert.deepEqual([...'0123456789*#ABCD'].map(eventOf), [...Array(16).keys()]);
  assert.equal(eventOf('a'), 12);
  assert.equal(digitOf(11), '#');
  assert.equal(digitOf(16), null, 'flash is not a key');
  assert.throws(() => eventOf('x'), /not a DTMF key/);
});

test('payload: event, end bit, volume 10, duration capped at 16 bits', () => {
  assert.deepEqual([...payload(5, false, 800)], [5, 10, 0x03, 0x20]);
  assert.deepEqual([...payload(11, true, 1600)], [11, 0x80 | 10, 0x06, 0x40]);
  assert.deepEqual([...payload(1, true, 100_000)], [1, 0x8a, 0xff, 0xff]);
});

test('a key is reported once per event timestamp: continuations, end repeats and duplicates are not', () => {
  const rx = new DtmfReceiver();
  const seen: (string | null)[] = [];
  const packets: [number, Uint8Array][] = [
    [1000, payload(1, false, 160)],
    [1000, payload(1, false, 320)],
    [1000, payload(1, false, 320)], // duplicate
    [1000, payload(1, true, 800)],
    [1000, payload(1, true, 800)],
    [1000, payload(1, true, 800)],
    [2600, payload(1, true, 800)], // the same key again, only its end packets arrived
    [4200, payload(16, false, 160)], // flash
    [5800, payload(11, false, 160)],
  ];
  for (const [ts, p] of packets) seen.push(rx.receive(ts, p));
  assert.deepEqual(seen.filter((d) => d !== null), ['1', '1', '#']);
});
