// Flows holding calls, end to end on a real server with a virtual clock, on
// both databases: a call to an endpoint attached to a flow, a run that
// reaches a state nothing is connected to (the call is hung up and the trace
// says why), read back through the runner API. The examples'
// suite (examples.e2e.test.ts) runs the IVR-with-voicemail and
// click-to-call flows.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import plivo from 'plivo';
import { switchboardPhloClient } from '../../sdk/index.mjs';
import { databases } from '../helpers/pg.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { eventually } from '../messaging/fixture.ts';
import { sandboxOf, spoken } from '../voice/fixtures.ts';

for (const db of databases) {
  describe(`PHLO voice end to end (${db.name})`, { skip: db.skip }, () => {
    let server: TestServer;
    let sandbox: ReturnType<typeof sandboxOf>;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let phlo: any;

    before(async () => {
      server = await startTestServer({ db: db.name, clock: 'virtual' });
      sandbox = sandboxOf(server);
      phlo = switchboardPhloClient(plivo, { authId: server.authId, authToken: server.authToken, baseUrl: server.url });
    });
    after(async () => server?.stop());

    test('a call to an endpoint attached to a flow starts a run; a state left unconnected hangs the call up and the trace says why', async () => {
      const res = await server.fetch(`/v1/Account/${server.authId}/Phlo/`, {
        method: 'POST',
        json: {
          name: 'Extension',
          nodes: [
            { name: 'Start', node_type: 'start', transitions: { incoming_call: 'Pin' } },
            { name: 'Pin', node_type: 'get_input', config: { prompt: { type: 'speak', text: 'Enter your PIN' }, max_input_size: 4, input_timeout: 3 }, transitions: { successful_input: 'Ok' } },
            { name: 'Ok', node_type: 'play_audio', config: { prompt: { type: 'speak', text: 'PIN {{Pin.input}} accepted' } } },
          ],
        },
      });
      const flow = await res.json();
      assert.equal(res.status, 201, JSON.stringify(flow));
      const endpoint = await server.fetch(`/v1/Account/${server.authId}/Endpoint/`, { method: 'POST', json: { username: 'desk', password: 'secret12', alias: 'Desk', phlo_id: flow.phlo_id } });
      const created = await endpoint.json();
      assert.equal(endpoint.status, 201, JSON.stringify(created));
      const { sip_uri: sipUri } = await (await server.fetch(`/v1/Account/${server.authId}/Endpoint/${created.endpoint_id}/`)).json();

      const keyed = await sandbox.callIn('14155550811', sipUri, { script: [{ action: 'dtmf', digits: '1234', on_hear: 'PIN' }] });
      assert.deepEqual(spoken(await sandbox.wait(keyed, 'ended')), ['Enter your PIN', 'PIN 1234 accepted']);

      const silent = await sandbox.callIn('14155550812', sipUri);
      const t = await sandbox.wait(silent, 'ended');
      assert.deepEqual(spoken(t), ['Enter your PIN']);
      assert.equal(t.events.at(-1)!.by, 'platform', 'the platform hung up');

      const runs = await eventually(async () => {
        const body = await (await server.fetch(`/v1/Account/${server.authId}/Phlo/${flow.phlo_id}/Run/`)).json();
        return body.objects.length === 2 && body.objects.every((r: { status: string }) => r.status !== 'running') && body.objects;
      }, 'both runs to end');
      const bySilence = runs.find((r: { calls: string[] }) => r.calls[0] === silent);
      assert.deepEqual(bySilence.steps.map((s: { name: string; state: string }) => `${s.name}:${s.state}`), ['Start:incoming_call', 'Pin:no_input']);
      assert.equal(bySilence.status, 'completed');
      assert.equal(bySilence.reason, 'Pin: state no_input is not connected; the call was hung up');
      assert.equal(bySilence.trigger, 'incoming_call');

      assert.equal((await phlo.phlo.get(flow.phlo_id)).name, 'Extension');
      const got = await (await server.fetch(`/v1/phlo/${flow.phlo_id}/runs/${bySilence.run_id}`)).json();
      assert.deepEqual(got.call_uuids, [silent]);
      const log = await (await server.fetch(`/v1/Account/${server.authId}/Call/${silent}/Log/`)).json();
      assert.ok(
        log.objects.some((e: { kind: string; message: string }) => e.kind === 'flow' && e.message.endsWith('Pin: state no_input is not connected; the call was hung up; the call is hung up')),
        'the call log says why the call was hung up',
      );
      const cdr = await server.client().calls.get(silent);
      assert.equal(cdr.hangupCauseName, 'End Of XML Instructions');
    });
  });
}
