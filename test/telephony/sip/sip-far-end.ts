// The SIP driver under the contract suite: a SipDriver on loopback, and as
// its far end a user agent built from our own SipStack and RtpMedia (a
// carrier at 127.0.0.1 owning every number, which is also the driver's one
// gateway). Time is real (RTP is paced by the real clock), so `advance`
// sleeps, and then waits until the driver's tracked work and the far end's
// own are done. What the far end hears is measured on the network, so the
// contract compares it with a tolerance (toleranceMs: the workers' catch-up
// bound, plus however late this process's own event loop ran, as the far end
// and the driver share it). On a busy machine everything may come late: the
// far end keeps a deep jitter buffer so late packets still play in their
// place, and what it heard is read once it has played out up to the moment
// asked about, not after a fixed pause.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { RealClock } from '../../../src/clock/clock.ts';
import { concat, rms } from '../../../src/media/pcm.ts';
import { FRAME_MS, FRAME_SAMPLES } from '../../../src/media/frame.ts';
import { sdpBody, type InviteSession } from '../../../src/telephony/sip/dialog/invite-session.ts';
import type { InboundCall } from '../../../src/telephony/sip/dialog/inbound-call.ts';
import { uriUser } from '../../../src/telephony/sip/message/sip-uri.ts';
import { RtpMedia, type MediaSession } from '../../../src/telephony/sip/rtp/rtp-media.ts';
import { PHASES, TICK_MS } from '../../../src/telephony/sip/rtp/rtp-time.ts';
import { SipDriver, toXHeaders, xHeaders } from '../../../src/telephony/sip/sip-driver.ts';
import { SdpSession } from '../../../src/telephony/sip/sip-sdp.ts';
import { SipStack } from '../../../src/telephony/sip/sip-stack.ts';
import { NetSipTransport } from '../../../src/telephony/sip/transport/sip-transport.ts';
import type { DriverUnderTest, FarEndOutcome, HeardSound } from '../far-end.ts';

/** A real clock that counts the work tracked on it, so a test can wait for the driver to be idle. */
class TrackingClock extends RealClock {
  pending = 0;
  override track<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
    this.pending++;
    const p = typeof work === 'function' ? work() : work;
    return p.finally(() => this.pending--);
  }
}

/** The far end's jitter buffer is fixed at this many frames (a packet up to 200 ms late still plays in its place): heard times are moved back by it. */
const FAR_DEPTH = 10;
/** The longest a wait for the network lasts before the test's assertion is left to say what differs: only a hang reaches it. */
const NETWORK_WAIT_MS = 30_000;

/** Polls `cond` on the real clock until it holds or `NETWORK_WAIT_MS` have passed. */
async function waitFor(cond: () => boolean): Promise<void> {
  const until = Date.now() + NETWORK_WAIT_MS;
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
}

/** A tone's frequency from the zero crossings of `samples`, interpolated between samples (exact to a hertz over a few frames). */
function frequency(samples: Int16Array): number {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    if (a < 0 === b < 0) continue;
    const at = i - 1 + a / (a - b);
    if (first < 0) first = at;
    last = at;
    count++;
  }
  return count < 2 ? 0 : ((count - 1) / 2) * (8000 / (last - first));
}

/** What the far end hears: per 20 ms frame, silence or a tone's rough frequency; runs of like frames become sounds labelled by their frequency, measured away from their edges (the far end's frame grid cuts sounds anywhere). */
function sounds(frames: Array<{ at: number; samples: Int16Array }>, startedAt: number): HeardSound[] {
  const out: HeardSound[] = [];
  let run: Array<{ at: number; samples: Int16Array }> = [];
  let rough = 0;
  const close = () => {
    // One frame alone is a boundary between two sounds: not a sound of its own.
    if (run.length > 1) {
      const inner = run.length > 2 ? run.slice(1, -1) : run;
      const hz = frequency(concat(inner.map((f) => f.samples)));
      out.push({ at: run[0]!.at - startedAt, ms: run.length * FRAME_MS, label: `${Math.round(hz / 10) * 10}Hz` });
    }
    run = [];
  };
  for (const f of frames) {
    if (rms(f.samples) < 300) {
      close();
      continue;
    }
    const hz = frequency(f.samples);
    if (run.length > 0 && Math.abs(hz - rough) > 60) close();
    if (run.length === 0) rough = hz;
    run.push(f);
  }
  close();
  return out;
}

interface FarCall {
  session: InviteSession;
  media?: MediaSession;
  frames: Array<{ at: number; samples: Int16Array }>;
  digits: string;
  headers: Record<string, string>;
}

export async function sipDriver(): Promise<DriverUnderTest> {
  const clock = new TrackingClock();
  let farPending = 0;
  const expected = new Map<string, { outcome: FarEndOutcome; ringMs: number }>();
  const calls = new Map<string, FarCall>();
  /** The far end's answers and refusals after ringing: when each is due, and whether the platform's leg has taken it. */
  const due = new Set<{ at: number; settled: () => boolean }>();
  const farStack = new SipStack({ clock, publicAddress: '127.0.0.1' });
  let farMedia: RtpMedia;
  let farTransport: NetSipTransport;
  let driver: SipDriver;

  const ready = (async () => {
    farMedia = await RtpMedia.start({ ports: { min: 43000, max: 43199 }, clock, bindAddress: '127.0.0.1', workers: 1, jitter: { startDepth: FAR_DEPTH, minDepth: FAR_DEPTH, maxDepth: FAR_DEPTH } });
    farTransport = await NetSipTransport.listen({ host: '127.0.0.1', port: 0, clock }, farStack.receive, farStack.transportError);
    farStack.attach(farTransport);
    driver = new SipDriver({
      clock,
      listen: { host: '127.0.0.1', port: 0 },
      publicAddress: '127.0.0.1',
      domain: 'switchboard.test',
      rtp: { ports: { min: 43200, max: 43399 }, bindAddress: '127.0.0.1', workers: 1 },
      gateways: [{ name: 'far', address: `127.0.0.1:${farTransport.local.port}`, host: '127.0.0.1', port: farTransport.local.port, transport: 'udp' }],
      directory: {
        credentials: async () => undefined,
        registered: () => undefined,
        carrier: async (address) => (address === '127.0.0.1' ? { carrierId: 'far', owns: true, tenant: { accountId: 'MAFARFARFARFARFARFAR', subaccountId: null } } : undefined),
        carrierAddresses: async () => [],
      },
      guard: { ratePerSecond: 10_000, burst: 10_000 },
    });
    await driver.start();
  })();

  /** Run far-end work the test does not wait for, counted so `advance` waits for it. */
  const farWork = (work: () => Promise<void>) => {
    farPending++;
    work()
      .catch((err: unknown) => console.error('sip far end failed', err))
      .finally(() => farPending--);
  };

  const openMedia = async (call: FarCall) => {
    call.media = await farMedia.open({
      audio: (run, at) => {
        for (let i = 0; i * FRAME_SAMPLES < run.samples.length; i++) call.frames.push({ at: at + i * FRAME_MS - FAR_DEPTH * FRAME_MS, samples: run.samples.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES) });
      },
      dtmf: (digit) => (call.digits += digit),
      lost: (reason) => console.error('far end media lost', reason),
    });
    return call.media;
  };

  // Not counted as pending work: ringing takes as long as the test said, on the far end's own time.
  farStack.handlers.invite = (inc: InboundCall) =>
    void (async () => {
      const number = uriUser(inc.request.requestUri()) ?? '';
      const want = expected.get(number) ?? { outcome: 'unreachable', ringMs: 0 };
      const call: FarCall = { session: inc, frames: [], digits: '', headers: xHeaders(inc.request.headers) };
      calls.set(inc.request.callId(), call);
      if (want.outcome === 'busy') return inc.reject(486);
      if (want.outcome === 'unreachable') return inc.reject(502);
      inc.ring();
      const media = want.outcome === 'answer' ? await openMedia(call) : undefined;
      // The phone rings for ringMs from when the platform placed the call (its Call-ID is the leg's uuid),
      // its answer leaving a tick early; an `advance` reaching that moment waits until the leg has taken it.
      const uuid = inc.request.callId();
      const placedAt = driver.find(uuid)?.startedAt ?? clock.now();
      const at = placedAt + want.ringMs - FRAME_MS;
      const leg = driver.find(uuid);
      const before = leg?.state;
      due.add({ at, settled: () => !leg || leg.state === 'ended' || (leg.state !== before && leg.state !== 'ringing' && leg.state !== 'early') });
      await clock.sleep(Math.max(0, at - clock.now()));
      if (want.outcome === 'no_answer') return inc.reject(480);
      if (want.outcome === 'reject') return inc.reject(603);
      if (!media || inc.ended) return media?.close();
      const sdp = new SdpSession({ address: '127.0.0.1', port: media.port });
      const r = sdp.answer(inc.offer!.body.toString());
      if (!r.ok) throw new Error(`far end cannot answer the offer: ${r.detail}`);
      inc.answer(sdpBody(r.sdp));
      media.configure(r.media);
    })().catch((err: unknown) => console.error('sip far end failed', err));

  /** The far end's side of platform leg `uuid` (outbound legs' Call-ID is their uuid; inbound ones are looked up through the driver). */
  const callIds = new Map<string, string>();
  const startedAt = new Map<string, number>();
  const far = (uuid: string): FarCall => {
    const leg = driver.find(uuid);
    if (leg?.callId) callIds.set(uuid, leg.callId);
    if (leg) startedAt.set(uuid, leg.startedAt);
    const id = callIds.get(uuid) ?? uuid;
    const call = calls.get(id);
    if (!call) throw new Error(`the far end has no call for leg ${uuid}`);
    return call;
  };
  /** `fn()` once the far end of `uuid` has played out what was sent up to now (its media runs without a pause while the leg is up). */
  const heardByNow = async <T>(uuid: string, fn: () => T): Promise<T> => {
    const asked = clock.now();
    const call = far(uuid);
    await waitFor(() => (call.frames.at(-1)?.at ?? -Infinity) >= asked - FRAME_MS);
    return fn();
  };

  // Calls the far end placed that the driver has not announced yet: "no time" lasts until they arrive.
  let unannounced = 0;
  const pendingDue = () => {
    for (const d of due) if (d.settled()) due.delete(d);
    return [...due].some((d) => d.at <= clock.now());
  };
  const settle = () => waitFor(() => !(clock.pending > 0 || farPending > 0 || unannounced > 0 || pendingDue()));
  const lateness = monitorEventLoopDelay({ resolution: 10 });
  lateness.enable();

  await ready;
  let closed = false;
  return {
    name: 'sip',
    // Heard times are taken where the far end plays audio out, after two media workers' ticks on a shared
    // machine: a starved worker catches up at most 100 ms late (RtpMediaOptions.catchUpMs), so that is the bound,
    // plus the most this process's event loop (the far end's and the driver's timers) has run late.
    get toleranceMs() {
      return 100 + Math.ceil(lateness.max / 1e6);
    },
    driver: {
      originate: (req, observer) => driver.originate(req, observer),
      onInbound: (handler) =>
        driver.onInbound((leg, info) => {
          unannounced = Math.max(0, unannounced - 1);
          handler(leg, info);
        }),
      close: () => driver.close(),
    },
    now: () => clock.now(),
    arrived: waitFor,
    // Both media workers' skipped steps (a leg loses a tick per PHASES steps skipped, and one more where a run
    // of skips straddles its phase) and the packets that reached the far end after their place had played.
    lostMs: async () => {
      const stats = [...(await driver.rtp.stats()), ...(await farMedia.stats())];
      return stats.reduce((ms, s) => ms + Math.ceil(s.skippedTicks / PHASES) * TICK_MS + s.totals.late * FRAME_MS, 0);
    },
    advance: async (ms) => {
      // Nothing is instant on a network: "no time" is the few milliseconds loopback needs.
      await clock.sleep(ms > 0 ? ms : 30);
      await settle();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      lateness.disable();
      await driver.close();
      await farStack.close();
      await farMedia.close();
    },
    farEnd: {
      expect: (number, outcome, ringMs) => expected.set(number, { outcome, ringMs }),
      call: (from, to, sipHeaders) =>
        farWork(async () => {
          unannounced++;
          const call: FarCall = { session: undefined as never, frames: [], digits: '', headers: {} };
          const media = await openMedia(call);
          const sdp = new SdpSession({ address: '127.0.0.1', port: media.port });
          const out = farStack.invite({
            target: `sip:${to}@127.0.0.1:${driver.port}`,
            flow: { transport: 'udp', address: '127.0.0.1', port: driver.port },
            from: `<sip:${from}@127.0.0.1>`,
            to: `<sip:${to}@127.0.0.1>`,
            body: sdpBody(sdp.offer()),
            headers: toXHeaders(sipHeaders),
          });
          call.session = out;
          calls.set(out.callId, call);
          const accept = (body: Buffer) => {
            const r = sdp.accept(body.toString());
            if (r.ok) media.configure(r.media);
          };
          out.events = {
            progress: (res) => res.body.length > 0 && accept(res.body),
            answered: (res) => res.body.length > 0 && accept(res.body),
          };
        }),
      headersReceived: (uuid) => far(uuid).headers,
      press: (uuid, digits) => void far(uuid).media?.sendDigits(digits, 100),
      hangUp: (uuid) => {
        // The platform's leg has surely heard it by the next `advance`: that waits until the leg has ended.
        const leg = driver.find(uuid);
        due.add({ at: clock.now(), settled: () => !leg || leg.state === 'ended' });
        const s = far(uuid).session;
        if ('cancel' in s && typeof s.cancel === 'function' && s.state !== 'confirmed') s.cancel();
        else s.bye();
      },
      digitsHeard: (uuid) => heardByNow(uuid, () => far(uuid).digits),
      soundsHeard: (uuid) => heardByNow(uuid, () => sounds(far(uuid).frames, startedAt.get(uuid) ?? 0)),
    },
  };
}
