// What a session tells its socket about whom to hear (SessionIo.listenTo):
// the source once a packet confirmed it, anyone again once that source went
// quiet or a re-INVITE moved the far end; and the sending half of a tick
// encodes straight out of the queued run, a short last frame padded with
// silence. Sessions back to back in memory, ticked by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulawDecode, mulawEncode } from '../../../../src/media/g711.ts';
import type { NegotiatedMedia } from '../../../../src/telephony/sip/sip-sdp.ts';
import { QUIET_TICKS, type Address } from '../../../../src/telephony/sip/rtp/rtp-latch.ts';
import { RtpSession } from '../../../../src/telephony/sip/rtp/rtp-session.ts';

const A = { address: '10.0.0.1', port: 10000 };
const B = { address: '10.0.0.2', port: 20000 };
const media = (remote: Address): NegotiatedMedia => ({
  remote: { address: remote.address, port: remote.port, rtcpAddress: remote.address, rtcpPort: remote.port + 1 },
  codecs: [{ name: 'PCMU', payloadType: 0 }],
  telephoneEvent: 101,
  direction: 'sendrecv',
});

/** A sends to B; B records whom it was told to listen to and what it heard. */
function oneWay() {
  let tick = 0;
  let aTalks = true;
  const listens: (string | null)[] = [];
  const heard: Int16Array[] = [];
  const b = new RtpSession(
    {
      transmit: () => {},
      heard: (frame) => frame && heard.push(frame.slice()),
      key: () => {},
      note: () => {},
      listenTo: (source) => listens.push(source && `${source.address}:${source.port}`),
    },
    { inbandDtmf: false, cname: 'b' },
  );
  const a = new RtpSession(
    {
      transmit: (packet, _to, rtcp) => {
        if (!rtcp && aTalks) b.receiveRtp(packet, A, tick, tick * 20);
      },
      heard: () => {},
      key: () => {},
      note: () => {},
    },
    { inbandDtmf: false, cname: 'a' },
  );
  a.configure(media(B), 0);
  b.configure(media(A), 0);
  const run = (ticks: number) => {
    for (let i = 0; i < ticks; i++, tick++) {
      a.tick(tick, 1_700_000_000_000 + tick * 20);
      b.tick(tick, 1_700_000_000_000 + tick * 20);
    }
  };
  return { a, b, run, listens, heard, silence: (quiet: boolean) => (aTalks = !quiet), now: () => tick };
}

test('the socket hears only the source once its first packet came, anyone again after it went quiet, the source again when it is back', () => {
  const { run, listens, silence } = oneWay();
  run(5);
  assert.deepEqual(listens, ['10.0.0.1:10000']);
  silence(true);
  run(QUIET_TICKS + 2);
  assert.deepEqual(listens, ['10.0.0.1:10000', null]);
  silence(false);
  run(3);
  assert.deepEqual(listens, ['10.0.0.1:10000', null, '10.0.0.1:10000']);
});

test('a re-INVITE to a new address opens the socket to anyone until the new stream confirms its source', () => {
  const { b, run, listens, now } = oneWay();
  run(3);
  b.configure(media({ address: '10.0.0.9', port: 30000 }), now());
  assert.deepEqual(listens, ['10.0.0.1:10000', null]);
  run(2);
  assert.deepEqual(listens, ['10.0.0.1:10000', null, '10.0.0.1:10000'], 'packets still come from A: the latch learns it again');
});

test('a run that is not a whole number of frames is sent straight from the run and its last frame padded with silence', () => {
  const { a, run, heard } = oneWay();
  const raw = Int16Array.from({ length: 250 }, (_, i) => ((i * 53) % 6000) - 3000);
  const sent = mulawDecode(mulawEncode(raw));
  a.queue.send(2, raw);
  run(12);
  const loud = heard.findIndex((f) => f.some((s) => s !== 0));
  assert.deepEqual(heard[loud], sent.subarray(0, 160));
  assert.deepEqual(heard[loud + 1]!.subarray(0, 90), sent.subarray(160));
  assert.ok(heard[loud + 1]!.subarray(90).every((s) => s === 0), 'the rest of the last frame is silence');
  assert.ok(heard[loud + 2]!.every((s) => s === 0));
});
