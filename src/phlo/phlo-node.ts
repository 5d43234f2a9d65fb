// The contract every flow component implements (one file each under nodes/,
// listed in nodes/index.ts): how its config is checked, which exit states it
// has, and how it runs. The runner knows components only through this.
import type { Clock } from '../clock/clock.ts';
import type { SendInput, SendResult } from '../messaging/messages.ts';
import type { RingCalls, RingOutcome } from '../voice/calls/calls.ts';
import type { HeldCall } from '../voice/engine/held-call.ts';
import type { MultiPartyCalls } from '../voice/mpc/mpcs.ts';
import type { MpcSession } from './phlo-mpc-session.ts';
import type { Scope } from '../platform/scope.ts';
import type { ConfigCheck } from './phlo-config.ts';
import type { NodeType, PhloNode, RunVariables, TriggerState } from './phlo-document.ts';

/** What started a run: the start node emits `kind` as its state. */
export type Trigger =
  | { kind: 'api_request'; params: Record<string, unknown> }
  | { kind: 'incoming_message'; message: { message_uuid: string; from: string; to: string; text: string; type: string } }
  | { kind: 'incoming_call'; call: Record<string, string> };

/** What nodes may use of the rest of the platform (the runner's dependencies, narrowed). */
export interface NodeServices {
  clock: Clock;
  sendMessage(owner: Scope, input: SendInput): Promise<SendResult>;
  /** Ring destinations at once (the Call domain's `ring`): the first to answer is held for the run. */
  ringCalls(owner: Scope, r: RingCalls): Promise<RingOutcome>;
  /** The multiparty-call service the API uses. */
  mpcs: MultiPartyCalls;
  /** A node's live MPC, where the runner API finds it; the returned function closes it. */
  openMpc(phloId: string, nodeId: string, session: MpcSession): () => void;
}

/** One node about to run in one run. */
export interface NodeRunContext {
  node: PhloNode;
  /** The node's config with every template rendered against the run's variables. */
  config: Record<string, unknown>;
  phloId: string;
  runId: string;
  owner: Scope;
  trigger: Trigger;
  variables: RunVariables;
  /** Times this node has been entered in this run, this time included. */
  visits: number;
  services: NodeServices;
  /** The run's current call (the inbound call, or the leg initiate_call answered), while it is live. */
  call: HeldCall | undefined;
  /** Make `call` the run's current call (initiate_call's answered leg); it is hung up when the run ends. */
  holdCall(call: HeldCall): void;
  /** Record a message the node sent, for the run's message_uuids. */
  sentMessages(uuids: string[]): void;
  /** Record calls the node placed, for the run's call_uuids. */
  placedCalls(uuids: string[]): void;
  /** Record recordings the node made, for the run's recording_ids. */
  madeRecordings(ids: string[]): void;
}

export interface NodeOutcome {
  /** The exit state; the run follows its transition (none → the run ends). */
  state: string;
  variables?: Record<string, unknown>;
  /** The node ends the run itself (hangup), whatever its transitions say. */
  endsRun?: boolean;
  /** Extra words for the runner's answer when this is the first node (the platform echoes the node's response). */
  response?: string;
}

export interface NodeComponent {
  type: NodeType;
  /** The console's component name, used in the runner's answer ("b'Send SMS' - b'Reply' …"). */
  label: string;
  /** Acts on the run's live call: reachable only through incoming_call or an answered initiate_call; once the call has ended it does not run. */
  needsCall: boolean;
  /** Waits for a person (input) or bounds repetition (counter): a cycle through it is not a runaway loop. */
  boundsLoops?: boolean;
  /** Waits on something outside the platform (a customer's server, a call): the runner answers before it finishes. */
  waitsOutside?: boolean;
  /** States that mean the call did not happen; left unconnected they draw a warning. */
  failureStates?: readonly string[];
  /** Exit states for this config (digits of an ivr_menu, aliases of a branch …). */
  states(config: Record<string, unknown>): readonly string[];
  check(c: ConfigCheck): void;
  run(ctx: NodeRunContext): Promise<NodeOutcome>;
}

/** The run's live call: the runner runs a node that needs one only while it is live. */
export function liveCall(ctx: NodeRunContext): HeldCall {
  if (!ctx.call) throw new Error(`${ctx.node.name} needs a live call and the run has none`);
  return ctx.call;
}

export const TRIGGER_STATES: readonly TriggerState[] = ['api_request', 'incoming_call', 'incoming_message'];
