// Every validation rule and every warning of the PHLO format, each shown by
// the smallest document that breaks it, with the node and field it names.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validatePhlo } from '../../src/phlo/phlo-validate.ts';
import type { Finding } from '../../src/phlo/phlo-document.ts';

type Node = Record<string, unknown>;
const start = (transitions: Record<string, string> = { api_request: 'Reply' }, config: Record<string, unknown> = {}): Node => ({ name: 'Start', node_type: 'start', config, transitions });
const sms = (name = 'Reply', config: Record<string, unknown> = {}, transitions: Record<string, string> = {}): Node => ({
  name,
  node_type: 'send_sms',
  config: { from: '14155550100', to: '14155550101', text: 'hi', ...config },
  transitions,
});
const doc = (...nodes: Node[]) => ({ name: 'flow', nodes });

function errorsOf(d: unknown): Finding[] {
  const r = validatePhlo(d);
  assert.equal(r.graph, undefined, 'an invalid document yields no graph');
  return r.errors;
}

function expectError(d: unknown, node: string | null, field: string, message: RegExp): void {
  const errors = errorsOf(d);
  const hit = errors.find((e) => e.node === node && e.field === field);
  assert.ok(hit, `expected an error on ${node} ${field}; got ${JSON.stringify(errors)}`);
  assert.match(hit.message, message);
}

function warningsOf(d: unknown): Finding[] {
  const r = validatePhlo(d);
  assert.deepEqual(r.errors, [], 'the document itself is valid');
  return r.warnings;
}

describe('PHLO validation errors (each names the node and field)', () => {
  test('a valid flow is normalised: node_ids assigned, transitions by node_id, display names and aliases accepted', () => {
    const r = validatePhlo(doc(start({ 'API Request': 'Reply' }), { ...sms(), node_type: 'send_message', transitions: { Sent: 'Done' } }, sms('Done')));
    assert.deepEqual(r.errors, []);
    const [s, reply, done] = r.graph!.nodes;
    assert.match(s.node_id, /^[0-9a-f-]{36}$/);
    assert.equal(reply.node_type, 'send_sms');
    assert.deepEqual(s.transitions, { api_request: reply.node_id });
    assert.deepEqual(reply.transitions, { sent: done.node_id });
  });

  test('the body must be an object with a name and nodes', () => {
    expectError([], null, 'request', /JSON object/);
    expectError({ nodes: [start()] }, null, 'name', /required/);
    expectError({ name: 'x' }, null, 'nodes', /at least one node/);
    expectError({ name: 'x', nodes: [start({}), 'oops'] }, 'nodes[1]', 'node', /must be an object/);
  });

  test('exactly one start node', () => {
    expectError(doc(sms()), null, 'nodes', /exactly one node of node_type start/);
    expectError(doc(start(), sms(), { ...start({}), name: 'Again' }), 'Again', 'node_type', /exactly one start node; Start is already one/);
  });

  test('nothing leads into the start node', () => {
    expectError(doc(start(), sms('Reply', {}, { sent: 'Start' })), 'Reply', 'transitions.sent', /nothing may lead into the start node/);
  });

  test('names are valid and unique', () => {
    expectError(doc(start({}), sms('2bad')), '2bad', 'name', /start with a letter/);
    expectError(doc(start(), sms(), sms()), 'Reply', 'name', /unique/);
  });

  test('node_ids are UUIDs and unique', () => {
    const id = '11111111-2222-3333-4444-555555555555';
    expectError(doc(start(), { ...sms(), node_id: 'n1' }), 'Reply', 'node_id', /must be a UUID/);
    expectError(doc({ ...start(), node_id: id }, { ...sms(), node_id: id }), 'Reply', 'node_id', /must be unique/);
  });

  test('node_type is known', () => {
    expectError(doc(start(), { ...sms(), node_type: 'fax' }), 'Reply', 'node_type', /"fax" is not a node type/);
    expectError(doc(start(), { name: 'Reply', config: {} }), 'Reply', 'node_type', /is required/);
  });

  test('every transition key is a state of its node: digits from allowed_inputs, aliases from conditions', () => {
    expectError(doc(start(), sms('Reply', {}, { delivered: 'Reply' })), 'Reply', 'transitions.delivered', /not an exit state of send_sms: one of sent, failed/);
    const call = { name: 'Call', node_type: 'initiate_call', config: { from: '14155550100', to: '14155550101' }, transitions: { answered: 'Menu' } };
    const menu = { name: 'Menu', node_type: 'ivr_menu', config: { prompt: { type: 'speak', text: 'Press 1' }, allowed_inputs: ['1', '2'] }, transitions: { '3': 'Reply' } };
    expectError(doc(start({ api_request: 'Call' }), call, menu, sms()), 'Menu', 'transitions.3', /one of 1, 2, no_input, wrong_input/);
    const branch = { name: 'Check', node_type: 'branch', config: { lhs: 'x', conditions: [{ alias: 'yes', operation: 'equals', rhs: 'x' }] }, transitions: { no: 'Reply' } };
    expectError(doc(start({ api_request: 'Check' }), branch, sms()), 'Check', 'transitions.no', /one of yes, no_match/);
    expectError(doc(start(), sms(), { name: 'Bye', node_type: 'hangup', config: {}, transitions: { done: 'Reply' } }), 'Bye', 'transitions.done', /has no exit states/);
  });

  test('every target exists', () => {
    expectError(doc(start({ api_request: 'Nowhere' })), 'Start', 'transitions.api_request', /no node is named "Nowhere"/);
  });

  test('required config is present and typed: URLs, enums, ranges, number/SIP literals, prompts', () => {
    expectError(doc(start(), sms('Reply', { text: '' })), 'Reply', 'config.text', /is required/);
    expectError(doc(start(), sms('Reply', { to: '12' })), 'Reply', 'config.to', /not a phone number/);
    const http = (config: Record<string, unknown>) => doc(start({ api_request: 'Get' }), { name: 'Get', node_type: 'http_request', config: { method: 'GET', url: 'https://example.com', ...config }, transitions: {} });
    expectError(http({ url: 'ftp://example.com' }), 'Get', 'config.url', /absolute http\(s\) URL/);
    expectError(http({ method: 'PATCH' }), 'Get', 'config.method', /one of: GET, POST, PUT, DELETE/);
    expectError(http({ timeout: 600 }), 'Get', 'config.timeout', /at most 60/);
    expectError(http({ timeout: 'soon' }), 'Get', 'config.timeout', /integer/);
    expectError(http({ auth: { type: 'basic' } }), 'Get', 'config.auth.username', /required/);
    const counter = { name: 'Count', node_type: 'counter', config: {}, transitions: {} };
    expectError(doc(start({ api_request: 'Count' }), counter), 'Count', 'config.max_count', /required/);
    const play = { name: 'Play', node_type: 'play_audio', config: { prompt: { type: 'play', url: 'nope' } }, transitions: {} };
    expectError(doc(start({ incoming_call: 'Play' }), play), 'Play', 'config.prompt.url', /absolute http\(s\) URL/);
    const say = { name: 'Say', node_type: 'play_audio', config: { prompt: { type: 'sing' } }, transitions: {} };
    expectError(doc(start({ incoming_call: 'Say' }), say), 'Say', 'config.prompt.type', /one of: speak, play/);
    const ssml = (text: string) => doc(start({ incoming_call: 'Say' }), { name: 'Say', node_type: 'play_audio', config: { prompt: { type: 'speak', text } }, transitions: {} });
    expectError(ssml('Hello <break time="forever"/> {{Start.call.from}}'), 'Say', 'config.prompt.text', /not SSML that <Speak> takes: .*break/);
    expectError(ssml('Hello <emphasis>there'), 'Say', 'config.prompt.text', /malformed XML/);
    assert.deepEqual(validatePhlo(ssml('Hello <say-as interpret-as="digits">{{Start.call.from}}</say-as>')).errors, [], 'SSML with a template inside');
    const call = { name: 'Call', node_type: 'initiate_call', config: { from: 'sip:bad', to: 'sip:agent@example.com' }, transitions: {} };
    expectError(doc(start({ api_request: 'Call' }), call), 'Call', 'config.from', /SIP URI/);
    const tc = { name: 'Hours', node_type: 'time_condition', config: { timezone: 'Mars/Base', slots: [{ days: ['mon-fri'], from: '17:00', to: '09:00' }] }, transitions: {} };
    expectError(doc(start({ api_request: 'Hours' }), tc), 'Hours', 'config.timezone', /IANA time zone/);
    expectError(doc(start({ api_request: 'Hours' }), tc), 'Hours', 'config.slots[0].to', /later than from/);
    const branch = { name: 'Check', node_type: 'branch', config: { lhs: 'x', conditions: [{ alias: 'a', operation: 'matches_regex', rhs: '(' }, { alias: 'a', operation: 'equals' }] }, transitions: {} };
    expectError(doc(start({ api_request: 'Check' }), branch), 'Check', 'config.conditions[0].rhs', /regular expression/);
    expectError(doc(start({ api_request: 'Check' }), branch), 'Check', 'config.conditions[1].alias', /unique/);
    expectError(doc(start({ api_request: 'Check' }), branch), 'Check', 'config.conditions[1].rhs', /required/);
    const events = { ...sms(), events: [{ url: 'https://example.com/e', on: ['exploded'] }] };
    expectError(doc(start(), events), 'Reply', 'events[0].on', /not an event of this node/);
  });

  test('templates parse, use only the named filters, and read only nodes of the flow', () => {
    expectError(doc(start(), sms('Reply', { text: 'Hi {{Start.http.params.name' })), 'Reply', 'config.text', /not a valid template/);
    expectError(doc(start(), sms('Reply', { text: '{{Start.http.params.name | capitalize}}' })), 'Reply', 'config.text', /undefined filter: capitalize/);
    expectError(doc(start(), sms('Reply', { text: '{% if x %}y{% endif %}' })), 'Reply', 'config.text', /not a valid template/);
    expectError(doc(start(), sms('Reply', { text: 'Hi {{Lookup.response.name}}' })), 'Reply', 'config.text', /"Lookup", which is not the name of a node/);
    assert.deepEqual(validatePhlo(doc(start({ api_request: 'Reply' }, { payload: { name: '' } }), sms('Reply', { text: '{{ Start.http.params.name | default: "you" | upcase | strip }}' }))).errors, []);
  });

  test('voice nodes are reachable only through a live call', () => {
    const menu = (transitions = {}) => ({ name: 'Menu', node_type: 'get_input', config: {}, transitions });
    expectError(doc(start({ api_request: 'Menu' }), menu()), 'Menu', 'node_type', /without one \(through Start\.api_request\)/);
    expectError(doc(start({ incoming_message: 'Menu' }), menu()), 'Menu', 'node_type', /live call/);
    const call = (transitions: Record<string, string>) => ({ name: 'Call', node_type: 'initiate_call', config: { from: '14155550100', to: '14155550101' }, transitions });
    expectError(doc(start({ api_request: 'Call' }), call({ no_answer: 'Menu', answered: 'Menu' }), menu()), 'Menu', 'node_type', /through Call\.no_answer/);
    assert.deepEqual(validatePhlo(doc(start({ api_request: 'Call', incoming_call: 'Menu' }), call({ answered: 'Menu', voicemail: 'Menu', no_answer: 'Call', busy: 'Call', failed: 'Call' }), menu())).errors, []);
    expectError(doc(start({ api_request: 'Bye' }), { name: 'Bye', node_type: 'hangup', config: {}, transitions: {} }), 'Bye', 'node_type', /live call/);
  });

  test('a multi_party_call reachable without a call has a dial list', () => {
    const mpc = (config = {}) => ({ name: 'Conf', node_type: 'multi_party_call', config: { from: '14155550100', ...config }, transitions: { completed: 'Reply', no_answer: 'Reply', failed: 'Reply' } });
    expectError(doc(start({ api_request: 'Conf' }), mpc(), sms()), 'Conf', 'config.dial', /must dial its members/);
    assert.deepEqual(validatePhlo(doc(start({ api_request: 'Conf' }), mpc({ dial: [{ to: '14155550101', role: 'agent' }] }), sms())).errors, []);
    assert.deepEqual(validatePhlo(doc(start({ incoming_call: 'Conf' }), mpc({ current_call_role: 'customer' }), sms())).errors, []);
  });

  test('every error is reported at once', () => {
    const errors = errorsOf(doc(start({ api_request: 'Nowhere' }), sms('Reply', { to: '', text: '{{X.y}}' })));
    assert.deepEqual(
      errors.map((e) => `${e.node} ${e.field}`),
      ['Reply config.to', 'Reply config.text', 'Start transitions.api_request'].sort((a, b) => (a.startsWith('Start') ? -1 : b.startsWith('Start') ? 1 : 0)),
    );
  });
});

describe('PHLO validation warnings (stored and returned; the flow is valid)', () => {
  test('unreachable nodes', () => {
    const w = warningsOf(doc(start(), sms(), sms('Orphan')));
    assert.deepEqual(w.map((x) => [x.node, x.field]), [['Orphan', 'node']]);
  });

  test('cycles with no counter or input node on them', () => {
    const w = warningsOf(doc(start(), sms('Reply', {}, { sent: 'Again' }), sms('Again', {}, { sent: 'Reply' })));
    assert.equal(w.length, 1);
    assert.match(w[0].message, /loop Reply → Again → Reply has no counter or input node/);
    const bounded = doc(
      start({ api_request: 'Count' }),
      { name: 'Count', node_type: 'counter', config: { max_count: 3 }, transitions: { count_not_reached: 'Reply' } },
      sms('Reply', {}, { sent: 'Count' }),
    );
    assert.deepEqual(warningsOf(bounded), []);
    assert.equal(warningsOf(doc(start(), sms('Reply', {}, { failed: 'Reply' }))).length, 1, 'a node looping on itself is a cycle too');
  });

  test('unconnected failure states of call nodes', () => {
    const call = { name: 'Call', node_type: 'initiate_call', config: { from: '14155550100', to: '14155550101' }, transitions: { answered: 'Reply', busy: 'Reply' } };
    const w = warningsOf(doc(start({ api_request: 'Call' }), call, sms()));
    assert.deepEqual(w.map((x) => [x.node, x.field]), [
      ['Call', 'transitions.no_answer'],
      ['Call', 'transitions.failed'],
    ]);
  });

  test('payload keys used but not declared', () => {
    const w = warningsOf(doc(start({ api_request: 'Reply' }, { payload: { to: '14155550101' } }), sms('Reply', { to: '{{Start.http.params.to}}', text: 'Hi {{Start.http.params.name}}' })));
    assert.deepEqual(w.map((x) => [x.node, x.field]), [['Start', 'config.payload.name']]);
    assert.match(w[0].message, /used by Reply\.config\.text/);
  });
});

describe('node_ids across versions', () => {
  test('ids sent back are kept; a node sent without one keeps the id its name had; new names get new ids', () => {
    const v1 = validatePhlo(doc(start(), sms())).graph!;
    const [s, reply] = v1.nodes;
    const v2 = validatePhlo(doc({ ...start(), node_id: s.node_id }, sms('Reply', {}, { sent: 'Extra' }), sms('Extra')), v1).graph!;
    assert.equal(v2.nodes[0].node_id, s.node_id);
    assert.equal(v2.nodes[1].node_id, reply.node_id);
    assert.ok(![s.node_id, reply.node_id].includes(v2.nodes[2].node_id));
  });
});
