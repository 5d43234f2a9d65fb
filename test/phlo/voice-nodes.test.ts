// Voice nodes on the call engine, in-process on a virtual clock: the real
// services on a real store (SQLite), virtual phones calling a number attached
// to a flow or called by it, the run trace, the phone's transcript and the
// call's debug log. End-to-end runs through the SDKs are in
// phlo-voice.e2e.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { platformOn, type Platform } from '../platform/numbers-fixture.ts';
import type { Step } from '../../src/phlo/phlo-runner.ts';
import { runTraceView } from '../../src/phlo/phlo-runner.ts';
import type { Scope } from '../../src/platform/scope.ts';
import { callLogRepo } from '../../src/store/repos/call-log.ts';
import type { TranscriptEvent } from '../../src/telephony/sim/transcript.ts';

let p: Platform;
let scope: Scope;
let number: string;
let phones = 0;
/** A fresh virtual phone per call. */
const phone = () => `1415555${String(7000 + phones++).padStart(4, '0')}`;

before(async () => {
  p = await platformOn('sqlite', Date.UTC(2026, 11, 7, 14, 30));
  scope = p.scope;
  const { numbers } = p.services;
  [number] = (await numbers.search(scope, { country_iso: 'US', limit: 1, offset: 0 })).objects.map((n) => n.number);
  await numbers.buy(scope, number, {});
});
after(() => p?.close());

const sandbox = () => p.services.sandbox!.calls;

/** Store `nodes` as a flow and attach the number to it. */
async function flow(nodes: unknown[]): Promise<string> {
  const stored = await p.services.phlos.create(scope, { name: `Flow${phones}`, nodes });
  await p.services.numbers.update(scope, number, { object_type: 'phlo', object_id: stored.row.phlo_id });
  return stored.row.phlo_id;
}

/** A virtual phone calls the attached number, running `script`. */
async function callIn(script: unknown[] = []): Promise<{ from: string; uuid: string }> {
  const from = phone();
  return { from, uuid: await sandbox().placeCall(scope, { from, to: number, script }) };
}

const waitEnded = (uuid: string) => sandbox().wait(scope, uuid, 'ended', undefined, 600_000);
const spoken = (events: TranscriptEvent[]) => events.flatMap((e) => (e.type === 'speak' ? [e.text] : []));
/** Who hung the call up, as the phone's transcript ends. */
const hungUp = (events: TranscriptEvent[]) => {
  const last = events.at(-1);
  return last?.type === 'hangup' ? last.by : undefined;
};

/** The flow's only run, once it has ended (time moves while anything waits on a timer). */
async function lastRun(phloId: string) {
  for (let i = 0; i < 50; i++) {
    const { rows } = await p.services.phloRunner.list(scope, phloId, 1, 0);
    if (rows[0] && rows[0].status !== 'running') return runTraceView(rows[0]);
    await sandbox().advance({ until_idle: true });
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.fail('the run did not end');
}
const path = (steps: Step[]) => steps.map((s) => `${s.name}:${s.state}`);

const start = { name: 'Start', node_type: 'start', transitions: { incoming_call: 'Menu' } };
const menu = (transitions: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  name: 'Menu',
  node_type: 'ivr_menu',
  config: { prompt: { type: 'speak', text: 'Press 1 for sales or 2 to leave a message' }, allowed_inputs: '12', input_timeout: 3, ...extra },
  transitions,
});

describe('an inbound call to a number attached to a flow', () => {
  test('ivr_menu routes on a key, play_audio speaks, hangup ends the call; the call log shows each node', async () => {
    const phloId = await flow([
      start,
      menu({ 1: 'Sales' }),
      { name: 'Sales', node_type: 'play_audio', config: { prompt: { type: 'speak', text: 'Connecting you to <emphasis level="strong">sales</emphasis><break time="300ms"/>' } }, transitions: { prompt_completed: 'Bye' } },
      { name: 'Bye', node_type: 'hangup', config: {} },
    ]);
    const call = await callIn([{ action: 'dtmf', digits: '1', on_hear: 'press 1' }]);
    const { transcript } = await waitEnded(call.uuid);
    assert.deepEqual(spoken(transcript.events), ['Press 1 for sales or 2 to leave a message', 'Connecting you to sales']);
    assert.deepEqual(hungUp(transcript.events), 'platform');
    const run = await lastRun(phloId);
    assert.deepEqual(path(run.steps), ['Start:incoming_call', 'Menu:1', 'Sales:prompt_completed', 'Bye:hangup']);
    assert.equal(run.status, 'completed');
    assert.deepEqual(run.calls, [call.uuid]);
    assert.equal(run.trigger, 'incoming_call');
    const { call: started } = run.steps[0]!.variables as { call: Record<string, string> };
    assert.deepEqual([started.uuid, started.from, started.to, started.direction], [call.uuid, call.from, number, 'inbound']);
    assert.deepEqual(run.steps[1]!.variables, { digits: '1', input: '1' });
    const log = await callLogRepo.list(p.db, { accountId: scope.accountId }, call.uuid, 100, 0);
    const flowEntries = log.filter((e) => e.kind === 'flow').map((e) => e.message);
    assert.deepEqual(
      flowEntries.map((m) => m.replace(/.* run [0-9a-f-]+: /, '')),
      ['Start (start) → incoming_call', 'Menu (ivr_menu) → 1', 'Sales (play_audio) → prompt_completed', 'Bye (hangup) → hangup'],
    );
  });
});

describe('keys, input and voicemail', () => {
  test('ivr_menu plays its prompt again after a wrong key; a state left unconnected hangs the call up and the trace says why', async () => {
    const phloId = await flow([start, menu({ 1: 'Sales' }, { max_retries: 1 }), { name: 'Sales', node_type: 'play_audio', config: { prompt: { type: 'speak', text: 'Sales' } } }]);
    const call = await callIn([
      { action: 'dtmf', digits: '9', on_hear: 'leave a message' },
      { action: 'dtmf', digits: '7', on_hear: 'leave a message' },
    ]);
    const { transcript } = await waitEnded(call.uuid);
    assert.equal(spoken(transcript.events).length, 2, 'the prompt again after the wrong key');
    const run = await lastRun(phloId);
    assert.deepEqual(path(run.steps), ['Start:incoming_call', 'Menu:wrong_input']);
    assert.deepEqual(run.steps[1]!.variables, { digits: '7', input: '7' });
    assert.equal(run.status, 'completed');
    assert.equal(run.reason, 'Menu: state wrong_input is not connected; the call was hung up');
    assert.deepEqual(hungUp(transcript.events), 'platform');
    const log = await callLogRepo.list(p.db, { accountId: scope.accountId }, call.uuid, 100, 0);
    assert.ok(log.some((e) => e.kind === 'flow' && e.message.endsWith('Menu: state wrong_input is not connected; the call was hung up; the call is hung up')));
  });

  test('no key at all leaves by no_input once the retries are spent', async () => {
    const phloId = await flow([start, menu({ no_input: 'Bye' }, { max_retries: 2, input_timeout: 2 }), { name: 'Bye', node_type: 'hangup', config: {} }]);
    const call = await callIn();
    const { transcript } = await waitEnded(call.uuid);
    assert.equal(spoken(transcript.events).length, 3);
    assert.deepEqual(path((await lastRun(phloId)).steps), ['Start:incoming_call', 'Menu:no_input', 'Bye:hangup']);
  });

  test('get_input collects keys, record_audio keeps a voicemail the caller hangs up on; after the hang-up send_sms still runs and voice nodes do not', async () => {
    const caller = phone();
    const phloId = await flow([
      { name: 'Start', node_type: 'start', transitions: { incoming_call: 'Account' } },
      { name: 'Account', node_type: 'get_input', config: { prompt: { type: 'speak', text: 'Enter your account number, then hash' }, max_input_size: 6 }, transitions: { successful_input: 'Voicemail' } },
      { name: 'Voicemail', node_type: 'record_audio', config: { prompt: { type: 'speak', text: 'Leave a message after the beep' }, silence_timeout: 5 }, transitions: { recorded: 'Notify' } },
      { name: 'Notify', node_type: 'send_sms', config: { from: number, to: caller, text: 'Voicemail from {{Account.input}}: {{Voicemail.record_url}}' }, transitions: { sent: 'Thanks' } },
      { name: 'Thanks', node_type: 'play_audio', config: { prompt: { type: 'speak', text: 'Thanks' } } },
    ]);
    const uuid = await sandbox().placeCall(scope, {
      from: caller,
      to: number,
      script: [
        { action: 'dtmf', digits: '4242#', on_hear: 'then hash' },
        { action: 'say', text: 'please call me back', on_hear: 'after the beep', after_ms: 1500 },
        { action: 'hangup', after_ms: 1000 },
      ],
    });
    await waitEnded(uuid);
    const run = await lastRun(phloId);
    assert.deepEqual(path(run.steps), ['Start:incoming_call', 'Account:successful_input', 'Voicemail:recorded', 'Notify:sent']);
    assert.equal(run.reason, 'the call had ended before Thanks');
    assert.deepEqual(run.steps[1]!.variables, { input: '4242', input_type: 'dtmf' });
    const vm = run.steps[2]!.variables as Record<string, string>;
    assert.match(vm.record_url!, new RegExp(`/Recording/${vm.recording_id}\\.mp3$`));
    assert.ok(Number(vm.record_duration) >= 2);
    assert.deepEqual(run.recordings, [vm.recording_id]);
    assert.equal(run.messages.length, 1);
    const recording = await p.services.media.recordings.find(scope, vm.recording_id!);
    assert.equal(recording?.call_uuid, uuid);
  });
});

describe('calls the flow places', () => {
  const apiRun = async (phloId: string) => {
    const phlo = await p.services.phlos.find(scope, phloId);
    return p.services.phloRunner.start(phlo, scope, { kind: 'api_request', params: {} });
  };
  const apiFlow = async (config: Record<string, unknown>, after: Array<{ name: string }> = [], state = 'answered') => {
    const stored = await p.services.phlos.create(scope, {
      name: `Out${phones}`,
      nodes: [
        { name: 'Start', node_type: 'start', transitions: { api_request: 'Dial' } },
        { name: 'Dial', node_type: 'initiate_call', config: { from: number, ...config }, transitions: after[0] ? { [state]: after[0].name } : {} },
        ...after,
      ],
    });
    return stored.row.phlo_id;
  };
  const greet = { name: 'Greet', node_type: 'play_audio', config: { prompt: { type: 'speak', text: 'Your order has shipped' } } };

  test('initiate_call: the answered leg becomes the current call, and is hung up when the run ends', async () => {
    const to = phone();
    const phloId = await apiFlow({ to }, [greet]);
    const started = await apiRun(phloId);
    assert.match(started.message, /^b'Initiate Call' - b'Dial' with phlo_run_uuid: /);
    const run = await lastRun(phloId);
    assert.deepEqual(path(run.steps), ['Start:api_request', 'Dial:answered', 'Greet:prompt_completed']);
    assert.equal(run.reason, 'Greet: state prompt_completed is not connected; the call was hung up');
    const dialled = run.steps[1]!.variables as Record<string, string>;
    assert.deepEqual([dialled.to, dialled.from, dialled.direction, dialled.call_status, dialled.voicemail_detected], [to, number, 'outbound', 'in-progress', 'false']);
    assert.deepEqual(run.calls, [dialled.uuid]);
    const { transcript } = await waitEnded(dialled.uuid!);
    assert.deepEqual(spoken(transcript.events), ['Your order has shipped']);
  });

  test('initiate_call: busy, and an answering machine detected as voicemail', async () => {
    const busy = phone();
    await p.services.sandbox!.phones.set(scope, { number: busy, behaviour: 'busy' });
    const busyFlow = await apiFlow({ to: busy });
    await apiRun(busyFlow);
    const run = await lastRun(busyFlow);
    assert.deepEqual(path(run.steps), ['Start:api_request', 'Dial:busy']);
    assert.equal((run.steps[1]!.variables as Record<string, string>).hangup_cause, 'USER_BUSY');

    const machine = phone();
    await p.services.sandbox!.phones.set(scope, { number: machine, behaviour: 'machine' });
    const vmFlow = await apiFlow({ to: machine, machine_detection: true }, [{ ...greet, name: 'Leave' }], 'voicemail');
    await apiRun(vmFlow);
    const vm = await lastRun(vmFlow);
    assert.deepEqual(path(vm.steps), ['Start:api_request', 'Dial:voicemail', 'Leave:prompt_completed']);
    assert.equal((vm.steps[1]!.variables as Record<string, string>).voicemail_detected, 'true');
  });
});

describe('connecting the caller', () => {
  const forwardFlow = (config: Record<string, unknown>) =>
    flow([
      { name: 'Start', node_type: 'start', transitions: { incoming_call: 'Forward' } },
      { name: 'Forward', node_type: 'call_forward', config: { from: number, ...config }, transitions: { no_answer: 'Sorry', busy: 'Sorry' } },
      { name: 'Sorry', node_type: 'play_audio', config: { prompt: { type: 'speak', text: 'Nobody could take your call' } } },
    ]);

  test('call_forward: the caller and the agent talk; the forwarded leg is in the run and its variables', async () => {
    const agent = phone();
    await p.services.sandbox!.phones.set(scope, { number: agent, behaviour: 'answer', script: [{ action: 'say', text: 'sales here how can I help', after_ms: 500 }, { action: 'hangup', after_ms: 3000 }] });
    const phloId = await forwardFlow({ to: agent });
    const call = await callIn();
    const { transcript } = await waitEnded(call.uuid);
    assert.ok(spoken(transcript.events).includes('sales here how can I help'), 'the caller hears the agent');
    const run = await lastRun(phloId);
    assert.deepEqual(path(run.steps), ['Start:incoming_call', 'Forward:completed']);
    const leg = run.steps[1]!.variables as Record<string, string>;
    assert.deepEqual([leg.to, leg.from, leg.direction, leg.call_status, leg.hangup_cause], [agent, number, 'outbound', 'completed', 'NORMAL_CLEARING']);
    assert.deepEqual(run.calls, [call.uuid, leg.uuid]);
    assert.ok(Number(leg.duration) >= 3);
  });

  test('call_forward: sequential tries the next after a busy one; screening asks for the key; parallel all busy leaves by busy', async () => {
    const busy = phone();
    const agent = phone();
    await p.services.sandbox!.phones.set(scope, { number: busy, behaviour: 'busy' });
    await p.services.sandbox!.phones.set(scope, { number: agent, behaviour: 'answer', script: [{ action: 'dtmf', digits: '5', on_hear: 'press 5' }, { action: 'hangup', after_ms: 2000 }] });
    const phloId = await forwardFlow({ to: `${busy},${agent}`, forwarding: 'sequential', call_screening: { prompt: { type: 'speak', text: 'A customer is calling, press 5 to take it' }, confirm_key: '5' } });
    const call = await callIn();
    await waitEnded(call.uuid);
    const run = await lastRun(phloId);
    assert.deepEqual(path(run.steps), ['Start:incoming_call', 'Forward:completed']);
    assert.equal((run.steps[1]!.variables as Record<string, string>).to, agent);
    assert.equal(run.calls.length, 3, 'the caller, the busy leg and the agent');

    const allBusy = await forwardFlow({ to: busy });
    const again = await callIn();
    const { transcript } = await waitEnded(again.uuid);
    assert.deepEqual(path((await lastRun(allBusy)).steps), ['Start:incoming_call', 'Forward:busy', 'Sorry:prompt_completed']);
    assert.deepEqual(spoken(transcript.events), ['Nobody could take your call']);
  });

  test('conference_bridge: the announcement, then the conference until the caller leaves', async () => {
    const phloId = await flow([
      { name: 'Start', node_type: 'start', transitions: { incoming_call: 'Bridge' } },
      { name: 'Bridge', node_type: 'conference_bridge', config: { conference_name: 'Team', announcement: { type: 'speak', text: 'Joining the team call' } } },
    ]);
    const first = await callIn([{ action: 'hangup', after_ms: 8000 }]);
    const second = await callIn([{ action: 'say', text: 'hello team', after_ms: 3000 }, { action: 'hangup', after_ms: 2000 }]);
    const { transcript } = await waitEnded(first.uuid);
    await waitEnded(second.uuid);
    assert.ok(spoken(transcript.events).includes('Joining the team call'));
    const run = await lastRun(phloId);
    assert.deepEqual(path(run.steps), ['Start:incoming_call', 'Bridge:completed']);
    const v = run.steps[1]!.variables as Record<string, string>;
    assert.equal(v.conference_name, 'Team');
    assert.match(v.conference_uuid!, /^[0-9a-f-]{36}$/);
  });
});

describe('multiparty calls', () => {
  /** Move platform time on until `done` holds. */
  async function until(done: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 200 && !done(); i++) await sandbox().advance({ ms: 250 });
    assert.ok(done(), what);
  }

  test('multi_party_call dials its entries in order; the runner holds, transfers, resumes, hangs up and drops a voicemail', async () => {
    const [agent, customer, expert] = [phone(), phone(), phone()];
    const stored = await p.services.phlos.create(scope, {
      name: `Mpc${phones}`,
      nodes: [
        { name: 'Start', node_type: 'start', transitions: { api_request: 'Conf' } },
        {
          name: 'Conf',
          node_type: 'multi_party_call',
          config: { from: number, dial: [{ to: agent, role: 'agent' }, { to: customer, role: 'customer' }], voicemail_drop: { type: 'speak', text: 'Sorry we missed you' } },
        },
      ],
    });
    const phloId = stored.row.phlo_id;
    const nodeId = stored.graph.nodes[1]!.node_id;
    const started = await p.services.phloRunner.start(stored, scope, { kind: 'api_request', params: {} });
    const mpcOf = () => p.services.rooms.mpcs.find(scope, { name: `phlo_${started.runId}_Conf` });
    const member = (address: string) => [...(mpcOf()?.participants.values() ?? [])].find((m) => m.call.to === address);
    await until(() => member(customer) !== undefined, 'the agent, then the customer joined');
    assert.equal(member(agent)!.role, 'agent');
    assert.equal(member(customer)!.role, 'customer');

    const steer = p.services.phloMpc;
    await steer.memberAction(scope, phloId, nodeId, customer, { action: 'hold' });
    assert.equal(member(customer)!.hold, true);
    await steer.memberAction(scope, phloId, nodeId, `+${customer}`, { action: 'unhold' });
    assert.equal(member(customer)!.hold, false);

    await steer.nodeAction(scope, phloId, nodeId, { action: 'warm_transfer', trigger_source: agent, to: expert, role: 'agent' });
    assert.equal(member(customer)!.hold, true, 'customers wait on hold during the private talk');
    await until(() => member(expert) !== undefined, 'the transfer target joined');
    await steer.memberAction(scope, phloId, nodeId, agent, { action: 'resume_call' });
    assert.equal(member(customer)!.hold, false, 'three-way once resumed');
    await assert.rejects(steer.nodeAction(scope, phloId, nodeId, { action: 'cold_transfer', trigger_source: customer, to: expert }), /Invalid value provided for trigger_source\./);
    await assert.rejects(steer.memberAction(scope, phloId, nodeId, '14155559999', { action: 'hold' }), (err: { status: number }) => err.status === 404);

    await steer.memberAction(scope, phloId, nodeId, expert, { action: 'hangup' });
    assert.equal(member(expert), undefined);
    await steer.memberAction(scope, phloId, nodeId, customer, { action: 'voicemail_drop' });
    const { transcript } = await waitEnded(member(customer)!.call.uuid);
    assert.deepEqual(spoken(transcript.events), ['Sorry we missed you']);
    const run = await lastRun(phloId);
    assert.deepEqual(path(run.steps), ['Start:api_request', 'Conf:completed']);
    assert.equal(run.calls.length, 3);
    const v = run.steps[1]!.variables as Record<string, string>;
    assert.equal(v.conference_name, `phlo_${started.runId}_Conf`);
    assert.match(v.mpc_uuid!, /^[0-9a-f-]{36}$/);
    await assert.rejects(steer.memberAction(scope, phloId, nodeId, agent, { action: 'hold' }), (err: { status: number }) => err.status === 404, 'no live instance once it ended');
  });

  test('multi_party_call: an inbound caller joins as its role; an agent who does not answer hands the caller back to the flow (no_answer)', async () => {
    const agent = phone();
    await p.services.sandbox!.phones.set(scope, { number: agent, behaviour: 'no_answer', ring_seconds: 10 });
    const phloId = await flow([
      { name: 'Start', node_type: 'start', transitions: { incoming_call: 'Conf' } },
      { name: 'Conf', node_type: 'multi_party_call', config: { from: number, current_call_role: 'customer', dial: [{ to: agent, role: 'agent' }], ring_timeout: 10 }, transitions: { no_answer: 'Sorry' } },
      { name: 'Sorry', node_type: 'play_audio', config: { prompt: { type: 'speak', text: 'All our agents are busy' } } },
    ]);
    const call = await callIn();
    const { transcript } = await waitEnded(call.uuid);
    assert.deepEqual(spoken(transcript.events), ['All our agents are busy']);
    assert.deepEqual(path((await lastRun(phloId)).steps), ['Start:incoming_call', 'Conf:no_answer', 'Sorry:prompt_completed']);
  });
});

describe('restarts', () => {
  test('runs left running by a gone server end as failed: interrupted; other servers\' runs go on', async () => {
    const stored = await p.services.phlos.create(scope, { name: 'Interrupted', nodes: [{ name: 'Start', node_type: 'start' }] });
    const { phloRunsRepo } = await import('../../src/store/repos/phlos.ts');
    const running = async (runId: string, nodeId: string) =>
      phloRunsRepo.insert(p.db, {
        run_id: runId, phlo_id: stored.row.phlo_id, account_id: scope.accountId, subaccount_id: null, version: 1, trigger: 'incoming_call', status: 'running', reason: null,
        created_at: p.clock.now(), ended_at: null, call_uuids: '[]', message_uuids: '[]', recording_ids: '[]', steps: '[]', variables: '{}', node_id: nodeId,
      });
    const [gone, alive] = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
    await running(gone, 'node-gone');
    await running(alive, 'node-alive');
    await p.services.phloRunner.takeOver('node-gone');
    const ended = async (runId: string) => {
      const row = await p.services.phloRunner.find(scope, stored.row.phlo_id, runId);
      return [row.status, row.reason, row.ended_at];
    };
    assert.deepEqual(await ended(gone), ['failed', 'interrupted', p.clock.now()]);
    assert.deepEqual(await ended(alive), ['running', null, null]);
  });

  test('a clean stop ends live runs as failed: interrupted; they stay so when their node returns', async () => {
    const phloId = await flow([
      { name: 'Start', node_type: 'start', transitions: { incoming_call: 'Pin' } },
      { name: 'Pin', node_type: 'get_input', config: { prompt: { type: 'speak', text: 'Enter your PIN' }, input_timeout: 30 }, transitions: { no_input: 'Pin' } },
    ]);
    const call = await callIn();
    const stored = async () => (await p.services.phloRunner.list(scope, phloId, 1, 0)).rows[0];
    for (let i = 0; i < 50 && !(await stored()); i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal((await stored())?.status, 'running', 'held at get_input');
    await p.services.phloRunner.stop();
    assert.deepEqual([(await stored())!.status, (await stored())!.reason], ['failed', 'interrupted']);
    const { transcript } = await waitEnded(call.uuid);
    assert.equal(hungUp(transcript.events), 'platform', 'the run hung its call up as it ended');
    const run = await lastRun(phloId);
    assert.deepEqual([run.status, run.reason, path(run.steps)], ['failed', 'interrupted', ['Start:incoming_call', 'Pin:no_input']]);
  });
});
