// The proof for messaging: a two-way SMS app — an auto-reply bot written the
// way one is written for the real platform (official SDK, signature check,
// replies through the API or as <Message> XML) — runs against the sandbox,
// and the test talks to it as a person with a phone would, through the
// sandbox API. The server runs on the virtual clock: once the bot has
// replied (real I/O, awaited by asking), the test advances platform time
// past the phone's delivery delays instead of waiting them out.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import plivo from 'plivo';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { advance, customerServer, DELIVERED_MS, eventually, validSignature, type Answer, type CustomerServer, type Received } from './fixture.ts';
import { assertEvery } from '../helpers/assert.ts';

const ANSWER = 'https://example.com/answer';

/** What the bot answers to a text. */
function replyTo(text: string): string {
  switch (text.trim().toUpperCase()) {
    case 'HELP':
      return 'Commands: HOURS, MENU';
    case 'HOURS':
      return 'We are open 9am-5pm, Monday to Friday.';
    case 'MENU':
      return 'Today: soup 4€, salad 6€ ☕';
    default:
      return `You said "${text}". Text HELP for commands.`;
  }
}

/** The bot's message_url handler: unsigned requests are refused, signed ones answered by an SDK send. */
function sdkBot(client: { messages: { create: (src: string, dst: string, text: string) => Promise<unknown> } }, authToken: string) {
  return async (r: Received): Promise<Answer> => {
    if (!validSignature(r, authToken)) return { status: 403, body: 'bad signature' };
    await client.messages.create(r.params.To, r.params.From, replyTo(r.params.Text));
    return { status: 200 };
  };
}

/** The same bot answering with Message XML instead of calling the API. */
function xmlBot(authToken: string) {
  return (r: Received): Answer => {
    if (!validSignature(r, authToken)) return { status: 403, body: 'bad signature' };
    const response = plivo.Response();
    response.addMessage(replyTo(r.params.Text), { src: r.params.To, dst: r.params.From });
    return { status: 200, body: response.toXML(), contentType: 'application/xml' };
  };
}

describe('two-way SMS bot on the sandbox', () => {
  let server: TestServer;
  let apiBot: CustomerServer;
  let xmlBotServer: CustomerServer;
  let apiNumber: string;
  let xmlNumber: string;

  before(async () => {
    server = await startTestServer({ clock: 'virtual' });
    apiBot = await customerServer((r) => sdkBot(server.client(), server.authToken)(r));
    xmlBotServer = await customerServer(xmlBot(server.authToken));
    const client = server.client();
    const [a, b] = await client.numbers.search('US', { type: 'local', services: 'sms', limit: 2 });
    const apiApp = await client.applications.create('sms-bot', { answerUrl: ANSWER, message_url: `${apiBot.url}/sms`, message_method: 'POST' });
    const xmlApp = await client.applications.create('sms-bot-xml', { answerUrl: ANSWER, message_url: `${xmlBotServer.url}/sms`, message_method: 'POST' });
    await client.numbers.buy(a.number, apiApp.appId);
    await client.numbers.buy(b.number, xmlApp.appId);
    apiNumber = a.number;
    xmlNumber = b.number;
  });
  after(async () => {
    await apiBot?.close();
    await xmlBotServer?.close();
    await server?.stop();
  });

  /** Text the bot from a virtual phone, as a person would. */
  const text = async (from: string, to: string, body: string) => {
    const res = await server.fetch(`/v1/Account/${server.authId}/Sandbox/Message/`, { method: 'POST', json: { from, to, text: body } });
    assert.equal(res.status, 201, await res.clone().text());
  };
  /** The phone's inbox, oldest first, once the bot has sent it `count` replies and they are delivered. */
  const conversation = async (phone: string, count: number) => {
    // The bot replies once it has the text (an SDK request, or its XML answer read by the platform): real I/O.
    await eventually(async () => (await server.client().messages.list({ message_direction: 'outbound', to_number: phone, limit: 20 })).length >= count, `${count} replies to ${phone}`);
    await advance(server, DELIVERED_MS);
    const res = await server.fetch(`/v1/Account/${server.authId}/Sandbox/Phone/${phone}/Messages/`);
    const { objects } = (await res.json()) as { objects: Array<{ from: string; text: string }> };
    assert.equal(objects.length, count, `${count} replies in the inbox of ${phone}`);
    return objects.reverse();
  };

  test('a person texts the bot and gets an answer to each message (replies sent through the SDK)', async () => {
    const phone = '14155550900';
    await text(phone, apiNumber, 'HELP');
    await conversation(phone, 1);
    await text(phone, apiNumber, 'hours');
    await conversation(phone, 2);
    await text(phone, apiNumber, 'MENU');
    const replies = await conversation(phone, 3);
    assert.deepEqual(
      replies.map((m) => [m.from, m.text]),
      [
        [apiNumber, 'Commands: HOURS, MENU'],
        [apiNumber, 'We are open 9am-5pm, Monday to Friday.'],
        [apiNumber, 'Today: soup 4€, salad 6€ ☕'],
      ],
    );

    // Both directions are on record: three inbound messages delivered to the bot, three replies delivered to the phone.
    const records = async (direction: string) => server.client().messages.list({ message_direction: direction, limit: 20 });
    const inbound = (await records('inbound')).filter((m: { fromNumber: string }) => m.fromNumber === phone);
    assert.equal(inbound.length, 3);
    await eventually(async () => (await records('inbound')).filter((m: { fromNumber: string; messageState: string }) => m.fromNumber === phone && m.messageState === 'delivered').length === 3, 'inbound marked delivered');
    const outbound = (await records('outbound')).filter((m: { toNumber: string }) => m.toNumber === phone);
    assert.equal(outbound.length, 3);
    assertEvery(outbound, (m: { fromNumber: string }) => m.fromNumber === apiNumber, 'sent from the API number');
    // The Unicode menu reply is one UCS-2 segment; the others GSM.
    assertEvery(outbound, (m: { units: number }) => m.units === 1, 'one segment each');
  });

  test('the same bot answering with <Message> XML works the same way', async () => {
    const phone = '14155550901';
    await text(phone, xmlNumber, 'hi there');
    await text(phone, xmlNumber, 'HOURS');
    const replies = await conversation(phone, 2);
    assert.deepEqual(new Set(replies.map((m) => m.text)), new Set(['You said "hi there". Text HELP for commands.', 'We are open 9am-5pm, Monday to Friday.']));
    assert.equal(replies.length, 2);
    assertEvery(replies, (m) => m.from === xmlNumber, 'replies from the XML number');
  });

  test('two platform numbers can text each other: the message arrives as inbound traffic for the other number', async () => {
    // A plain inbox application (it records, never replies), so bots cannot ping-pong.
    const listener = await customerServer();
    try {
      const client = server.client();
      const app = await client.applications.create('listener', { answerUrl: ANSWER, message_url: `${listener.url}/sms` });
      const [pick] = await client.numbers.search('US', { type: 'local', services: 'sms', limit: 1 });
      await client.numbers.buy(pick.number, app.appId);
      await client.messages.create(apiNumber, pick.number, 'ping from the bot number');
      const [req] = await listener.waitFor('/sms');
      assert.ok(validSignature(req, server.authToken));
      assert.equal(req.params.From, apiNumber);
      assert.equal(req.params.To, pick.number);
      assert.equal(req.params.Text, 'ping from the bot number');
    } finally {
      await listener.close();
    }
  });

  test('a request that is not signed by the platform is refused by the bot', async () => {
    const res = await fetch(`${apiBot.url}/sms`, { method: 'POST', body: new URLSearchParams({ From: '1', To: apiNumber, Text: 'HELP' }) });
    assert.equal(res.status, 403);
  });
});
