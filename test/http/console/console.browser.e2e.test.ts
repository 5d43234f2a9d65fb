// The web console in a real browser (Debian's Chromium via playwright-core)
// against a real server process: sign in, create an application and buy a
// number, call it from the softphone and press 1, read the transcript and
// the timeline's webhooks, play the recording, keep a subaccount to its own
// calls, sign out. Every page is checked with axe-core (no serious
// violations) and screenshotted into artifacts/console/; no page may log an
// error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { browserSkipReason, openBrowser, screenshot, seriousViolations, type Browser } from '../../helpers/browser.ts';

/** The customer's IVR: a menu, then a message recorded after a beep, then goodbye. */
async function ivrServer() {
  let origin = '';
  const docs: Record<string, (() => string) | undefined> = {
    '/answer': () => `<Response><GetDigits action="${origin}/menu" numDigits="1" timeout="15"><Speak>Press 1 for sales</Speak></GetDigits><Speak>No input</Speak></Response>`,
    '/menu': () => `<Response><Speak>Sales. Leave a message after the beep.</Speak><Record maxLength="2" timeout="5" playBeep="true" action="${origin}/recorded"/></Response>`,
    '/recorded': () => '<Response><Speak>Goodbye</Speak></Response>',
  };
  const server = http.createServer((req, res) => {
    req.resume().on('end', () => {
      const doc = docs[new URL(req.url ?? '/', origin).pathname];
      res.writeHead(doc ? 200 : 404, { 'content-type': 'application/xml' }).end(doc ? doc() : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function checkPage(page: Page, name: string): Promise<void> {
  const violations = await seriousViolations(page);
  assert.deepEqual(violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], `accessibility of ${name}`);
  await screenshot(page, name);
}

/** Bytes of live µ-law audio read from a sandbox call's Listen stream, stopping at `enough`. */
async function listenBytes(server: TestServer, callUuid: string, enough: number): Promise<number> {
  const res = await server.fetch(`/v1/Account/${server.authId}/Sandbox/Call/${callUuid}/Listen/`);
  assert.equal(res.headers.get('content-type'), 'audio/basic');
  let n = 0;
  const reader = res.body!.getReader();
  while (n < enough) {
    const { value, done } = await reader.read();
    if (done) break;
    n += value.length;
  }
  await reader.cancel();
  return n;
}

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).click();

describe('web console in a browser', { skip: browserSkipReason() }, () => {
  let server: TestServer;
  let ivr: Awaited<ReturnType<typeof ivrServer>>;
  let browser: Browser;
  let page: Page;
  let number = '';
  let callUuid = '';

  before(async () => {
    [server, ivr] = await Promise.all([startTestServer(), ivrServer()]);
    browser = await openBrowser();
    page = browser.page;
    page.setDefaultTimeout(10_000);
  });
  after(async () => {
    await browser?.close();
    await Promise.all([server?.stop(), ivr?.close()]);
  });

  test('signs in with the auth id and token', async () => {
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Auth ID').fill(server.authId);
    await page.getByLabel('Auth token').fill('wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'auth token is wrong' }).waitFor();
    await checkPage(page, 'sign-in');
    await page.getByLabel('Auth token').fill(server.authToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Calls', exact: true }).waitFor();
    const cookies = await browser.context.cookies();
    const session = cookies.find((c) => c.name === 'sb_console');
    assert.ok(session, 'a session cookie');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
  });

  test('creates an application, with the API validation message at the field', async () => {
    await nav(page, 'Applications');
    await page.getByText('New application').click();
    await page.getByLabel('Name', { exact: true }).fill('IVR');
    await page.getByLabel('Answer URL', { exact: true }).fill('not a url');
    await page.getByRole('button', { name: 'Create application' }).click();
    const answerUrl = page.getByLabel('Answer URL', { exact: true });
    await page.locator('[aria-invalid="true"]').waitFor();
    assert.equal(await answerUrl.getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator(`#${await answerUrl.getAttribute('id')}-error`).innerText(), /answer_url/);
    await answerUrl.fill(`${ivr.origin}/answer`);
    await page.getByLabel('Default for new numbers').check();
    await page.getByRole('button', { name: 'Create application' }).click();
    await page.getByRole('status').filter({ hasText: 'Created application' }).waitFor();
    await page.getByRole('cell', { name: `${ivr.origin}/answer` }).waitFor();
    await checkPage(page, 'applications');
  });

  test('buys a number attached to the application', async () => {
    await nav(page, 'Numbers');
    await page.getByLabel('Country (ISO code)').fill('US');
    await page.getByRole('button', { name: 'Search' }).click();
    const buy = page.getByRole('button', { name: /^Buy \d+$/ }).first();
    number = (await buy.getAttribute('aria-label'))!.replace('Buy ', '');
    const attach = page.getByLabel('Attach to application');
    await attach.selectOption((await attach.locator('option', { hasText: 'IVR' }).getAttribute('value'))!);
    await buy.click();
    await page.getByRole('status').filter({ hasText: `Bought ${number}` }).waitFor();
    await page.getByRole('table').first().getByText(number).waitFor();
    await checkPage(page, 'numbers');
  });

  test('calls the number from the softphone, presses 1, reads what it hears, leaves a message', async () => {
    await nav(page, 'Softphone');
    await page.getByLabel('To', { exact: true }).selectOption(number);
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const heard = page.getByRole('list', { name: 'Transcript' });
    await heard.getByText('Press 1 for sales').waitFor({ timeout: 20_000 });
    const live = (await page.getByRole('link', { name: 'Open the timeline' }).getAttribute('href'))!.split('/').pop()!;
    assert.ok((await listenBytes(server, live, 1600)) >= 1600, 'live audio streams while the call lasts');
    await page.getByRole('button', { name: 'Key 1' }).click();
    await heard.getByText(/Leave a message/).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Listen live' }).click();
    await page.getByLabel('Say').fill('Hello from the console');
    await page.getByRole('button', { name: 'Say', exact: true }).click();
    await heard.getByText('Goodbye').waitFor({ timeout: 30_000 });
    await page.getByText('completed').first().waitFor({ timeout: 20_000 });
    assert.match(await heard.innerText(), /pressed\s+1/i);
    const link = page.getByRole('link', { name: 'Open the timeline' });
    callUuid = decodeURIComponent((await link.getAttribute('href'))!.split('/').pop()!);
    await checkPage(page, 'softphone');
  });

  test("the call's timeline shows its webhooks with signatures and XML, its verbs, and what the far end heard", async () => {
    await page.getByRole('link', { name: 'Open the timeline' }).click();
    await page.getByRole('heading', { name: /^Call / }).waitFor();
    const timeline = page.locator('ol.timeline');
    await timeline.getByText(/answer POST .*\/answer → 200/).waitFor({ timeout: 10_000 });
    await timeline.getByText(/action POST .*\/menu → 200/).waitFor();
    await timeline.getByText('<GetDigits>').first().waitFor();
    await timeline.getByText('<Record>').first().waitFor();
    for (const state of [/^ringing$/, /^in-progress$/, /^completed: /]) await timeline.locator('li.state').getByText(state).waitFor();
    const answer = timeline.locator('li.webhook').first();
    await answer.locator('summary').first().click();
    await answer.getByRole('rowheader', { name: 'X-Plivo-Signature-V3', exact: true }).waitFor();
    await answer.getByRole('rowheader', { name: 'CallUUID', exact: true }).waitFor();
    assert.match(await answer.locator('pre.xml').innerText(), /<GetDigits action=/);
    await page.getByRole('heading', { name: 'What the far end heard' }).waitFor();
    assert.match(await page.getByRole('list', { name: 'Transcript' }).innerText(), /Press 1 for sales/);
    await checkPage(page, 'call-timeline');
  });

  test('plays the recording', async () => {
    await nav(page, 'Recordings');
    const player = page.getByRole('cell').locator('audio').first();
    await player.waitFor();
    const played = await player.evaluate(async (audio: HTMLAudioElement) => {
      audio.muted = true;
      await audio.play();
      await new Promise((resolve) => audio.addEventListener('timeupdate', resolve, { once: true }));
      return { duration: audio.duration, time: audio.currentTime };
    });
    assert.ok(played.duration > 1, `a recording of about 2 s, got ${played.duration}`);
    await checkPage(page, 'recordings');
  });

  test('draws a flow with its validation warning, shows a node on click and a run path', async () => {
    const doc = {
      name: 'order_updates',
      nodes: [
        { name: 'Start', node_type: 'start', config: { payload: { to: '' } }, transitions: { api_request: 'Send_SMS' } },
        { name: 'Send_SMS', node_type: 'send_sms', config: { from: number, to: '{{Start.http.params.to}}', text: 'Your order shipped' }, transitions: {} },
        { name: 'Orphan', node_type: 'send_sms', config: { from: number, to: '14155550100', text: 'never sent' }, transitions: {} },
      ],
    };
    const flow = await (await server.fetch(`/v1/Account/${server.authId}/Phlo/`, { method: 'POST', json: doc })).json();
    const run = await server.fetch(`/v1/account/${server.authId}/phlo/${flow.phlo_id}`, { method: 'POST', json: { to: '14155550100' } });
    assert.equal(run.status, 201);
    await nav(page, 'Flows');
    await page.getByRole('link', { name: 'order_updates' }).click();
    const graph = page.getByRole('group', { name: 'Graph of flow order_updates' });
    await graph.getByRole('button', { name: /^Orphan send_sms ⚠ 1 finding/ }).waitFor();
    await page.getByText(/Orphan.*(unreachable|reach)/i).first().waitFor();
    await graph.getByRole('button', { name: /^Send_SMS send_sms/ }).click();
    const panel = page.getByRole('complementary', { name: 'Node Send_SMS' });
    await panel.getByText('Your order shipped').waitFor();
    const runPick = page.getByLabel("Show a run's path");
    await runPick.selectOption({ index: 1 });
    await graph.getByRole('button', { name: /^Send_SMS send_sms.*✔ ran/ }).waitFor();
    await graph.getByRole('button', { name: /^Start start.*✔ ran/ }).waitFor();
    assert.equal(await graph.getByRole('button', { name: /^Orphan.*✔ ran/ }).count(), 0);
    await panel.getByRole('heading', { name: 'In this run' }).waitFor();
    await checkPage(page, 'flow');
  });

  test("a call a flow answered links from its timeline to the run's path", async () => {
    const post = async (path: string, json: unknown) => (await server.fetch(`/v1/Account/${server.authId}/${path}`, { method: 'POST', json })).json();
    const flow = await post('Phlo/', {
      name: 'greeter',
      nodes: [
        { name: 'Start', node_type: 'start', transitions: { incoming_call: 'Hello' } },
        { name: 'Hello', node_type: 'play_audio', config: { prompt: { type: 'speak', text: 'Thanks for calling' } } },
      ],
    });
    const endpoint = await post('Endpoint/', { username: 'greeter', password: 'secret12', alias: 'Greeter', phlo_id: flow.phlo_id });
    const { sip_uri: sipUri } = await (await server.fetch(`/v1/Account/${server.authId}/Endpoint/${endpoint.endpoint_id}/`)).json();
    const { call_uuid: uuid } = await post('Sandbox/Call/', { from: '14155550124', to: sipUri });
    assert.equal((await post(`Sandbox/Call/${uuid}/Wait/`, { until: 'ended', timeout_ms: 20_000 })).state, 'completed');
    await page.goto(`${server.url}/console/#/calls/${uuid}`);
    await page.locator('li.flow').getByText(/Hello \(play_audio\)/).waitFor();
    await page.locator('li.flow').getByRole('link', { name: "Show the run's path" }).first().click();
    const graph = page.getByRole('group', { name: 'Graph of flow greeter' });
    await graph.getByRole('button', { name: /^Hello play_audio.*✔ ran/ }).waitFor();
  });

  test('lists the call among the records, and the other pages pass the accessibility check', async () => {
    await nav(page, 'Calls');
    await page.getByRole('link', { name: callUuid.slice(0, 8) }).first().waitFor();
    await checkPage(page, 'calls');
    await page.getByText('Filter', { exact: true }).click();
    const hungUpBy = page.getByLabel('Hung up by');
    await hungUpBy.selectOption('Error');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No finished calls match these filters.').waitFor();
    await hungUpBy.selectOption('');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('link', { name: callUuid.slice(0, 8) }).first().waitFor();
    for (const [link, heading] of [['Endpoints', 'Endpoints'], ['Messages', 'Messages'], ['Subaccounts', 'Subaccounts'], ['Balance', 'Balance']]) {
      await nav(page, link);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await page.getByText('Loading…').waitFor({ state: 'detached' });
      await checkPage(page, link.toLowerCase());
    }
    await page.getByRole('cell', { name: /call/ }).first().waitFor();
  });

  test('reads well on a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await nav(page, 'Calls');
    await page.getByRole('heading', { name: 'Calls', exact: true }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    await checkPage(page, 'calls-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  test('a subaccount signs in and sees only its own calls; signing out returns to sign-in', async () => {
    const created = await (await server.fetch(`/v1/Account/${server.authId}/Subaccount/`, { method: 'POST', json: { name: 'Team B', enabled: true } })).json();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal((await browser.context.cookies()).some((c) => c.name === 'sb_console' && c.value), false);
    await page.getByLabel('Auth ID').fill(created.auth_id);
    await page.getByLabel('Auth token').fill(created.auth_token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Calls', exact: true }).waitFor();
    await page.getByText('No finished calls yet.').waitFor();
    assert.equal(await page.getByRole('link', { name: callUuid.slice(0, 8) }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Subaccounts' }).count(), 0);
    await page.goto(`${server.url}/console/#/calls/${callUuid}`);
    await page.getByRole('alert').filter({ hasText: `No call ${callUuid} in this account` }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  test('no page logged an error', () => {
    assert.deepEqual(browser.problems, []);
  });
});
