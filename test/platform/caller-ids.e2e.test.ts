// Verified caller IDs in the sandbox through the official SDK: the code
// arrives in the virtual phone's inbox, is verified, and the caller ID is
// listed, read, modified and deleted; wrong codes, locked verifications,
// unavailable call delivery and subaccount isolation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from '../helpers/pg.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

type Creds = { authId: string; authToken: string };

for (const db of databases) {
  describe(`verified caller IDs (${db.name})`, { skip: db.skip }, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ db: db.name, clock: 'virtual' });
    });
    after(async () => server?.stop());

    const call = async (method: string, path: string, json?: unknown, creds?: Creds, authId = creds?.authId ?? server.authId) => {
      const res = await server.fetch(`/v1/Account/${authId}${path}`, { method, json, creds });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };

    /** What the virtual phone received, newest first. */
    const inbox = async (number: string, creds?: Creds) => (await call('GET', `/Sandbox/Phone/${number}/Messages/`, undefined, creds)).body;
    const latestCode = async (number: string, creds?: Creds): Promise<string> => {
      const text: string = (await inbox(number, creds)).objects[0].text;
      return /\b(\d{4})\b/.exec(text)![1]!;
    };
    const wrong = (code: string) => String((Number(code) + 1) % 10000).padStart(4, '0');

    test('full flow: initiate by SMS, read the code from the sandbox inbox, verify, then list, get, update, delete', async () => {
      const client = server.client();
      const started = await client.verify.initiate('+14155550100', { alias: 'Office', channel: 'sms' });
      assert.match(started.verificationUuid, /^[0-9a-f-]{36}$/);
      assert.equal(started.message, 'Verification code is sent to number +14155550100 which is valid for 15 minutes');

      const messages = await inbox('14155550100');
      assert.equal(messages.meta.total_count, 1);
      const [sms] = messages.objects;
      assert.deepEqual(Object.keys(sms).sort(), ['from', 'media_urls', 'message_uuid', 'received_at', 'text', 'type']);
      assert.equal(sms.type, 'sms');
      assert.deepEqual(sms.media_urls, []);
      assert.match(sms.received_at, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+00:00$/);
      const code = await latestCode('14155550100');

      const bad = await call('POST', `/VerifiedCallerId/Verification/${started.verificationUuid}/`, { otp: wrong(code) });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error, 'otp is incorrect (4 attempts left)');

      const verified = await client.verify.verify(started.verificationUuid, code);
      assert.equal(verified.phoneNumber, '+14155550100');
      assert.equal(verified.alias, 'Office');
      assert.equal(verified.channel, 'sms');
      assert.equal(verified.country, 'US');
      assert.equal(verified.subaccount, '');
      assert.equal(verified.verificationUuid, started.verificationUuid);
      assert.match(verified.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z$/);

      const again = await call('POST', `/VerifiedCallerId/Verification/${started.verificationUuid}/`, { otp: code });
      assert.equal(again.status, 400);
      assert.match(again.body.error, /already complete/);
      const reinitiate = await call('POST', '/VerifiedCallerId/', { phone_number: '+14155550100' });
      assert.equal(reinitiate.status, 400);
      assert.match(reinitiate.body.error, /already a verified caller ID/);

      const got = await client.verify.getVerifiedCallerId('+14155550100');
      assert.equal(got.alias, 'Office');
      assert.equal(got.phoneNumber, '+14155550100');
      assert.equal(got.country, 'US');
      assert.equal(got.subaccount, '');
      assert.equal(got.verificationUuid, started.verificationUuid);
      assert.equal(got.createdAt, got.modifiedAt);
      // Without '+' works too.
      assert.equal((await call('GET', '/VerifiedCallerId/14155550100/')).status, 200);

      const list = await client.verify.listVerifiedCallerId({ country: 'US', alias: 'offi' });
      assert.equal(list.meta.totalCount, 1);
      assert.equal(list.objects[0].resourceUri, `/v1/Account/${server.authId}/VerifiedCallerId/14155550100`);
      assert.equal((await client.verify.listVerifiedCallerId({ country: 'GB' })).meta.totalCount, 0);

      const updated = await client.verify.updateVerifiedCallerId('+14155550100', { alias: 'Front office' });
      assert.equal(updated.alias, 'Front office');
      assert.equal((await client.verify.getVerifiedCallerId('+14155550100')).alias, 'Front office');

      assert.equal(await client.verify.deleteVerifiedCallerId('+14155550100'), true);
      const gone = await call('GET', '/VerifiedCallerId/+14155550100/');
      assert.equal(gone.status, 404);
      assert.match(gone.body.error, /verified caller ID \+14155550100 not found/);
      assert.equal((await call('DELETE', '/VerifiedCallerId/+14155550100/')).status, 404);
      assert.equal((await call('POST', '/VerifiedCallerId/+14155550100/', { alias: 'x' })).status, 404);
    });

    test('five wrong codes lock the verification; even the right code is then refused', async () => {
      const { body } = await call('POST', '/VerifiedCallerId/', { phone_number: '14155550101' });
      const uuid = body.verification_uuid;
      const code = await latestCode('14155550101');
      const left = ['4 attempts left', '3 attempts left', '2 attempts left', '1 attempt left', 'no attempts left: start a new verification'];
      for (const expected of left) {
        const res = await call('POST', `/VerifiedCallerId/Verification/${uuid}/`, { otp: wrong(code) });
        assert.equal(res.status, 400);
        assert.equal(res.body.error, `otp is incorrect (${expected})`);
      }
      const locked = await call('POST', `/VerifiedCallerId/Verification/${uuid}/`, { otp: code });
      assert.equal(locked.status, 429);
      assert.match(locked.body.error, /had 5 wrong codes and is locked; start a new verification/);
      assert.equal((await call('GET', '/VerifiedCallerId/14155550101/')).status, 404);

      // A new verification works.
      const fresh = await call('POST', '/VerifiedCallerId/', { phone_number: '14155550101' });
      const ok = await call('POST', `/VerifiedCallerId/Verification/${fresh.body.verification_uuid}/`, { otp: await latestCode('14155550101') });
      assert.equal(ok.status, 200);
    });

    test('a number gets at most five codes an hour', async () => {
      for (let i = 0; i < 5; i++) assert.equal((await call('POST', '/VerifiedCallerId/', { phone_number: '14155550102' })).status, 201);
      const sixth = await call('POST', '/VerifiedCallerId/', { phone_number: '14155550102' });
      assert.equal(sixth.status, 429);
      assert.match(sixth.body.error, /was sent 5 verification codes in the last hour/);
      assert.equal((await inbox('14155550102')).meta.total_count, 5);
    });

    test('channel=call: the virtual phone gets a call that speaks the code, which then verifies', async () => {
      const started = await server.client().verify.initiate('+14155550103', { alias: 'Desk', channel: 'call' });
      // The verification call reached the virtual phone: find it and wait until it is over.
      const calls = (await call('GET', '/Sandbox/Phone/14155550103/Calls/')).body;
      assert.equal(calls.objects.length, 1);
      const { call_uuid, direction } = calls.objects[0];
      assert.equal(direction, 'outbound'); // the platform's call direction
      const heard = await call('POST', `/Sandbox/Call/${call_uuid}/Wait/`, { until: 'ended', timeout_ms: 120_000 });
      assert.equal(heard.status, 200);
      const spoken = heard.body.events.filter((e: { type: string }) => e.type === 'speak').map((e: { text: string }) => e.text).join(' ');
      const digits = /verification code is ((?:\d, ){3}\d)/.exec(spoken)?.[1];
      assert.ok(digits, `code spoken in: ${spoken}`);
      const code = digits!.replace(/, /g, '');
      assert.equal((await inbox('14155550103')).meta.total_count, 0, 'nothing sent by SMS');

      const verified = await server.client().verify.verify(started.verificationUuid, code);
      assert.equal(verified.channel, 'call');
      assert.equal(verified.phoneNumber, '+14155550103');
    });

    test('bad input is refused with a message naming the field', async () => {
      const cases: Array<[string, object, number, RegExp]> = [
        ['/VerifiedCallerId/', {}, 400, /phone_number is required/],
        ['/VerifiedCallerId/', { phone_number: 'abc' }, 400, /phone_number "abc" is not a valid phone number/],
        ['/VerifiedCallerId/', { phone_number: '14155550104', channel: 'fax' }, 400, /channel must be one of: sms, call/],
        ['/VerifiedCallerId/', { phone_number: '14155550104', subaccount: 'SA00000000000000000X' }, 400, /subaccount SA00000000000000000X is not a subaccount of this account/],
        ['/VerifiedCallerId/Verification/00000000-0000-4000-8000-000000000000/', { otp: '1234' }, 404, /verification 00000000-0000-4000-8000-000000000000 not found/],
        ['/VerifiedCallerId/Verification/00000000-0000-4000-8000-000000000000/', {}, 400, /otp is required/],
      ];
      for (const [path, json, status, message] of cases) {
        const res = await call('POST', path, json);
        assert.equal(res.status, status, `${path} ${JSON.stringify(json)}`);
        assert.match(res.body.error, message);
      }
      const badNumber = await call('GET', '/Sandbox/Phone/not-a-number/Messages/');
      assert.equal(badNumber.status, 400);
      assert.match(badNumber.body.error, /number "not-a-number" is not a phone number/);
    });

    test('subaccounts see only their own codes and caller IDs; the main account sees and moves them', async () => {
      const main = server.client();
      const subA = await main.subaccounts.create('Caller IDs A', true);
      const subB = await main.subaccounts.create('Caller IDs B', true);
      const a = server.client(subA);

      const started = await a.verify.initiate('+14155550110', { alias: 'A line' });
      // The code went to A's traffic: A and the main account see it, B does not.
      assert.equal((await inbox('14155550110', subB)).meta.total_count, 0);
      assert.equal((await inbox('14155550110')).meta.total_count, 1);
      const code = await latestCode('14155550110', subA);
      assert.equal((await call('POST', `/VerifiedCallerId/Verification/${started.verificationUuid}/`, { otp: code }, subB)).status, 404);
      const verified = await a.verify.verify(started.verificationUuid, code);
      assert.equal(verified.subaccount, subA.authId);

      assert.equal((await call('GET', '/VerifiedCallerId/+14155550110/', undefined, subB)).status, 404);
      assert.equal((await call('GET', '/VerifiedCallerId/', undefined, subB)).body.meta.total_count, 0);
      assert.equal((await call('DELETE', '/VerifiedCallerId/+14155550110/', undefined, subB)).status, 404);
      assert.equal((await a.verify.getVerifiedCallerId('+14155550110')).subaccount, subA.authId);
      const filtered = await main.verify.listVerifiedCallerId({ subaccount: subA.authId });
      assert.deepEqual(filtered.objects.map((o: { phoneNumber: string }) => o.phoneNumber), ['+14155550110']);

      // Only the main account reassigns.
      const bySub = await call('POST', '/VerifiedCallerId/+14155550110/', { subaccount: subB.authId }, subA);
      assert.equal(bySub.status, 401);
      const moved = await main.verify.updateVerifiedCallerId('+14155550110', { subaccount: subB.authId });
      assert.equal(moved.subaccount, subB.authId);
      assert.equal((await call('GET', '/VerifiedCallerId/+14155550110/', undefined, subA)).status, 404);
      assert.equal((await call('GET', '/VerifiedCallerId/+14155550110/', undefined, subB)).status, 200);
      const toMain = await main.verify.updateVerifiedCallerId('+14155550110', { subaccount: '' });
      assert.equal(toMain.subaccount, '');
    });

    test('deleting a subaccount moves its caller IDs to the main account, or deletes them with cascade', async () => {
      const main = server.client();
      const verifyFor = async (sub: Creds, number: string) => {
        const { body } = await call('POST', '/VerifiedCallerId/', { phone_number: number }, sub);
        const res = await call('POST', `/VerifiedCallerId/Verification/${body.verification_uuid}/`, { otp: await latestCode(number, sub) }, sub);
        assert.equal(res.status, 200);
      };
      const keep = await main.subaccounts.create('Keep caller IDs', true);
      const drop = await main.subaccounts.create('Drop caller IDs', true);
      await verifyFor(keep, '14155550120');
      await verifyFor(drop, '14155550121');
      await main.subaccounts.delete(keep.authId, false);
      await main.subaccounts.delete(drop.authId, true);
      assert.equal((await main.verify.getVerifiedCallerId('+14155550120')).subaccount, '');
      assert.equal((await call('GET', '/VerifiedCallerId/+14155550121/')).status, 404);
    });
  });
}
