// Initiate call: rings `to` (several ring at once) from `from` through the
// Call domain (paced, billed, logged like an API call); the first to answer
// becomes the run's current call. With machine_detection an answering
// machine leaves by `voicemail`; with record the call is recorded from
// answer to hangup.
import { ApiError } from '../../errors.ts';
import { record } from '../../plivo-xml/build.ts';
import { HELD_RESULT } from '../../voice/engine/held-call.ts';
import { splitList } from '../phlo-config.ts';
import type { NodeComponent } from '../phlo-node.ts';
import { toFlowBool } from '../phlo-template.ts';
import { callVariables, intOf } from '../phlo-voice.ts';

export const RING_TIMEOUT = { min: 5, max: 120 };

const STATE_OF = { busy: 'busy', 'no-answer': 'no_answer', failed: 'failed' } as const;

export const initiateCall: NodeComponent = {
  type: 'initiate_call',
  label: 'Initiate Call',
  needsCall: false,
  waitsOutside: true,
  failureStates: ['no_answer', 'busy', 'failed'],
  states: () => ['answered', 'no_answer', 'busy', 'failed', 'voicemail'],
  check(c) {
    c.string('from', { required: true, address: 'one' });
    c.string('to', { required: true, address: 'list' });
    c.integer('ring_timeout', RING_TIMEOUT);
    c.boolean('record');
    c.boolean('machine_detection');
  },
  async run(ctx) {
    const { config } = ctx;
    const to = splitList(String(config.to ?? ''));
    const from = String(config.from ?? '').trim();
    let outcome;
    try {
      outcome = await ctx.services.ringCalls(ctx.owner, { from, to, ringTimeoutS: intOf(config, 'ring_timeout', 30), machineDetection: toFlowBool(config.machine_detection) });
    } catch (err) {
      // A destination without a rate, a balance that cannot pay, a templated address that is not one.
      if (!(err instanceof ApiError)) throw err;
      return { state: 'failed', variables: { from, to: to.join(','), call_status: 'failed', error: err.message } };
    }
    ctx.placedCalls(outcome.legs.map((l) => l.uuid));
    if ('status' in outcome) {
      const last = outcome.legs.at(-1)!;
      return { state: STATE_OF[outcome.status], variables: { ...callVariables(last), to: to.join(',') } };
    }
    const call = outcome.answered;
    ctx.holdCall(call);
    if (toFlowBool(config.record)) {
      const { end } = await call.run([record({ action: HELD_RESULT, recordSession: true })]);
      if (end.kind === 'action') ctx.madeRecordings([end.params.RecordingID!]);
    }
    const facts = call.facts();
    return { state: facts.machine ? 'voicemail' : 'answered', variables: callVariables(facts) };
  },
};
