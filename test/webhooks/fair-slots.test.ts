// Slots to customer servers: a budget per route and per host, call set-up
// before queued callbacks, routes taking turns, aborted waiters forgotten.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FairSlots, type Priority } from '../../src/webhooks/fair-slots.ts';

const url = (path: string, origin = 'http://app.example') => new URL(path, origin);

/** Acquire and record the order in which slots are granted. */
function recorder(slots: FairSlots) {
  const granted: string[] = [];
  const releases = new Map<string, () => void>();
  const ask = (name: string, path: string, priority: Priority = 'critical', signal = new AbortController().signal, origin?: string) =>
    slots.acquire(url(path, origin), priority, signal).then((release) => {
      granted.push(name);
      releases.set(name, release);
    });
  const release = async (name: string) => {
    releases.get(name)!();
    await new Promise((r) => setImmediate(r));
  };
  return { granted, ask, release, settle: () => new Promise((r) => setImmediate(r)) };
}

describe('fair slots', () => {
  test('a route at its limit queues only its own requests', async () => {
    const r = recorder(new FairSlots({ perRoute: 2, perHost: 50 }));
    void r.ask('slow1', '/slow');
    void r.ask('slow2', '/slow');
    void r.ask('slow3', '/slow');
    void r.ask('answer1', '/answer');
    void r.ask('other-host', '/slow', 'critical', undefined, 'http://other.example');
    await r.settle();
    assert.deepEqual(r.granted, ['slow1', 'slow2', 'answer1', 'other-host']);
    await r.release('slow1');
    assert.deepEqual(r.granted.at(-1), 'slow3');
  });

  test('call set-up goes before queued callbacks, and queued callbacks hold at most half of a host', async () => {
    const r = recorder(new FairSlots({ perRoute: 10, perHost: 4 }));
    for (const n of [1, 2, 3]) void r.ask(`hangup${n}`, '/hangup', 'queued');
    await r.settle();
    assert.deepEqual(r.granted, ['hangup1', 'hangup2'], 'half of the host for queued callbacks');
    void r.ask('answer1', '/answer');
    void r.ask('answer2', '/answer');
    void r.ask('answer3', '/answer');
    await r.settle();
    assert.deepEqual(r.granted, ['hangup1', 'hangup2', 'answer1', 'answer2'], 'the host is full');
    await r.release('hangup1');
    assert.equal(r.granted.at(-1), 'answer3', 'the waiting set-up goes first');
    await r.release('answer1');
    assert.equal(r.granted.at(-1), 'hangup3');
  });

  test('routes of a full host take turns', async () => {
    const r = recorder(new FairSlots({ perRoute: 10, perHost: 1 }));
    for (const name of ['a1', 'a2', 'a3']) void r.ask(name, '/a');
    void r.ask('b1', '/b');
    await r.settle();
    for (const name of ['a1', 'a2', 'b1']) await r.release(name);
    assert.deepEqual(r.granted, ['a1', 'a2', 'b1', 'a3']);
  });

  test('a waiter that gives up is forgotten and takes no slot', async () => {
    const r = recorder(new FairSlots({ perRoute: 1, perHost: 50 }));
    void r.ask('first', '/x');
    const giveUp = new AbortController();
    const abandoned = r.ask('abandoned', '/x', 'critical', giveUp.signal);
    void r.ask('next', '/x');
    giveUp.abort(new Error('shutting down'));
    await assert.rejects(abandoned, /shutting down/);
    await r.release('first');
    assert.deepEqual(r.granted, ['first', 'next']);
  });
});
