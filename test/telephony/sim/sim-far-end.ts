// The sim driver under the contract suite: the sandbox carrier on a virtual
// clock, its virtual phones as the far end.
import { TimerGroup, VirtualClock } from '../../../src/clock/clock.ts';
import { DEFAULT_PHONE, type PhoneBehaviour } from '../../../src/telephony/sim/behaviour.ts';
import { SimCarrier } from '../../../src/telephony/sim/carrier.ts';
import { newUuid } from '../../../src/ids.ts';
import type { DriverUnderTest, FarEndOutcome } from '../far-end.ts';

const BEHAVIOUR: Record<FarEndOutcome, PhoneBehaviour['behaviour']> = { answer: 'answer', busy: 'busy', no_answer: 'no_answer', reject: 'reject', unreachable: 'unreachable' };
const TENANT = { accountId: 'MA00000000000000000000', subaccountId: null };

export async function simDriver(): Promise<DriverUnderTest> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const timers = new TimerGroup(clock);
  const phones = new Map<string, PhoneBehaviour>();
  const carrier = new SimCarrier({
    timers,
    directory: { behaviourOf: async (_t, n) => phones.get(n) ?? DEFAULT_PHONE },
    platformOwner: async () => undefined,
    media: { speech: async () => new Int16Array(0), audioFile: async () => new Int16Array(0) },
    onError: (_leg, err) => {
      throw err;
    },
  });
  const leg = (uuid: string) => {
    const l = carrier.find(uuid);
    if (!l) throw new Error(`no leg ${uuid}`);
    return l;
  };
  return {
    name: 'sim',
    toleranceMs: 0,
    driver: carrier,
    now: () => clock.now(),
    arrived: async () => undefined,
    lostMs: async () => 0,
    advance: async (ms) => {
      await clock.advance(ms);
      await clock.quiesce();
    },
    close: () => carrier.close(),
    farEnd: {
      expect: (number, outcome, ringMs) => phones.set(number, { behaviour: BEHAVIOUR[outcome], ring_seconds: ringMs / 1000, script: [] }),
      call: (from, to, sipHeaders) => void carrier.placeCall({ uuid: newUuid(), tenant: TENANT, from, to, callerName: '', sipHeaders, script: [] }),
      headersReceived: (uuid) => leg(uuid).sipHeaders,
      press: (uuid, digits) => leg(uuid).pressKeys(digits),
      hangUp: (uuid) => leg(uuid).hangUp(),
      digitsHeard: (uuid) => leg(uuid).transcript().flatMap((e) => (e.type === 'dtmf_heard' ? [e.digits] : [])).join(''),
      soundsHeard: (uuid) => leg(uuid).transcript().flatMap((e) => (e.type === 'tone' ? [{ at: e.at_ms, ms: e.duration_ms, label: e.name }] : [])),
    },
  };
}
