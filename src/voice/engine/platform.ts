// The engine's view of the platform services: inbound routing (a number's
// or an endpoint's application), the tokens that sign a call's webhooks and
// the rate a call is billed at.
import type { Accounts } from '../../platform/accounts.ts';
import type { Endpoints } from '../../platform/endpoints.ts';
import type { Numbers } from '../../platform/numbers.ts';
import type { Pricing } from '../../platform/pricing.ts';
import type { ApplicationRow } from '../../store/schema.ts';
import type { NumberType } from '../../store/tables/numbers.ts';
import type { CallApp, CallOwner, HttpMethod, InboundTarget, PlatformPort, Signing } from './ports.ts';

const appOf = (row: ApplicationRow | undefined): CallApp | undefined =>
  row && row.enabled
    ? {
        answerUrl: row.answer_url,
        answerMethod: row.answer_method as HttpMethod,
        hangupUrl: row.hangup_url,
        hangupMethod: row.hangup_method as HttpMethod,
        fallbackUrl: row.fallback_answer_url,
        fallbackMethod: row.fallback_method as HttpMethod,
      }
    : undefined;

/** `sip:alice123@domain` → `alice123` when the domain is ours. */
export function endpointUser(address: string, sipDomain: string): string | undefined {
  const m = /^sips?:([^@;]+)@([^;>]+)/i.exec(address.trim());
  return m && m[2]!.toLowerCase() === sipDomain.toLowerCase() ? decodeURIComponent(m[1]!) : undefined;
}

export class PlatformAdapter implements PlatformPort {
  constructor(
    private readonly accounts: Accounts,
    private readonly numbers: Numbers,
    private readonly endpoints: Endpoints,
    private readonly pricing: Pricing,
    private readonly sipDomain: string,
  ) {}

  async route(to: string, known?: unknown): Promise<InboundTarget | undefined> {
    if (/^sips?:/i.test(to)) {
      const user = endpointUser(to, this.sipDomain);
      const endpoint = user ? await this.endpoints.findEndpointByUsername(user) : undefined;
      if (!endpoint) return undefined;
      const owner = { accountId: endpoint.account_id, subaccountId: endpoint.subaccount_id };
      // A flow attached to the endpoint takes its calls instead of an application.
      if (endpoint.phlo_id) return { owner, app: undefined, flowId: endpoint.phlo_id };
      return { owner, app: appOf(await this.endpoints.applicationFor(endpoint)) };
    }
    const route = await this.numbers.routeInbound(to, known);
    if (!route) return undefined;
    const owner = { accountId: route.accountId, subaccountId: route.subaccountId };
    const numberType = route.number.number_type;
    if (route.number.phlo_id) return { owner, app: undefined, flowId: route.number.phlo_id, numberType };
    return { owner, app: appOf(route.application), numberType };
  }

  async signing(owner: CallOwner): Promise<Signing> {
    const main = await this.accounts.find(owner.accountId);
    const own = owner.subaccountId ? await this.accounts.find(owner.subaccountId) : main;
    if (!main || !own) throw new Error(`account ${owner.subaccountId ?? owner.accountId} no longer exists`);
    return { authToken: own.auth_token, mainAuthToken: main.auth_token };
  }

  rate(direction: 'inbound' | 'outbound', number: string, numberType?: NumberType): number | undefined {
    try {
      return this.pricing.rate({ service: 'voice', direction, number, numberType }).rate;
    } catch {
      return undefined;
    }
  }
}
