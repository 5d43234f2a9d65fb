// A call the platform places to one of its own numbers (Call API or
// <Dial><Number>) does not reach a virtual phone: it comes back in as an
// inbound call to the number and runs the number's application, the two
// calls hearing each other, their keys reaching each other, and either
// hanging up ending the other. The official SDK places the calls on a
// virtual clock; the sandbox API reads what each side heard.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spoken, type Transcript } from './fixtures.ts';
import { voiceSuite } from './suite.ts';

const said = (t: Transcript): string[] => t.events.filter((e) => e.type === 'said').map((e) => e.text!);
const keys = (t: Transcript, type: 'dtmf_sent' | 'dtmf_heard'): string => t.events.flatMap((e) => (e.type === type ? [e.digits!] : [])).join('');

describe("calls to the platform's own numbers", () => {
  const line = voiceSuite({ answerPath: '/shop' });
  const o = () => line.app.origin;
  /** The SDK calls the shop's number from `from`; returns the outbound call and, once it is `until`, the inbound one. */
  const callShop = async (from: string, answer: string, until: 'answered' | 'ended' = 'answered') => {
    const made = await line.client.calls.create(from, line.number, `${o()}${answer}`, { hangupUrl: `${o()}/hangup` });
    const out = made.requestUuid as string;
    // Waiting moves the virtual clock.
    await line.sandbox.wait(out, until);
    const shop = await line.app.next('/shop', (r) => r.params.From === from);
    return { out, inbound: shop.params.CallUUID!, shop };
  };
  const hangupOf = (uuid: string) => line.app.next('/hangup', (r) => r.params.CallUUID === uuid);

  test("the call runs the number's application as an inbound call; each side hears the other and the keys pressed", async () => {
    line.app.routes.set('/shop', `<Response><Speak>Welcome to the shop</Speak><GetDigits action="${o()}/choice" numDigits="1" timeout="30"><Speak>Press 1 for toys</Speak></GetDigits></Response>`);
    line.app.routes.set('/choice', '<Response><Speak>Toys it is</Speak><Hangup/></Response>');
    // The caller's application listens to the shop, then answers with words and a key.
    line.app.routes.set('/caller', `<Response><GetInput action="${o()}/heard" inputType="speech" speechEndTimeout="2" executionTimeout="30"/></Response>`);
    line.app.routes.set('/heard', '<Response><Speak>Calling the shop</Speak><DTMF>1</DTMF><Wait length="60"/></Response>');
    const from = line.phone();
    const { out, inbound, shop } = await callShop(from, '/caller');

    assert.notEqual(inbound, out);
    assert.equal(shop.params.Direction, 'inbound');
    assert.equal(shop.params.From, from);
    assert.equal(shop.params.To, line.number);
    assert.equal(shop.params.CallStatus, 'ringing', 'the inbound call rings while its application is asked');

    await line.sandbox.wait(out, 'ended');
    const heard = await line.app.next('/heard', (r) => r.params.CallUUID === out);
    assert.equal(heard.params.Direction, 'outbound');
    assert.match(heard.params.Speech!, /^Welcome to the shop/, 'the caller heard the shop');
    const choice = await line.app.next('/choice', (r) => r.params.CallUUID === inbound);
    assert.equal(choice.params.Digits, '1', "the caller's key reached the shop's GetDigits");

    // The outbound call's far end is the shop: what it was sent, and what the shop said and did.
    const tOut = await line.sandbox.transcript(out);
    assert.deepEqual(spoken(tOut), ['Calling the shop']);
    assert.deepEqual(said(tOut), ['Welcome to the shop', 'Press 1 for toys', 'Toys it is']);
    assert.equal(keys(tOut, 'dtmf_heard'), '1');
    assert.equal(tOut.events.at(-1)!.by, 'far_end');
    // The inbound call's far end is the caller, as if a virtual phone had called.
    const tIn = await line.sandbox.wait(inbound, 'ended');
    assert.deepEqual(spoken(tIn), ['Welcome to the shop', 'Press 1 for toys', 'Toys it is']);
    assert.deepEqual(said(tIn), ['Calling the shop']);
    assert.equal(keys(tIn, 'dtmf_sent'), '1');
    assert.equal(tIn.events.at(-1)!.by, 'platform');

    // The shop hung up: the caller's call ended normally, hung up by the callee.
    const h = (await hangupOf(out)).params;
    assert.equal(h.CallStatus, 'completed');
    assert.equal(h.HangupCause, 'NORMAL_CLEARING');
    assert.equal(h.HangupCauseName, 'Normal Hangup');
    assert.equal(h.HangupSource, 'Callee');

    const [cdrOut, cdrIn] = await Promise.all([line.client.calls.get(out), line.client.calls.get(inbound)]);
    assert.equal(cdrOut.callDirection, 'outbound');
    assert.equal(cdrIn.callDirection, 'inbound');
    for (const cdr of [cdrOut, cdrIn]) {
      assert.equal(cdr.fromNumber, from);
      assert.equal(cdr.toNumber, line.number);
      assert.equal(cdr.callState, 'ANSWER');
    }
    assert.equal(cdrIn.hangupSource, 'Answer XML');
  });

  test('the caller hanging up ends the inbound call', async () => {
    line.app.routes.set('/shop', '<Response><Speak>Welcome to the shop</Speak><Wait length="120"/></Response>');
    line.app.routes.set('/brief', '<Response><Wait length="3"/><Hangup/></Response>');
    const from = line.phone();
    const { out, inbound } = await callShop(from, '/brief');
    const tIn = await line.sandbox.wait(inbound, 'ended');
    assert.equal(tIn.events.at(-1)!.by, 'far_end');
    assert.equal((await hangupOf(out)).params.HangupSource, 'Answer XML');
    const cdrIn = await line.client.calls.get(inbound);
    assert.equal(cdrIn.hangupSource, 'Caller');
    assert.equal(cdrIn.hangupCauseName, 'Normal Hangup');
  });

  test("the number's application refusing the call (busy) ends the caller's call as busy, never answered", async () => {
    line.app.routes.set('/shop', '<Response><Hangup reason="busy"/></Response>');
    const from = line.phone();
    const { out, inbound } = await callShop(from, '/never', 'ended');
    const h = (await hangupOf(out)).params;
    assert.equal(h.CallStatus, 'busy');
    assert.equal(h.HangupCause, 'USER_BUSY');
    assert.equal(h.HangupSource, 'Callee');
    assert.equal(line.app.received.filter((r) => r.path === '/never').length, 0, "the caller's answer_url is never fetched");
    await line.sandbox.wait(inbound, 'ended');
    assert.equal((await line.client.calls.get(inbound)).hangupCauseName, 'Busy Line');
  });

  test('<Dial><Number> to a platform number connects the caller to its application', async () => {
    line.app.routes.set('/shop', '<Response><Speak>Welcome to the shop</Speak><Hangup/></Response>');
    line.app.routes.set('/front', `<Response><Dial><Number>${line.number}</Number></Dial></Response>`);
    const { appId } = await line.client.applications.create('Front', { answerUrl: `${o()}/front` });
    const [{ number: front }] = await line.client.numbers.search('US', { limit: 1, services: 'voice' });
    await line.client.numbers.buy(front, appId);
    const answers = () => line.app.received.filter((r) => r.path === '/shop' && r.params.Event === 'StartApp');
    const asked = answers().length;

    // A virtual phone calls the front number, whose application forwards it to the shop.
    const caller = line.phone();
    const t = await line.sandbox.wait(await line.sandbox.callIn(caller, front), 'ended');
    assert.ok(spoken(t).includes('Welcome to the shop'), `the caller heard the shop: ${JSON.stringify(spoken(t))}`);
    assert.deepEqual(
      answers()
        .slice(asked)
        .map((r) => [r.params.Direction, r.params.From, r.params.To]),
      [['inbound', caller, line.number]],
    );
  });
});
