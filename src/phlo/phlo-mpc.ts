// The runner API's multiparty-call steering: node actions (call,
// warm_transfer, cold_transfer) and member actions (hold, unhold, hangup,
// resume_call, abort_transfer, voicemail_drop), with the runner's own error
// texts. Requests are checked here; they act on the live MPC a run of the
// node started (its MpcSession, opened here by the node while it runs),
// found by the member's address.
import type { Logger } from 'pino';
import { ApiError, notFound } from '../errors.ts';
import type { Scope } from '../platform/scope.ts';
import type { PhloNode } from './phlo-document.ts';
import { MPC_ROLES } from './nodes/multi-party-call.ts';
import type { Phlos, StoredPhlo } from './phlos.ts';
import type { MpcSession } from './phlo-mpc-session.ts';
import type { Participant } from '../voice/mpc/mpc.ts';

export const NODE_ACTIONS = ['call', 'warm_transfer', 'cold_transfer'] as const;
export const MEMBER_ACTIONS = ['hold', 'unhold', 'hangup', 'resume_call', 'abort_transfer', 'voicemail_drop'] as const;

export interface NodeAction {
  action: (typeof NODE_ACTIONS)[number];
  to: string;
  role: 'agent' | 'customer' | 'supervisor';
  triggerSource: string;
}

const mandatory = (param: string) => new ApiError(400, `${param} is a mandatory param.`);
const invalidValue = (param: string) => new ApiError(400, `Invalid value provided for ${param}.`);

function text(body: Record<string, unknown>, param: string): string | undefined {
  const v = body[param];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw invalidValue(param);
  return String(v).trim();
}

/** The body of a node action, as the runner checks it. */
export function parseNodeAction(body: Record<string, unknown>): NodeAction {
  const action = text(body, 'action');
  if (!action) throw mandatory('action');
  if (!(NODE_ACTIONS as readonly string[]).includes(action)) throw invalidValue('action');
  const to = text(body, 'to');
  if (!to) throw mandatory('to');
  const triggerSource = text(body, 'trigger_source');
  if (!triggerSource) throw mandatory('trigger_source');
  // The runner documents role as defaulting to agent.
  const role = text(body, 'role') ?? 'agent';
  if (!(MPC_ROLES as readonly string[]).includes(role.toLowerCase())) throw invalidValue('role');
  return { action: action as NodeAction['action'], to, role: role.toLowerCase() as NodeAction['role'], triggerSource };
}

/** The action of a member action's body. */
export function parseMemberAction(body: Record<string, unknown>): (typeof MEMBER_ACTIONS)[number] {
  const action = text(body, 'action');
  if (!action) throw mandatory('action');
  if (!(MEMBER_ACTIONS as readonly string[]).includes(action)) throw invalidValue('action');
  return action as (typeof MEMBER_ACTIONS)[number];
}

export class PhloMpc {
  /** Live sessions by `phlo_id/node_id`. */
  private readonly sessions = new Map<string, Set<MpcSession>>();

  constructor(
    private readonly phlos: Phlos,
    private readonly logger: Logger,
  ) {}

  /** A node's live MPC becomes steerable; the returned function closes it. */
  open(phloId: string, nodeId: string, session: MpcSession): () => void {
    const key = `${phloId}/${nodeId}`;
    let set = this.sessions.get(key);
    if (!set) this.sessions.set(key, (set = new Set()));
    set.add(session);
    return () => {
      set.delete(session);
      if (set.size === 0) this.sessions.delete(key);
    };
  }

  /** The multi_party_call node of a flow (it exists whether or not a call is live). */
  async node(scope: Scope, phloId: string, nodeId: string): Promise<{ phlo: StoredPhlo; node: PhloNode }> {
    const phlo = await this.phlos.find(scope, phloId);
    const node = phlo.graph.nodes.find((n) => n.node_id === nodeId && n.node_type === 'multi_party_call');
    if (!node) throw notFound(`multi_party_call node ${nodeId} in PHLO ${phloId}`);
    return { phlo, node };
  }

  async nodeAction(scope: Scope, phloId: string, nodeId: string, body: Record<string, unknown>): Promise<void> {
    const { node } = await this.node(scope, phloId, nodeId);
    const action = parseNodeAction(body);
    const { session, member } = this.holding(phloId, node, action.triggerSource);
    switch (action.action) {
      case 'call':
        await session.dial(action.to, action.role);
        return;
      case 'warm_transfer':
        return session.warmTransfer(member, action.to, action.role);
      case 'cold_transfer':
        return session.coldTransfer(member, action.to, action.role);
    }
  }

  async memberAction(scope: Scope, phloId: string, nodeId: string, memberAddress: string, body: Record<string, unknown>): Promise<void> {
    const { node } = await this.node(scope, phloId, nodeId);
    const action = parseMemberAction(body);
    const { session, member } = this.holding(phloId, node, memberAddress);
    switch (action) {
      case 'hold':
      case 'unhold':
        return session.hold(member, action === 'hold');
      case 'hangup':
        return session.hangup(member);
      case 'resume_call':
        return session.resume();
      case 'abort_transfer':
        return session.abortTransfer();
      case 'voicemail_drop':
        // The prompt plays before the member is hung up; the request does not wait for it.
        void session.voicemailDrop(member).catch((err) => this.logger.error({ err, phlo_id: phloId }, 'PHLO voicemail drop failed'));
        return;
    }
  }

  /** The live session of `node` with a member that joined with `address`. */
  private holding(phloId: string, node: PhloNode, address: string): { session: MpcSession; member: Participant } {
    for (const session of this.sessions.get(`${phloId}/${node.node_id}`) ?? []) {
      const member = session.holding(address);
      if (member) return { session, member };
    }
    throw notFound(`a live multi_party_call of node ${node.name} holding ${address}`);
  }
}
