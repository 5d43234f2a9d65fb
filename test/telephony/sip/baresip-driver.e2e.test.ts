// baresip, a real softphone, as an account's endpoint on a server in
// `--telephony sip` (the API side driven by the official SDK): it registers
// with Digest, the Endpoint API shows it, and a <Dial><User> from a call to a
// sandbox virtual phone rings it at its contact; it auto-answers and hears
// the virtual phone speak through the bridge (checked in the audio it
// recorded). Sandbox and SIP in one call. Skipped, saying why, without baresip.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readWav } from '../../../src/media/wav.ts';
import { rmsWindows } from '../../../src/media/pcm.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { until, within } from '../../helpers/until.ts';
import { spawnChild } from '../../helpers/children.ts';
import { answerServer, sandboxOf, type AnswerServer } from '../../voice/fixtures.ts';
import { freeUdpPort } from './sipp.ts';
import { freeSipPort } from '../../helpers/ports.ts';

const probe = spawnSync('baresip', ['-h'], { encoding: 'utf8' });
const skip = probe.error ? `baresip is not installed (${probe.error.message}); run scripts/ensure-sip-tools.sh` : false;
const SIP_PORT = await freeSipPort();
const DOMAIN = 'switchboard.test';

describe('baresip as an endpoint of the SIP driver', { skip }, () => {
  let sb: TestServer;
  let app: AnswerServer;
  let dir: string;
  let phone: ChildProcess | undefined;
  let phoneLog = '';

  before(async () => {
    app = await answerServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baresip-driver-'));
    sb = await startTestServer({
      env: { SWITCHBOARD_TELEPHONY: 'sip', SWITCHBOARD_SIP_LISTEN: `127.0.0.1:${SIP_PORT}`, SWITCHBOARD_SIP_PUBLIC_ADDRESS: '127.0.0.1', SWITCHBOARD_SIP_DOMAIN: DOMAIN, SWITCHBOARD_RTP_PORTS: '45100-45199' },
    });
  });
  after(async () => {
    phone?.kill('SIGKILL');
    await sb?.stop();
    await app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('registers, is rung by <Dial><User> at its contact, answers and hears the bridged virtual phone', async () => {
    const client = sb.client();
    const ep = await client.endpoints.create('desk', 'deskpass1', 'Desk');
    const username = ep.username as string;

    // baresip 1.0 cannot play to a file: its player is a bridge back to its source (it echoes what it hears), and
    // the sndfile filter writes what it decoded to a WAV in snd_path.
    const dumps = path.join(dir, 'dumps');
    fs.mkdirSync(dumps);
    fs.writeFileSync(
      path.join(dir, 'config'),
      [`sip_listen 127.0.0.1:${await freeUdpPort()}`, 'module_path /usr/lib/baresip/modules', 'module g711.so', 'module aubridge.so', 'module sndfile.so', `snd_path ${dumps}`, 'module_app account.so', 'module_app menu.so', 'audio_player aubridge,desk', 'audio_source aubridge,desk', ''].join('\n'),
    );
    // The registrar is this server; the address of record is the endpoint's username.
    fs.writeFileSync(path.join(dir, 'accounts'), `<sip:${username}@127.0.0.1:${SIP_PORT};transport=udp>;auth_pass=deskpass1;regint=600;answermode=auto\n`);
    phone = spawnChild('baresip', ['-f', dir, '-t', '40'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    phone.stdout!.on('data', (d) => (phoneLog += d));
    phone.stderr!.on('data', (d) => (phoneLog += d));
    const exited = new Promise<void>((resolve) => phone!.on('exit', () => resolve()));

    const shown = async () => (await sb.fetch(`/v1/Account/${sb.authId}/Endpoint/${ep.endpointId}/`).then((r) => r.json())) as Record<string, string>;
    await until(async () => (await shown()).sip_registered === 'true', `baresip to register\n${phoneLog}`, 15_000);
    assert.match((await shown()).sip_user_agent!, /^baresip/);

    // A call to a virtual phone that speaks once answered; its application dials the endpoint.
    const sandbox = sandboxOf(sb);
    await sandbox.phone('14155550177', { behaviour: 'answer', ring_seconds: 0, script: [{ action: 'say', text: 'Hello from the sandbox, this is the virtual phone speaking', after_ms: 3000 }, { action: 'hangup', after_ms: 8000 }] });
    app.routes.set('/bridge', `<Response><Dial><User>sip:${username}@${DOMAIN}</User></Dial></Response>`);
    const placed = await client.calls.create('15557770001', '14155550177', `${app.origin}/bridge`, { hangupUrl: `${app.origin}/bridge-hangup` });
    const hangup = await app.next('/bridge-hangup');
    assert.equal(hangup.params.CallUUID, placed.requestUuid);
    assert.equal(hangup.params.HangupCause, 'NORMAL_CLEARING');

    const decoded = () => fs.readdirSync(dumps).filter((f) => f.endsWith('-dec.wav'));
    await until(() => decoded().length > 0, `baresip to have recorded the call\n${phoneLog}`, 10_000);
    phone.kill('SIGTERM');
    await within(exited, () => `baresip to exit on SIGTERM\n${phoneLog}`);
    const audio = readWav(fs.readFileSync(path.join(dumps, decoded()[0]!)));
    const loud = [...rmsWindows(audio, 100)].filter((r) => r > 500).length;
    assert.ok(loud >= 5, `baresip heard the virtual phone's speech (${loud} loud 100 ms windows in ${audio.length / 8000} s)`);
    await until(async () => (await shown()).sip_registered === 'false', 'baresip to unregister as it stops', 10_000);
  });
});
