// `switchboard phlo validate|push|runs` as a developer uses them: a file
// checked offline, pushed twice (created, then replaced by name), run, and
// its runs listed with their path through the graph.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { leash } from '../helpers/children.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { eventually } from '../messaging/fixture.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-phlo-cli-'));
let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function cli(...args: string[]) {
  const r = spawnSync(...leash(process.execPath, [path.join(ROOT, 'bin/switchboard.mjs'), 'phlo', ...args]), {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, SWITCHBOARD_URL: server.url, SWITCHBOARD_AUTH_ID: server.authId, SWITCHBOARD_AUTH_TOKEN: server.authToken },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const flow = (text: string) => ({
  name: 'cli_flow',
  nodes: [
    { name: 'Start', node_type: 'start', config: {}, transitions: { api_request: 'Check' } },
    { name: 'Check', node_type: 'branch', config: { lhs: text, conditions: [{ alias: 'yes', operation: 'equals', rhs: 'yes' }] }, transitions: {} },
  ],
});

test('validate checks files offline: errors name node and field, and any invalid file makes the exit code 1', () => {
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ name: 'x', nodes: [{ name: 'Start', node_type: 'start', transitions: { api_request: 'Gone' } }] }));
  const examples = ['sms-auto-reply', 'ivr-voicemail', 'click-to-call'];
  const r = cli('validate', ...examples.map((name) => path.join(ROOT, `examples/phlo/${name}.json`)), bad);
  assert.equal(r.code, 1);
  for (const name of examples) assert.match(r.out, new RegExp(`${name}\\.json: valid\n`), 'every example is valid, with no warning');
  assert.match(r.out, /error: node Start, transitions\.api_request: no node is named "Gone" or has that node_id\n.*bad\.json: invalid \(1 error\(s\)\)/s);
});

test('push creates, then replaces by name; runs lists the path of each run', async () => {
  const file = path.join(dir, 'flow.json');
  fs.writeFileSync(file, JSON.stringify(flow('yes')));
  const created = cli('push', file);
  assert.equal(created.code, 0, created.err);
  const id = /phlo_id ([0-9a-f-]{36}), version 1/.exec(created.out)?.[1];
  assert.ok(id, created.out);
  fs.writeFileSync(file, JSON.stringify(flow('no')));
  assert.match(cli('push', file).out, new RegExp(`replaced cli_flow: phlo_id ${id}, version 2`));

  const run = await server.fetch(`/v1/account/${server.authId}/phlo/${id}`, { method: 'POST', json: {} });
  assert.equal(run.status, 201);
  await eventually(async () => (await (await server.fetch(`/v1/Account/${server.authId}/Phlo/${id}/Run/`)).json()).objects[0]?.status === 'completed', 'the run to end');
  const runs = cli('runs', id);
  assert.equal(runs.code, 0, runs.err);
  assert.match(runs.out, /completed\n {2}Start \(api_request\) → Check \(no_match\)\n1 of 1 run\(s\)/);
});
