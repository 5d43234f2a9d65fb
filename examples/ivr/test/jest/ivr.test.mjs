// The IVR's tests with jest (ESM: NODE_OPTIONS=--experimental-vm-modules): one Switchboard for the file, one fresh
// subaccount per test, the virtual clock (a 45-second hold runs in milliseconds).
import { afterAll as after, beforeAll as before, test } from '@jest/globals';
import assert from 'node:assert/strict';
import { startSwitchboard } from 'switchboard/testing';
import { startIvr } from '../../app.mjs';

let sb, ivr;
before(async () => {
  [sb, ivr] = await Promise.all([startSwitchboard({ clock: 'virtual' }), startIvr()]);
});
after(() => Promise.all([sb.stop(), ivr.close()]));

async function callTheIvr() {
  const me = await sb.account();
  const number = await me.sandbox.number({ answerUrl: `${ivr.url}/answer` });
  return me.sandbox.call({ from: '14155550100', to: number });
}

test('pressing 1 reaches sales', async () => {
  const call = await callTheIvr();
  await call.hears('press 1 for sales');
  await call.press('1');
  await call.hears('connecting you to sales');
  assert.equal((await call.ended()).state, 'completed');
});

test('pressing 2 holds for support, then says goodbye', async () => {
  const call = await callTheIvr();
  await call.hears('press 2 for support');
  await call.press('2');
  await call.hears('support will call you back', { timeoutMs: 60_000 });
  await call.ended();
});

test('no key: the IVR says goodbye after its 10-second timeout', async () => {
  const call = await callTheIvr();
  await call.hears('we did not get your choice', { timeoutMs: 30_000 });
});
