// The sandbox carrier's loop-back: a call the platform places to one of its
// own numbers comes back in as an inbound call to that number, and the two
// legs are each other's far end — the inbound leg's progress is the
// caller's, audio reaches the other side when it starts playing, keys are
// key presses, and either hanging up ends the other.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TimerGroup, VirtualClock } from '../../../src/clock/clock.ts';
import type { EndedBy, FrameRun, InboundInfo, LegObserver, NetworkCause } from '../../../src/telephony/driver.ts';
import { DEFAULT_PHONE } from '../../../src/telephony/sim/behaviour.ts';
import { SimCarrier } from '../../../src/telephony/sim/carrier.ts';
import type { SimLeg } from '../../../src/telephony/sim/leg.ts';

const SHOP = '15550002222';
const OWNER = { accountId: 'MA11111111111111111111', subaccountId: null };
const CALLER = { accountId: 'MA22222222222222222222', subaccountId: null };
const T0 = Date.UTC(2026, 0, 1);

type Happening =
  | { type: 'ringing' | 'early' | 'answered' }
  | { type: 'ended'; cause: NetworkCause; by: EndedBy }
  | { type: 'dtmf'; digit: string }
  | { type: 'audio'; run: FrameRun; start: number };
type Event = { at: number } & Happening;

type Recorder = LegObserver & { events: Event[] };

/** What the engine would see of a leg, at the platform time (ms from the start) each event arrived. */
function recorder(clock: VirtualClock): Recorder {
  const events: Event[] = [];
  const push = (e: Happening) => events.push({ ...e, at: clock.now() - T0 });
  return {
    events,
    ringing: () => push({ type: 'ringing' }),
    earlyMedia: () => push({ type: 'early' }),
    answered: () => push({ type: 'answered' }),
    ended: (_l, cause, by) => push({ type: 'ended', cause, by }),
    dtmf: (_l, digit) => push({ type: 'dtmf', digit }),
    audio: (_l, run, start) => push({ type: 'audio', run, start: start - T0 }),
  };
}

const ms = (n: number) => new Int16Array(n * 8);
const speak = (text: string, n: number): FrameRun => ({ samples: ms(n), annotation: { type: 'speak', text, voice: 'WOMAN', language: 'en-US' } });
const heardBy = (o: Recorder) =>
  o.events.flatMap((e) => (e.type === 'audio' ? [{ what: e.run.annotation?.type === 'speak' ? e.run.annotation.text : e.run.annotation?.type, start: e.start, at: e.at }] : []));
const states = (o: Recorder) => o.events.filter((e) => e.type !== 'audio' && e.type !== 'dtmf').map((e) => (e.type === 'ended' ? `ended ${e.cause} ${e.by}` : `${e.type}@${e.at}`));

function setup() {
  const clock = new VirtualClock(T0);
  const timers = new TimerGroup(clock);
  const carrier = new SimCarrier({
    timers,
    directory: { behaviourOf: async () => DEFAULT_PHONE },
    platformOwner: async (n) => (n === SHOP ? OWNER : undefined),
    media: { speech: async (text) => ms(text.length * 10), audioFile: async () => ms(100) },
    onError: (_leg, err) => {
      throw err;
    },
  });
  const announced: Array<{ leg: SimLeg; info: InboundInfo; observer: Recorder }> = [];
  carrier.onInbound((leg, info) => {
    const observer = recorder(clock);
    leg.attach(observer);
    announced.push({ leg: leg as SimLeg, info, observer });
  });
  /** The platform calls `to`; once the carrier has looked the number up, the inbound side (if any) is announced. */
  const call = async (to: string) => {
    const observer = recorder(clock);
    const out = carrier.originate({ uuid: crypto.randomUUID(), tenant: CALLER, from: '14155550123', to, callerName: 'Shopper', sipHeaders: { 'X-PH-Cart': '42' } }, observer);
    await clock.quiesce();
    return { out: out as SimLeg, observer, inbound: announced.find((a) => a.leg.to === to && a.leg.from === out.from && !a.leg.endedAt) };
  };
  /** Call the shop and have its platform answer. */
  const answeredCall = async () => {
    const c = await call(SHOP);
    c.inbound!.leg.ring();
    c.inbound!.leg.answer();
    await clock.quiesce();
    return { ...c, inbound: c.inbound! };
  };
  return { clock, carrier, call, answeredCall, announced };
}

describe('sandbox carrier loop-back', () => {
  test('a call to a platform number is announced as an inbound call to it; the inbound leg’s progress is the caller’s', async () => {
    const { clock, call } = setup();
    const { out, observer, inbound } = await call(SHOP);
    assert.ok(inbound, 'the platform number took the call in');
    assert.equal(inbound.leg.direction, 'inbound');
    assert.equal(inbound.leg.from, '14155550123');
    assert.equal(inbound.leg.to, SHOP);
    assert.notEqual(inbound.leg.uuid, out.uuid);
    assert.deepEqual(inbound.leg.tenant, OWNER, "the number owner's traffic");
    assert.deepEqual(inbound.info, { sipHeaders: { 'X-PH-Cart': '42' }, callerName: 'Shopper' });
    assert.equal(out.state, 'trying');

    inbound.leg.ring();
    await clock.advance(2000);
    inbound.leg.preAnswer();
    await clock.advance(1000);
    inbound.leg.answer();
    await clock.quiesce();
    assert.deepEqual(states(observer), ['ringing@0', 'early@2000', 'answered@3000']);
    assert.equal(out.state, 'answered');
    assert.deepEqual(states(inbound.observer), ['answered@3000']);
    assert.deepEqual(
      out.transcript().map((e) => e.type),
      ['answered'],
      'the called side answered',
    );
  });

  test('audio reaches the other side when it starts playing; what is cut before it starts never does, silence is not sent', async () => {
    const { clock, answeredCall } = setup();
    const { out, inbound, observer } = await answeredCall();
    out.audio.send(speak('calling the shop', 1000));
    out.audio.send({ samples: ms(300) });
    out.audio.send(speak('second prompt', 500));
    await clock.advance(1100);
    out.audio.send(speak('cut short', 1000));
    out.audio.send(speak('never heard', 1000));
    await clock.advance(1000);
    out.audio.clear();
    await clock.advance(5000);
    assert.deepEqual(heardBy(inbound.observer), [
      { what: 'calling the shop', start: 0, at: 0 },
      { what: 'second prompt', start: 1300, at: 1300 },
      { what: 'cut short', start: 1800, at: 1800 },
    ]);
    inbound.leg.audio.send(speak('welcome to the shop', 800));
    await clock.advance(1000);
    assert.deepEqual(heardBy(observer), [{ what: 'welcome to the shop', start: 7100, at: 7100 }]);

    // Each transcript has what its leg was sent, and what the other side said as the far end's own words.
    const said = (l: SimLeg) => l.transcript().flatMap((e) => (e.type === 'said' ? [e.text] : []));
    const heard = (l: SimLeg) => l.transcript().flatMap((e) => (e.type === 'speak' ? [e.text] : []));
    assert.deepEqual(heard(out), ['calling the shop', 'second prompt', 'cut short']);
    assert.deepEqual(said(out), ['welcome to the shop']);
    assert.deepEqual(heard(inbound.leg), ['welcome to the shop']);
    assert.deepEqual(said(inbound.leg), ['calling the shop', 'second prompt', 'cut short']);
  });

  test('keys sent on one leg are key presses on the other, each when its tone ends', async () => {
    const { clock, answeredCall } = setup();
    const { out, inbound, observer } = await answeredCall();
    assert.equal(out.sendDigits('12', 200), T0 + 600, 'two tones and their gaps');
    await clock.advance(1000);
    const keys = (o: Recorder) => o.events.flatMap((e) => (e.type === 'dtmf' ? [`${e.digit}@${e.at}`] : []));
    assert.deepEqual(keys(inbound.observer), ['1@200', '2@500']);
    assert.deepEqual(heardBy(inbound.observer), [], 'keys are not audio');
    assert.deepEqual(
      inbound.leg.transcript().filter((e) => e.type === 'dtmf_sent').map((e) => e.type === 'dtmf_sent' && e.digits),
      ['1', '2'],
    );
    inbound.leg.sendDigits('9', 100);
    await clock.advance(1000);
    assert.deepEqual(keys(observer), ['9@1100']);
  });

  test('hanging up either leg ends the other: normal clearing once answered', async () => {
    const a = setup();
    const first = await a.answeredCall();
    first.out.hangup('NORMAL_CLEARING');
    await a.clock.quiesce();
    assert.deepEqual(states(first.inbound.observer).at(-1), 'ended NORMAL_CLEARING far_end');
    assert.equal(first.observer.events.at(-1)!.type, 'ended', 'the platform ending its own leg is told too');

    const second = await a.answeredCall();
    second.inbound.leg.hangup('NORMAL_CLEARING');
    await a.clock.quiesce();
    assert.deepEqual(states(second.observer).at(-1), 'ended NORMAL_CLEARING far_end');
    assert.equal(second.out.transcript().at(-1)!.type, 'hangup');
  });

  test('before answer the called platform refuses as it chose, and the caller giving up cancels the inbound call', async () => {
    const { clock, call } = setup();
    const refusals: Array<[NetworkCause, NetworkCause]> = [
      ['USER_BUSY', 'USER_BUSY'],
      ['CALL_REJECTED', 'CALL_REJECTED'],
      ['ORIGINATOR_CANCEL', 'CALL_REJECTED'],
      ['UNALLOCATED_NUMBER', 'UNALLOCATED_NUMBER'],
    ];
    for (const [refused, heard] of refusals) {
      const { observer, inbound } = await call(SHOP);
      inbound!.leg.ring();
      inbound!.leg.hangup(refused);
      await clock.quiesce();
      assert.deepEqual(states(observer), ['ringing@0', `ended ${heard} far_end`], refused);
    }
    const { out, inbound } = await call(SHOP);
    inbound!.leg.ring();
    out.hangup('NO_ANSWER');
    await clock.quiesce();
    assert.deepEqual(states(inbound!.observer), ['ended ORIGINATOR_CANCEL far_end']);
  });

  test('a number the platform does not serve is a virtual phone, and a call ended during the look-up is never announced', async () => {
    const { clock, carrier, call, announced } = setup();
    const { observer, inbound } = await call('14155550100');
    assert.equal(inbound, undefined);
    await clock.advance(1000);
    assert.deepEqual(states(observer), ['ringing@0', 'answered@1000']);

    const early = carrier.originate({ uuid: crypto.randomUUID(), tenant: CALLER, from: '14155550123', to: SHOP, callerName: '', sipHeaders: {} }, recorder(clock));
    early.hangup('ORIGINATOR_CANCEL');
    await clock.quiesce();
    assert.equal(announced.length, 0);
  });
});
