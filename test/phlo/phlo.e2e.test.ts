// PHLO end to end, on a real server: flows written as JSON, stored through
// the definitions API, run and read through the official PhloClient, their
// texts landing in sandbox inboxes; HTTP requests against a local server;
// loops; bad input; attachments; isolation. Both databases. The server runs
// on the virtual clock: a test advances platform time past a phone's
// delivery delays instead of waiting them out.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import plivo from 'plivo';
import { switchboardPhloClient } from '../../sdk/index.mjs';
import { databases } from '../helpers/pg.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { advance, customerServer, DELIVERED_MS, eventually, validSignature, type CustomerServer } from '../messaging/fixture.ts';

const PHONE = '14155550177';

for (const db of databases) {
  describe(`PHLO end to end (${db.name})`, { skip: db.skip }, () => {
    let server: TestServer;
    let api: CustomerServer;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let phlo: any;
    let number: string;

    before(async () => {
      server = await startTestServer({ db: db.name, clock: 'virtual' });
      api = await customerServer((r) => {
        if (r.path === '/fail') return { status: 500, body: 'boom' };
        return { status: 200, contentType: 'application/json', body: JSON.stringify({ reply: `hello ${r.params.name ?? 'you'}`, order: { id: 42 } }) };
      });
      phlo = switchboardPhloClient(plivo, { authId: server.authId, authToken: server.authToken, baseUrl: server.url });
      const [found] = await server.client().numbers.search('US', { type: 'local', services: 'sms', limit: 1 });
      await server.client().numbers.buy(found.number);
      number = found.number;
    });
    after(async () => {
      await api?.close();
      await server?.stop();
    });

    const base = () => `/v1/Account/${server.authId}/Phlo/`;
    const create = async (doc: unknown) => {
      const res = await server.fetch(base(), { method: 'POST', json: doc });
      const body = await res.json();
      assert.equal(res.status, 201, JSON.stringify(body));
      return body as { phlo_id: string; version: number; nodes: Array<{ node_id: string; name: string }>; warnings: unknown[] };
    };
    const trace = async (phloId: string, runId: string) =>
      eventually(async () => {
        const body = await (await server.fetch(`${base()}${phloId}/Run/${runId}/`)).json();
        return body.status !== 'running' && body;
      }, `run ${runId} to end`);
    /** The inbox of `phone`, newest first, once what was texted to it so far is delivered: `count` messages at least. */
    const inbox = async (phone: string, count: number) => {
      await advance(server, DELIVERED_MS);
      const { objects } = await (await server.fetch(`/v1/Account/${server.authId}/Sandbox/Phone/${phone}/Messages/`)).json();
      assert.ok(objects.length >= count, `${count} message(s) on ${phone}, got ${objects.length}`);
      return objects as Array<{ from: string; text: string }>;
    };

    test('an API-triggered SMS flow run through the official PhloClient: the text lands in the sandbox inbox', async () => {
      const flow = await create({
        name: 'Notify',
        nodes: [
          { name: 'Start', node_type: 'start', config: { payload: { to: '', name: 'friend' } }, transitions: { api_request: 'Send_SMS' } },
          { name: 'Send_SMS', node_type: 'send_sms', config: { from: number, to: '{{Start.http.params.to}}', text: 'Hi {{Start.http.params.name | upcase}}, your order shipped' }, transitions: {} },
        ],
      });
      const got = await phlo.phlo.get(flow.phlo_id);
      assert.equal(got.phloId, flow.phlo_id);
      assert.equal(got.name, 'Notify');
      assert.match(got.createdOn, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00:00$/);

      const run = await phlo.phlo(flow.phlo_id).run({ to: PHONE, name: 'Ann' });
      assert.equal(run.phloId, flow.phlo_id);
      assert.match(run.message, new RegExp(`^b'Send SMS' - b'Send_SMS' with phlo_run_uuid: ${run.apiId} executed with response: \\{'api_id'`));
      const [text] = await inbox(PHONE, 1);
      assert.deepEqual([text.from, text.text], [number, 'Hi ANN, your order shipped']);

      const res = await server.fetch(`/v1/phlo/${flow.phlo_id}/runs/${run.apiId}`);
      const body = await res.json();
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys(body).sort(), ['api_id', 'call_uuids', 'message_uuids', 'phlo_id', 'recording_ids', 'run_id']);
      assert.equal(body.message_uuids.length, 1);
      const t = await trace(flow.phlo_id, run.apiId);
      assert.deepEqual(t.steps.map((s: { name: string; state: string }) => [s.name, s.state]), [['Start', 'api_request'], ['Send_SMS', 'sent']]);
      assert.equal(t.steps[1].variables.text, 'Hi ANN, your order shipped');
    });

    test('an HTTP-request flow: JSON response variables in the next node on success, the failure path on failure, signed event callbacks', async () => {
      const flow = await create({
        name: 'Lookup',
        nodes: [
          { name: 'Start', node_type: 'start', config: { payload: { path: 'lookup', name: '' } }, transitions: { api_request: 'Lookup' } },
          {
            name: 'Lookup',
            node_type: 'http_request',
            config: { method: 'POST', url: `${api.url}/{{Start.http.params.path}}`, body: { name: '{{Start.http.params.name}}' } },
            transitions: { success: 'Answer', failed: 'Sorry' },
            events: [{ url: `${api.url}/events`, method: 'POST', on: ['completed'] }],
          },
          { name: 'Answer', node_type: 'send_sms', config: { from: number, to: PHONE, text: '{{Lookup.response.reply}} #{{Lookup.response.order.id}}' }, transitions: {} },
          { name: 'Sorry', node_type: 'send_sms', config: { from: number, to: PHONE, text: 'lookup failed: {{Lookup.status_code}}' }, transitions: {} },
        ],
      });
      const before = (await inbox(PHONE, 1)).length;
      const ok = await phlo.phlo(flow.phlo_id).run({ name: 'Bo' });
      assert.match(ok.message, /^b'HTTP Request' - b'Lookup' with phlo_run_uuid: /);
      // The run goes on after the request answered (its HTTP node's call is real I/O): its text is sent once it ends.
      await trace(flow.phlo_id, ok.apiId);
      assert.equal((await inbox(PHONE, before + 1))[0].text, 'hello Bo #42');
      const bad = await phlo.phlo(flow.phlo_id).run({ path: 'fail' });
      const t = await trace(flow.phlo_id, bad.apiId);
      assert.equal((await inbox(PHONE, before + 2))[0].text, 'lookup failed: 500');
      assert.deepEqual(t.steps.map((s: { name: string; state: string }) => [s.name, s.state]), [['Start', 'api_request'], ['Lookup', 'failed'], ['Sorry', 'sent']]);

      const [event] = await api.waitFor('/events', 2);
      assert.ok(validSignature(event, server.authToken), 'event callbacks are signed like every webhook');
      assert.equal(event.params.NodeName, 'Lookup');
      assert.equal(event.params.Event, 'completed');
      assert.ok(['success', 'failed'].includes(event.params.State));
    });

    test('a loop bounded by a counter ends when the count is reached; an unbounded one at the 200-node limit', async () => {
      const flow = await create({
        name: 'Retry',
        nodes: [
          { name: 'Start', node_type: 'start', config: {}, transitions: { api_request: 'Tries' } },
          { name: 'Tries', node_type: 'counter', config: { max_count: 3 }, transitions: { count_not_reached: 'Check' } },
          { name: 'Check', node_type: 'branch', config: { lhs: '{{Tries.count}}', conditions: [{ alias: 'more', operation: 'less_than', rhs: '10' }] }, transitions: { more: 'Tries' } },
        ],
      });
      assert.deepEqual(flow.warnings, []);
      const run = await phlo.phlo(flow.phlo_id).run();
      const t = await trace(flow.phlo_id, run.apiId);
      assert.equal(t.status, 'completed');
      assert.deepEqual(t.steps.map((s: { name: string }) => s.name), ['Start', 'Tries', 'Check', 'Tries', 'Check', 'Tries']);
      assert.equal(t.steps.at(-1).variables.count, 3);

      const runaway = await create({
        name: 'Runaway',
        nodes: [
          { name: 'Start', node_type: 'start', config: {}, transitions: { api_request: 'Spin' } },
          { name: 'Spin', node_type: 'branch', config: { lhs: 'x', conditions: [{ alias: 'again', operation: 'equals', rhs: 'x' }] }, transitions: { again: 'Spin' } },
        ],
      });
      assert.match(JSON.stringify(runaway.warnings), /loop Spin → Spin has no counter or input node/);
      const spun = await phlo.phlo(runaway.phlo_id).run();
      const st = await trace(runaway.phlo_id, spun.apiId);
      assert.deepEqual([st.status, st.reason, st.steps.length], ['failed', 'loop limit', 200]);
    });

    test('bad input: each validation error is a 400 naming the node and field, and nothing is stored', async () => {
      const bad = {
        name: 'Broken',
        nodes: [
          { name: 'Start', node_type: 'start', config: {}, transitions: { api_request: 'Send' } },
          { name: 'Send', node_type: 'send_sms', config: { from: number, to: 'not-a-number', text: '{{Nope.x}}' }, transitions: { delivered: 'Start' } },
          { name: 'Send', node_type: 'fax', config: {}, transitions: {} },
        ],
      };
      const count = async () => (await (await server.fetch(base())).json()).meta.total_count;
      const before = await count();
      const res = await server.fetch(base(), { method: 'POST', json: bad });
      const body = await res.json();
      assert.equal(res.status, 400);
      assert.match(body.error, /^the PHLO is not valid \(\d+ errors\); first: node Send, /);
      const named = body.errors.map((e: { node: string; field: string }) => `${e.node} ${e.field}`);
      for (const expected of ['Send config.to', 'Send config.text', 'Send transitions.delivered', 'Send name', 'Send node_type']) assert.ok(named.includes(expected), `${expected} in ${named}`);
      assert.equal(await count(), before, 'nothing stored');

      const check = await (await server.fetch(`${base()}validate/`, { method: 'POST', json: bad })).json();
      assert.equal(check.valid, false);
      assert.deepEqual(check.errors, body.errors);
      assert.equal(await count(), before, 'validate stores nothing');
    });

    test('replace keeps node ids and versions the flow (If-Match → 409); delete detaches the numbers attached to it', async () => {
      const doc = (text: string) => ({
        name: 'Versioned',
        nodes: [
          { name: 'Start', node_type: 'start', config: {}, transitions: { incoming_message: 'Reply' } },
          { name: 'Reply', node_type: 'send_sms', config: { from: '{{Start.message.to}}', to: '{{Start.message.from}}', text }, transitions: {} },
        ],
      });
      const flow = await create(doc('v1'));
      const replaced = await server.fetch(`${base()}${flow.phlo_id}/`, { method: 'POST', json: doc('v2'), headers: { 'if-match': '1' } });
      assert.equal(replaced.status, 202);
      assert.deepEqual(await replaced.json().then(({ api_id: _, ...rest }) => rest), { message: 'changed', phlo_id: flow.phlo_id, version: 2 });
      const stale = await server.fetch(`${base()}${flow.phlo_id}/`, { method: 'POST', json: doc('v3'), headers: { 'if-match': '1' } });
      assert.equal(stale.status, 409);
      const now = await (await server.fetch(`${base()}${flow.phlo_id}/`)).json();
      assert.equal(now.version, 2);
      assert.deepEqual(now.nodes.map((n: { node_id: string }) => n.node_id), flow.nodes.map((n) => n.node_id));

      const attach = await server.fetch(`/v1/Account/${server.authId}/Number/${number}/`, { method: 'POST', json: { object_type: 'phlo', object_id: flow.phlo_id } });
      assert.equal(attach.status, 202);
      assert.deepEqual((await (await server.fetch(`${base()}${flow.phlo_id}/`)).json()).numbers, [number]);
      assert.equal((await server.client().numbers.get(number)).application, `/v1/Account/${server.authId}/Phlo/${flow.phlo_id}/`);

      assert.equal((await server.fetch(`${base()}${flow.phlo_id}/`, { method: 'DELETE' })).status, 204);
      assert.equal((await server.client().numbers.get(number)).application, null);
      assert.equal((await server.fetch(`${base()}${flow.phlo_id}/`)).status, 404);
    });

    test('the runner\'s multiparty-call routes: the node answers without a live call; actions check their parameters with the runner\'s texts', async () => {
      const flow = await create({
        name: 'Agents',
        nodes: [
          { name: 'Start', node_type: 'start', config: {}, transitions: { api_request: 'Conf' } },
          { name: 'Conf', node_type: 'multi_party_call', config: { from: number, dial: [{ to: '14155550188', role: 'customer' }] }, transitions: {} },
        ],
      });
      const nodeId = flow.nodes[1].node_id;
      const got = await (await server.fetch(`/v1/phlo/${flow.phlo_id}/multi_party_call/${nodeId}`)).json();
      assert.deepEqual([got.node_id, got.phlo_id, got.name, got.node_type], [nodeId, flow.phlo_id, 'Conf', 'multi_party_call']);
      const mpc = phlo.phlo(flow.phlo_id).multiPartyCall(nodeId);
      await assert.rejects(mpc.call('14155550100', '14155550199', 'agent'), /live multi_party_call of node Conf holding 14155550100/);
      const missing = await server.fetch(`/v1/phlo/${flow.phlo_id}/multi_party_call/${nodeId}`, { method: 'POST', json: { action: 'call', trigger_source: '14155550100' } });
      assert.deepEqual([missing.status, (await missing.json()).error], [400, 'to is a mandatory param.']);
      const badRole = await server.fetch(`/v1/phlo/${flow.phlo_id}/multi_party_call/${nodeId}`, { method: 'POST', json: { action: 'call', to: '1', trigger_source: '2', role: 'boss' } });
      assert.deepEqual([badRole.status, (await badRole.json()).error], [400, 'Invalid value provided for role.']);
      const member = await server.fetch(`/v1/phlo/${flow.phlo_id}/multi_party_call/${nodeId}/members/14155550188`, { method: 'POST', json: { action: 'dance' } });
      assert.deepEqual([member.status, (await member.json()).error], [400, 'Invalid value provided for action.']);
      // The SDK's member actions (mpc.member(address).hold() …) fail in the SDK itself (docs/decisions.md): raw requests.
      const hold = await server.fetch(`/v1/phlo/${flow.phlo_id}/multi_party_call/${nodeId}/members/14155550188`, { method: 'POST', json: { action: 'hold' } });
      assert.equal(hold.status, 404);
      await assert.rejects(mpc.abortTransfer('14155550188'), /live multi_party_call of node Conf holding 14155550188/);
      assert.equal((await server.fetch(`/v1/phlo/${flow.phlo_id}/multi_party_call/${flow.nodes[0].node_id}`)).status, 404);
    });

    test('a subaccount sees only its own flows, on both APIs', async () => {
      const flow = await create({ name: 'Mine', nodes: [{ name: 'Start', node_type: 'start', config: {}, transitions: {} }] });
      const sub = await server.client().subaccounts.create('phlo-team', true);
      const creds = { authId: sub.authId, authToken: sub.authToken };
      assert.equal((await server.fetch(`/v1/phlo/${flow.phlo_id}`, { creds })).status, 404);
      assert.equal((await server.fetch(`/v1/Account/${sub.authId}/Phlo/${flow.phlo_id}/`, { creds })).status, 404);
      assert.equal((await server.fetch(`/v1/account/${sub.authId}/phlo/${flow.phlo_id}`, { method: 'POST', json: {}, creds })).status, 404);
      assert.equal((await server.fetch(`/v1/account/${server.authId}/phlo/${flow.phlo_id}`, { method: 'POST', json: {}, creds })).status, 401);
      const list = await (await server.fetch(`/v1/Account/${sub.authId}/Phlo/`, { creds })).json();
      assert.equal(list.meta.total_count, 0);
    });
  });
}
