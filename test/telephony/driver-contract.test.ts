// What every telephony driver must do, run for every driver (as kysely runs
// each test for every dialect): the order of a leg's events and their causes,
// originate outcomes, hanging up from either side, DTMF both ways, SIP
// headers both ways, and the audio-out queue's timing (send, clear, mix).
// Each driver brings a test adapter with a far-end controller (far-end.ts);
// add it to DRIVERS to hold it to the contract.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndedBy, FrameRun, InboundInfo, Leg, LegObserver, NetworkCause } from '../../src/telephony/driver.ts';
import { renderTone } from '../../src/media/tones.ts';
import { newUuid } from '../../src/ids.ts';
import type { DriverUnderTest, HeardSound } from './far-end.ts';
import { simDriver } from './sim/sim-far-end.ts';
import { sipDriver } from './sip/sip-far-end.ts';

const DRIVERS: Array<{ name: string; make: () => Promise<DriverUnderTest> }> = [
  { name: 'sim', make: simDriver },
  { name: 'sip', make: sipDriver },
];

const PHONE = '14155550100';
const PLATFORM = '15550001111';
const TENANT = { accountId: 'MA00000000000000000000', subaccountId: null };

type Seen = { at: number; what: string };

/** The engine's side of a leg: what it was told, at what platform time. */
function observer(d: DriverUnderTest): LegObserver & { seen: Seen[]; states(): string[]; digits(): string } {
  const seen: Seen[] = [];
  const push = (what: string) => seen.push({ at: d.now(), what });
  return {
    seen,
    states: () => seen.filter((s) => !s.what.startsWith('dtmf')).map((s) => s.what),
    digits: () => seen.flatMap((s) => (s.what.startsWith('dtmf ') ? [s.what.slice(5)] : [])).join(''),
    ringing: () => push('ringing'),
    earlyMedia: () => push('early'),
    answered: () => push('answered'),
    ended: (_leg: Leg, cause: NetworkCause, by: EndedBy) => push(`ended ${cause} by ${by}`),
    dtmf: (_leg: Leg, digit: string) => push(`dtmf ${digit}`),
    audio: () => {},
  };
}

/** A tone the far end can tell apart by its frequency. */
const tone = (hz: number, ms: number): FrameRun => ({ samples: renderTone([hz], 0.3, ms, false), annotation: { type: 'tone', name: `${hz}Hz`, frequencies: [hz] } });

function originate(d: DriverUnderTest, sipHeaders: Record<string, string> = {}) {
  const o = observer(d);
  const leg = d.driver.originate({ uuid: newUuid(), tenant: TENANT, from: PLATFORM, to: PHONE, callerName: 'Shop', sipHeaders }, o);
  return { leg, o };
}

/** `actual` within `tolerance` ms of `expected`. */
function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual}, expected ${expected} ± ${tolerance}`);
}

/**
 * The sounds the far end of `leg` heard, and how far their times may be
 * off: the adapter's tolerance plus the audio the media dropped since
 * `lostBefore` (d.lostMs() before they were sent) for running too late. A
 * gap no longer than that between two sounds of one tone is the machine's,
 * not the driver's: they count as one.
 */
async function heard(d: DriverUnderTest, leg: Leg, lostBefore: number): Promise<{ sounds: HeardSound[]; tolerance: number; lost: number }> {
  const sounds = await d.farEnd.soundsHeard(leg.uuid);
  const lost = (await d.lostMs()) - lostBefore;
  const merged: HeardSound[] = [];
  for (const s of sounds) {
    const prev = merged.at(-1);
    if (prev && prev.label === s.label && s.at - (prev.at + prev.ms) <= lost) merged[merged.length - 1] = { ...prev, ms: s.at + s.ms - prev.at };
    else merged.push(s);
  }
  return { sounds: merged, tolerance: d.toleranceMs + lost, lost };
}

/** Audio a stalled machine made the media drop beyond this (ms) spoils a timing measurement: it proves nothing either way and is taken again. */
const SPOILED_MS = 200;
/** Tries at a measurement before a spoiled one is judged as it is. */
const TRIES = 3;

function assertSounds(actual: HeardSound[], expected: HeardSound[], tolerance: number): void {
  assert.deepEqual(actual.map((s) => s.label), expected.map((s) => s.label), 'the sounds heard, in order');
  actual.forEach((s, i) => {
    near(s.at, expected[i]!.at, tolerance, `${s.label} started`);
    near(s.ms, expected[i]!.ms, tolerance, `${s.label} lasted`);
  });
}

async function answeredLeg(d: DriverUnderTest) {
  d.farEnd.expect(PHONE, 'answer', 1000);
  const call = originate(d);
  await d.advance(1000);
  assert.deepEqual(call.o.states(), ['ringing', 'answered']);
  return call;
}

for (const { name, make: start } of DRIVERS) {
  describe(`telephony driver contract: ${name}`, () => {
    // A failed assertion must not leave a driver (and its sockets and workers) running.
    const open: DriverUnderTest[] = [];
    const make = async () => {
      const d = await start();
      open.push(d);
      return d;
    };
    afterEach(() => Promise.all(open.splice(0).map((d) => d.close())));

    test('an outbound leg rings, is answered, and ends when the far end hangs up; the far end got the SIP headers', async () => {
      const d = await make();
      d.farEnd.expect(PHONE, 'answer', 2000);
      const { leg, o } = originate(d, { Order: '42' });
      const start = d.now();
      await d.advance(3000);
      assert.deepEqual(await d.farEnd.headersReceived(leg.uuid), { Order: '42' });
      assert.deepEqual(o.seen.map((s) => s.what), ['ringing', 'answered']);
      near(o.seen[1]!.at - start, 2000, d.toleranceMs, 'answered when the far end picked up');
      assert.equal(leg.state, 'answered');
      d.farEnd.hangUp(leg.uuid);
      await d.advance(0);
      assert.deepEqual(o.states(), ['ringing', 'answered', 'ended NORMAL_CLEARING by far_end']);
      assert.equal(leg.state, 'ended');
      await d.close();
    });

    test('originate outcomes end the leg with their cause and are never answered', async () => {
      const d = await make();
      const cases = [
        ['busy', 'USER_BUSY'],
        ['no_answer', 'NO_ANSWER'],
        ['reject', 'CALL_REJECTED'],
        ['unreachable', 'DESTINATION_OUT_OF_ORDER'],
      ] as const;
      for (const [outcome, cause] of cases) {
        d.farEnd.expect(PHONE, outcome, 1000);
        const { o } = originate(d);
        await d.advance(2000);
        const states = o.states();
        assert.equal(states.at(-1), `ended ${cause} by far_end`, outcome);
        assert.ok(!states.includes('answered'), `${outcome} is never answered`);
        if (outcome === 'no_answer' || outcome === 'reject') assert.equal(states[0], 'ringing', `${outcome} rings first`);
      }
      await d.close();
    });

    test('the platform hangs up: a ringing leg is cancelled, an answered one cleared, each reported as ended by the platform once', async () => {
      const d = await make();
      d.farEnd.expect(PHONE, 'answer', 2000);
      const ringing = originate(d);
      await d.advance(500);
      ringing.leg.hangup('ORIGINATOR_CANCEL');
      ringing.leg.hangup('ORIGINATOR_CANCEL');
      await d.advance(0);
      assert.deepEqual(ringing.o.states(), ['ringing', 'ended ORIGINATOR_CANCEL by platform']);
      const answered = await answeredLeg(d);
      answered.leg.hangup('NORMAL_CLEARING');
      await d.advance(0);
      assert.deepEqual(answered.o.states(), ['ringing', 'answered', 'ended NORMAL_CLEARING by platform']);
      await d.close();
    });

    test('an inbound leg is announced with its caller and headers, rings, opens early media the caller hears, and is answered', async () => {
      const d = await make();
      const arrived: Array<{ leg: Leg; info: InboundInfo }> = [];
      d.driver.onInbound((leg, info) => arrived.push({ leg, info }));
      d.farEnd.call(PHONE, PLATFORM, { Ref: 'abc' });
      await d.advance(0);
      assert.equal(arrived.length, 1);
      const { leg, info } = arrived[0]!;
      assert.equal(leg.direction, 'inbound');
      assert.equal(leg.from, PHONE);
      assert.equal(leg.to, PLATFORM);
      assert.deepEqual(info.sipHeaders, { Ref: 'abc' });
      const o = observer(d);
      leg.attach(o);
      leg.ring();
      assert.equal(leg.state, 'ringing');
      leg.preAnswer();
      assert.equal(leg.state, 'early');
      const lostBefore = await d.lostMs();
      leg.audio.send(tone(440, 200));
      await d.advance(200);
      leg.answer();
      await d.advance(0);
      assert.equal(leg.state, 'answered');
      assert.deepEqual(o.states(), ['answered']);
      assert.deepEqual((await heard(d, leg, lostBefore)).sounds.map((s) => s.label), ['440Hz'], 'heard in early media');
      d.farEnd.hangUp(leg.uuid);
      await d.advance(0);
      assert.deepEqual(o.states(), ['answered', 'ended NORMAL_CLEARING by far_end']);
      await d.close();
    });

    test('DTMF both ways: keys the far end presses arrive in order; keys the platform sends are heard', async () => {
      const d = await make();
      const { leg, o } = await answeredLeg(d);
      d.farEnd.press(leg.uuid, '12#');
      await d.advance(2000);
      await d.arrived(() => o.digits().length >= 3);
      assert.equal(o.digits(), '12#');
      const sentBy = leg.sendDigits('34', 100);
      assert.ok(sentBy > d.now(), 'sending keys takes time');
      await d.advance(sentBy - d.now());
      assert.equal(await d.farEnd.digitsHeard(leg.uuid), '34');
      await d.close();
    });

    test('audio out: sends play back to back, clear drops what has not played, mix plays over the queue without moving it', async () => {
      const d = await make();
      for (let attempt = 1; ; attempt++) {
        const { leg } = await answeredLeg(d);
        const lostBefore = await d.lostMs();
        const t0 = d.now();
        const offset = t0 - leg.startedAt;
        // On a real clock a millisecond may pass between reading the time and sending.
        const first = leg.audio.send(tone(500, 1000));
        near(first, t0 + 1000, d.toleranceMs, 'an idle leg plays a run from now');
        assert.equal(leg.audio.send(tone(700, 1000)), first + 1000, 'runs play back to back');
        assert.equal(leg.audio.playingUntil, first + 1000);
        await d.advance(300);
        // On a real clock a loaded machine may wake later than asked: expect the cut where the clear really came.
        const clearedAfter = d.now() - first + 1000;
        assert.ok(clearedAfter < 1000, `the clear came while the first run played (${clearedAfter} ms in)`);
        leg.audio.clear();
        assert.ok(leg.audio.playingUntil <= d.now(), 'nothing queued after a clear');
        leg.audio.mix(tone(900, 400));
        assert.ok(leg.audio.playingUntil <= d.now(), 'a mixed run does not move the queue');
        await d.advance(800);
        const { sounds, tolerance, lost } = await heard(d, leg, lostBefore);
        leg.hangup('NORMAL_CLEARING');
        // A machine that stalled the media longer spoiled this try (whole runs can be dropped): it is made again on a new leg.
        if (lost > SPOILED_MS && attempt < TRIES) continue;
        assertSounds(
          sounds,
          [
            { at: offset, ms: clearedAfter, label: '500Hz' },
            { at: offset + clearedAfter, ms: 400, label: '900Hz' },
          ],
          tolerance,
        );
        break;
      }
      await d.close();
    });
  });
}
