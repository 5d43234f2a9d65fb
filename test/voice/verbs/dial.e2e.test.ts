// A call-center transfer written for the real platform, run unchanged against
// a Switchboard server on a virtual clock: an inbound caller is dialled
// through to an agent's number and to a SIP endpoint; both sides really hear
// each other, and the action URL learns how the Dial ended.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSigned, spoken } from '../fixtures.ts';
import { voiceSuite } from '../suite.ts';

const CALLER = '14155550111';
const AGENT = '14155550222';

describe('Dial through the SDK and the sandbox', () => {
  const line = voiceSuite({ answerPath: '/incoming' });

  test('an inbound caller talks with the agent; the agent hangs up and the action gets DialStatus', async () => {
    const o = line.app.origin;
    line.app.routes.set('/incoming', `<Response><Dial action="${o}/dialed" callerId="${line.number}"><Number>${AGENT}</Number></Dial></Response>`);
    line.app.routes.set('/dialed', '<Response><Speak>The agent has left the call</Speak></Response>');
    await line.sandbox.phone(AGENT, { behaviour: 'answer', ring_seconds: 2, script: [{ after_ms: 200, action: 'say', text: 'Hello, this is the agent' }] });

    const a = await line.sandbox.callIn(CALLER, line.number);
    await line.sandbox.wait(a, 'hears', 'this is the agent');
    const [agentCall] = await line.sandbox.phoneCalls(AGENT);
    const b = agentCall!.call_uuid!;
    assert.equal(agentCall!.from, line.number, 'the agent sees the callerId the Dial set');
    await line.sandbox.say(a, 'I need help with my order');
    await line.sandbox.wait(b, 'hears', 'help with my order');
    await line.sandbox.hangup(b);
    const heardByCaller = await line.sandbox.wait(a, 'ended');

    assert.deepEqual(spoken(heardByCaller), ['Hello, this is the agent', 'The agent has left the call']);
    assert.ok(heardByCaller.events.some((e) => e.type === 'tone'), 'the caller heard ring-back before the agent answered');
    assert.deepEqual(spoken(await line.sandbox.transcript(b)), ['I need help with my order']);

    const dialed = await line.app.next('/dialed');
    assertSigned(dialed, line.server.authToken);
    assert.equal(dialed.params.DialStatus, 'completed');
    assert.equal(dialed.params.DialALegUUID, a);
    assert.equal(dialed.params.DialBLegUUID, b);
    assert.equal(dialed.params.DialHangupCause, 'NORMAL_CLEARING');
    assert.equal(dialed.params.CallUUID, a);

    const cdr = await line.client.calls.get(b);
    assert.equal(cdr.parentCallUuid, a, "the agent's leg is linked to the caller's call");
    assert.equal(cdr.callDirection, 'outbound');
    assert.equal(cdr.hangupSource, 'Callee');
    const children = await line.client.calls.list({ parent_call_uuid: a });
    assert.deepEqual(children.map((c: { callUuid: string }) => c.callUuid), [b]);
  });

  test('<User> reaches an endpoint only while a device is registered for it', async () => {
    const o = line.app.origin;
    const created = await line.client.endpoints.create('agentdesk', 'secret123', 'Agent desk');
    const endpoint = await line.client.endpoints.get(created.endpointId);
    line.app.routes.set('/incoming', `<Response><Dial action="${o}/user-dialed" redirect="false"><User>${endpoint.sipUri}</User></Dial><Speak>Goodbye</Speak></Response>`);

    const first = await line.sandbox.callIn(CALLER, line.number);
    await line.sandbox.wait(first, 'ended');
    assert.equal((await line.app.next('/user-dialed', (r) => r.params.CallUUID === first)).params.DialStatus, 'failed');

    const reg = await line.server.fetch(`/v1/Account/${line.server.authId}/Sandbox/Endpoint/${endpoint.username}/Register/`, { method: 'POST', json: {} });
    assert.equal(reg.status, 201);
    assert.equal((await line.client.endpoints.get(created.endpointId)).sipRegistered, 'true');
    await line.sandbox.phone(endpoint.sipUri, { behaviour: 'answer', ring_seconds: 1, script: [{ after_ms: 100, action: 'say', text: 'desk here' }, { after_ms: 2000, action: 'hangup' }] });
    const second = await line.sandbox.callIn(CALLER, line.number);
    const t = await line.sandbox.wait(second, 'ended');
    assert.deepEqual(spoken(t), ['desk here', 'Goodbye']);
    const result = await line.app.next('/user-dialed', (r) => r.params.CallUUID === second);
    assert.equal(result.params.DialStatus, 'completed');

    const missing = await line.server.fetch(`/v1/Account/${line.server.authId}/Sandbox/Endpoint/nobody/Register/`, { method: 'POST', json: {} });
    assert.equal(missing.status, 404);
  });

  test('transferring both legs of a Dial gives each its own document; the caller alone leaves the agent hung up', async () => {
    const o = line.app.origin;
    line.app.routes.set('/incoming', `<Response><Dial><Number>${AGENT}</Number></Dial><Speak>Dial is over</Speak></Response>`);
    line.app.routes.set('/a-moved', '<Response><Speak>Caller moved</Speak><Wait length="5"/></Response>');
    line.app.routes.set('/b-moved', '<Response><Speak>Agent moved</Speak><Wait length="5"/></Response>');
    await line.sandbox.phone(AGENT, { behaviour: 'answer', ring_seconds: 1, script: [{ after_ms: 100, action: 'say', text: 'agent ready' }] });

    const a = await line.sandbox.callIn(CALLER, line.number);
    await line.sandbox.wait(a, 'hears', 'agent ready');
    const b = (await line.sandbox.phoneCalls(AGENT))[0]!.call_uuid!;
    await line.client.calls.transfer(a, { legs: 'both', alegUrl: `${o}/a-moved`, blegUrl: `${o}/b-moved` });
    await line.sandbox.wait(a, 'hears', 'Caller moved');
    await line.sandbox.wait(b, 'hears', 'Agent moved');
    assert.ok(!spoken(await line.sandbox.transcript(a)).includes('Dial is over'), 'the caller left the Dial document');
    const tb = await line.sandbox.wait(b, 'ended');
    assert.deepEqual(spoken(tb), ['Agent moved'], 'the agent ran its own document to its end');
    await line.sandbox.wait(a, 'ended');

    const again = await line.sandbox.callIn(CALLER, line.number);
    await line.sandbox.wait(again, 'hears', 'agent ready');
    const b2 = (await line.sandbox.phoneCalls(AGENT))[0]!.call_uuid!;
    await line.client.calls.transfer(again, { legs: 'aleg', alegUrl: `${o}/a-moved` });
    await line.sandbox.wait(b2, 'ended');
    assert.equal((await line.client.calls.get(b2)).hangupSource, 'Plivo', 'the agent is released when only the caller is transferred');
  });
});
