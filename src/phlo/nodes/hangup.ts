// Hangup: ends the run (and the run's live call, once voice nodes run).
import type { NodeComponent } from '../phlo-node.ts';

export const hangup: NodeComponent = {
  type: 'hangup',
  label: 'Hang Up',
  needsCall: true,
  states: () => [],
  check(c) {
    c.string('reason', { enum: ['normal', 'busy', 'rejected'] });
  },
  async run() {
    return { state: 'hangup', endsRun: true };
  },
};
