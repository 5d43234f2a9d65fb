// The runner API's multiparty-call steering: node actions (call,
// warm_transfer, cold_transfer) and member actions (hold, unhold, hangup,
// resume_call, abort_transfer, voicemail_drop), with the runner's own error
// texts. Requests are checked here; they act on the live MPC a run of the
// node started, found by the member's address.
import { ApiError, notFound } from '../errors.ts';
import type { Scope } from '../platform/scope.ts';
import type { PhloNode } from './phlo-document.ts';
import { MPC_ROLES } from './nodes/multi-party-call.ts';
import type { Phlos, StoredPhlo } from './phlos.ts';

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
  constructor(private readonly phlos: Phlos) {}

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
    throw this.noLiveInstance(node, action.triggerSource);
  }

  async memberAction(scope: Scope, phloId: string, nodeId: string, memberAddress: string, body: Record<string, unknown>): Promise<void> {
    const { node } = await this.node(scope, phloId, nodeId);
    parseMemberAction(body);
    throw this.noLiveInstance(node, memberAddress);
  }

  // Flows do not run multi_party_call nodes yet (they need the call engine),
  // so no run holds a live MPC a request could steer.
  private noLiveInstance(node: PhloNode, address: string): ApiError {
    return notFound(`a live multi_party_call of node ${node.name} holding ${address}`);
  }
}
