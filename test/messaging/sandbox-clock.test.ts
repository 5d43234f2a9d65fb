// The sandbox carrier runs on the injected clock: with a virtual clock a
// message stays queued until its phone's "sent" delay has passed, is sent
// until its delivery delay has passed, and only then reaches the inbox —
// on both databases, with no wall-clock waiting: an advance returns once
// the carrier work its timers started is written.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from '../helpers/pg.ts';
import { platformOn, type Platform } from '../platform/numbers-fixture.ts';

for (const db of databases) {
  describe(`sandbox message timing on a virtual clock (${db.name})`, { skip: db.skip }, () => {
    let p: Platform;
    let ours: string;
    before(async () => {
      p = await platformOn(db.name);
      const found = await p.services.numbers.search(p.scope, { country_iso: 'US', type: 'local', services: 'sms', limit: 1, offset: 0 });
      ours = (await p.services.numbers.buy(p.scope, found.objects[0].number, {})).number;
    });
    after(async () => {
      p.services.messages.stop();
      await p?.close();
    });

    const state = async (uuid: string) => (await p.services.messages.get(p.scope, uuid)).message_state;
    const inbox = async (phone: string) => (await p.services.sandboxInbox.list(p.scope, phone, { limit: 20, offset: 0 })).objects;
    /** Advance platform time: it returns once the carrier work its timers started is done (tracked on the clock). */
    const advance = (ms: number) => p.clock.advance(ms);

    test('default timing: queued, sent after 100 ms, delivered into the inbox 500 ms later', async () => {
      const phone = '14155550701';
      const { messageUuids } = await p.services.messages.send(p.scope, { src: ours, dst: phone, text: 'tick' });
      assert.equal(await state(messageUuids[0]), 'queued');
      await advance(99);
      assert.equal(await state(messageUuids[0]), 'queued');
      await advance(1);
      assert.equal(await state(messageUuids[0]), 'sent');
      await advance(499);
      assert.equal(await state(messageUuids[0]), 'sent');
      assert.deepEqual(await inbox(phone), []);
      await advance(1);
      assert.equal(await state(messageUuids[0]), 'delivered');
      const [received] = await inbox(phone);
      assert.equal(received.message_uuid, messageUuids[0]);
      assert.equal(received.text, 'tick');
    });

    test("a phone's configured delays and outcome apply, and a failure refunds the charge", async () => {
      const slow = '14155550702';
      const broken = '14155550703';
      await p.services.sandboxBehaviours.set(p.scope, slow, { outcome: 'undelivered', error_code: '80', sent_after_ms: 60_000, delivered_after_ms: 3_600_000 });
      await p.services.sandboxBehaviours.set(p.scope, broken, { outcome: 'failed', sent_after_ms: 10 });
      const before = await p.money();
      const { messageUuids } = await p.services.messages.send(p.scope, { src: ours, dst: `${slow}<${broken}`, text: 'hello' });
      assert.equal(before.cash - (await p.money()).cash, 10_000, 'both messages charged up front');
      await advance(10);
      assert.equal(await state(messageUuids[1]), 'failed');
      assert.equal(before.cash - (await p.money()).cash, 5_000, 'the failed one refunded');
      await advance(59_990);
      assert.equal(await state(messageUuids[0]), 'sent');
      await advance(3_600_000);
      const m = await p.services.messages.get(p.scope, messageUuids[0]);
      assert.equal(m.message_state, 'undelivered');
      assert.equal(m.error_code, '80');
      assert.equal(m.error_message, 'Destination Temporarily Unavailable');
      const money = await p.money();
      assert.equal(money.cash, money.ledger, 'balance equals the ledger after charge and refund');
    });
  });
}
