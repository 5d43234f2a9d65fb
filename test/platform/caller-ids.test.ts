// Caller ID verification on the platform clock: codes expire after 15
// minutes, call delivery is pluggable, and verified numbers are usable as
// caller IDs only by their owner (and the main account).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from '../helpers/pg.ts';
import { platformOn, type Platform } from './numbers-fixture.ts';
import { CallerIds, OTP_TTL_MS } from '../../src/platform/caller-ids.ts';
import type { OtpMessage } from '../../src/platform/otp-delivery.ts';
import { ApiError } from '../../src/errors.ts';

for (const db of databases) {
  describe(`caller ID verification (${db.name})`, { skip: db.skip }, () => {
    let p: Platform;
    before(async () => {
      p = await platformOn(db.name);
    });
    after(async () => p?.close());

    const codeIn = async (number: string): Promise<string> => {
      const { objects } = await p.services.sandboxInbox.list(p.scope, number, { limit: 1, offset: 0 });
      return /\b(\d{4})\b/.exec(objects[0]!.text)![1]!;
    };

    test('a code is accepted until 15 minutes have passed, then refused as expired', async () => {
      const { callerIds } = p.services;
      const early = await callerIds.initiate(p.scope, { phone_number: '+14155550200' });
      await p.clock.advance(OTP_TTL_MS - 1);
      assert.equal((await callerIds.verify(p.scope, early.verificationUuid, await codeIn('14155550200'))).phone_number, '14155550200');

      const late = await callerIds.initiate(p.scope, { phone_number: '+14155550201' });
      const code = await codeIn('14155550201');
      await p.clock.advance(OTP_TTL_MS);
      await assert.rejects(callerIds.verify(p.scope, late.verificationUuid, code), (err: ApiError) => {
        assert.equal(err.status, 400);
        assert.match(err.message, /otp has expired \(codes are valid for 15 minutes\); start a new verification/);
        return true;
      });
      assert.equal(await callerIds.isVerifiedCallerId(p.scope, '+14155550201'), false);
    });

    test('the resend limit counts the last hour only', async () => {
      const { callerIds } = p.services;
      for (let i = 0; i < 5; i++) await callerIds.initiate(p.scope, { phone_number: '14155550202' });
      await assert.rejects(callerIds.initiate(p.scope, { phone_number: '14155550202' }), (err: ApiError) => err.status === 429);
      await p.clock.advance(3600_000);
      await callerIds.initiate(p.scope, { phone_number: '14155550202' });
    });

    test('the call delivery the voice engine supplies receives the code', async () => {
      const calls: OtpMessage[] = [];
      const ctx = { db: p.services.store.db, dialect: p.services.store.dialect, clock: p.clock };
      const withVoice = new CallerIds(ctx, p.services.accounts, { deliver: async () => assert.fail('sms used for a call') }, { deliver: async (m) => void calls.push(m) });
      const { verificationUuid } = await withVoice.initiate(p.scope, { phone_number: '14155550203', channel: 'call' });
      assert.equal(calls.length, 1);
      assert.equal(calls[0]!.channel, 'call');
      assert.equal(calls[0]!.to, '14155550203');
      assert.match(calls[0]!.code, /^\d{4}$/);
      assert.equal(calls[0]!.scope.accountId, p.scope.accountId);
      const row = await withVoice.verify(p.scope, verificationUuid, calls[0]!.code);
      assert.equal(row.channel, 'call');
    });

    test('isVerifiedCallerId: the owner subaccount and the main account may use it, other subaccounts may not', async () => {
      const { callerIds, accounts } = p.services;
      const subA = await accounts.createSubaccount(p.scope, { name: 'A', enabled: true });
      const subB = await accounts.createSubaccount(p.scope, { name: 'B', enabled: true });
      const scopeA = { ...p.scope, subaccountId: subA.auth_id, callerId: subA.auth_id };
      const scopeB = { ...p.scope, subaccountId: subB.auth_id, callerId: subB.auth_id };
      const { verificationUuid } = await callerIds.initiate(scopeA, { phone_number: '14155550204' });
      await callerIds.verify(scopeA, verificationUuid, await codeIn('14155550204'));
      assert.equal(await callerIds.isVerifiedCallerId(scopeA, '+14155550204'), true);
      assert.equal(await callerIds.isVerifiedCallerId(scopeA, '14155550204'), true);
      assert.equal(await callerIds.isVerifiedCallerId(p.scope, '14155550204'), true);
      assert.equal(await callerIds.isVerifiedCallerId(scopeB, '14155550204'), false);
      assert.equal(await callerIds.isVerifiedCallerId(scopeA, '14155550299'), false);
      assert.equal(await callerIds.isVerifiedCallerId(scopeA, 'sip:x@y'), false);
    });
  });
}
