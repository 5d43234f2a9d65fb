// Parity: one IVR, unchanged, against a sandbox virtual phone and a SIP
// caller on the same server (`--telephony sip`, real clock): answer → Speak →
// GetDigits (the SIP caller presses 1 as RFC 4733 events; another SIP caller
// sends it as tones in its audio) → Record (each
// caller speaks; the recording holds it) → Conference. The API side is the
// official SDK; what each caller heard is checked (the virtual phone's
// transcript; the SIP caller's received audio, loud where the prompts play),
// and what each said is in its recording.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RealClock } from '../../../src/clock/clock.ts';
import { FRAME_MS } from '../../../src/media/frame.ts';
import { rms, rmsWindows } from '../../../src/media/pcm.ts';
import { readWav } from '../../../src/media/wav.ts';
import { dtmfTone } from '../../../src/media/dtmf.ts';
import { renderTone } from '../../../src/media/tones.ts';
import { sdpBody } from '../../../src/telephony/sip/dialog/invite-session.ts';
import { RtpMedia } from '../../../src/telephony/sip/rtp/rtp-media.ts';
import { SdpSession } from '../../../src/telephony/sip/sip-sdp.ts';
import { SipStack } from '../../../src/telephony/sip/sip-stack.ts';
import { NetSipTransport } from '../../../src/telephony/sip/transport/sip-transport.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { until, within } from '../../helpers/until.ts';
import { answerServer, sandboxOf, spoken, type AnswerServer } from '../../voice/fixtures.ts';
import { freeSipPort } from '../../helpers/ports.ts';

const SIP_PORT = await freeSipPort();
const NUMBER = '15557770042';
const ROOM = 'parity-room';
const clock = new RealClock();

describe('parity: one IVR for a virtual phone and a SIP caller', () => {
  let sb: TestServer;
  let app: AnswerServer;
  let phone: SipStack;
  let media: RtpMedia;

  before(async () => {
    app = await answerServer();
    sb = await startTestServer({ env: { SWITCHBOARD_TELEPHONY: 'sip', SWITCHBOARD_SIP_LISTEN: `127.0.0.1:${SIP_PORT}`, SWITCHBOARD_SIP_PUBLIC_ADDRESS: '127.0.0.1', SWITCHBOARD_RTP_PORTS: '45200-45299' } });
    const o = app.origin;
    app.routes.set('/ivr', `<Response><Speak>Welcome to the parity line</Speak><GetDigits action="${o}/menu" numDigits="1" timeout="15"><Speak>Press 1 to leave a message</Speak></GetDigits></Response>`);
    app.routes.set('/menu', `<Response><Record action="${o}/recorded" maxLength="3" timeout="5" playBeep="true" fileFormat="wav"/></Response>`);
    app.routes.set('/recorded', `<Response><Conference callbackUrl="${o}/room" callbackMethod="POST">${ROOM}</Conference></Response>`);
    const client = sb.client();
    const { appId } = await client.applications.create('Parity', { answerUrl: `${o}/ivr` });
    // The SIP caller is a carrier at 127.0.0.1 that owns the number; the virtual phone dials the same number.
    const carrier = (await sb.fetch(`/v1/Account/${sb.authId}/IncomingCarrier/`, { method: 'POST', json: { name: 'parity', ip_set: '127.0.0.1' } }).then((r) => r.json())) as { carrier_id: string };
    const added = await sb.fetch(`/v1/Account/${sb.authId}/Number/`, { method: 'POST', json: { numbers: NUMBER, carrier: carrier.carrier_id, region: 'Test', app_id: appId } });
    assert.ok(added.ok, `number added: ${added.status}`);
    phone = new SipStack({ clock, publicAddress: '127.0.0.1' });
    phone.attach(await NetSipTransport.listen({ host: '127.0.0.1', port: 0, clock }, phone.receive, phone.transportError));
    media = await RtpMedia.start({ ports: { min: 45300, max: 45399 }, clock, bindAddress: '127.0.0.1', workers: 1 });
  });
  after(async () => {
    await phone?.close();
    await media?.close();
    await sb?.stop();
    await app?.close();
  });

  /** The same checks for either caller: its key reached GetDigits, its speech is in the recording, it entered the room. */
  async function assertIvrRan(callUuid: string) {
    const menu = await app.next('/menu', (r) => r.params.CallUUID === callUuid);
    assert.equal(menu.params.Digits, '1');
    const recorded = await app.next('/recorded', (r) => r.params.CallUUID === callUuid);
    assert.ok(Number(recorded.params.RecordingDurationMs) >= 1000, `a recording of the caller (${recorded.params.RecordingDurationMs} ms)`);
    const res = await fetch(recorded.params.RecordUrl!, { headers: { authorization: 'Basic ' + Buffer.from(`${sb.authId}:${sb.authToken}`).toString('base64') } });
    assert.equal(res.status, 200);
    const recording = readWav(new Uint8Array(await res.arrayBuffer()));
    const loud = [...rmsWindows(recording, 100)].filter((r) => r > 300).length;
    assert.ok(loud >= 5, `the caller's speech is in the recording (${loud} loud 100 ms windows)`);
    await app.next('/room', (r) => r.params.CallUUID === callUuid && r.params.ConferenceAction === 'enter');
  }

  test('a sandbox virtual phone', async () => {
    const sandbox = sandboxOf(sb);
    const uuid = await sandbox.callIn('14155550188', NUMBER);
    await sandbox.wait(uuid, 'hears', 'press 1', 30_000);
    await sandbox.dtmf(uuid, '1');
    // Speak once the recording has begun (its beep is heard), however long the machine takes to get there.
    await until(async () => (await sandbox.transcript(uuid)).events.some((e) => e.type === 'beep'), 'the recording beep', 30_000);
    await sandbox.say(uuid, 'this is my message for the parity test');
    await assertIvrRan(uuid);
    await sandbox.hangup(uuid);
    const t = await sandbox.wait(uuid, 'ended', undefined, 20_000);
    assert.deepEqual(spoken(t), ['Welcome to the parity line', 'Press 1 to leave a message']);
  });

  /** A SIP caller (an RTP session of its own) calling the number from `from`: answered, its call's uuid known. */
  async function sipCaller(from: string) {
    const frames: Array<{ at: number; level: number }> = [];
    const session = await media.open({
      audio: (run, at) => {
        for (let i = 0; i * 160 < run.samples.length; i++) frames.push({ at: at + i * FRAME_MS, level: rms(run.samples.subarray(i * 160, (i + 1) * 160)) });
      },
      dtmf: () => {},
      lost: (why) => assert.fail(`caller media lost: ${why}`),
    });
    const sdp = new SdpSession({ address: '127.0.0.1', port: session.port });
    const call = phone.invite({
      target: `sip:${NUMBER}@127.0.0.1:${SIP_PORT}`,
      flow: { transport: 'udp', address: '127.0.0.1', port: SIP_PORT },
      from: `<sip:${from}@127.0.0.1>`,
      to: `<sip:${NUMBER}@127.0.0.1>`,
      body: sdpBody(sdp.offer()),
    });
    const answeredAt = await within(
      new Promise<number>((resolve, reject) => {
        call.events = {
          answered: (res) => {
            const r = sdp.accept(res.body.toString());
            if (!r.ok) return reject(new Error(r.detail));
            session.configure(r.media);
            resolve(clock.now());
          },
          failed: (status) => reject(new Error(`call failed ${status}`)),
        };
      }),
      "the final answer to the SIP caller's INVITE",
    );
    const answer = await app.next('/ivr', (r) => r.params.From === from);
    return { session, call, frames, answeredAt, uuid: answer.params.CallUUID! };
  }

  test('a SIP caller (RTP, RFC 4733 key)', async () => {
    const { session, call, frames, answeredAt, uuid } = await sipCaller('14155550199');
    // The prompts play: wait until the caller has heard a few seconds of speech, then press 1.
    await until(() => frames.filter((f) => f.level > 300).length >= 100, 'the caller to hear the prompts', 30_000);
    session.sendDigits('1', 100);
    // Send the message once the recording has begun: its beep is a steady tone (five loud frames of one level),
    // which no spoken prompt is.
    const pressed = frames.length;
    const beepHeard = () => frames.slice(pressed).some((f, i, after) => f.level > 300 && after.slice(i, i + 5).filter((g) => Math.abs(g.level - f.level) < f.level / 100).length === 5);
    await until(beepHeard, 'the recording beep', 30_000);
    session.send({ samples: renderTone([400, 900], 0.3, 1500) });
    await assertIvrRan(uuid);
    call.bye();
    const loud = frames.filter((f) => f.at > answeredAt && f.level > 300).length;
    assert.ok(loud >= 100, `the SIP caller heard the prompts (${loud} loud frames)`);
  });

  test("a SIP caller's key sent as tones in its audio (in-band) is heard by the media worker's line analysis and reaches GetDigits", async () => {
    const { session, call, frames, uuid } = await sipCaller('14155550177');
    await until(() => frames.filter((f) => f.level > 300).length >= 100, 'the caller to hear the prompts', 30_000);
    session.send({ samples: dtmfTone('1', 200) });
    const menu = await app.next('/menu', (r) => r.params.CallUUID === uuid);
    assert.equal(menu.params.Digits, '1');
    call.bye();
  });
});
