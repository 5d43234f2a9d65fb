// Call forward: connects the current call to `to` (sequentially or all at
// once; `number;ext=123` dials an extension after answer), optionally
// screening the callee. Runs on the call engine (part 2 of issue 14).
import type { NodeComponent } from '../phlo-node.ts';
import { RING_TIMEOUT } from './initiate-call.ts';

export const callForward: NodeComponent = {
  type: 'call_forward',
  label: 'Call Forward',
  needsCall: true,
  failureStates: ['no_answer', 'busy', 'failed'],
  states: () => ['completed', 'no_answer', 'busy', 'failed'],
  check(c) {
    c.string('from', { required: true, address: 'one' });
    c.string('to', { required: true, address: 'list_with_extension' });
    c.string('forwarding', { enum: ['sequential', 'parallel'] });
    c.integer('ring_timeout', RING_TIMEOUT);
    const screening = c.object('call_screening');
    screening?.prompt('prompt', { required: true });
    screening?.string('confirm_key', { pattern: /^[0-9*#]$/, hint: 'one key (0-9, * or #)' });
    c.boolean('record');
  },
};
