// A call-center transfer written for the real platform, run unchanged against
// a Switchboard server on a virtual clock: an inbound caller is dialled
// through to an agent's number and to a SIP endpoint; both sides really hear
// each other, and the action URL learns how the Dial ended.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appLine, type AppLine } from '../app-line.ts';
import { assertSigned, spoken } from '../fixtures.ts';

const CALLER = '14155550111';
const AGENT = '14155550222';

describe('Dial through the SDK and the sandbox', () => {
  let line: AppLine;
  let server: AppLine['server'];
  let app: AppLine['app'];
  let sandbox: AppLine['sandbox'];
  let number: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let client: any;

  before(async () => {
    line = await appLine('/incoming');
    ({ server, app, sandbox, number, client } = line);
  });
  after(() => line?.close());

  test('an inbound caller talks with the agent; the agent hangs up and the action gets DialStatus', async () => {
    const o = app.origin;
    app.routes.set('/incoming', `<Response><Dial action="${o}/dialed" callerId="${number}"><Number>${AGENT}</Number></Dial></Response>`);
    app.routes.set('/dialed', '<Response><Speak>The agent has left the call</Speak></Response>');
    await sandbox.phone(AGENT, { behaviour: 'answer', ring_seconds: 2, script: [{ after_ms: 200, action: 'say', text: 'Hello, this is the agent' }] });

    const a = await sandbox.callIn(CALLER, number);
    await sandbox.wait(a, 'hears', 'this is the agent');
    const [agentCall] = await sandbox.phoneCalls(AGENT);
    const b = agentCall!.call_uuid!;
    assert.equal(agentCall!.from, number, 'the agent sees the callerId the Dial set');
    await sandbox.say(a, 'I need help with my order');
    await sandbox.wait(b, 'hears', 'help with my order');
    await sandbox.hangup(b);
    const heardByCaller = await sandbox.wait(a, 'ended');

    assert.deepEqual(spoken(heardByCaller), ['Hello, this is the agent', 'The agent has left the call']);
    assert.ok(heardByCaller.events.some((e) => e.type === 'tone'), 'the caller heard ring-back before the agent answered');
    assert.deepEqual(spoken(await sandbox.transcript(b)), ['I need help with my order']);

    const dialed = await app.next('/dialed');
    assertSigned(dialed, server.authToken);
    assert.equal(dialed.params.DialStatus, 'completed');
    assert.equal(dialed.params.DialALegUUID, a);
    assert.equal(dialed.params.DialBLegUUID, b);
    assert.equal(dialed.params.DialHangupCause, 'NORMAL_CLEARING');
    assert.equal(dialed.params.CallUUID, a);

    const cdr = await client.calls.get(b);
    assert.equal(cdr.parentCallUuid, a, "the agent's leg is linked to the caller's call");
    assert.equal(cdr.callDirection, 'outbound');
    assert.equal(cdr.hangupSource, 'Callee');
    const children = await client.calls.list({ parent_call_uuid: a });
    assert.deepEqual(children.map((c: { callUuid: string }) => c.callUuid), [b]);
  });

  test('<User> reaches an endpoint only while a device is registered for it', async () => {
    const o = app.origin;
    const created = await client.endpoints.create('agentdesk', 'secret123', 'Agent desk');
    const endpoint = await client.endpoints.get(created.endpointId);
    app.routes.set('/incoming', `<Response><Dial action="${o}/user-dialed" redirect="false"><User>${endpoint.sipUri}</User></Dial><Speak>Goodbye</Speak></Response>`);

    const first = await sandbox.callIn(CALLER, number);
    await sandbox.wait(first, 'ended');
    assert.equal((await app.next('/user-dialed', (r) => r.params.CallUUID === first)).params.DialStatus, 'failed');

    const reg = await server.fetch(`/v1/Account/${server.authId}/Sandbox/Endpoint/${endpoint.username}/Register/`, { method: 'POST', json: {} });
    assert.equal(reg.status, 201);
    assert.equal((await client.endpoints.get(created.endpointId)).sipRegistered, 'true');
    await sandbox.phone(endpoint.sipUri, { behaviour: 'answer', ring_seconds: 1, script: [{ after_ms: 100, action: 'say', text: 'desk here' }, { after_ms: 2000, action: 'hangup' }] });
    const second = await sandbox.callIn(CALLER, number);
    const t = await sandbox.wait(second, 'ended');
    assert.deepEqual(spoken(t), ['desk here', 'Goodbye']);
    const result = await app.next('/user-dialed', (r) => r.params.CallUUID === second);
    assert.equal(result.params.DialStatus, 'completed');

    const missing = await server.fetch(`/v1/Account/${server.authId}/Sandbox/Endpoint/nobody/Register/`, { method: 'POST', json: {} });
    assert.equal(missing.status, 404);
  });

  test('transferring both legs of a Dial gives each its own document; the caller alone leaves the agent hung up', async () => {
    const o = app.origin;
    app.routes.set('/incoming', `<Response><Dial><Number>${AGENT}</Number></Dial><Speak>Dial is over</Speak></Response>`);
    app.routes.set('/a-moved', '<Response><Speak>Caller moved</Speak><Wait length="5"/></Response>');
    app.routes.set('/b-moved', '<Response><Speak>Agent moved</Speak><Wait length="5"/></Response>');
    await sandbox.phone(AGENT, { behaviour: 'answer', ring_seconds: 1, script: [{ after_ms: 100, action: 'say', text: 'agent ready' }] });

    const a = await sandbox.callIn(CALLER, number);
    await sandbox.wait(a, 'hears', 'agent ready');
    const b = (await sandbox.phoneCalls(AGENT))[0]!.call_uuid!;
    await client.calls.transfer(a, { legs: 'both', alegUrl: `${o}/a-moved`, blegUrl: `${o}/b-moved` });
    await sandbox.wait(a, 'hears', 'Caller moved');
    await sandbox.wait(b, 'hears', 'Agent moved');
    assert.ok(!spoken(await sandbox.transcript(a)).includes('Dial is over'), 'the caller left the Dial document');
    const tb = await sandbox.wait(b, 'ended');
    assert.deepEqual(spoken(tb), ['Agent moved'], 'the agent ran its own document to its end');
    await sandbox.wait(a, 'ended');

    const again = await sandbox.callIn(CALLER, number);
    await sandbox.wait(again, 'hears', 'agent ready');
    const b2 = (await sandbox.phoneCalls(AGENT))[0]!.call_uuid!;
    await client.calls.transfer(again, { legs: 'aleg', alegUrl: `${o}/a-moved` });
    await sandbox.wait(b2, 'ended');
    assert.equal((await client.calls.get(b2)).hangupSource, 'Plivo', 'the agent is released when only the caller is transferred');
  });
});
