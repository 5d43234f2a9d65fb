// Call forward: connects the current call to `to` (a <Dial> built as data):
// all targets ring at once (parallel) or one after another (sequential,
// until one connects); `number;ext=123` dials the extension once answered.
// With call_screening the called party hears the prompt (and must press
// confirm_key) before it is connected; with record the forwarded call is
// recorded. The state is how the forwarding ended; the variables are the
// forwarded leg's (the one that connected, else the last one tried).
import { dial, dialNumber, dialUser, record } from '../../plivo-xml/build.ts';
import type { DialNumber, DialUser } from '../../plivo-xml/ast.ts';
import { HELD_RESULT, type CallFacts } from '../../voice/engine/held-call.ts';
import { splitExtension, splitList } from '../phlo-config.ts';
import { liveCall, type NodeComponent } from '../phlo-node.ts';
import { toFlowBool } from '../phlo-template.ts';
import { callVariables, intOf, keyOf, promptVerbs } from '../phlo-voice.ts';
import { RING_TIMEOUT } from './initiate-call.ts';

const STATE_OF: Record<string, string> = { completed: 'completed', busy: 'busy', 'no-answer': 'no_answer', timeout: 'no_answer', failed: 'failed' };

function target(item: string): DialNumber | DialUser {
  const { address, extension } = splitExtension(item);
  // A second's pause after answer, then the extension's keys.
  const sendDigits = extension ? `W${extension}` : undefined;
  return /^sips?:/i.test(address) ? dialUser(address, { sendDigits }) : dialNumber(address.replace(/^\+/, ''), { sendDigits });
}

export const callForward: NodeComponent = {
  type: 'call_forward',
  label: 'Call Forward',
  needsCall: true,
  waitsOutside: true,
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
  async run(ctx) {
    const { config } = ctx;
    const call = liveCall(ctx);
    const targets = splitList(String(config.to ?? '')).map(target);
    const screening = config.call_screening as Record<string, unknown> | undefined;
    const options = {
      action: HELD_RESULT,
      callerId: String(config.from ?? '').trim().replace(/^\+/, ''),
      timeout: intOf(config, 'ring_timeout', 30),
      confirmSound: screening ? promptVerbs(screening.prompt) : undefined,
      confirmKey: screening ? keyOf(screening, 'confirm_key', '') || undefined : undefined,
    };
    if (toFlowBool(config.record)) {
      const { end } = await call.run([record({ action: HELD_RESULT, recordSession: true })]);
      if (end.kind === 'action') ctx.madeRecordings([end.params.RecordingID!]);
    }
    // Sequential forwarding is one Dial per target, until one connects.
    const rounds = config.forwarding === 'sequential' ? targets.map((t) => [t]) : [targets];
    let status = 'failed';
    let forwarded: CallFacts | undefined;
    for (const round of rounds) {
      if (!call.live) break;
      const { end, legs } = await call.run([dial(round, options)]);
      ctx.placedCalls(legs.map((l) => l.uuid));
      if (end.kind !== 'action') break;
      status = end.params.DialStatus ?? 'failed';
      forwarded = legs.find((l) => l.uuid === end.params.DialBLegUUID) ?? legs.at(-1);
      if (status === 'completed') break;
    }
    return { state: STATE_OF[status] ?? 'failed', variables: forwarded ? callVariables(forwarded) : {} };
  },
};
