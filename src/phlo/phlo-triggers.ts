// What starts runs besides the runner API: inbound traffic to a number (or,
// with the call engine, an endpoint) the flow is attached to.
import type { FlowTrigger } from '../messaging/hooks.ts';
import type { PhloRunner } from './phlo-runner.ts';
import type { Phlos } from './phlos.ts';

export function flowTrigger(phlos: Phlos, runner: PhloRunner): FlowTrigger {
  return {
    async messageReceived(phloId, owner, message) {
      const phlo = await phlos.findAttached(phloId);
      if (!phlo) return;
      await runner.start(phlo, { ...owner, callerId: owner.subaccountId ?? owner.accountId }, { kind: 'incoming_message', message });
    },
  };
}
