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
import type { OriginateRequest } from '../telephony/driver.ts';
import type { PhoneMedia } from '../telephony/sim/behaviour.ts';
import { SimCarrier } from '../telephony/sim/carrier.ts';
import { EndpointDevices, SANDBOX_CONTACT_HOST } from './endpoint-devices.ts';
import { endpointUser } from '../voice/engine/platform.ts';
import { addressKey } from '../telephony/sim/behaviour.ts';
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

/**
 * Where an outbound leg goes when the sandbox runs beside a network driver
 * (SIP): the platform's own numbers loop back in through the sandbox, as do
 * numbers the account set a virtual phone behaviour for and endpoints whose
 * registration is a virtual device's; everything else is the network's.
 */
export async function sandboxOrNetwork(d: SandboxDeps, phones: PhoneBook, req: OriginateRequest): Promise<'sandbox' | 'network'> {
  if (/^sips?:/i.test(req.to)) {
    const user = endpointUser(req.to, d.endpoints.sipDomain);
    const endpoint = user === undefined ? undefined : await d.endpoints.findEndpointByUsername(user);
    return endpoint?.sip_contact?.endsWith(`@${SANDBOX_CONTACT_HOST}`) ? 'sandbox' : 'network';
  }
  if (await d.numbers.routeInbound(req.to)) return 'sandbox';
  return (await phones.configured(req.tenant, addressKey(req.to))) ? 'sandbox' : 'network';
}

export function createSandbox(d: SandboxDeps): { driver: SimCarrier; control: SandboxControl } {
  const phones = new PhoneBook(d.ctx, d.accounts);
  const devices = new EndpointDevices(phones, d.endpoints, d.ctx.clock);
  const platformOwner = async (address: string) => {
    const route = await d.numbers.routeInbound(address);
    return route && { accountId: route.accountId, subaccountId: route.subaccountId };
  };
  const carrier = new SimCarrier({
    timers: d.timers,
    directory: devices,
    platformOwner,
    media: d.media,
    onError: (leg, err) => d.logger.warn({ err, call_uuid: leg.uuid }, 'virtual phone action failed'),
  });
  return { driver: carrier, control: { phones, devices, calls: new Sandbox(d.ctx.clock, d.timers, carrier, d.calls, devices, platformOwner) } };
}
