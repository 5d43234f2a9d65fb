// Counter: counts how often a run entered it; reached once the count gets to
// max_count. Bounds a retry loop.
import type { NodeComponent } from '../phlo-node.ts';

export const counter: NodeComponent = {
  type: 'counter',
  label: 'Counter',
  needsCall: false,
  boundsLoops: true,
  states: () => ['count_not_reached', 'count_reached'],
  check(c) {
    c.integer('max_count', { required: true, min: 1, max: 1000 });
  },
  async run({ config, visits }) {
    const max = Number(config.max_count);
    return { state: visits >= max ? 'count_reached' : 'count_not_reached', variables: { count: visits } };
  },
};
