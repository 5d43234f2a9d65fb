// baresip (Debian's, from scripts/ensure-sip-tools.sh) as a phone against
// our stack: it registers with Digest, calls in (challenged, answered, we
// hang up), is called at the contact it registered (auto-answer, we hang
// up), and unregisters when it stops. Skipped, saying why, without baresip.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { spawnChild } from '../../helpers/children.ts';
import { within } from '../../helpers/until.ts';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RealClock } from '../../../src/clock/clock.ts';
import { SipStack } from '../../../src/telephony/sip/sip-stack.ts';
import { NetSipTransport } from '../../../src/telephony/sip/transport/sip-transport.ts';
import { DigestServer } from '../../../src/telephony/sip/auth/digest-server.ts';
import { ha1 } from '../../../src/telephony/sip/auth/digest.ts';
import { RequestAuthenticator } from '../../../src/telephony/sip/auth/request-authenticator.ts';
import { Registrar, type Binding } from '../../../src/telephony/sip/registrar/registrar.ts';
import { registerHandler } from '../../../src/telephony/sip/registrar/register-handler.ts';
import { sdpBody } from '../../../src/telephony/sip/dialog/invite-session.ts';
import { writeWav } from '../../../src/media/wav.ts';

const probe = spawnSync('baresip', ['-h'], { encoding: 'utf8' });
const skip = probe.error ? `baresip is not installed (${probe.error.message}); run scripts/ensure-sip-tools.sh` : false;
const SDP = 'v=0\r\no=switchboard 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Resolve when `check` holds, polling on the real clock; reject after `ms`. */
async function until(clock: RealClock, check: () => boolean, ms: number, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited > ms) throw new Error(`timed out waiting for ${what}`);
    await clock.sleep(20);
  }
}

describe('baresip interop', { skip }, () => {
  test('registers with Digest, calls in, is called at its contact, unregisters', async () => {
    const clock = new RealClock();
    const stack = new SipStack({ clock, publicAddress: '127.0.0.1' });
    const transport = await NetSipTransport.listen({ host: '127.0.0.1', port: 0, clock }, stack.receive, stack.transportError);
    stack.attach(transport);
    let bindings: readonly Binding[] = [];
    let everRegistered = false;
    const registrar = new Registrar({ clock, changed: (_aor, b) => ((bindings = b), (everRegistered ||= b.length > 0)) });
    // baresip 1.0 fails a challenge list that offers SHA-256 at all (ENOSYS): MD5 only.
    const digest = new DigestServer<string>({ realm: 'switchboard.test', clock, algorithms: ['MD5'] });
    const auth = new RequestAuthenticator(digest, async (u, realm) => (u === '101' ? { ha1: { MD5: ha1('MD5', u, realm, 'pw101') }, identity: u } : undefined));
    stack.handlers.register = registerHandler(stack, auth, registrar);
    const events: string[] = [];
    stack.handlers.invite = async (call) => {
      const who = await auth.authenticate(call.request, call.flow, (status, headers, reason) => call.reject(status, reason, headers));
      if (!who) return;
      events.push(`inbound from ${who.username}`);
      call.events = { acked: () => (events.push('inbound acked'), clock.after(200, () => call.bye())) };
      call.ring();
      call.answer(sdpBody(SDP));
    };

    const dir = mkdtempSync(path.join(os.tmpdir(), 'baresip-'));
    const port = await freePort();
    const silence = path.join(dir, 'silence.wav');
    writeFileSync(silence, writeWav(new Int16Array(8000)));
    writeFileSync(
      path.join(dir, 'config'),
      [`sip_listen 127.0.0.1:${port}`, 'module_path /usr/lib/baresip/modules', 'module g711.so', 'module aufile.so', 'module_app account.so', 'module_app menu.so', `audio_player aufile,${path.join(dir, 'heard.wav')}`, `audio_source aufile,${silence}`, ''].join('\n'),
    );
    writeFileSync(path.join(dir, 'accounts'), `<sip:101@127.0.0.1:${transport.local.port};transport=udp>;auth_pass=pw101;regint=600;answermode=auto\n`);
    const phone = spawnChild('baresip', ['-f', dir, '-t', '20', '-e', `/dial sip:ivr@127.0.0.1:${transport.local.port}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    phone.stdout.on('data', (d) => (log += d));
    phone.stderr.on('data', (d) => (log += d));
    const exited = new Promise<void>((resolve) => phone.on('exit', () => resolve()));
    try {
      await until(clock, () => events.includes('inbound acked') && bindings.length === 1, 10_000, `registration and the inbound call\n${log}`);
      assert.match(bindings[0]!.userAgent, /^baresip/);
      const b = bindings[0]!;
      const out = stack.invite({ target: b.contact, flow: b.flow, from: '<sip:+15550100@switchboard.test>', to: `<sip:101@switchboard.test>`, body: sdpBody(SDP) });
      const outcome = await within(
        new Promise<string>((resolve) => {
          out.events = { answered: () => resolve('answered'), failed: (s) => resolve(`failed ${s}`) };
        }),
        () => `baresip's final answer to our INVITE\n${log}`,
      );
      assert.equal(outcome, 'answered', log);
      out.bye();
      phone.kill('SIGTERM');
      await within(exited, () => `baresip to exit on SIGTERM\n${log}`);
      await until(clock, () => bindings.length === 0, 5_000, `unregistration\n${log}`);
      assert.ok(everRegistered);
      assert.deepEqual(events, ['inbound from 101', 'inbound acked']);
    } finally {
      phone.kill('SIGKILL');
      registrar.clear();
      await stack.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
