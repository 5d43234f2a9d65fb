// Runs flows: one token per run, from the start node along the transition of
// each node's exit state, until a node has no transition for its state, a
// node ends the run, or the run has executed 200 nodes (failed: loop limit).
// Voice nodes act on the run's current call (the inbound call, or the leg
// initiate_call answered); once it has ended no voice node runs, and every
// call the run still holds is hung up when it ends. A run keeps the flow
// version it started with; its steps and variables are stored when it ends,
// and readable from memory while it is live. Event callbacks go through the
// webhook module, signed like every callback.
import type { Logger } from 'pino';
import type { Accounts } from '../platform/accounts.ts';
import type { PlatformContext } from '../platform/context.ts';
import { ownerFilter, type Scope } from '../platform/scope.ts';
import { formatMicroTimestamp } from '../platform/time.ts';
import { phloRunsRepo } from '../store/repos/phlos.ts';
import type { RunRow, RunStatus } from '../store/tables/phlo.ts';
import type { Webhooks } from '../webhooks/webhooks.ts';
import type { HeldCall } from '../voice/engine/held-call.ts';
import { newUuid } from '../ids.ts';
import { notFound } from '../errors.ts';
import type { PhloNode, RunVariables } from './phlo-document.ts';
import type { NodeOutcome, NodeServices, Trigger } from './phlo-node.ts';
import { renderDeep } from './phlo-template.ts';
import type { StoredPhlo } from './phlos.ts';
import { components } from './nodes/index.ts';

/** A run that executes more nodes than this ends as failed: loop limit. */
export const MAX_NODES_PER_RUN = 200;

export interface Step {
  node_id: string;
  name: string;
  node_type: string;
  entered_at: string;
  left_at: string | null;
  state: string | null;
  variables: Record<string, unknown>;
}

interface Run {
  runId: string;
  phlo: StoredPhlo;
  owner: Scope;
  trigger: Trigger;
  createdAt: number;
  status: RunStatus;
  reason: string | null;
  endedAt: number | null;
  steps: Step[];
  variables: RunVariables;
  visits: Map<string, number>;
  /** The current call, and every call the run holds (hung up when it ends). */
  call: HeldCall | undefined;
  held: HeldCall[];
  callUuids: string[];
  messageUuids: string[];
  recordingIds: string[];
}

export interface RunStarted {
  runId: string;
  /** The runner's answer, in the platform's shape: which node the run dispatched first. */
  message: string;
}

export interface RunnerDeps {
  ctx: PlatformContext;
  accounts: Accounts;
  webhooks: Webhooks;
  services: Omit<NodeServices, 'clock'>;
  logger: Logger;
  /** This server process among the nodes: its runs are recorded under it. */
  nodeId: string;
}

/** Node variables as flat form parameters (`response.reply`), for event callbacks. */
function flatten(value: unknown, prefix: string, out: Record<string, string>): Record<string, string> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

export class PhloRunner {
  private readonly live = new Map<string, Run>();
  private readonly services: NodeServices;

  constructor(private readonly deps: RunnerDeps) {
    this.services = { ...deps.services, clock: deps.ctx.clock };
  }

  /**
   * Start a run (holding `call`, for an incoming call). Resolves once its
   * first node has been dispatched (or has finished, for nodes that wait on
   * nothing outside the platform, whose response the answer then carries);
   * the run goes on by itself.
   */
  async start(phlo: StoredPhlo, owner: Scope, trigger: Trigger, call?: HeldCall): Promise<RunStarted> {
    const run: Run = {
      runId: newUuid(),
      phlo,
      owner,
      trigger,
      createdAt: this.deps.ctx.clock.now(),
      status: 'running',
      reason: null,
      endedAt: null,
      steps: [],
      variables: {},
      visits: new Map(),
      call: undefined,
      held: [],
      callUuids: [],
      messageUuids: [],
      recordingIds: [],
    };
    this.live.set(run.runId, run);
    if (call) this.hold(run, call);
    let answer!: (message: string) => void;
    const answered = new Promise<string>((resolve) => (answer = resolve));
    void this.execute(run, answer).catch((err) => this.deps.logger.error({ err, run_id: run.runId }, 'PHLO run failed unexpectedly'));
    return { runId: run.runId, message: await answered };
  }

  /**
   * Runs the nodes. The run's row is written once when the run ends before
   * the answer (most API-triggered runs), else when the answer goes out and
   * again at the end; either way it is stored before anyone holds its id.
   */
  private async execute(run: Run, answer: (message: string) => void): Promise<void> {
    const byId = new Map(run.phlo.graph.nodes.map((n) => [n.node_id, n]));
    let node: PhloNode | undefined = run.phlo.graph.nodes.find((n) => n.node_type === 'start')!;
    let answerText: string | undefined;
    let stored = false;
    const say = async (text: string) => {
      if (answerText !== undefined) return;
      answerText = text;
      if (run.status !== 'running') return; // the final write comes first
      await phloRunsRepo.insert(this.deps.ctx.db, this.newRow(run));
      stored = true;
      answer(text);
    };
    try {
      while (node) {
        if (run.steps.length >= MAX_NODES_PER_RUN) {
          this.end(run, 'failed', 'loop limit');
          break;
        }
        const component = components[node.node_type];
        if (component.needsCall && !run.call?.live) {
          this.end(run, 'completed', `the call had ended before ${node.name}`);
          break;
        }
        const isFirst = run.steps.length === 1;
        const dispatched = `b'${component.label}' - b'${node.name}' with phlo_run_uuid: ${run.runId} executed`;
        if (isFirst && component.waitsOutside) await say(dispatched);
        const outcome = await this.step(run, node);
        if (outcome.endsRun) this.end(run, 'completed', null);
        const next: string | undefined = node.transitions[outcome.state];
        if (!next) this.end(run, 'completed', run.call?.live ? `${node.name}: state ${outcome.state} is not connected; the call was hung up` : null);
        if (isFirst) await say(outcome.response ? `${dispatched} with response: ${outcome.response}` : dispatched);
        node = run.status === 'running' && next ? byId.get(next) : undefined;
      }
    } catch (err) {
      this.deps.logger.error({ err, run_id: run.runId }, 'PHLO node failed');
      this.end(run, 'failed', `error in ${node?.name}: ${(err as Error).message}`);
    } finally {
      this.release(run);
      const write = stored ? phloRunsRepo.update(this.deps.ctx.db, run.runId, this.record(run)) : phloRunsRepo.insert(this.deps.ctx.db, this.newRow(run));
      await write.catch((err) => this.deps.logger.error({ err, run_id: run.runId }, 'PHLO run could not be stored'));
      this.live.delete(run.runId);
      // A run stored while running has been answered already.
      if (!stored) answer(answerText ?? (run.steps.length <= 1 ? `PHLO run ${run.runId} ended at the start node: nothing is connected to ${run.trigger.kind}` : `PHLO run ${run.runId} ${run.status}`));
    }
  }

  private async step(run: Run, node: PhloNode): Promise<NodeOutcome> {
    const component = components[node.node_type];
    const visits = (run.visits.get(node.node_id) ?? 0) + 1;
    run.visits.set(node.node_id, visits);
    const step: Step = { node_id: node.node_id, name: node.name, node_type: node.node_type, entered_at: this.now(), left_at: null, state: null, variables: {} };
    run.steps.push(step);
    this.notify(run, node, 'entered', step);
    const outcome = await component.run({
      node,
      config: renderDeep(node.config, run.variables) as Record<string, unknown>,
      phloId: run.phlo.row.phlo_id,
      runId: run.runId,
      owner: run.owner,
      trigger: run.trigger,
      variables: run.variables,
      visits,
      services: this.services,
      call: run.call?.live ? run.call : undefined,
      holdCall: (call) => this.hold(run, call),
      sentMessages: (uuids) => run.messageUuids.push(...uuids),
      placedCalls: (uuids) => run.callUuids.push(...uuids.filter((u) => !run.callUuids.includes(u))),
      madeRecordings: (ids) => run.recordingIds.push(...ids),
    });
    step.left_at = this.now();
    step.state = outcome.state;
    step.variables = outcome.variables ?? {};
    run.variables[node.name] = step.variables;
    run.call?.log(`PHLO ${run.phlo.graph.name} run ${run.runId}: ${node.name} (${node.node_type}) → ${outcome.state}`, { phlo_id: run.phlo.row.phlo_id, run_id: run.runId, node_id: node.node_id, state: outcome.state });
    this.notify(run, node, 'completed', step);
    this.notify(run, node, outcome.state, step);
    return outcome;
  }

  /** `call` becomes the run's current call; the run hangs it up when it ends. */
  private hold(run: Run, call: HeldCall): void {
    run.call = call;
    run.held.push(call);
    if (!run.callUuids.includes(call.uuid)) run.callUuids.push(call.uuid);
  }

  /** The run has ended: calls it still holds are hung up, each call's log saying why. */
  private release(run: Run): void {
    for (const call of run.held) {
      if (!call.live) continue;
      call.log(`PHLO ${run.phlo.graph.name} run ${run.runId} ${run.status}${run.reason ? `: ${run.reason}` : ''}; the call is hung up`, { phlo_id: run.phlo.row.phlo_id, run_id: run.runId });
      call.hangup();
    }
  }

  /** Runs a gone server (crashed) left running end as failed: interrupted (their calls went with it). */
  async takeOver(goneNodeId: string): Promise<void> {
    const n = await phloRunsRepo.interruptRunning(this.deps.ctx.db, goneNodeId, this.deps.ctx.clock.now());
    if (n > 0) this.deps.logger.warn({ runs: n, node_id: goneNodeId }, 'PHLO runs left running by a gone server ended as failed: interrupted');
  }

  /** A clean stop (after the server's calls were hung up): runs still live end as failed: interrupted, in memory and in the database. */
  async stop(): Promise<void> {
    for (const run of this.live.values()) this.end(run, 'failed', 'interrupted');
    await phloRunsRepo.interruptRunning(this.deps.ctx.db, this.deps.nodeId, this.deps.ctx.clock.now());
  }

  private now(): string {
    return formatMicroTimestamp(this.deps.ctx.clock.now());
  }

  private end(run: Run, status: RunStatus, reason: string | null): void {
    if (run.status !== 'running') return;
    run.status = status;
    run.reason = reason;
    run.endedAt = this.deps.ctx.clock.now();
  }

  /** Post the node's variables to each event callback that listens for `event`. */
  private notify(run: Run, node: PhloNode, event: string, step: Step): void {
    for (const cb of node.events) {
      if (!cb.on.includes(event)) continue;
      const params = flatten(step.variables, '', {
        PhloId: run.phlo.row.phlo_id,
        PhloRunId: run.runId,
        NodeId: node.node_id,
        NodeName: node.name,
        NodeType: node.node_type,
        Event: event,
        State: step.state ?? '',
      });
      void this.deps.accounts
        .find(run.owner.subaccountId ?? run.owner.accountId)
        .then((account) => {
          if (!account) return;
          return this.deps.webhooks.enqueue({ url: cb.url, method: cb.method, params, authToken: account.auth_token, accountId: run.owner.accountId, subaccountId: run.owner.subaccountId, kind: 'phlo_event' });
        })
        .catch((err) => this.deps.logger.error({ err, run_id: run.runId }, 'PHLO event callback could not be queued'));
    }
  }

  private newRow(run: Run): RunRow {
    return { ...this.record(run), created_at: run.createdAt, trigger: run.trigger.kind, version: run.phlo.row.version, phlo_id: run.phlo.row.phlo_id, account_id: run.owner.accountId, subaccount_id: run.owner.subaccountId, node_id: this.deps.nodeId };
  }

  private record(run: Run) {
    return {
      run_id: run.runId,
      status: run.status,
      reason: run.reason,
      ended_at: run.endedAt,
      call_uuids: JSON.stringify(run.callUuids),
      message_uuids: JSON.stringify(run.messageUuids),
      recording_ids: JSON.stringify(run.recordingIds),
      steps: JSON.stringify(run.steps),
      variables: JSON.stringify(run.variables),
    };
  }

  // ---- reading runs ---------------------------------------------------------

  /** A run of the flow, live or stored. */
  async find(scope: Scope, phloId: string, runId: string): Promise<RunRow> {
    const live = this.live.get(runId);
    if (live && live.phlo.row.phlo_id === phloId && ownerMatches(scope, live.owner)) return this.newRow(live);
    const row = await phloRunsRepo.find(this.deps.ctx.db, ownerFilter(scope), phloId, runId);
    if (!row) throw notFound(`run ${runId} of PHLO ${phloId}`);
    return row;
  }

  async list(scope: Scope, phloId: string, limit: number, offset: number): Promise<{ rows: RunRow[]; total: number }> {
    const owner = ownerFilter(scope);
    const [rows, total] = await Promise.all([phloRunsRepo.list(this.deps.ctx.db, owner, phloId, limit, offset), phloRunsRepo.count(this.deps.ctx.db, owner, phloId)]);
    return { rows, total };
  }
}

function ownerMatches(scope: Scope, owner: Scope): boolean {
  return owner.accountId === scope.accountId && (!scope.subaccountId || owner.subaccountId === scope.subaccountId);
}

/** The run trace of the definitions API. */
export function runTraceView(row: RunRow) {
  return {
    run_id: row.run_id,
    phlo_id: row.phlo_id,
    version: row.version,
    trigger: row.trigger,
    status: row.status,
    reason: row.reason,
    created_on: formatMicroTimestamp(row.created_at),
    ended_on: row.ended_at === null ? null : formatMicroTimestamp(row.ended_at),
    steps: JSON.parse(row.steps) as Step[],
    calls: JSON.parse(row.call_uuids) as string[],
    messages: JSON.parse(row.message_uuids) as string[],
    recordings: JSON.parse(row.recording_ids) as string[],
  };
}

/** The PHLO Run object of the runner API. */
export function runnerRunView(row: RunRow) {
  return {
    phlo_id: row.phlo_id,
    run_id: row.run_id,
    call_uuids: JSON.parse(row.call_uuids) as string[],
    message_uuids: JSON.parse(row.message_uuids) as string[],
    recording_ids: JSON.parse(row.recording_ids) as string[],
  };
}
