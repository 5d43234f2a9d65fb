// The flows in examples/phlo/, each run the way its README says: pushed as
// JSON, attached to a number, and used from a virtual phone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { eventually } from '../messaging/fixture.ts';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples/phlo');
const example = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(EXAMPLES, name), 'utf8'));

describe('PHLO examples in the sandbox', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.stop());

  test('sms-auto-reply: texts to the attached number are answered by the flow', async () => {
    const res = await server.fetch(`/v1/Account/${server.authId}/Phlo/`, { method: 'POST', json: example('sms-auto-reply.json') });
    const flow = await res.json();
    assert.equal(res.status, 201, JSON.stringify(flow));
    assert.deepEqual(flow.warnings, []);
    const [found] = await server.client().numbers.search('US', { type: 'local', services: 'sms', limit: 1 });
    await server.client().numbers.buy(found.number);
    const attach = await server.fetch(`/v1/Account/${server.authId}/Number/${found.number}/`, { method: 'POST', json: { object_type: 'phlo', object_id: flow.phlo_id } });
    assert.equal(attach.status, 202);

    const phone = '14155550123';
    const texts: string[] = [];
    for (const body of [' hours ', 'where are you?']) {
      const sent = await server.fetch(`/v1/Account/${server.authId}/Sandbox/Message/`, { method: 'POST', json: { from: phone, to: found.number, text: body } });
      assert.equal(sent.status, 201);
      texts.push(
        await eventually(async () => {
          const { objects } = await (await server.fetch(`/v1/Account/${server.authId}/Sandbox/Phone/${phone}/Messages/`)).json();
          return objects.length > texts.length && (objects[0] as { from: string; text: string });
        }, 'the reply').then((m) => (assert.equal(m.from, found.number), m.text)),
      );
    }
    assert.deepEqual(texts, ['We are open 9am-5pm, Monday to Friday.', 'Thanks for your message "where are you?". Text HOURS for our opening hours.']);

    const runs = await (await server.fetch(`/v1/Account/${server.authId}/Phlo/${flow.phlo_id}/Run/`)).json();
    assert.equal(runs.meta.total_count, 2);
    const paths = runs.objects.map((r: { steps: Array<{ name: string }> }) => r.steps.map((s) => s.name).join(' → ')).sort();
    assert.deepEqual(paths, ['Start → Keyword → Hours', 'Start → Keyword → Menu']);
    const inbound = await server.client().messages.list({ message_direction: 'inbound' });
    assert.ok(inbound.every((m: { messageState: string }) => m.messageState === 'delivered'), 'inbound texts to a flow are delivered to it');
  });
});
