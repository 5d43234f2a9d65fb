// What starts runs besides the runner API: inbound traffic to a number or
// endpoint the flow is attached to. Messages start a run at
// incoming_message; calls start one at incoming_call, which holds the call.
import type { FlowTrigger } from '../messaging/hooks.ts';
import type { InboundFlows } from '../voice/engine/engine.ts';
import type { PhloRunner } from './phlo-runner.ts';
import type { Phlos } from './phlos.ts';
import { callVariables } from './phlo-voice.ts';

export function flowTriggers(phlos: Phlos, runner: PhloRunner): FlowTrigger & InboundFlows {
  return {
    async messageReceived(phloId, owner, message) {
      const phlo = await phlos.findAttached(phloId);
      if (!phlo) return;
      await runner.start(phlo, { ...owner, callerId: owner.subaccountId ?? owner.accountId }, { kind: 'incoming_message', message });
    },
    async incomingCall(phloId, owner, call) {
      const phlo = await phlos.findAttached(phloId);
      if (!phlo) return false;
      await runner.start(phlo, { ...owner, callerId: owner.subaccountId ?? owner.accountId }, { kind: 'incoming_call', call: callVariables(call.facts()) }, call);
      return true;
    },
  };
}
