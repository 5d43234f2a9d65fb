// Multi-party call: an MPC named phlo_{run_id}_{node name} on the MPC
// service the API uses. The current call joins with current_call_role, then
// `dial` entries are called in order, each once the one before joined; the
// runner API steers it while it lasts (phlo-mpc.ts). `completed` when the
// MPC ends; `no_answer` when a dial entry nobody answered leaves fewer than
// two in it (the current call goes on in the run); `failed` when the
// current call could not join.
import type { NodeComponent } from '../phlo-node.ts';
import { MpcSession } from '../phlo-mpc-session.ts';
import { RING_TIMEOUT } from './initiate-call.ts';
import type { Role } from '../../voice/mpc/mpc.ts';

export const MPC_ROLES = ['agent', 'customer', 'supervisor'] as const;

export const multiPartyCall: NodeComponent = {
  type: 'multi_party_call',
  label: 'Multi-Party Call',
  needsCall: false,
  waitsOutside: true,
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
  async run(ctx) {
    const { config, services } = ctx;
    const session = new MpcSession(services.mpcs, ctx.owner, config, ctx.runId, ctx.node.name, ctx.placedCalls);
    const close = services.openMpc(ctx.phloId, ctx.node.node_id, session);
    try {
      if (ctx.call && !(await session.moveIn(ctx.call, (config.current_call_role as Role | undefined) ?? 'customer'))) {
        return { state: 'failed', variables: { ...session.variables(), error: 'the current call ended before it joined' } };
      }
      const dial = Array.isArray(config.dial) ? (config.dial as Array<{ to: string; role?: Role }>) : [];
      for (const entry of dial) {
        if ((await (await session.dial(String(entry.to), entry.role ?? 'agent')).joined) !== undefined) continue;
        // Nobody answered: an MPC left with fewer than two ends here, and the dialling stops.
        if (!session.started || session.endIfAlone()) return { state: 'no_answer', variables: session.variables() };
        break;
      }
      await session.ended();
      return { state: 'completed', variables: session.variables() };
    } finally {
      close();
    }
  },
};
