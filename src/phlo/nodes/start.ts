// Start: where every run begins. It emits the trigger's state and exposes
// what triggered the run: the API request's payload (over the declared
// defaults; undeclared keys are kept), the inbound message, or the call.
import type { NodeComponent, Trigger } from '../phlo-node.ts';
import { TRIGGER_STATES } from '../phlo-node.ts';

const REQUEST_TYPE: Record<Trigger['kind'], string> = { api_request: 'http', incoming_message: 'sms', incoming_call: 'call' };

export const start: NodeComponent = {
  type: 'start',
  label: 'Start',
  needsCall: false,
  states: () => TRIGGER_STATES,
  check(c) {
    c.stringMap('payload');
  },
  async run({ config, trigger }) {
    const variables: Record<string, unknown> = { request_type: REQUEST_TYPE[trigger.kind] };
    if (trigger.kind === 'api_request') {
      const defaults = (config.payload as Record<string, unknown> | undefined) ?? {};
      variables.http = { params: { ...defaults, ...trigger.params } };
    } else if (trigger.kind === 'incoming_message') {
      variables.message = { ...trigger.message, msg: trigger.message.text };
    } else {
      variables.call = trigger.call;
    }
    return { state: trigger.kind, variables };
  },
};
