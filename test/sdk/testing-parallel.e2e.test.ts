// Tests running at once against one virtual-clock server, each in its own
// subaccount: every subaccount keeps its own time (src/clock/domains.ts), so
// each walk through the IVR goes exactly as it goes alone, however the
// others' waits interleave with it. A phone of one domain calling a number of
// another is refused, naming both.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSwitchboard, type Switchboard, type TestAccount, type Transcript } from 'switchboard/testing';
import { startIvr } from '../../examples/ivr/app.mjs';

/** Runs of all the walks at once; each must go as it did the first time. */
const ROUNDS = 20;

describe('switchboard/testing: tests at once on one virtual-clock server', () => {
  let sb: Switchboard;
  let ivr: Awaited<ReturnType<typeof startIvr>>;
  before(async () => {
    [sb, ivr] = await Promise.all([startSwitchboard({ clock: 'virtual' }), startIvr()]);
  });
  after(async () => Promise.all([sb?.stop(), ivr?.close()]));

  /** What a walk saw, with its platform times: the same walk alone always sees exactly this. */
  const seen = (t: Transcript) => ({ state: t.state, events: t.events.map((e) => `${e.at_ms} ${e.type} ${e.text ?? e.digits ?? ''}`.trim()) });

  // Walks that need very different spans of platform time (a 45 s hold, a quick choice, a 10 s menu
  // timeout) beside a test that only moves its own clock: on one shared clock its advances would run
  // the others' menus into their timeouts.
  const walks: Record<string, (me: TestAccount, number: string) => Promise<Transcript>> = {
    async clock(me) {
      for (let i = 0; i < 4; i++) await me.clock.advance(15_000);
      return { call_uuid: '', state: 'completed', events: [] };
    },
    async hold(me, number) {
      const call = await me.sandbox.call({ from: '14155550110', to: number });
      await call.hears('press 2 for support');
      await call.press('2');
      await call.hears('please hold');
      await call.hears('support will call you back', { timeoutMs: 60_000 });
      return call.ended();
    },
    async sales(me, number) {
      const call = await me.sandbox.call({ from: '14155550111', to: number });
      await call.hears('press 1 for sales');
      await call.press('1');
      await call.hears('connecting you to sales');
      return call.ended();
    },
    async silent(me, number) {
      const call = await me.sandbox.call({ from: '14155550112', to: number });
      await call.hears('welcome to acme');
      await call.hears('we did not get your choice', { timeoutMs: 30_000 });
      return call.ended();
    },
  };

  test(`${Object.keys(walks).length} subaccounts walk the IVR at once, ${ROUNDS} times: each walk is the same every time`, async () => {
    const sessions = await Promise.all(
      Object.entries(walks).map(async ([name, walk]) => {
        const me = await sb.account(name);
        return { name, walk, me, number: await me.sandbox.number({ answerUrl: `${ivr.url}/answer` }) };
      }),
    );
    const first = new Map<string, ReturnType<typeof seen>>();
    for (let round = 0; round < ROUNDS; round++) {
      const results = await Promise.all(sessions.map(async (s) => ({ name: s.name, t: seen(await s.walk(s.me, s.number)) })));
      for (const { name, t } of results) {
        assert.equal(t.state, 'completed', `${name} in round ${round}`);
        if (!first.has(name)) first.set(name, t);
        else assert.deepEqual(t, first.get(name), `${name} in round ${round} went otherwise than in round 0`);
      }
    }
    assert.match(first.get('hold')!.events.join('\n'), /silence/);
    // The hold took 45 s of its own subaccount's time; the others' clocks did not move with it.
    const [hold, sales] = [sessions[1]!, sessions[2]!];
    const [holdNow, salesNow] = [(await hold.me.clock.read()).now, (await sales.me.clock.read()).now];
    assert.ok(holdNow - salesNow >= 30_000 * ROUNDS, `each subaccount keeps its own time (hold at ${holdNow}, sales at ${salesNow})`);
  });

  test('a test moving its own clock does not move another test\'s call', async () => {
    const [a, b] = await Promise.all([sb.account('a'), sb.account('b')]);
    const call = await a.sandbox.call({ from: '14155550114', to: await a.sandbox.number({ answerUrl: `${ivr.url}/answer` }) });
    await call.hears('press 1 for sales');
    // Between a's two steps, b waits out 30 s: past the menu's 10 s timeout, had they shared one clock.
    await b.clock.advance(30_000);
    await call.press('1');
    await call.hears('connecting you to sales');
    assert.equal((await call.ended()).state, 'completed');
  });

  test('joining two domains is refused, naming both: a main-account phone calling a subaccount\'s number, a subaccount\'s call moved into a main-account room', async () => {
    const sub = await sb.account('other');
    const number = await sub.sandbox.number({ answerUrl: `${ivr.url}/answer` });
    await assert.rejects(sb.sandbox.call({ from: '14155550113', to: number }), (err: Error) => {
      assert.match(err.message, /answered 409: a phone of account \S+ cannot call \d+, a number of subaccount \S+: the main account and subaccount \S+ each keep their own virtual time/);
      assert.match(err.message, new RegExp(`Place the call as subaccount ${sub.authId}`));
      return true;
    });
    // From the subaccount itself the same call goes through.
    const call = await sub.sandbox.call({ from: '14155550113', to: number });
    await call.hears('welcome');
    // The main account may act on it (on the call's time) but not move it into a room of its own.
    const res = await fetch(`${sb.url}/v1/Account/${sb.authId}/MultiPartyCall/name_lobby/Participant/`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${sb.authId}:${sb.authToken}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'Customer', call_uuid: call.callUuid }),
    });
    assert.equal(res.status, 409);
    assert.match(((await res.json()) as { error: string }).error, new RegExp(`cannot join a multiparty call of ${sb.authId}: subaccount ${sub.authId} and the main account each keep their own virtual time`));
    await call.hangup();
  });
});
