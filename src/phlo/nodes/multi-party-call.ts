// Multi-party call: an MPC named phlo_{run_id}_{node name} that the current
// call joins and `dial` entries are called into; the runner API steers it.
// Runs on the MPC service (part 2 of issue 14).
import type { NodeComponent } from '../phlo-node.ts';
import { RING_TIMEOUT } from './initiate-call.ts';

export const MPC_ROLES = ['agent', 'customer', 'supervisor'] as const;

export const multiPartyCall: NodeComponent = {
  type: 'multi_party_call',
  label: 'Multi-Party Call',
  needsCall: false,
  failureStates: ['no_answer', 'failed'],
  states: () => ['completed', 'no_answer', 'failed'],
  check(c) {
    c.string('from', { required: true, address: 'one' });
    for (const d of c.list('dial') ?? []) {
      d.string('to', { required: true, address: 'one' });
      d.string('role', { enum: MPC_ROLES });
    }
    c.string('current_call_role', { enum: MPC_ROLES });
    c.string('agent_hold_music_url', { url: true });
    c.string('customer_hold_music_url', { url: true });
    c.string('wait_music_url', { url: true });
    c.prompt('voicemail_drop');
    c.boolean('record');
    c.integer('ring_timeout', RING_TIMEOUT);
  },
};
