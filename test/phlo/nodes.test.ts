// Each flow component's runner on its own, on the virtual clock: the state it
// emits and the variables it leaves for the next nodes. Voice nodes, which
// need the call engine, are in voice-nodes.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { VirtualClock } from '../../src/clock/clock.ts';
import { ApiError } from '../../src/errors.ts';
import type { SendInput } from '../../src/messaging/messages.ts';
import type { NodeRunContext, Trigger } from '../../src/phlo/phlo-node.ts';
import { components } from '../../src/phlo/nodes/index.ts';
import { OPERATIONS, holds } from '../../src/phlo/nodes/branch.ts';
import type { NodeType } from '../../src/phlo/phlo-document.ts';

const owner = { accountId: 'MA00000000000000000A', subaccountId: null, callerId: 'MA00000000000000000A' };
const sent: SendInput[] = [];
const clock = new VirtualClock(Date.UTC(2026, 11, 7, 14, 30)); // a Monday, 14:30 UTC

function run(type: NodeType, config: Record<string, unknown>, extra: Partial<NodeRunContext> = {}) {
  const trigger: Trigger = { kind: 'api_request', params: {} };
  return components[type].run!({
    node: { node_id: 'n', name: 'N', node_type: type, config, transitions: {}, events: [] },
    config,
    phloId: 'p',
    runId: 'r',
    owner,
    trigger,
    variables: {},
    visits: 1,
    services: {
      clock,
      async sendMessage(_o, input) {
        if (input.dst === '19999999999') throw new ApiError(400, 'dst 19999999999 has no rate');
        sent.push(input);
        return { messageUuids: ['m-1'], invalidNumbers: [] };
      },
      // Voice nodes are tested on the call engine (voice-nodes.test.ts).
      ringCalls: () => assert.fail('no calls here'),
      mpcs: undefined as never,
      openMpc: () => assert.fail('no multiparty calls here'),
    },
    call: undefined,
    holdCall: () => {},
    sentMessages: () => {},
    placedCalls: () => {},
    madeRecordings: () => {},
    ...extra,
  });
}

describe('start', () => {
  test('api_request: payload over the declared defaults, undeclared keys kept', async () => {
    const out = await run('start', { payload: { to: '1', from: '2' } }, { trigger: { kind: 'api_request', params: { to: '3', extra: 'x' } } });
    assert.equal(out.state, 'api_request');
    assert.deepEqual(out.variables, { request_type: 'http', http: { params: { to: '3', from: '2', extra: 'x' } } });
  });
  test('incoming_message: the message, text also as msg', async () => {
    const message = { message_uuid: 'u', from: '1', to: '2', text: 'HELP', type: 'sms' };
    const out = await run('start', {}, { trigger: { kind: 'incoming_message', message } });
    assert.equal(out.state, 'incoming_message');
    assert.deepEqual(out.variables, { request_type: 'sms', message: { ...message, msg: 'HELP' } });
  });
});

describe('counter', () => {
  test('count_not_reached until the visit that reaches max_count', async () => {
    assert.deepEqual(await run('counter', { max_count: 3 }, { visits: 2 }), { state: 'count_not_reached', variables: { count: 2 } });
    assert.deepEqual(await run('counter', { max_count: '3' }, { visits: 3 }), { state: 'count_reached', variables: { count: 3 } });
  });
});

describe('branch', () => {
  test('the first condition that holds names the state, else no_match', async () => {
    const conditions = [
      { alias: 'vip', operation: 'starts_with', rhs: 'VIP' },
      { alias: 'vip_too', operation: 'contains', rhs: 'VIP' },
    ];
    assert.equal((await run('branch', { lhs: 'VIP-42', conditions })).state, 'vip');
    assert.equal((await run('branch', { lhs: 'x', conditions })).state, 'no_match');
  });
  test('every operation', () => {
    const cases: Array<[string, string, string, boolean]> = [
      ['equals', 'a', 'a', true],
      ['equals', 'a', 'A', false],
      ['not_equals', 'a', 'b', true],
      ['contains', 'hello', 'ell', true],
      ['not_contains', 'hello', 'x', true],
      ['starts_with', 'hello', 'he', true],
      ['ends_with', 'hello', 'lo', true],
      ['greater_than', '10', '9', true],
      ['greater_than', 'ten', '9', false],
      ['greater_than_or_equal', '9', '9', true],
      ['less_than', '2', '10', true],
      ['less_than_or_equal', '', '10', false],
      ['is_empty', '  ', '', true],
      ['is_not_empty', 'x', '', true],
      ['matches_regex', 'order-123', '^order-\\d+$', true],
      ['matches_regex', 'x', '(', false],
    ];
    for (const [op, lhs, rhs, expected] of cases) assert.equal(holds(op as (typeof OPERATIONS)[number], lhs, rhs), expected, `${lhs} ${op} ${rhs}`);
    assert.equal(new Set(cases.map((c) => c[0])).size, OPERATIONS.length, 'every operation is covered');
  });
});

describe('send_sms', () => {
  test('sent through the messaging service; a comma list becomes several destinations', async () => {
    const out = await run('send_sms', { from: '14155550100', to: '14155550101, 14155550102', text: 'hi' });
    assert.equal(out.state, 'sent');
    assert.deepEqual(sent.at(-1), { src: '14155550100', dst: '14155550101<14155550102', text: 'hi' });
    assert.equal(out.variables?.message_uuid, 'm-1');
    assert.match(out.response!, /'message': 'message\(s\) queued', 'message_uuid': \['m-1'\]/);
  });
  test('refused by the messaging rules → failed, with the reason', async () => {
    const out = await run('send_sms', { from: '14155550100', to: '19999999999', text: 'hi' });
    assert.equal(out.state, 'failed');
    assert.match(String(out.variables?.error), /no rate/);
  });
});

describe('time_condition', () => {
  const slots = [{ days: ['mon-fri'], from: '09:00', to: '17:00' }];
  test('open inside a slot in the zone, closed outside it, closed on holidays', async () => {
    assert.equal((await run('time_condition', { timezone: 'Europe/London', slots })).state, 'open');
    assert.equal((await run('time_condition', { timezone: 'America/Los_Angeles', slots })).state, 'closed'); // 06:30 there
    assert.equal((await run('time_condition', { timezone: 'Europe/London', slots, holidays: ['2026-12-07'] })).state, 'closed');
    await clock.advance(4 * 3600_000); // 18:30 UTC
    assert.equal((await run('time_condition', { timezone: 'Europe/London', slots })).state, 'closed');
    assert.equal((await run('time_condition', { timezone: 'America/New_York', slots })).state, 'open');
  });
  test('a range of days wraps past Saturday', async () => {
    const out = await run('time_condition', { timezone: 'UTC', slots: [{ days: ['sat-mon'], from: '00:00', to: '24:00' }] });
    assert.equal(out.state, 'open');
  });
});

describe('http_request', () => {
  let server: http.Server;
  let base = '';
  const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  before(async () => {
    server = http.createServer(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.url!.startsWith('/fail')) return res.writeHead(503).end('down');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ reply: 'ok', items: [{ id: 7 }] }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  test('success: JSON answer parsed; params, headers, bearer auth and a JSON body sent', async () => {
    const out = await run('http_request', { method: 'POST', url: `${base}/lookup`, params: { q: 'a b' }, headers: { 'X-Trace': '1' }, auth: { type: 'bearer', token: 't0k' }, body: { name: 'Ann' } });
    assert.equal(out.state, 'success');
    assert.deepEqual(out.variables, { status_code: 200, content_type: 'application/json', response: { reply: 'ok', items: [{ id: 7 }] } });
    const req = seen.at(-1)!;
    assert.equal(req.url, '/lookup?q=a+b');
    assert.equal(req.headers['x-trace'], '1');
    assert.equal(req.headers.authorization, 'Bearer t0k');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(req.body), { name: 'Ann' });
  });

  test('a form body with basic auth', async () => {
    await run('http_request', { method: 'PUT', url: `${base}/form`, auth: { type: 'basic', username: 'u', password: 'p' }, body: { a: '1', b: 'x y' }, body_type: 'form' });
    const req = seen.at(-1)!;
    assert.equal(req.method, 'PUT');
    assert.equal(req.headers.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
    assert.equal(req.body, 'a=1&b=x+y');
  });

  test('failed: a non-2xx answer keeps its status; no answer at all is status 0', async () => {
    const fail = await run('http_request', { method: 'GET', url: `${base}/fail` });
    assert.equal(fail.state, 'failed');
    assert.equal(fail.variables?.status_code, 503);
    const closed = http.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const refused = await run('http_request', { method: 'GET', url: `http://127.0.0.1:${port}/` });
    assert.equal(refused.state, 'failed');
    assert.equal(refused.variables?.status_code, 0);
  });
});
