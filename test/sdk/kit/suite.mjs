// The testing kit's own tests, written once for every runner: node:test runs
// them in the repository's suite (test/sdk/testing.e2e.test.ts), vitest and
// jest run them on the packed package installed into a copy of examples/ivr
// (scripts/newcomer-test.sh, with the runner files beside this one). Plain
// JavaScript and node:assert, so each runner loads it as it is.
import assert from 'node:assert/strict';
import http from 'node:http';
import { DEFAULT_WAIT_MS, startSwitchboard, SwitchboardTestError } from 'switchboard/testing';

/** An HTTP server answering every request with `handler`; closes with the returned `close`. */
async function serve(handler) {
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => (server.close(), server.closeAllConnections()) };
}

/**
 * Registers the kit's tests with a runner's functions: `{ describe, test, before, after }`
 * (vitest and jest name the hooks beforeAll/afterAll); `startIvr` is examples/ivr's.
 */
export function kitSuite({ describe, test, before, after }, { startIvr }) {
  describe('switchboard/testing (in-process, virtual clock)', () => {
    let sb;
    let ivr;
    before(async () => {
      [sb, ivr] = await Promise.all([startSwitchboard({ clock: 'virtual' }), startIvr()]);
    });
    after(async () => Promise.all([sb?.stop(), ivr?.close()]));

    test('a caller walks the IVR: hears the menu, presses 2, holds 45 s and hears goodbye', async () => {
      const me = await sb.account();
      const number = await me.sandbox.number({ answerUrl: `${ivr.url}/answer` });
      const start = (await me.clock.read()).now;
      const call = await me.sandbox.call({ from: '14155550100', to: number });
      await call.hears('press 2 for support');
      await call.press('2');
      await call.hears('please hold');
      await call.hears('support will call you back', { timeoutMs: 60_000 });
      const t = await call.ended();
      assert.equal(t.state, 'completed');
      // Array.from: under jest the parsed JSON's arrays come from another realm, which deepEqual (strict) refuses.
      assert.deepEqual(Array.from(t.events, (e) => e.type), ['answered', 'speak', 'dtmf_sent', 'speak', 'silence', 'speak', 'hangup']);
      assert.ok((await me.clock.read()).now - start >= 45_000, 'the hold music took platform time, not wall time');
      const wav = await call.audio();
      assert.equal(wav.subarray(0, 4).toString(), 'RIFF');
      const log = await call.log();
      assert.ok(log.some((e) => e.kind === 'webhook' && e.data?.url === `${ivr.url}/menu`));
      const cdr = await me.client.calls.get(call.callUuid);
      assert.equal(cdr.callUuid, call.callUuid);
    });

    test('a wait that fails says what was expected, the limit, the hangup cause, the XML error, what to fix and the webhooks', async () => {
      const broken = await serve((_req, res) => res.end('<Response><Speek>oops</Response>'));
      try {
        const me = await sb.account();
        const answerUrl = `${broken.url}/answer`;
        const call = await me.sandbox.call({ from: '14155550101', to: await me.sandbox.number({ answerUrl }) });
        const err = await call.hears('press 1').then(() => assert.fail('heard it'), (e) => e);
        assert.ok(err instanceof SwitchboardTestError);
        assert.match(err.message, new RegExp(`did not hear "press 1" within ${DEFAULT_WAIT_MS} ms of platform time \\(the default wait limit DEFAULT_WAIT_MS`));
        assert.match(err.message, /hangup cause: Invalid Answer XML/);
        assert.match(err.message, /invalid XML from http:\S+\/answer: malformed XML at line 1.*: fix the document that URL answers/);
        assert.match(err.message, /answer http:\S+\/answer → 200/);
        assert.equal(err.state, 'completed');
        assert.deepEqual(err.webhooks?.[0], { hook: 'answer', url: answerUrl, status: 200, error: undefined });
      } finally {
        broken.close();
      }
    });

    test('an answer URL that answers 500: the error names the URL, its status and what to fix', async () => {
      const app = await serve((req, res) => {
        if (req.url === '/answer') {
          res.statusCode = 500;
          return res.end();
        }
        res.end('<Response><Speak>Sorry, try again later</Speak></Response>');
      });
      try {
        const me = await sb.account();
        const number = await me.sandbox.number({ answerUrl: `${app.url}/answer` });
        const call = await me.sandbox.call({ from: '14155550104', to: number });
        const err = await call.hears('welcome').then(() => assert.fail('heard it'), (e) => e);
        assert.match(err.message, /answer URL http:\S+\/answer failed: HTTP 500; the call is hung up \(Error Reaching Answer URL\): make it answer 200/);
        assert.match(err.message, /answer http:\S+\/answer → 500/);
      } finally {
        app.close();
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

    test("texts: the inbox shows what a phone received; sendSms reaches the number's message_url", async () => {
      const received = [];
      const app = await serve((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push(new URLSearchParams(body).get('Text') ?? '');
          res.end();
        });
      });
      try {
        const me = await sb.account();
        const number = await me.sandbox.number({ answerUrl: `${ivr.url}/answer`, messageUrl: `${app.url}/sms` });
        await me.client.messages.create(number, '14155550103', 'Your code is 1234');
        await me.clock.advance(5_000);
        const inbox = await me.sandbox.inbox('14155550103');
        assert.equal(inbox[0]?.text, 'Your code is 1234');
        await me.sandbox.sendSms({ from: '14155550103', to: number, text: 'HELP' });
        await me.clock.runUntilIdle();
        for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setImmediate(r));
        assert.deepEqual(received, ['HELP']);
      } finally {
        app.close();
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
}
