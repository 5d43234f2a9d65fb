// The call debug log numbers each call's entries one past its highest. On
// SQLite this process alone writes the log, so it numbers a call's later
// entries from what it committed, without reading the call's highest again;
// on PostgreSQL another node may have appended meanwhile, so it reads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newUuid } from '../../src/ids.ts';
import { databases } from '../helpers/pg.ts';
import { bench, type Bench } from '../webhooks/fixture.ts';

for (const db of databases) {
  describe(`call log numbering (${db.name})`, { skip: db.skip }, () => {
    let b: Bench;
    before(async () => {
      b = await bench(db.name);
    });
    after(async () => b.close());

    const seqs = async (uuid: string) => (await b.store.db.selectFrom('call_log_entries').select(['seq', 'message']).where('call_uuid', '=', uuid).orderBy('seq').execute()).map((r) => `${r.seq} ${r.message}`);

    test(db.name === 'sqlite' ? 'a call’s later entries are numbered from what this process committed' : 'each append reads the call’s highest number, which another node may have moved', async () => {
      const call = newUuid();
      await b.services.callLog.append(call, b.authId, { kind: 'event', message: 'first' });
      await b.services.callLog.append(call, b.authId, { kind: 'event', message: 'second' });
      // Behind the log's back (as another node sharing PostgreSQL would have moved it): the highest is now 7.
      await b.store.db.updateTable('call_log_entries').set({ seq: 7 }).where('call_uuid', '=', call).where('seq', '=', 2).execute();
      await Promise.all([b.services.callLog.append(call, b.authId, { kind: 'event', message: 'third' }), b.services.callLog.append(call, b.authId, { kind: 'event', message: 'fourth' })]);
      assert.deepEqual(await seqs(call), db.name === 'sqlite' ? ['1 first', '3 third', '4 fourth', '7 second'] : ['1 first', '7 second', '8 third', '9 fourth']);
      // A call this process has not logged lately is read: numbered past what is there.
      const other = newUuid();
      await b.store.db.insertInto('call_log_entries').values({ entry_id: newUuid(), call_uuid: other, seq: 4, account_id: b.authId, subaccount_id: null, kind: 'event', message: 'elsewhere', data: null, created_at: 1 }).execute();
      await b.services.callLog.append(other, b.authId, { kind: 'event', message: 'here' });
      assert.deepEqual(await seqs(other), ['4 elsewhere', '5 here']);
    });
  });
}
