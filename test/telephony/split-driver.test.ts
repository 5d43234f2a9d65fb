// Two drivers in one process: each outbound leg goes where the rule says,
// its events are reported as the leg the engine holds, and a leg hung up
// before the rule answered ends once, by the platform, placing nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimerGroup, VirtualClock } from '../../src/clock/clock.ts';
import { newUuid } from '../../src/ids.ts';
import type { Leg, LegObserver } from '../../src/telephony/driver.ts';
import { DEFAULT_PHONE } from '../../src/telephony/sim/behaviour.ts';
import { SimCarrier } from '../../src/telephony/sim/carrier.ts';
import { SplitDriver } from '../../src/telephony/split-driver.ts';

const TENANT = { accountId: 'MA00000000000000000000', subaccountId: null };

function carrier(timers: TimerGroup) {
  return new SimCarrier({
    timers,
    directory: { behaviourOf: async () => DEFAULT_PHONE },
    platformOwner: async () => undefined,
    media: { speech: async () => new Int16Array(0), audioFile: async () => new Int16Array(0) },
    onError: (_leg, err) => {
      throw err;
    },
  });
}

function watcher() {
  const seen: string[] = [];
  const legs = new Set<Leg>();
  const o: LegObserver = {
    ringing: (l) => (legs.add(l), seen.push('ringing')),
    earlyMedia: () => seen.push('early'),
    answered: (l) => (legs.add(l), seen.push('answered')),
    ended: (l, cause, by) => (legs.add(l), seen.push(`ended ${cause} by ${by}`)),
    dtmf: () => {},
    audio: () => {},
  };
  return { o, seen, legs };
}

test('each leg goes to the chosen driver and reports its events as the leg the engine holds', async () => {
  const clock = new VirtualClock();
  const timers = new TimerGroup(clock);
  const network = carrier(timers);
  const sandbox = carrier(timers);
  const split = new SplitDriver(clock, network, sandbox, async (req) => (req.to.startsWith('1555') ? 'sandbox' : 'network'), (err) => {
    throw err;
  });
  const a = watcher();
  const toSandbox = split.originate({ uuid: newUuid(), tenant: TENANT, from: '1', to: '15550001111', callerName: '', sipHeaders: {} }, a.o);
  const b = watcher();
  const toNetwork = split.originate({ uuid: newUuid(), tenant: TENANT, from: '1', to: '14155550100', callerName: '', sipHeaders: {} }, b.o);
  await clock.advance(5000);
  await clock.quiesce();
  assert.ok(sandbox.find(toSandbox.uuid) && !network.find(toSandbox.uuid), 'placed by the sandbox');
  assert.ok(network.find(toNetwork.uuid) && !sandbox.find(toNetwork.uuid), 'placed by the network');
  assert.deepEqual(a.seen, ['ringing', 'answered']);
  assert.deepEqual([...a.legs], [toSandbox], 'events name the leg the engine holds');
  assert.equal(toSandbox.state, 'answered');
  toSandbox.hangup('NORMAL_CLEARING');
  await clock.advance(0);
  assert.deepEqual(a.seen, ['ringing', 'answered', 'ended NORMAL_CLEARING by platform']);
  assert.equal(sandbox.find(toSandbox.uuid)!.state, 'ended');
});

test('a leg hung up before the rule answered ends once, by the platform, and is never placed', async () => {
  const clock = new VirtualClock();
  const timers = new TimerGroup(clock);
  const network = carrier(timers);
  let decide: (w: 'network') => void = () => {};
  const split = new SplitDriver(clock, network, carrier(timers), () => new Promise((r) => (decide = r)), () => {});
  const w = watcher();
  const leg = split.originate({ uuid: newUuid(), tenant: TENANT, from: '1', to: '14155550100', callerName: '', sipHeaders: {} }, w.o);
  assert.equal(leg.state, 'trying');
  assert.ok(leg.audio.send({ samples: new Int16Array(1600) }) >= clock.now() + 200, 'audio keeps time before the leg exists');
  leg.hangup('ORIGINATOR_CANCEL');
  leg.hangup('ORIGINATOR_CANCEL');
  decide('network');
  await clock.advance(3000);
  assert.deepEqual(w.seen, ['ended ORIGINATOR_CANCEL by platform']);
  assert.equal(network.find(leg.uuid), undefined);
  assert.equal(leg.state, 'ended');
});
