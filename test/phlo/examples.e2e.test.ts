// The flows in examples/phlo/, each run the way its README says: pushed as
// JSON (the voice ones with `switchboard phlo push`), attached to a number
// (or started through the official PhloClient), and used from virtual
// phones; the voice ones on a virtual clock.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { leash } from '../helpers/children.ts';
import plivo from 'plivo';
import { switchboardPhloClient } from '../../sdk/index.mjs';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { eventually } from '../messaging/fixture.ts';
import { assertEvery } from '../helpers/assert.ts';
import { sandboxOf, spoken } from '../voice/fixtures.ts';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples/phlo');
const example = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(EXAMPLES, name), 'utf8'));

describe('PHLO examples in the sandbox', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.stop());

  test('sms-auto-reply: texts to the attached number are answered by the flow', async () => {
    const res = await server.fetch(`/v1/Account/${server.authId}/Phlo/`, { method: 'POST', json: example('sms-auto-reply.json') });
    const flow = await res.json();
    assert.equal(res.status, 201, JSON.stringify(flow));
    assert.deepEqual(flow.warnings, []);
    const [found] = await server.client().numbers.search('US', { type: 'local', services: 'sms', limit: 1 });
    await server.client().numbers.buy(found.number);
    const attach = await server.fetch(`/v1/Account/${server.authId}/Number/${found.number}/`, { method: 'POST', json: { object_type: 'phlo', object_id: flow.phlo_id } });
    assert.equal(attach.status, 202);

    const phone = '14155550123';
    const texts: string[] = [];
    for (const body of [' hours ', 'where are you?']) {
      const sent = await server.fetch(`/v1/Account/${server.authId}/Sandbox/Message/`, { method: 'POST', json: { from: phone, to: found.number, text: body } });
      assert.equal(sent.status, 201);
      texts.push(
        await eventually(async () => {
          const { objects } = await (await server.fetch(`/v1/Account/${server.authId}/Sandbox/Phone/${phone}/Messages/`)).json();
          return objects.length > texts.length && (objects[0] as { from: string; text: string });
        }, 'the reply').then((m) => (assert.equal(m.from, found.number), m.text)),
      );
    }
    assert.deepEqual(texts, ['We are open 9am-5pm, Monday to Friday.', 'Thanks for your message "where are you?". Text HOURS for our opening hours.']);

    const runs = await (await server.fetch(`/v1/Account/${server.authId}/Phlo/${flow.phlo_id}/Run/`)).json();
    assert.equal(runs.meta.total_count, 2);
    const paths = runs.objects.map((r: { steps: Array<{ name: string }> }) => r.steps.map((s) => s.name).join(' → ')).sort();
    assert.deepEqual(paths, ['Start → Keyword → Hours', 'Start → Keyword → Menu']);
    const inbound = await server.client().messages.list({ message_direction: 'inbound' });
    assertEvery(inbound, (m: { messageState: string }) => m.messageState === 'delivered', 'inbound texts to a flow are delivered to it');
  });
});

describe('PHLO voice examples in the sandbox (virtual clock)', () => {
  let server: TestServer;
  let sandbox: ReturnType<typeof sandboxOf>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let client: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let phlo: any;
  let number: string;

  before(async () => {
    server = await startTestServer({ clock: 'virtual' });
    sandbox = sandboxOf(server);
    client = server.client();
    phlo = switchboardPhloClient(plivo, { authId: server.authId, authToken: server.authToken, baseUrl: server.url });
    const [found] = await client.numbers.search('US', { type: 'local', services: 'voice,sms', limit: 1 });
    await client.numbers.buy(found.number);
    number = found.number;
    const cli = spawnSync(...leash(process.execPath, [path.resolve(import.meta.dirname, '../../bin/switchboard.mjs'), 'phlo', 'push', 'ivr-voicemail.json', 'click-to-call.json']), {
      cwd: EXAMPLES,
      encoding: 'utf8',
      env: { ...process.env, SWITCHBOARD_URL: server.url, SWITCHBOARD_AUTH_ID: server.authId, SWITCHBOARD_AUTH_TOKEN: server.authToken },
    });
    assert.equal(cli.status, 0, cli.stderr);
    assert.doesNotMatch(cli.stdout, /warning/);
    pushed = Object.fromEntries([...cli.stdout.matchAll(/^created (\w+): phlo_id ([0-9a-f-]{36}), version 1$/gm)].map((m) => [m[1], m[2]]));
  });
  after(async () => server?.stop());

  /** Flows pushed by the CLI, by name → phlo_id. */
  let pushed: Record<string, string> = {};
  const flowNamed = async (name: string) => {
    assert.ok(pushed[name], `switchboard phlo push created ${name}`);
    return (await (await server.fetch(`/v1/Account/${server.authId}/Phlo/${pushed[name]}/`)).json()) as { phlo_id: string; nodes: Array<{ node_id: string; name: string }> };
  };
  /** Probe until it holds, letting platform time run while nothing holds yet (a virtual clock moves only when asked). */
  const settled = <T>(probe: () => Promise<T | undefined | false>, what: string) =>
    eventually(async () => (await probe()) || (await sandbox.advance({ until_idle: true }), undefined), what);
  const inbox = (phone: string) => server.fetch(`/v1/Account/${server.authId}/Sandbox/Phone/${phone}/Messages/`).then((r) => r.json()) as Promise<{ objects: Array<{ from: string; text: string }> }>;
  const trace = (phloId: string, runId: string) => server.fetch(`/v1/Account/${server.authId}/Phlo/${phloId}/Run/${runId}/`).then((r) => r.json());

  test('ivr-voicemail: a caller presses 1, sales is busy, the caller leaves a voicemail; the team gets its link by SMS', async () => {
    const flow = await flowNamed('ivr_voicemail');
    await client.numbers.update(number, { object_type: 'phlo', object_id: flow.phlo_id });
    await sandbox.phone('14155550150', { behaviour: 'busy' });

    const caller = '14155550123';
    const uuid = await sandbox.callIn(caller, number, {
      script: [
        { action: 'dtmf', digits: '1', on_hear: 'press 1 for sales' },
        { action: 'say', text: 'hi this is Ann please call me back', on_hear: 'after the beep', after_ms: 1000 },
        { action: 'dtmf', digits: '#', after_ms: 500 },
      ],
    });
    const t = await sandbox.wait(uuid, 'ended');
    assert.deepEqual(spoken(t), [
      'Thanks for calling Acme. Press 1 for sales, or 2 to leave a message.',
      'Please leave your message after the beep, then press the hash key.',
      'Thank you. We will call you back soon. Goodbye.',
    ]);
    assert.ok(t.events.some((e) => e.type === 'beep'), 'the beep before the recording');
    assert.equal(t.events.at(-1)!.by, 'platform', 'the flow hangs up when it is done');

    const [text] = (await settled(async () => (await inbox('14155550199')).objects.length > 0 && (await inbox('14155550199')).objects, 'the SMS to the team'));
    assert.equal(text.from, number);
    const m = /^New voicemail from 14155550123 \((\d+) s\): (http\S+\/Recording\/([0-9a-f-]+)\.mp3)$/.exec(text.text);
    assert.ok(m, text.text);
    const recording = await client.recordings.get(m[3]);
    assert.equal(recording.callUuid, uuid);
    assert.equal(recording.recordingUrl, m[2]);
    const audio = await fetch(m[2]!);
    assert.equal(audio.status, 200);

    const runs = await (await server.fetch(`/v1/Account/${server.authId}/Phlo/${flow.phlo_id}/Run/`)).json();
    const run = runs.objects[0];
    assert.deepEqual(run.steps.map((s: { name: string; state: string }) => `${s.name}:${s.state}`), ['Start:incoming_call', 'Menu:1', 'Sales:busy', 'Voicemail:recorded', 'Notify:sent', 'Thanks:prompt_completed']);
    assert.equal(run.status, 'completed');
    assert.equal(run.reason, 'Thanks: state prompt_completed is not connected; the call was hung up');
    assert.deepEqual(run.recordings, [m[3]]);
    assert.equal(run.calls[0], uuid);
    const got = await (await server.fetch(`/v1/phlo/${flow.phlo_id}/runs/${run.run_id}`)).json();
    assert.deepEqual([got.call_uuids.length, got.message_uuids.length, got.recording_ids], [2, 1, [m[3]]]);

    const log = await (await server.fetch(`/v1/Account/${server.authId}/Call/${uuid}/Log/`)).json();
    const flowLog = log.objects.filter((e: { kind: string }) => e.kind === 'flow').map((e: { message: string }) => e.message.replace(/^.* run [0-9a-f-]+:? /, ''));
    assert.deepEqual(flowLog.slice(0, 6), ['Start (start) → incoming_call', 'Menu (ivr_menu) → 1', 'Sales (call_forward) → busy', 'Voicemail (record_audio) → recorded', 'Notify (send_sms) → sent', 'Thanks (play_audio) → prompt_completed']);
  });

  test('click-to-call: the agent, then the customer; every runner action steers the multiparty call, checked in the MPC API after each', async () => {
    const flow = await flowNamed('click_to_call');
    const nodeId = flow.nodes.find((n) => n.name === 'Call')!.node_id;
    const [agent, customer, supervisor, expert, slow, closer] = ['14155550301', '14155550302', '14155550303', '14155550304', '14155550305', '14155550306'];
    await sandbox.phone(slow, { behaviour: 'answer', ring_seconds: 20 });
    await sandbox.phone(customer, { behaviour: 'answer', script: [] });

    const run = await phlo.phlo(flow.phlo_id).run({ agent, customer, caller_id: number });
    assert.match(run.message, new RegExp(`^b'Multi-Party Call' - b'Call' with phlo_run_uuid: ${run.apiId} executed$`));
    const friendlyName = `phlo_${run.apiId}_Call`;
    const legOf = async (phone: string) => (await settled(async () => (await sandbox.phoneCalls(phone))[0], `a call to ${phone}`)).call_uuid!;
    const joined = async (phone: string) => sandbox.wait(await legOf(phone), 'answered');
    // Who is in the MPC now: the list also shows those who left, with their exit time (docs/decisions.md).
    const members = async () => {
      const { objects } = await client.multiPartyCalls.listParticipants({ friendlyName });
      return Object.fromEntries(
        (objects as Array<{ callUuid: string; role: string; hold: boolean; exitTime: string | null }>)
          .filter((p) => p.exitTime === null)
          .map((p) => [p.callUuid, `${p.role}${p.hold ? ' on hold' : ''}`]),
      ) as Record<string, string>;
    };
    const memberAction = async (address: string, action: string) => {
      // The SDK's member() actions fail inside the SDK (docs/decisions.md): plain HTTP.
      const res = await server.fetch(`/v1/phlo/${flow.phlo_id}/multi_party_call/${nodeId}/members/${address}`, { method: 'POST', json: { action } });
      assert.deepEqual([res.status, (await res.json()).error], [201, ''], `${action} ${address}`);
    };
    const mpc = phlo.phlo(flow.phlo_id).multiPartyCall(nodeId);

    await joined(agent);
    await joined(customer);
    const [a, c] = [await legOf(agent), await legOf(customer)];
    assert.deepEqual(await members(), { [a]: 'agent', [c]: 'customer' });

    await memberAction(customer, 'hold');
    assert.deepEqual(await members(), { [a]: 'agent', [c]: 'customer on hold' });
    await memberAction(`+${customer}`, 'unhold');
    assert.deepEqual(await members(), { [a]: 'agent', [c]: 'customer' });

    assert.equal((await mpc.call(agent, supervisor, 'supervisor')).error, '');
    await joined(supervisor);
    const s = await legOf(supervisor);
    assert.deepEqual(await members(), { [a]: 'agent', [c]: 'customer', [s]: 'supervisor' });
    await memberAction(supervisor, 'hangup');
    assert.equal((await sandbox.wait(s, 'ended')).state, 'completed');
    assert.deepEqual(await members(), { [a]: 'agent', [c]: 'customer' });

    await mpc.warmTransfer(agent, expert, 'agent');
    assert.deepEqual(await members(), { [a]: 'agent', [c]: 'customer on hold' }, 'the customer waits on hold while the agents talk');
    await joined(expert);
    const x = await legOf(expert);
    assert.deepEqual(await members(), { [a]: 'agent', [c]: 'customer on hold', [x]: 'agent' });
    await memberAction(expert, 'resume_call');
    assert.deepEqual(await members(), { [a]: 'agent', [c]: 'customer', [x]: 'agent' }, 'three-way once resumed');
    await memberAction(expert, 'hangup');
    await sandbox.wait(x, 'ended');

    await mpc.warmTransfer(agent, slow, 'agent');
    const y = await legOf(slow);
    assert.deepEqual(await members(), { [a]: 'agent', [c]: 'customer on hold' });
    assert.equal((await mpc.abortTransfer(agent)).error, '');
    assert.equal((await sandbox.wait(y, 'ended')).events.some((e) => e.type === 'answered'), false, 'the transfer target rang and was cancelled');
    assert.deepEqual(await members(), { [a]: 'agent', [c]: 'customer' });

    await mpc.coldTransfer(agent, closer, 'agent');
    await joined(closer);
    const z = await legOf(closer);
    await sandbox.wait(a, 'ended');
    assert.deepEqual(await members(), { [c]: 'customer', [z]: 'agent' }, 'the agent left once the transfer target answered');

    await memberAction(customer, 'voicemail_drop');
    const dropped = await sandbox.wait(c, 'ended');
    assert.deepEqual(spoken(dropped).at(-1), 'Hello from Acme. Sorry we missed you; we will call again later.');
    await sandbox.wait(z, 'ended');

    const t = await settled(async () => {
      const body = await trace(flow.phlo_id, run.apiId);
      return body.status !== 'running' && body;
    }, 'the run to end');
    assert.deepEqual(t.steps.map((st: { name: string; state: string }) => `${st.name}:${st.state}`), ['Start:api_request', 'Call:completed']);
    assert.deepEqual(new Set(t.calls), new Set([a, c, s, x, y, z]));
    const mpcRow = await client.multiPartyCalls.get({ uuid: t.steps[1].variables.mpc_uuid });
    assert.equal(mpcRow.mpcStatus ?? mpcRow.status, 'Ended');
    const gone = await server.fetch(`/v1/phlo/${flow.phlo_id}/multi_party_call/${nodeId}/members/${customer}`, { method: 'POST', json: { action: 'hold' } });
    assert.equal(gone.status, 404, 'no live instance once the multiparty call ended');
  });
});

