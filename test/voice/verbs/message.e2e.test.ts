// <Message> inside a voice call's XML: the caller gets a text while the call
// goes on; a refused text is logged on the call and never ends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spoken } from '../fixtures.ts';
import { voiceSuite } from '../suite.ts';

const line = voiceSuite();

test('an inbound call answered with <Message> texts the caller from the called number, then goes on', async () => {
  const { client, sandbox } = line;
  const { appId } = await client.applications.create('Texting desk', { answerUrl: `${line.app.origin}/answer` });
  const [number] = await client.numbers.search('US', { limit: 1, services: 'voice,sms' });
  await client.numbers.buy(number.number, appId);
  const caller = '14155550601';
  line.app.routes.set(
    '/answer',
    `<Response><Message dst="${caller}">Thanks for calling, here is our address</Message><Message src="14155550999" dst="${caller}">never sent</Message><Speak>Goodbye</Speak></Response>`,
  );

  const uuid = await sandbox.callIn(caller, number.number);
  const t = await sandbox.wait(uuid, 'ended');
  assert.deepEqual(spoken(t), ['Goodbye']);

  const inbox = await (await line.server.fetch(`/v1/Account/${line.server.authId}/Sandbox/Phone/${caller}/Messages/`)).json();
  assert.equal(inbox.meta.total_count, 1);
  assert.equal(inbox.objects[0].text, 'Thanks for calling, here is our address');
  assert.equal(inbox.objects[0].from, number.number);

  const log = await (await line.server.fetch(`/v1/Account/${line.server.authId}/Call/${uuid}/Log/`)).json();
  const messages: string[] = log.objects.map((e: { message: string }) => e.message);
  assert.ok(messages.some((m) => /<Message> sent to/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /<Message> was not sent: .*src/.test(m)), messages.join('\n'));
});
