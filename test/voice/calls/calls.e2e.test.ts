// The Call API and the sandbox carrier end to end, on a virtual clock: the
// official SDK against a server process, a real answer server, the sandbox
// API playing the far end. No test sleeps: time moves only when the sandbox
// is asked to wait.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databases } from '../../helpers/pg.ts';
import { assertSigned, spoken } from '../fixtures.ts';
import { voiceSuite } from '../suite.ts';
import { assertEvery } from '../../helpers/assert.ts';

const CALLER_ID = '14155550123';

for (const db of databases) describe(`calls through the sandbox carrier (${db.name})`, { skip: db.skip }, () => {
  const line = voiceSuite({ db: db.name, phoneBase: 200, routes: { '/hello': '<Response><Speak>Hello</Speak></Response>' } });

  const place = async (to: string, answer: string, extra: Record<string, unknown> = {}) => {
    const made = await line.client.calls.create(CALLER_ID, to, `${line.app.origin}${answer}`, { hangupUrl: `${line.app.origin}/hangup`, ...extra });
    return made.requestUuid as string;
  };
  const hangupOf = (uuid: string) => line.app.next('/hangup', (r) => r.params.CallUUID === uuid);

  test('an inbound call to a bought number runs its application', async () => {
    const { appId } = await line.client.applications.create('Front desk', { answerUrl: `${line.app.origin}/front`, hangupUrl: `${line.app.origin}/hangup` });
    const [number] = await line.client.numbers.search('US', { limit: 1, services: 'voice' });
    await line.client.numbers.buy(number.number, appId);
    line.app.routes.set('/front', '<Response><Speak>Welcome to the front desk</Speak><Wait length="30"/></Response>');

    const caller = line.phone();
    const uuid = await line.sandbox.callIn(caller, number.number);
    await line.sandbox.wait(uuid, 'hears', 'front desk');
    await line.sandbox.hangup(uuid);
    const t = await line.sandbox.wait(uuid, 'ended');
    assert.deepEqual(spoken(t), ['Welcome to the front desk']);
    assert.equal(t.events.at(-1)!.by, 'far_end');

    const answer = await line.app.next('/front', (r) => r.params.CallUUID === uuid);
    assert.equal(answer.params.Direction, 'inbound');
    assert.equal(answer.params.From, caller);
    assert.equal(answer.params.To, number.number);
    assert.equal(answer.params.CallStatus, 'ringing');
    assert.equal(answer.params.ALegUUID, undefined, 'inbound calls carry no A-leg ids');
    assertSigned(answer, line.server.authToken);
    const h = (await hangupOf(uuid)).params;
    assert.equal(h.HangupSource, 'Caller');
    assert.equal(h.HangupCauseCode, '4000');
    assert.equal(h.CallStatus, 'completed');

    const cdr = await line.client.calls.get(uuid);
    assert.equal(cdr.callDirection, 'inbound');
    assert.equal(cdr.toNumber, number.number);
    assert.equal(cdr.billedDuration, 60);
    assert.ok(Number(cdr.totalAmount) > 0, 'inbound minutes are billed');
    assert.deepEqual((await line.sandbox.phoneCalls(caller)).map((c) => [c.call_uuid, c.direction, c.state]), [[uuid, 'inbound', 'completed']]);
  });

  test('a call to a number the platform does not serve fails as unassigned', async () => {
    const uuid = await line.sandbox.callIn(line.phone(), '19995550000');
    const t = await line.sandbox.wait(uuid, 'ended');
    assert.deepEqual(t.events.map((e) => [e.type, e.by]), [['hangup', 'platform']]);
  });

  for (const [behaviour, code, name, status, state] of [
    ['busy', '3010', 'Busy Line', 'busy', 'BUSY'],
    ['no_answer', '3000', 'No Answer', 'no-answer', 'NO_ANSWER'],
    ['reject', '3020', 'Rejected', 'busy', 'REJECTED'],
    ['unreachable', '2010', 'Destination Out Of Service', 'failed', 'FAILED'],
  ] as const) {
    test(`a ${behaviour} phone ends the call with ${name} in the CDR and hangup_url`, async () => {
      const to = line.phone();
      await line.sandbox.phone(to, { behaviour, ring_seconds: 3 });
      const uuid = await place(to, '/hello');
      await line.sandbox.wait(uuid, 'ended');
      const h = (await hangupOf(uuid)).params;
      assert.equal(h.HangupCauseCode, code);
      assert.equal(h.HangupCauseName, name);
      assert.equal(h.CallStatus, status);
      assert.equal(h.HangupSource, 'Callee');
      assert.equal(h.Duration, '0');
      assert.equal(h.TotalCost, '0.00000');
      assert.equal(h.AnswerTime, '');
      const cdr = await line.client.calls.get(uuid);
      assert.equal(cdr.hangupCauseCode, Number(code));
      assert.equal(cdr.callState, state);
      assert.equal(cdr.billDuration, 0);
      assert.equal(line.app.received.some((r) => r.path === '/hello' && r.params.CallUUID === uuid), false, 'no answer_url for an unanswered call');
    });
  }

  test('ring_timeout ends a phone that keeps ringing', async () => {
    const to = line.phone();
    await line.sandbox.phone(to, { behaviour: 'no_answer', ring_seconds: 600 });
    const uuid = await place(to, '/hello', { ringTimeout: 15 });
    await line.sandbox.wait(uuid, 'ended');
    const h = (await hangupOf(uuid)).params;
    assert.equal(h.HangupCauseCode, '6010');
    assert.equal(h.HangupSource, 'Plivo');
    assert.equal(h.CallStatus, 'timeout');
  });

  test('a failing answer_url falls back to fallback_url', async () => {
    line.app.routes.set('/broken', { status: 500, body: 'oops' });
    line.app.routes.set('/fallback', '<Response><Speak>Fallback speaking</Speak></Response>');
    const uuid = await place(line.phone(), '/broken', { fallbackUrl: `${line.app.origin}/fallback` });
    const t = await line.sandbox.wait(uuid, 'ended');
    assert.deepEqual(spoken(t), ['Fallback speaking']);
    const fb = await line.app.next('/fallback', (r) => r.params.CallUUID === uuid);
    assert.equal(fb.params.Event, 'StartApp');
    assertSigned(fb, line.server.authToken);
    assert.equal((await hangupOf(uuid)).params.HangupCauseCode, '4010');
  });

  test('answer_url is tried three times before fallback_url: a server that recovers on the third try runs the call', async () => {
    let tries = 0;
    line.app.routes.set('/flaky', () => (++tries < 3 ? { status: 503, body: 'busy' } : '<Response><Speak>Third time lucky</Speak></Response>'));
    const uuid = await place(line.phone(), '/flaky', { fallbackUrl: `${line.app.origin}/fallback` });
    const t = await line.sandbox.wait(uuid, 'ended');
    assert.deepEqual(spoken(t), ['Third time lucky']);
    assert.equal(tries, 3);
    assert.equal(line.app.received.filter((r) => r.path === '/fallback' && r.params.CallUUID === uuid).length, 0, 'no fallback while an attempt is left');
  });

  test('a refused connection to answer_url is retried on the platform clock before falling back', async () => {
    const made = await line.client.calls.create(CALLER_ID, line.phone(), 'http://127.0.0.1:1/answer', { hangupUrl: `${line.app.origin}/hangup`, fallbackUrl: `${line.app.origin}/fallback` });
    const uuid = made.requestUuid as string;
    const t = await line.sandbox.wait(uuid, 'ended');
    assert.deepEqual(spoken(t), ['Fallback speaking']);
    const res = await line.server.fetch(`/v1/Account/${line.server.authId}/Call/${uuid}/Log/`);
    const log = (await res.json()) as { objects: Array<{ kind: string; message: string }> };
    assert.equal(log.objects.filter((e) => e.kind === 'webhook' && e.message.startsWith('answer')).length, 3, 'the answer URL is tried three times');
  });

  test('an unreachable answer_url without fallback hangs up with Error Reaching Answer URL', async () => {
    const uuid = await place(line.phone(), '/broken');
    await line.sandbox.wait(uuid, 'ended');
    const h = (await hangupOf(uuid)).params;
    assert.equal(h.HangupCauseCode, '7011');
    assert.equal(h.HangupSource, 'Error');
  });

  test('invalid XML hangs up with Invalid Answer XML and says why in the call log', async () => {
    line.app.routes.set('/invalid', '<Response><Speak>Hi</Speak><Dance/></Response>');
    const uuid = await place(line.phone(), '/invalid');
    const t = await line.sandbox.wait(uuid, 'ended');
    assert.deepEqual(spoken(t), [], 'nothing of an invalid document runs');
    const h = (await hangupOf(uuid)).params;
    assert.equal(h.HangupCauseCode, '8011');
    assert.equal(h.HangupCauseName, 'Invalid Answer XML');
    assert.equal(h.HangupSource, 'Error');
    const res = await line.server.fetch(`/v1/Account/${line.server.authId}/Call/${uuid}/Log/`);
    const log = (await res.json()) as { objects: Array<{ kind: string; message: string }> };
    assert.ok(log.objects.some((e) => e.kind === 'error' && /invalid XML/.test(e.message) && /Dance/.test(e.message)), JSON.stringify(log.objects));
  });

  test('time_limit cuts a call that runs too long', async () => {
    line.app.routes.set('/long', '<Response><Speak>Please hold</Speak><Wait length="300"/></Response>');
    const uuid = await place(line.phone(), '/long', { timeLimit: 20 });
    await line.sandbox.wait(uuid, 'ended');
    const h = (await hangupOf(uuid)).params;
    assert.equal(h.HangupCauseCode, '6000');
    assert.equal(h.HangupSource, 'Plivo');
    assert.equal(h.Duration, '20');
  });

  test('bulk destinations get one request_uuid each; past the calls-per-second limit they are queued', async () => {
    const to = [line.phone(), line.phone(), line.phone()];
    const made = await line.client.calls.create(CALLER_ID, to, `${line.app.origin}/hello`, { hangupUrl: `${line.app.origin}/hangup` });
    assert.equal(made.message, 'call queued');
    assert.ok(Array.isArray(made.requestUuid));
    const uuids = made.requestUuid as string[];
    assert.equal(new Set(uuids).size, 3);

    const queued = await line.client.calls.listQueuedCalls();
    assert.deepEqual(queued.map((c: { callUuid: string }) => c.callUuid), [uuids[2]]);
    const q = await line.client.calls.getQueuedCall(uuids[2]);
    assert.equal(q.callStatus, 'queued');
    assert.equal(q.to, to[2]);

    // Waiting on the queued call first: the wait lasts until it is dialled, then until it ends.
    for (const uuid of [...uuids].reverse()) await line.sandbox.wait(uuid, 'ended');
    const cdrs = await Promise.all(uuids.map((u) => line.client.calls.get(u)));
    assert.deepEqual(cdrs.map((c) => c.toNumber), to);
    await assert.rejects(line.client.calls.getQueuedCall(uuids[2]), /not found/);
  });

  test('a queued call can be cancelled by its request', async () => {
    const to = [line.phone(), line.phone(), line.phone()];
    const { requestUuid } = await line.client.calls.create(CALLER_ID, to, `${line.app.origin}/hello`, { hangupUrl: `${line.app.origin}/hangup` });
    const last = (requestUuid as string[])[2]!;
    await line.client.calls.cancel(last);
    const h = (await hangupOf(last)).params;
    assert.equal(h.HangupCauseCode, '1000');
    assert.equal(h.HangupSource, 'API Request');
    assert.equal(h.CallStatus, 'completed');
    for (const uuid of (requestUuid as string[]).slice(0, 2)) await line.sandbox.wait(uuid, 'ended');
  });

  test('a live call is listed, read, transferred and hung up through the API', async () => {
    line.app.routes.set('/hold', '<Response><Speak>Please hold</Speak><Wait length="600"/></Response>');
    line.app.routes.set('/moved', '<Response><Speak>You have been transferred</Speak><Wait length="600"/></Response>');
    const uuid = await place(line.phone(), '/hold');
    await line.sandbox.wait(uuid, 'hears', 'please hold');

    const live = await line.client.calls.listLiveCalls({ callDirection: 'outbound' });
    assert.ok(live.some((c: { callUuid: string }) => c.callUuid === uuid));
    const got = await line.client.calls.getLiveCall(uuid);
    assert.equal(got.callStatus, 'in-progress');
    assert.equal(got.callUuid, uuid);
    assert.equal(got.from, CALLER_ID);
    assert.match(got.sessionStart, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);

    const moved = await line.client.calls.transfer(uuid, { legs: 'aleg', alegUrl: `${line.app.origin}/moved` });
    assert.equal(moved.message, 'call transferred');
    await line.sandbox.wait(uuid, 'hears', 'transferred');
    const transfer = await line.app.next('/moved', (r) => r.params.CallUUID === uuid);
    assert.equal(transfer.params.Event, 'Transfer');
    assertSigned(transfer, line.server.authToken);

    await line.client.calls.hangup(uuid);
    const t = await line.sandbox.wait(uuid, 'ended');
    assert.deepEqual(spoken(t), ['Please hold', 'You have been transferred']);
    const h = (await hangupOf(uuid)).params;
    assert.equal(h.HangupCauseCode, '4000');
    assert.equal(h.HangupSource, 'API Request');
    await assert.rejects(line.client.calls.getLiveCall(uuid), /not found/);
  });

  test('hanging up all calls ends every live call of the account', async () => {
    line.app.routes.set('/hold', '<Response><Wait length="600"/></Response>');
    const uuids = [await place(line.phone(), '/hold'), await place(line.phone(), '/hold')];
    for (const u of uuids) await line.sandbox.wait(u, 'answered');
    const res = await line.server.fetch(`/v1/Account/${line.server.authId}/Call/`, { method: 'DELETE' });
    assert.equal(res.status, 204);
    for (const u of uuids) assert.equal((await line.sandbox.wait(u, 'ended')).state, 'completed');
    assert.deepEqual(await line.client.calls.listLiveCalls(), []);
  });

  test('CDRs are listed with filters and time windows', async () => {
    const list = await line.client.calls.list({ callDirection: 'outbound', limit: 5 });
    assert.equal(list.meta.limit, 5);
    assert.ok(list.meta.totalCount >= 5, JSON.stringify(list.meta));
    assert.equal(list.length, 5);
    assertEvery(list, (c: { callDirection: string }) => c.callDirection === 'outbound', 'outbound only');
    const busy = await line.client.calls.list({ hangup_cause_code: 3010 });
    assertEvery(busy, (c: { hangupCauseCode: number }) => c.hangupCauseCode === 3010, 'busy only');
    const long = await line.client.calls.list({ bill_duration__gte: 20 });
    assertEvery(long, (c: { billDuration: number }) => c.billDuration >= 20, 'billed 20 s or more only');
    const clock = (await line.sandbox.clock()) as { now: string };
    const future = new Date(Date.parse(clock.now) + 3600_000).toISOString().slice(0, 16).replace('T', ' ');
    assert.equal((await line.client.calls.list({ end_time__gt: future })).length, 0);
    const tooWide = await line.server.fetch(`/v1/Account/${line.server.authId}/Call/?end_time__gt=2025-01-01%2000:00&end_time__lt=2025-03-01%2000:00`);
    assert.equal(tooWide.status, 400);
    assert.match(((await tooWide.json()) as { error: string }).error, /30 days/);
  });

  test('call options reach the call: caller_name, sip_headers, send_digits, hangup_on_ring, machine detection', async () => {
    line.app.routes.set('/quiet', '<Response><Wait length="30"/></Response>');
    const uuid = await place(line.phone(), '/quiet', { callerName: 'Acme Support', sipHeaders: 'agent=42,queue=gold', sendDigits: '12@200', hangupOnRing: 10 });
    const t = await line.sandbox.wait(uuid, 'ended');
    assert.deepEqual(t.events.filter((e) => e.type === 'dtmf_heard').map((e) => e.digits), ['12']);
    const answer = await line.app.next('/quiet', (r) => r.params.CallUUID === uuid);
    assert.equal(answer.params.CallerName, 'Acme Support');
    assert.equal(answer.params['X-PH-agent'], '42');
    assert.equal(answer.params['X-PH-queue'], 'gold');
    const h = (await hangupOf(uuid)).params;
    assert.equal(h.HangupCauseCode, '6000', 'hangup_on_ring counts from ringing');
    assert.equal(h.Duration, '9');

    const machine = line.phone();
    await line.sandbox.phone(machine, { behaviour: 'machine' });
    const m = await place(machine, '/hello', { machineDetection: 'hangup' });
    await line.sandbox.wait(m, 'ended');
    const hung = (await hangupOf(m)).params;
    // The spec: "the call hangs up immediately and a request is made to the hangup_url with the Machine parameter set to true".
    assert.deepEqual([hung.HangupCauseCode, hung.HangupCauseName, hung.Machine], ['9100', 'Machine Detected', 'true']);
    assert.equal(line.app.received.filter((r) => r.path === '/hello' && r.params.CallUUID === m).length, 0, 'the answer_url never runs');

    await assert.rejects(place(line.phone(), '/hello', { sipHeaders: 'bad header' }), /sip_headers/);
    await assert.rejects(place(line.phone(), '/hello', { machineDetection: 'maybe' }), /machine_detection must be true or hangup/);
    await assert.rejects(place(line.phone(), '/hello', { parentCallUuid: '3b7e6c2c-0000-4000-8000-000000000000', errorIfParentNotFound: true }), /parent_call_uuid/);
    await assert.rejects(line.client.calls.create(CALLER_ID, 'not-a-number', `${line.app.origin}/hello`), /not a valid phone number/);
  });

  test('the v2 live listing pages live calls with their details', async () => {
    line.app.routes.set('/hold', '<Response><Wait length="600"/></Response>');
    const uuids = [await place(line.phone(), '/hold'), await place(line.phone(), '/hold')];
    for (const u of uuids) await line.sandbox.wait(u, 'answered');
    const res = await line.server.fetch(`/v2/Account/${line.server.authId}/Call/?status=live&limit=1`);
    const body = (await res.json()) as { meta: { count: number; limit: number; next: string | null }; objects: Array<{ call_uuid: string; call_status: string; direction: string }> };
    assert.equal(body.meta.count, 2);
    assert.equal(body.meta.limit, 1);
    assert.ok(body.meta.next);
    assert.equal(body.objects.length, 1);
    assert.equal(body.objects[0]!.call_status, 'in-progress');
    await line.server.fetch(`/v1/Account/${line.server.authId}/Call/`, { method: 'DELETE' });
    for (const u of uuids) await line.sandbox.wait(u, 'ended');
  });

  test('a call reported ended has its CDR: in a burst every GET /Call/{uuid}/ answers at once', async () => {
    // Placed together, so several end in the same instant and their records are written as one batch.
    const uuids = await Promise.all(Array.from({ length: 24 }, () => place(line.phone(), '/hello')));
    for (const uuid of uuids) {
      await line.sandbox.wait(uuid, 'ended');
      // Every call whose far end already shows it completed has its CDR.
      const shown = await Promise.all(uuids.map(async (u) => ((await line.sandbox.call('GET', `/Call/${u}/Transcript/`)).body.state === 'completed' ? u : undefined)));
      const ended = shown.filter((u): u is string => u !== undefined);
      const cdrs = await Promise.all(ended.map(async (u) => [u, (await line.server.fetch(`/v1/Account/${line.server.authId}/Call/${u}/`)).status] as const));
      for (const [u, status] of cdrs) assert.equal(status, 200, `CDR of ${u}, which the sandbox shows completed`);
    }
  });

  test('call quality feedback reaches us on the stats host path the SDK uses and is kept on the CDR', async () => {
    const uuid = await place(line.phone(), '/hello');
    await line.sandbox.wait(uuid, 'ended');
    // plivo 4.79.0 puts the feedback in an axios option axios ignores, so its
    // request arrives with an empty body, here as on the platform: the
    // documented 422 for a missing rating, with the SDK's typed error.
    await assert.rejects(line.client.callFeedback.create(uuid, 4, ['ECHO'], 'a bit of echo'), { status: 422, message: 'Rating has to be a float between 1 -5' });
    // The body other SDKs send (and curl) is kept on the CDR.
    const post = (callUuid: string, json: unknown) => line.server.fetch(`/v1/Call/${callUuid}/Feedback/`, { method: 'POST', json });
    const res = await post(uuid, { rating: '4.5', issues: ['ECHO', 'AUDIO_LAG'], notes: 'a bit of echo' });
    assert.equal(res.status, 201);
    const body = await res.json();
    assert.deepEqual({ ...body, api_id: undefined }, { api_id: undefined, message: 'Feedback has been posted', status: 'success' });
    // The SDK's Call object keeps only its own fields; the CDR carries ours.
    const cdr = await (await line.server.fetch(`/v1/Account/${line.server.authId}/Call/${uuid}/`)).json();
    assert.equal(cdr.call_uuid, uuid);
    assert.match(cdr.feedback.posted_at, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+00:00$/);
    assert.deepEqual({ ...cdr.feedback, posted_at: undefined }, { rating: 4.5, issues: ['ECHO', 'AUDIO_LAG'], notes: 'a bit of echo', posted_at: undefined });

    const refused = async (callUuid: string, json: unknown, status: number, message: RegExp) => {
      const r = await post(callUuid, json);
      assert.equal(r.status, status, JSON.stringify(json));
      assert.match((await r.json()).error, message);
    };
    await refused(uuid, { rating: 6 }, 422, /Rating has to be a float between 1 -5/);
    await refused(uuid, { rating: 3 }, 422, /Issues have to be an array of one or more than one of the following: AUDIO_LAG/);
    await refused(uuid, { rating: 3, issues: ['LOUD'] }, 422, /Issues have to be an array/);
    await refused('3b7e6c2c-0000-4000-8000-000000000000', { rating: 5 }, 404, /Please check the Call UUID/);
    assert.equal((await post(uuid, { rating: 5 })).status, 201, 'a perfect rating needs no issues');
  });

  test('the server logged no errors', () => {
    const errors = line.server.output().split('\n').filter((l) => /"level":(50|60)/.test(l));
    assert.deepEqual(errors, []);
  });
});
