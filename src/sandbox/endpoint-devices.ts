// Virtual SIP devices of the sandbox: a test registers one for an endpoint
// (as a softphone would), and only then can calls reach the endpoint —
// <Dial><User> to an endpoint without a registration finds it unavailable,
// like a SIP user whose phone is off. Everything else is a virtual phone as
// the phone book says.
import type { Clock } from '../clock/clock.ts';
import { notFound } from '../errors.ts';
import { isRegistered, type Endpoints } from '../platform/endpoints.ts';
import type { Scope } from '../platform/scope.ts';
import type { Tenant } from '../telephony/driver.ts';
import type { PhoneBehaviour, PhoneDirectory } from '../telephony/sim/behaviour.ts';
import { DEFAULT_PHONE } from '../telephony/sim/behaviour.ts';
import { endpointUser } from '../voice/engine/platform.ts';
import { visible } from '../voice/engine/visibility.ts';

const OFF: PhoneBehaviour = { ...DEFAULT_PHONE, behaviour: 'unreachable' };
/** The host of a virtual device's contact: what tells a sandbox registration from a real phone's. */
export const SANDBOX_CONTACT_HOST = 'sandbox.invalid';
/** A sandbox registration lasts an hour unless the test says otherwise. */
export const DEFAULT_REGISTRATION_S = 3600;

export class EndpointDevices implements PhoneDirectory {
  constructor(
    private readonly phones: PhoneDirectory,
    private readonly endpoints: Endpoints,
    private readonly clock: Clock,
  ) {}

  async behaviourOf(tenant: Tenant, number: string): Promise<PhoneBehaviour> {
    const user = endpointUser(number, this.endpoints.sipDomain);
    const endpoint = user === undefined ? undefined : await this.endpoints.findEndpointByUsername(user);
    if (endpoint && !isRegistered(endpoint, this.clock.now())) return OFF;
    return this.phones.behaviourOf(tenant, number);
  }

  private async mine(scope: Scope, username: string) {
    const endpoint = await this.endpoints.findEndpointByUsername(username);
    if (!endpoint || !visible(scope, { accountId: endpoint.account_id, subaccountId: endpoint.subaccount_id })) throw notFound(`endpoint with username ${username}`);
    return endpoint;
  }

  /** A virtual device registers for the endpoint; returns when the registration expires. */
  async register(scope: Scope, username: string, expiresS = DEFAULT_REGISTRATION_S): Promise<{ sipUri: string; expiresAt: number }> {
    const endpoint = await this.mine(scope, username);
    const expiresAt = this.clock.now() + expiresS * 1000;
    await this.endpoints.setRegistration(endpoint.username, { contact: `sip:${endpoint.username}@${SANDBOX_CONTACT_HOST}`, expiresAt, userAgent: 'Switchboard sandbox device' });
    return { sipUri: `sip:${endpoint.username}@${this.endpoints.sipDomain}`, expiresAt };
  }

  async unregister(scope: Scope, username: string): Promise<void> {
    const endpoint = await this.mine(scope, username);
    await this.endpoints.clearRegistration(endpoint.username);
  }
}
