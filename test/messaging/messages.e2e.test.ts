// SMS and MMS through the official SDK against a real server and the sandbox
// carrier, on SQLite and PostgreSQL: sending to virtual phones and reading
// their inboxes, signed delivery callbacks, configured failures, per-segment
// billing, validation errors, inbound messages to an application, records
// and filters, and subaccount isolation. The server runs on the virtual
// clock: a test advances platform time past a phone's delays (default: sent
// after 100 ms, delivered 500 ms later) instead of waiting them out.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from '../helpers/pg.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { advance as advanceOn, customerServer, DELIVERED_MS, eventually, validSignature, type CustomerServer } from './fixture.ts';

const ANSWER = 'https://example.com/answer';

type Creds = { authId: string; authToken: string };
type InboxMessage = { message_uuid: string; from: string; text: string; type: string; media_urls: string[]; received_at: string };

let nextPhone = 14155550300;
/** A fresh virtual phone per test, so inboxes and settings never mix. */
const virtualPhone = (): string => String(nextPhone++);

for (const db of databases) {
  describe(`messaging (${db.name})`, { skip: db.skip }, () => {
    let server: TestServer;
    let customer: CustomerServer;
    before(async () => {
      server = await startTestServer({ db: db.name, clock: 'virtual' });
      customer = await customerServer();
    });
    after(async () => {
      await customer?.close();
      await server?.stop();
    });

    const api = async (path: string, init: { method?: string; json?: unknown; creds?: Creds } = {}) => {
      const authId = (init.creds ?? server).authId;
      const res = await server.fetch(`/v1/Account/${authId}${path}`, { method: init.method ?? (init.json ? 'POST' : 'GET'), json: init.json, creds: init.creds });
      return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
    };
    const inbox = async (phone: string, creds?: Creds): Promise<InboxMessage[]> => (await api(`/Sandbox/Phone/${phone}/Messages/`, { creds })).body.objects;
    const advance = (ms: number, creds?: Creds) => advanceOn(server, ms, creds);
    /** The inbox of `phone` once the messages sent to it so far are delivered: `count` of them at least. */
    const inboxHas = async (phone: string, count = 1, creds?: Creds) => {
      await advance(DELIVERED_MS, creds);
      const got = await inbox(phone, creds);
      assert.ok(got.length >= count, `${count} message(s) in the inbox of ${phone}, got ${got.length}`);
      return got;
    };
    const balance = async () => Number((await server.client().accounts.get()).cashCredits);
    /** Rent a US number (SMS and MMS enabled), optionally linked to an application. */
    const rentNumber = async (appId?: string): Promise<string> => {
      const [pick] = await server.client().numbers.search('US', { type: 'local', services: 'sms,mms', limit: 1 });
      await server.client().numbers.buy(pick.number, appId);
      return pick.number;
    };
    const behave = async (phone: string, json: object, creds?: Creds) => {
      const res = await api(`/Sandbox/Phone/${phone}/Messaging/`, { json, creds });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    };
    /** Message `uuid` once its phone's delays have passed: in a final state. */
    const finalState = async (uuid: string, creds?: Creds) => {
      await advance(DELIVERED_MS, creds);
      const m = await server.client(creds).messages.get(uuid);
      assert.ok(!['queued', 'sent', 'received'].includes(m.messageState), `message ${uuid} in a final state, is ${m.messageState}`);
      return m;
    };

    let ours: string;
    before(async () => {
      ours = await rentNumber();
    });

    test('an SMS sent with the SDK lands in the virtual phone inbox and its record says delivered', async () => {
      const phone = virtualPhone();
      const res = await server.client().messages.create(ours, phone, 'Your code is 1234');
      assert.equal(res.message, 'message(s) queued');
      assert.equal(res.messageUuid.length, 1);
      assert.match(res.messageUuid[0], /^[0-9a-f-]{36}$/);
      assert.match(res.apiId, /^[0-9a-f-]{36}$/);
      assert.equal(res.invalid_number, undefined);

      const [received] = await inboxHas(phone);
      assert.equal(received.message_uuid, res.messageUuid[0]);
      assert.equal(received.from, ours);
      assert.equal(received.text, 'Your code is 1234');
      assert.equal(received.type, 'sms');

      const m = await finalState(res.messageUuid[0]);
      assert.equal(m.messageState, 'delivered');
      assert.equal(m.errorCode, '000');
      assert.equal(m.messageDirection, 'outbound');
      assert.equal(m.messageType, 'sms');
      assert.equal(m.fromNumber, ours);
      assert.equal(m.toNumber, phone);
      assert.equal(m.units, 1);
      assert.equal(m.totalRate, '0.00500');
      assert.equal(m.totalAmount, '0.00500');
      assert.equal(m.destinationCountryIso2, 'US');
      assert.equal(m.isDomestic, true);
      assert.match(m.messageTime, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+00:00$/);
      assert.match(m.messageSentTime, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
      assert.equal(m.resourceUri, `/v1/Account/${server.authId}/Message/${res.messageUuid[0]}/`);
    });

    test('delivery callbacks arrive queued → sent → delivered, signed for the account (SDK validator)', async () => {
      const phone = virtualPhone();
      const url = `${customer.url}/status/${phone}`;
      const res = await server.client().messages.create({ src: ours, dst: phone, text: 'hello', url, method: 'POST' });
      await advance(DELIVERED_MS);
      const callbacks = await customer.waitFor(`/status/${phone}`, 3);
      const bySequence = [...callbacks].sort((a, b) => Number(a.params.Sequence) - Number(b.params.Sequence));
      assert.deepEqual(bySequence.map((c) => c.params.Status), ['queued', 'sent', 'delivered']);
      assert.deepEqual(bySequence.map((c) => c.params.Sequence), ['1', '2', '3']);
      for (const c of callbacks) {
        assert.equal(c.method, 'POST');
        assert.ok(validSignature(c, server.authToken), `callback ${c.params.Status} has a valid V3 signature`);
        assert.ok(!validSignature(c, 'x'.repeat(40)), 'and it does not validate with another token');
        assert.equal(c.params.MessageUUID, res.messageUuid[0]);
        assert.equal(c.params.ParentMessageUUID, res.messageUuid[0]);
        assert.equal(c.params.From, ours);
        assert.equal(c.params.To, phone);
        assert.equal(c.params.Units, '1');
        assert.equal(c.params.TotalRate, '0.00500');
        assert.equal(c.params.TotalAmount, '0.00500');
      }
      const delivered = bySequence[2].params;
      assert.equal(delivered.ErrorCode, '000');
      assert.match(delivered.SentTime, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
      assert.match(delivered.DeliveryReportTime, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    });

    test('a virtual phone set to fail or not deliver does so with its error code; failed messages are not charged', async () => {
      const failing = virtualPhone();
      const unreachable = virtualPhone();
      const silent = virtualPhone();
      const { api_id, ...set } = await behave(failing, { outcome: 'failed', error_code: '100', sent_after_ms: 0 });
      assert.match(api_id, /^[0-9a-f-]{36}$/);
      assert.deepEqual(set, { number: failing, outcome: 'failed', error_code: '100', sent_after_ms: 0, delivered_after_ms: 500 });
      await behave(unreachable, { outcome: 'undelivered', sent_after_ms: 0, delivered_after_ms: 0 });
      await behave(silent, { outcome: 'sent', sent_after_ms: 0 });
      const read = await api(`/Sandbox/Phone/${unreachable}/Messaging/`);
      assert.equal(read.body.error_code, '70', 'undelivered defaults to error 70');

      const before = await balance();
      const url = `${customer.url}/status/fail-${failing}`;
      const res = await server.client().messages.create({ src: ours, dst: `${failing}<${unreachable}<${silent}`, text: 'will it arrive?', url });
      assert.equal(res.messageUuid.length, 3);
      const [failed, undelivered] = await Promise.all([finalState(res.messageUuid[0]), finalState(res.messageUuid[1])]);
      assert.equal(failed.messageState, 'failed');
      assert.equal(failed.errorCode, '100');
      assert.equal(failed.errorMessage, 'Prohibited by Carrier');
      assert.equal(failed.totalAmount, '0.00000');
      assert.equal(undelivered.messageState, 'undelivered');
      assert.equal(undelivered.errorCode, '70');
      assert.equal(undelivered.totalAmount, '0.00500');
      const sent = await server.client().messages.get(res.messageUuid[2]);
      assert.equal(sent.messageState, 'sent', 'the third message is sent and stays so');
      assert.equal(sent.errorCode, null);
      assert.equal((before - (await balance())).toFixed(5), '0.01000', 'the failed message was refunded');
      assert.deepEqual(await inbox(failing), []);
      assert.deepEqual(await inbox(unreachable), []);

      const failedCallbacks = (await customer.waitFor(`/status/fail-${failing}`, 6)).filter((c) => c.params.MessageUUID === res.messageUuid[0]);
      assert.deepEqual(failedCallbacks.map((c) => c.params.Status).sort(), ['failed', 'queued']);
      assert.equal(failedCallbacks.find((c) => c.params.Status === 'failed')!.params.ErrorCode, '100');

      assert.equal((await api(`/Sandbox/Phone/${failing}/Messaging/`, { method: 'DELETE' })).status, 204);
      assert.equal((await api(`/Sandbox/Phone/${failing}/Messaging/`)).body.outcome, 'delivered');
      const bad = await api(`/Sandbox/Phone/${failing}/Messaging/`, { json: { outcome: 'failed', error_code: '12345' } });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error, /error_code must be one of: 10, 20/);
      const badOutcome = await api(`/Sandbox/Phone/${failing}/Messaging/`, { json: { outcome: 'lost' } });
      assert.equal(badOutcome.status, 400);
      assert.match(badOutcome.body.error, /outcome must be one of: delivered, sent, undelivered, failed/);
      const platform = await api(`/Sandbox/Phone/${ours}/Messaging/`, { json: { outcome: 'failed' } });
      assert.equal(platform.status, 400);
      assert.match(platform.body.error, /is a platform number, not a virtual phone/);
    });

    test('a long Unicode text is billed as the right number of segments, and the balance moves by exactly that', async () => {
      const phone = virtualPhone();
      await behave(phone, { outcome: 'delivered', sent_after_ms: 0, delivered_after_ms: 0 });
      const unicode = 'Привет! '.repeat(20); // 160 UCS-2 units → 67 + 67 + 26
      const gsm = 'x'.repeat(161); // 153 + 8
      const before = await balance();
      const [a, b] = await Promise.all([server.client().messages.create(ours, phone, unicode), server.client().messages.create(ours, phone, gsm)]);
      const [ma, mb] = await Promise.all([server.client().messages.get(a.messageUuid[0]), server.client().messages.get(b.messageUuid[0])]);
      assert.equal(ma.units, 3);
      assert.equal(ma.totalAmount, '0.01500');
      assert.equal(mb.units, 2);
      assert.equal(mb.totalAmount, '0.01000');
      assert.equal((before - (await balance())).toFixed(5), '0.02500');
      const received = await inboxHas(phone, 2);
      assert.ok(received.some((m) => m.text === unicode), 'the whole text arrives as one message');
    });

    test('bad senders and destinations get the documented errors; partly bad destination lists name the bad ones', async () => {
      const client = server.client();
      const phone = virtualPhone();
      const rejects = (p: Promise<unknown>, status: number, re: RegExp) => assert.rejects(p, (err: { status: number; message: string }) => err.status === status && re.test(err.message));
      await rejects(client.messages.create('14155559999', phone, 'hi'), 400, /src 14155559999 is not a number of this account nor one of its verified caller IDs/);
      await rejects(client.messages.create('Acme', phone, 'hi'), 400, /messages to the US and Canada must come from a number of this account/);
      await rejects(client.messages.create('Way too long sender', phone, 'hi'), 400, /src "Way too long sender" is not a valid sender/);
      await rejects(client.messages.create(ours, '12', 'hi'), 400, /dst "12" is not a valid phone number/);
      await rejects(client.messages.create(ours, '12<abc', 'hi'), 400, /invalid phone numbers: dst "12".*; dst "abc"/);
      await rejects(client.messages.create(ours, phone, ''), 400, /text is required for type sms/);
      await rejects(client.messages.create(ours, phone, 'a'.repeat(1601)), 400, /text is too long/);
      await rejects(client.messages.create(ours, phone, 'hi', { type: 'whatsapp' }), 400, /type must be one of: sms, mms/);
      await rejects(client.messages.create(ours, phone, 'hi', { url: 'not a url' }), 400, /url has an invalid format/);
      await rejects(client.messages.create({ powerpackUUID: 'd1b6a7c2-0000-4000-8000-000000000000', dst: phone, text: 'hi' }), 400, /no such Powerpack/);
      await rejects(client.messages.create('Acme', '447400123456', 'pic', { type: 'mms', media_urls: ['https://example.com/a.png'] }), 400, /MMS must be sent from a number of this account/);

      const partly = await client.messages.create(ours, `${phone}<12<${phone}`, 'partly');
      assert.equal(partly.messageUuid.length, 1, 'repeated destinations are sent once');
      assert.deepEqual(partly.invalid_number, ['12']);

      // An alphanumeric sender may reach countries outside North America.
      const abroad = await client.messages.create('Acme', '447400123456', 'hello UK');
      const m = await client.messages.get(abroad.messageUuid[0]);
      assert.equal(m.fromNumber, 'Acme');
      assert.equal(m.totalRate, '0.04000');
      assert.equal(m.isDomestic, false);

      const raw = await api('/Message/', { json: { src: ours, text: 'no dst' } });
      assert.equal(raw.status, 400);
      assert.equal(raw.body.error, 'dst is required');
      await rejects(client.messages.get('00000000-0000-4000-8000-000000000000'), 404, /message 00000000-0000-4000-8000-000000000000 not found/);
    });

    test('a verified caller ID may send outside North America, not to the US or Canada', async () => {
      const client = server.client();
      const mobile = '447400123999';
      const started = await client.verify.initiate(`+${mobile}`, { channel: 'sms' });
      const [otp] = await inboxHas(mobile);
      await client.verify.verify(started.verificationUuid, /\b(\d{4})\b/.exec(otp.text)![1]);
      const abroad = await client.messages.create(mobile, '4915123456789', 'from my own phone');
      assert.equal((await client.messages.get(abroad.messageUuid[0])).fromNumber, mobile);
      await assert.rejects(client.messages.create(mobile, virtualPhone(), 'hi'), /messages to the US and Canada must come from a number of this account/);
      await assert.rejects(client.messages.create(mobile, '4915123456789', '', { type: 'mms', media_urls: ['https://example.com/a.png'] }), /is not a number of this account; send from a number you rent/);
    });

    test('log=false keeps the message out of the record (number masked) but still delivers it', async () => {
      const phone = virtualPhone();
      const res = await server.client().messages.create({ src: ours, dst: phone, text: 'secret 9876', log: 'false' });
      const [received] = await inboxHas(phone);
      assert.equal(received.text, 'secret 9876');
      const m = await server.client().messages.get(res.messageUuid[0]);
      assert.equal(m.toNumber, phone.slice(0, 3) + 'XXXXX' + phone.slice(-3));
      assert.equal(m.log, 'false');
    });

    test('an MMS carries its media to the phone and lists them as media records', async () => {
      const phone = virtualPhone();
      const media = ['https://cdn.example.com/cat.jpg', 'https://cdn.example.com/menu.pdf'];
      const res = await server.client().messages.create({ src: ours, dst: phone, text: 'look', type: 'mms', media_urls: media });
      const [received] = await inboxHas(phone);
      assert.equal(received.type, 'mms');
      assert.deepEqual(received.media_urls, media);
      const m = await server.client().messages.get(res.messageUuid[0]);
      assert.equal(m.messageType, 'mms');
      assert.equal(m.units, 1);
      assert.equal(m.totalRate, '0.02000');
      const list = await server.client().messages.listMedia(res.messageUuid[0]);
      assert.deepEqual(
        list.objects.map((o: { mediaUrl: string; contentType: string; fileName: string; messageUuid: string }) => [o.mediaUrl, o.contentType, o.fileName, o.messageUuid]),
        [
          [media[0], 'image/jpeg', 'cat.jpg', res.messageUuid[0]],
          [media[1], 'application/pdf', 'menu.pdf', res.messageUuid[0]],
        ],
      );
    });

    test('a message from a virtual phone reaches the number application message_url, signed, and is marked delivered', async () => {
      const app = await server.client().applications.create('sms-inbox', { answerUrl: ANSWER, message_url: `${customer.url}/inbound`, message_method: 'POST' });
      const number = await rentNumber(app.appId);
      const phone = virtualPhone();
      const sent = await api('/Sandbox/Message/', { json: { from: phone, to: number, text: 'STOP' } });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      assert.match(sent.body.message_uuid, /^[0-9a-f-]{36}$/);
      const [req] = await customer.waitFor('/inbound');
      assert.ok(validSignature(req, server.authToken));
      assert.equal(req.params.From, phone);
      assert.equal(req.params.To, number);
      assert.equal(req.params.Text, 'STOP');
      assert.equal(req.params.Type, 'sms');
      assert.equal(req.params.MessageUUID, sent.body.message_uuid);
      assert.equal(req.params.Units, '1');
      assert.equal(req.params.TotalRate, '0.00000');
      assert.equal(req.params.MessageIntent, 'optout');
      // Delivered once the application answered: real I/O, not platform time, so this one is awaited by asking.
      const m = await eventually(async () => {
        const got = await server.client().messages.get(sent.body.message_uuid);
        return got.messageState !== 'received' && got;
      }, 'the inbound message to be marked delivered');
      assert.equal(m.messageDirection, 'inbound');
      assert.equal(m.messageState, 'delivered');
      assert.equal(m.fromNumber, phone);
      assert.equal(m.toNumber, number);

      const mms = await api('/Sandbox/Message/', { json: { from: phone, to: number, type: 'mms', text: 'a photo', media_urls: ['https://cdn.example.com/p.jpg'] } });
      assert.equal(mms.status, 201);
      const withMedia = (await customer.waitFor('/inbound', 2))[1];
      assert.equal(withMedia.params.Type, 'mms');
      assert.equal(withMedia.params.Body, 'a photo');
      assert.equal(withMedia.params.MediaCount, '1');
      assert.equal(withMedia.params.Media1, 'https://cdn.example.com/p.jpg');
      assert.equal(withMedia.params.Text, undefined);
      const media = await server.client().messages.listMedia(mms.body.message_uuid);
      assert.equal(media.objects[0].mediaUrl, 'https://cdn.example.com/p.jpg');

      const notOurs = await api('/Sandbox/Message/', { json: { from: phone, to: '14155559998', text: 'hi' } });
      assert.equal(notOurs.status, 404);
      assert.match(notOurs.body.error, /is not a number of this account/);
      const fromPlatform = await api('/Sandbox/Message/', { json: { from: ours, to: number, text: 'hi' } });
      assert.equal(fromPlatform.status, 400);
      assert.match(fromPlatform.body.error, /is a platform number, not a virtual phone/);
    });

    test('lists records newest first with direction, state, type and time filters, and pagination', async () => {
      const phone = virtualPhone();
      await behave(phone, { outcome: 'delivered', sent_after_ms: 0, delivered_after_ms: 0 });
      const now = (await api('/Sandbox/Clock/')).body.epoch_ms as number;
      const start = new Date(now - 60_000).toISOString().slice(0, 16).replace('T', ' ');
      const first = await server.client().messages.create(ours, phone, 'one');
      const second = await server.client().messages.create(ours, phone, 'two');
      await finalState(second.messageUuid[0]);
      const page = await server.client().messages.list({ limit: 2, offset: 0, message_direction: 'outbound', to_number: phone });
      assert.deepEqual(page.map((m: { messageUuid: string }) => m.messageUuid), [second.messageUuid[0], first.messageUuid[0]]);
      assert.equal(page.meta.totalCount, 2);
      assert.equal(page.meta.limit, 2);
      const sms = await server.client().messages.list({ message_type: 'sms', message_time__gte: start, to_number: phone, limit: 1, offset: 1 });
      assert.equal(sms.length, 1);
      assert.equal(sms[0].messageUuid, first.messageUuid[0]);
      const future = await server.client().messages.list({ message_time__gt: '2999-01-01 00:00', to_number: phone });
      assert.equal(future.length, 0);
      const inbound = await server.client().messages.list({ message_direction: 'inbound', to_number: phone });
      assert.equal(inbound.length, 0);
      const bad = await api('/Message/?message_time__gt=yesterday');
      assert.equal(bad.status, 400);
      assert.match(bad.body.error, /message_time__gt "yesterday" must be a UTC time/);
      const badState = await api('/Message/?message_state=lost');
      assert.equal(badState.status, 400);
      assert.match(badState.body.error, /message_state must be one of/);
    });

    test('a subaccount sends from its own numbers and sees only its own messages and inboxes', async () => {
      const main = server.client();
      const sub = await main.subaccounts.create('team', true);
      const subCreds = { authId: sub.authId, authToken: sub.authToken };
      const subClient = server.client(subCreds);
      const theirs = await rentNumber();
      await main.numbers.update(theirs, { subaccount: sub.authId });
      const phone = virtualPhone();
      await behave(phone, { outcome: 'delivered', sent_after_ms: 0, delivered_after_ms: 0 }, subCreds);

      await assert.rejects(subClient.messages.create(ours, phone, 'not mine'), /src \d+ is not a number of this account/);
      const subSent = await subClient.messages.create(theirs, phone, 'from the team');
      const mainSent = await main.messages.create(ours, phone, 'from the main account');
      await inboxHas(phone, 1, subCreds);
      await inboxHas(phone, 2);

      assert.deepEqual((await inbox(phone, subCreds)).map((m) => m.text), ['from the team']);
      const subList = await subClient.messages.list({ to_number: phone });
      assert.deepEqual(subList.map((m: { messageUuid: string }) => m.messageUuid), [subSent.messageUuid[0]]);
      await assert.rejects(subClient.messages.get(mainSent.messageUuid[0]), /not found/);
      const viaMain = await main.messages.list({ subaccount: sub.authId, to_number: phone });
      assert.deepEqual(viaMain.map((m: { messageUuid: string }) => m.messageUuid), [subSent.messageUuid[0]]);
      const all = await main.messages.list({ to_number: phone });
      assert.equal(all.length, 2);
      const record = await main.messages.get(subSent.messageUuid[0]);
      assert.equal(record.resourceUri, `/v1/Account/${sub.authId}/Message/${subSent.messageUuid[0]}/`);
      // Subaccounts spend their main account's credit; the ledger records who spent it.
      assert.equal(record.totalAmount, '0.00500');
      // A subaccount cannot inject traffic into the main account's numbers.
      const injected = await api('/Sandbox/Message/', { json: { from: phone, to: ours, text: 'hi' }, creds: subCreds });
      assert.equal(injected.status, 404);
    });

    test('without enough credit nothing is sent (400 insufficient credit, typed in the SDK) and no record is left behind', async () => {
      const phone = virtualPhone();
      const count = async () => (await server.client().messages.list({ to_number: phone })).meta.totalCount;
      // 1000 destinations of an 11-segment Unicode text cost 55.00, more than the remaining credit.
      const many = Array.from({ length: 1000 }, (_, i) => String(14155560000 + i)).join('<');
      const before = await balance();
      await assert.rejects(server.client().messages.create(ours, many, 'ł'.repeat(737)), { status: 400, message: /insufficient credit: this needs/ });
      const raw = await api('/Message/', { json: { src: ours, dst: many, text: 'ł'.repeat(737) } });
      assert.equal(raw.status, 400);
      assert.match(raw.body.error, /insufficient credit: this needs/);
      assert.equal(await balance(), before);
      assert.equal(await count(), 0);
    });
  });
}
