// The testing kit (`switchboard/testing`) imported as an application imports
// it, driving the example IVR (examples/ivr) on the virtual clock.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { DEFAULT_WAIT_MS, startSwitchboard, SwitchboardTestError, type Switchboard } from 'switchboard/testing';
import { startIvr } from '../../examples/ivr/app.mjs';

describe('switchboard/testing (in-process, virtual clock)', () => {
  let sb: Switchboard;
  let ivr: Awaited<ReturnType<typeof startIvr>>;
  before(async () => {
    [sb, ivr] = await Promise.all([startSwitchboard({ clock: 'virtual' }), startIvr()]);
  });
  after(async () => Promise.all([sb?.stop(), ivr?.close()]));

  test('a caller walks the IVR: hears the menu, presses 2, holds 45 s and hears goodbye', async () => {
    const me = await sb.account();
    const number = await me.sandbox.number({ answerUrl: `${ivr.url}/answer` });
    const start = (await sb.clock.read()).now;
    const call = await me.sandbox.call({ from: '14155550100', to: number });
    await call.hears('press 2 for support');
    await call.press('2');
    await call.hears('please hold');
    await call.hears('support will call you back', { timeoutMs: 60_000 });
    const t = await call.ended();
    assert.equal(t.state, 'completed');
    assert.deepEqual(t.events.map((e) => e.type), ['answered', 'speak', 'dtmf_sent', 'speak', 'silence', 'speak', 'hangup']);
    assert.ok((await sb.clock.read()).now - start >= 45_000, 'the hold music took platform time, not wall time');
    const wav = await call.audio();
    assert.equal(wav.subarray(0, 4).toString(), 'RIFF');
    const log = await call.log();
    assert.ok(log.some((e) => e.kind === 'webhook' && (e.data as { url?: string })?.url === `${ivr.url}/menu`));
    const cdr = await me.client.calls.get(call.callUuid);
    assert.equal(cdr.callUuid, call.callUuid);
  });

  test('a wait that fails says what was expected, the limit, the hangup cause, the XML error and the webhooks', async () => {
    const broken = http.createServer((_req, res) => res.end('<Response><Speek>oops</Response>'));
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    const answerUrl = `http://127.0.0.1:${(broken.address() as { port: number }).port}/answer`;
    try {
      const me = await sb.account();
      const call = await me.sandbox.call({ from: '14155550101', to: await me.sandbox.number({ answerUrl }) });
      const err = await call.hears('press 1').then(() => assert.fail('heard it'), (e: unknown) => e);
      assert.ok(err instanceof SwitchboardTestError);
      assert.match(err.message, new RegExp(`did not hear "press 1" within ${DEFAULT_WAIT_MS} ms of platform time \\(the default wait limit DEFAULT_WAIT_MS`));
      assert.match(err.message, /hangup cause: Invalid Answer XML/);
      assert.match(err.message, /invalid XML from http:\S+\/answer: malformed XML at line 1/);
      assert.match(err.message, /answer http:\S+\/answer → 200/);
      assert.equal(err.state, 'completed');
      assert.deepEqual(err.webhooks?.[0], { hook: 'answer', url: answerUrl, status: 200, error: undefined });
    } finally {
      broken.close();
      broken.closeAllConnections();
    }
  });

  test('each account sees only its own calls; a refused request names the status and the reason', async () => {
    const [a, b] = await Promise.all([sb.account('a'), sb.account('b')]);
    const call = await a.sandbox.call({ from: '14155550102', to: await a.sandbox.number({ answerUrl: `${ivr.url}/answer` }) });
    await call.hears('welcome');
    await assert.rejects(b.sandbox.callOf(call.callUuid).transcript(), /answered 404: .*no sandbox leg/);
    await call.hangup();
    assert.equal((await call.ended()).state, 'completed');
  });

  test('texts: the inbox shows what a phone received; sendSms reaches the number\'s message_url', async () => {
    const received: string[] = [];
    const app = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(new URLSearchParams(body).get('Text') ?? '');
        res.end();
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    try {
      const me = await sb.account();
      const number = await me.sandbox.number({ answerUrl: `${ivr.url}/answer`, messageUrl: `http://127.0.0.1:${(app.address() as { port: number }).port}/sms` });
      await me.client.messages.create(number, '14155550103', 'Your code is 1234');
      await sb.clock.advance(5_000);
      const inbox = await me.sandbox.inbox('14155550103');
      assert.equal(inbox[0]?.text, 'Your code is 1234');
      await me.sandbox.sendSms({ from: '14155550103', to: number, text: 'HELP' });
      await sb.clock.runUntilIdle();
      for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setImmediate(r));
      assert.deepEqual(received, ['HELP']);
    } finally {
      app.close();
      app.closeAllConnections();
    }
  });
});

test('switchboard/testing as a child process (switchboard serve) answers the same API', async () => {
  const sb = await startSwitchboard({ process: 'child' });
  try {
    assert.equal((await sb.clock.read()).mode, 'virtual');
    const account = await sb.client.accounts.get();
    assert.equal(account.resourceUri, `/v1/Account/${sb.authId}/`);
  } finally {
    await sb.stop();
  }
});
