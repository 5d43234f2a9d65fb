// Hangup: ends the run and its live call (a <Hangup> built as data: a call
// not answered yet is refused as busy or rejected, as `reason` says).
import { hangup as hangupVerb } from '../../plivo-xml/build.ts';
import { liveCall, type NodeComponent } from '../phlo-node.ts';

export const hangup: NodeComponent = {
  type: 'hangup',
  label: 'Hang Up',
  needsCall: true,
  states: () => [],
  check(c) {
    c.string('reason', { enum: ['normal', 'busy', 'rejected'] });
  },
  async run(ctx) {
    const reason = ctx.config.reason;
    await liveCall(ctx).run([hangupVerb({ reason: reason === 'busy' || reason === 'rejected' ? reason : undefined })]);
    return { state: 'hangup', endsRun: true };
  },
};
