// Calls live on a server process that crashed are closed by whoever takes
// over its work: final state, 5010 Internal Error, billed for the time known,
// a CDR, the hangup callback queued, a debug-log entry — exactly once, even
// when two nodes close them at the same moment.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newUuid } from '../../../src/ids.ts';
import { CdrWriter } from '../../../src/voice/engine/cdrs.ts';
import type { NewLiveCallRow } from '../../../src/store/tables/calls.ts';
import { databases } from '../../helpers/pg.ts';
import { bench, type Bench } from '../../webhooks/fixture.ts';

for (const db of databases) {
  describe(`calls of a crashed node (${db.name})`, { skip: db.skip }, () => {
    let b: Bench;
    before(async () => {
      b = await bench(db.name);
    });
    after(async () => {
      await b.close();
    });

    test('each live call is closed once with a CDR, a charge for the time known, its hangup callback and a log entry', async () => {
      const t0 = b.clock.now();
      const live = (fields: Partial<NewLiveCallRow>): NewLiveCallRow => ({
        call_uuid: newUuid(),
        node_id: 'crashed-node',
        request_uuid: newUuid(),
        account_id: b.authId,
        subaccount_id: null,
        call_direction: 'outbound',
        from_number: '14155550123',
        to_number: '14155550100',
        caller_name: '14155550123',
        parent_call_uuid: null,
        number_type: null,
        initiated_at: t0,
        answered_at: null,
        hangup_url: null,
        hangup_method: null,
        params: '{}',
        ...fields,
      });
      const answered = live({
        answered_at: t0 + 2_000,
        hangup_url: 'http://127.0.0.1:9/hangup',
        hangup_method: 'POST',
        params: JSON.stringify({ CallUUID: 'kept', CallStatus: 'in-progress', From: '14155550123' }),
      });
      const ringing = live({});
      const elsewhere = live({ node_id: 'live-node' });
      await b.store.db.insertInto('live_calls').values([answered, ringing, elsewhere]).execute();
      const balance = async () => (await b.store.db.selectFrom('accounts').select('cash_credits').where('auth_id', '=', b.authId).executeTakeFirstOrThrow()).cash_credits;
      const before = await balance();

      // Last heard of 92.5 s after the call started: 90.5 s answered, billed as 91 s.
      const gone = { nodeId: 'crashed-node', lastSeenAt: t0 + 92_500 };
      const closed = await Promise.all([b.services.voice.closeCallsOf(gone), b.services.voice.closeCallsOf(gone)]);
      assert.equal(closed[0] + closed[1], 2, 'two closers, each call closed once');

      const cdrs = await b.store.db.selectFrom('calls').selectAll().where('account_id', '=', b.authId).orderBy('call_state').execute();
      assert.deepEqual(
        cdrs.map((c) => [c.call_uuid, c.call_state, c.hangup_cause_code, c.hangup_cause_name, c.hangup_source, c.call_duration, c.ended_at]),
        [
          [answered.call_uuid, 'ANSWER', 5010, 'Internal Error', 'Error', 91, t0 + 92_500],
          [ringing.call_uuid, 'FAILED', 5010, 'Internal Error', 'Error', 0, t0 + 92_500],
        ],
      );
      const charged = cdrs.find((c) => c.call_uuid === answered.call_uuid)!;
      assert.ok(charged.total_amount > 0 && charged.billed_duration >= 91);
      assert.equal(await balance(), before - charged.total_amount, 'billed once');
      assert.deepEqual((await b.store.db.selectFrom('live_calls').select('call_uuid').execute()).map((r) => r.call_uuid), [elsewhere.call_uuid]);

      const jobs = await b.store.db.selectFrom('webhook_jobs').selectAll().where('kind', '=', 'hangup').execute();
      assert.equal(jobs.length, 1, 'the hangup callback of the call that had a hangup_url');
      const params = JSON.parse(jobs[0]!.params) as Record<string, string>;
      assert.equal(jobs[0]!.url, 'http://127.0.0.1:9/hangup');
      assert.deepEqual(
        [params.CallUUID, params.CallStatus, params.Event, params.HangupCauseCode, params.HangupCauseName, params.HangupSource, params.Duration, params.BillDuration],
        ['kept', 'completed', 'Hangup', '5010', 'Internal Error', 'Error', '91', String(charged.billed_duration)],
      );

      const log = await b.services.callLog.list({ accountId: b.authId, subaccountId: null, callerId: b.authId }, answered.call_uuid, { limit: 20, offset: 0 });
      assert.equal(log.objects.length, 1);
      assert.match(log.objects[0]!.message, /stopped without ending it \(a crash\).*5010 Internal Error, billed up to/);
      await b.store.db.deleteFrom('webhook_jobs').execute();
    });

    test('a call whose live row could not be written still gets its record when it ends', async () => {
      const errors: string[] = [];
      // No node id: the live row breaks a NOT NULL constraint, as a failing database would refuse it.
      const cdrs = new CdrWriter({ db: b.store.db, dialect: b.store.dialect, clock: b.clock }, b.services.billing, b.services.webhooks, null as unknown as string, (_err, uuid) => errors.push(uuid));
      const leg = {
        uuid: newUuid(),
        requestUuid: newUuid(),
        owner: { accountId: b.authId, subaccountId: null },
        direction: 'outbound' as const,
        from: '14155550123',
        to: '14155550100',
        callerName: '14155550123',
        parentCallUuid: null,
        initiatedAt: b.clock.now(),
      };
      cdrs.started({ ...leg, params: {} });
      await cdrs.drain();
      assert.deepEqual(errors, [leg.uuid], 'the failed live row is reported');
      const charge = await cdrs.record({
        ...leg,
        live: true,
        holdsCredit: true,
        answeredAt: undefined,
        endedAt: leg.initiatedAt + 1_000,
        durationS: 0,
        state: 'NO_ANSWER',
        causeCode: 3000,
        causeName: 'No Answer',
        cause: 'NO_ANSWER',
        source: 'Callee',
      });
      assert.ok(charge, 'recorded here: no other node can have closed a call that had no live row');
      const cdr = await b.store.db.selectFrom('calls').select('call_state').where('call_uuid', '=', leg.uuid).executeTakeFirst();
      assert.equal(cdr?.call_state, 'NO_ANSWER');
    });
  });
}
