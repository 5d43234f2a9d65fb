// The sandbox: the sim driver (the sandbox carrier of virtual phones) and its
// control plane — phone behaviours per account, virtual SIP devices for
// endpoints and the Sandbox API service. The composition root builds it when
// the telephony choice is `sim` and hands the driver to the voice module;
// only http and the composition root see the control plane.
import type { TimerGroup } from '../clock/clock.ts';
import type { Logger } from 'pino';
import type { Accounts } from '../platform/accounts.ts';
import type { PlatformContext } from '../platform/context.ts';
import type { Endpoints } from '../platform/endpoints.ts';
import type { Numbers } from '../platform/numbers.ts';
import type { TelephonyDriver } from '../telephony/driver.ts';
import type { PhoneMedia } from '../telephony/sim/behaviour.ts';
import { SimCarrier } from '../telephony/sim/carrier.ts';
import { EndpointDevices } from './endpoint-devices.ts';
import { PhoneBook } from './phones.ts';
import { Sandbox, type PlacedCalls } from './sandbox.ts';

export interface SandboxDeps {
  ctx: PlatformContext;
  accounts: Accounts;
  numbers: Numbers;
  endpoints: Endpoints;
  /** The call timer group the engine shares: "until idle" means no call waits on one of its timers. */
  timers: TimerGroup;
  /** Speech and audio files the phones say and play. */
  media: PhoneMedia;
  /** The platform's calls, for waiting on one still queued (no leg yet). */
  calls: PlacedCalls;
  logger: Logger;
}

/** What http serves under /Sandbox/. */
export interface SandboxControl {
  phones: PhoneBook;
  /** Virtual SIP devices registered for endpoints. */
  devices: EndpointDevices;
  calls: Sandbox;
}

export function createSandbox(d: SandboxDeps): { driver: TelephonyDriver; control: SandboxControl } {
  const phones = new PhoneBook(d.ctx, d.accounts);
  const devices = new EndpointDevices(phones, d.endpoints, d.ctx.clock);
  const carrier = new SimCarrier({
    timers: d.timers,
    directory: devices,
    platformOwner: async (address) => {
      const route = await d.numbers.routeInbound(address);
      return route && { accountId: route.accountId, subaccountId: route.subaccountId };
    },
    media: d.media,
    onError: (leg, err) => d.logger.warn({ err, call_uuid: leg.uuid }, 'virtual phone action failed'),
  });
  return { driver: carrier, control: { phones, devices, calls: new Sandbox(d.ctx.clock, d.timers, carrier, d.calls, devices) } };
}
