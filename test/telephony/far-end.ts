// What the driver contract suite needs from each driver's test adapter: the
// driver itself, a way to let time pass, and a far-end controller that plays
// the other side of the legs (the sandbox's virtual phones for sim; for SIP,
// a user agent the test runs). To add a driver: write an adapter that
// implements DriverUnderTest and add it to DRIVERS in driver-contract.test.ts.
import type { TelephonyDriver } from '../../src/telephony/driver.ts';

/** How the far end takes a call the platform places to it. */
export type FarEndOutcome = 'answer' | 'busy' | 'no_answer' | 'reject' | 'unreachable';

/** A sound the far end received: when it started (ms since the leg began), how long it lasted, and what it was when it can tell (the test sends tones named by their frequency). */
export interface HeardSound {
  at: number;
  ms: number;
  label: string | undefined;
}

export interface FarEnd {
  /** The next call to `number` rings for `ringMs` (not for busy and unreachable), then goes as `outcome` says. */
  expect(number: string, outcome: FarEndOutcome, ringMs: number): void;
  /** The far end at `from` calls the platform at `to` with SIP headers: the driver announces an inbound leg. */
  call(from: string, to: string, sipHeaders: Record<string, string>): void;
  /** The SIP headers the platform sent with leg `uuid` (originate). */
  headersReceived(uuid: string): Record<string, string> | Promise<Record<string, string>>;
  /** The far end of leg `uuid` presses keys. */
  press(uuid: string, digits: string): void;
  /** The far end of leg `uuid` hangs up. */
  hangUp(uuid: string): void;
  /** Keys the far end of leg `uuid` received, in order (a network far end answers once what was sent by now has arrived). */
  digitsHeard(uuid: string): string | Promise<string>;
  /** The tones the far end of leg `uuid` received, in order. */
  soundsHeard(uuid: string): HeardSound[] | Promise<HeardSound[]>;
}

export interface DriverUnderTest {
  name: string;
  /** How far (ms) the far end's measured times may be from the platform's: 0 for a simulated network, a tick or two over real RTP. */
  toleranceMs: number;
  driver: TelephonyDriver;
  farEnd: FarEnd;
  /** Platform time (ms). */
  now(): number;
  /** Let `ms` of platform time pass, everything due meanwhile done. */
  advance(ms: number): Promise<void>;
  /**
   * Resolves once `cond` holds or, on a real network, once waiting longer is
   * pointless (then the test's assertion says what differs): a far end and a
   * driver sharing a busy machine may deliver later than the time allowed. A
   * simulated network has delivered everything already and resolves at once.
   */
  arrived(cond: () => boolean): Promise<void>;
  /**
   * Audio (ms, so far) the media dropped because the machine ran it too
   * late: a sound measured meanwhile may start that much later, last that
   * much less, or have a gap that long. A real network's media workers skip
   * the steps they fell too far behind for, and a far end's jitter buffer
   * drops packets that come after their place played. 0 for a simulated
   * network.
   */
  lostMs(): Promise<number>;
  close(): Promise<void>;
}
