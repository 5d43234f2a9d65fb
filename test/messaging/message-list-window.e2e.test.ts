// GET /Message/ without a time filter lists the last 24 hours of the
// platform clock (the platform's default), deterministically on a virtual clock.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { advance } from './fixture.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ clock: 'virtual' });
});
after(async () => server?.stop());

/** The platform's filter format, UTC: YYYY-MM-DD HH:MM:ss. */
const filterTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

test('the message list shows the last 24 hours unless a message_time filter is given', async () => {
  const client = server.client();
  const [number] = await client.numbers.search('US', { services: 'sms', limit: 1 });
  await client.numbers.buy(number.number);
  const sentAt = (await (await server.fetch(`/v1/Account/${server.authId}/Sandbox/Clock/`)).json()).epoch_ms as number;
  const { messageUuid } = await client.messages.create(number.number, '14155550123', 'still there?');
  const listed = async (params: object = {}) => (await client.messages.list(params)).map((m: { messageUuid: string }) => m.messageUuid);

  assert.deepEqual(await listed(), messageUuid);
  await advance(server, 24 * 3600_000 - 1000);
  assert.deepEqual(await listed(), messageUuid, 'a message a second short of a day old is listed');
  await advance(server, 2000);
  assert.deepEqual(await listed(), [], 'older than 24 hours: not in the default list');
  // Any message_time form lifts the default window.
  assert.deepEqual(await listed({ message_time__gte: filterTime(sentAt - 60_000) }), messageUuid);
  assert.deepEqual(await listed({ message_time__lt: filterTime(sentAt + 60_000) }), messageUuid);
  // The record itself is still readable by its uuid.
  assert.equal((await client.messages.get(messageUuid[0])).messageUuid, messageUuid[0]);
});
