// Initiate call: dials `to` (several ring at once) from `from`; the answered
// leg becomes the run's current call. Runs on the call engine (part 2 of
// issue 14).
import type { NodeComponent } from '../phlo-node.ts';

export const RING_TIMEOUT = { min: 5, max: 120 };

export const initiateCall: NodeComponent = {
  type: 'initiate_call',
  label: 'Initiate Call',
  needsCall: false,
  failureStates: ['no_answer', 'busy', 'failed'],
  states: () => ['answered', 'no_answer', 'busy', 'failed', 'voicemail'],
  check(c) {
    c.string('from', { required: true, address: 'one' });
    c.string('to', { required: true, address: 'list' });
    c.integer('ring_timeout', RING_TIMEOUT);
    c.boolean('record');
    c.boolean('machine_detection');
  },
};
