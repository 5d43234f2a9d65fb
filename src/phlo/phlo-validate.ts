// Validation of a PHLO document (create, replace, validate, `switchboard phlo
// validate`): every error names the node and the field, and nothing is kept
// unless there is none. The same pass normalises the document: node types and
// state keys in snake_case, node_ids assigned (kept from the previous version
// by name), transitions pointing at node_ids. docs/phlo.md lists the rules.
import { newUuid } from '../ids.ts';
import { ConfigCheck, isAbsoluteHttpUrl } from './phlo-config.ts';
import { NODE_TYPE_ALIASES, NODE_TYPES, type EventCallback, type Finding, type NodeType, type PhloGraph, type PhloNode } from './phlo-document.ts';
import { reachableFrom, reachedWithoutCall, unboundedLoops } from './phlo-graph.ts';
import type { NodeComponent } from './phlo-node.ts';
import { parseTemplate, templatePaths } from './phlo-template.ts';
import { components } from './nodes/index.ts';

export const NODE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_NODES = 500;
/** Node events an event callback can name besides the node's own exit states. */
const NODE_EVENTS = ['entered', 'completed'];

export interface ValidationResult {
  /** Present when there are no errors: the normalised flow to store. */
  graph?: PhloGraph;
  errors: Finding[];
  warnings: Finding[];
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The console's display names ("No Answer", "Busy/Rejected") as the state keys they stand for. */
export function stateKey(raw: string, states: readonly string[]): string {
  if (states.includes(raw)) return raw;
  const lower = raw.trim().toLowerCase();
  if (lower === 'busy/rejected' && states.includes('busy')) return 'busy';
  const snake = lower.replace(/[\s\-/]+/g, '_');
  return states.includes(snake) ? snake : raw;
}

function nodeTypeOf(raw: unknown): NodeType | undefined {
  if (typeof raw !== 'string') return undefined;
  const key = raw.trim().toLowerCase().replace(/[\s-]+/g, '_');
  if ((NODE_TYPES as readonly string[]).includes(key)) return key as NodeType;
  return NODE_TYPE_ALIASES[key];
}

/** Every string in a config value with its field path. */
function stringsIn(value: unknown, path: string, out: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => stringsIn(v, `${path}[${i}]`, out));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) stringsIn(v, `${path}.${k}`, out);
  return out;
}

const rootOf = (path: string): string => path.split(/[.[]/)[0];

interface Draft {
  index: number;
  label: string;
  node: PhloNode;
  component?: NodeComponent;
  rawTransitions: Record<string, unknown>;
}

export function validatePhlo(input: unknown, previous?: PhloGraph): ValidationResult {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const err = (node: string | null, field: string, message: string) => errors.push({ node, field, message });
  const warn = (node: string | null, field: string, message: string) => warnings.push({ node, field, message });

  if (!isObject(input)) {
    err(null, 'request', 'the body must be a JSON object with name and nodes');
    return { errors, warnings };
  }
  const name = input.name;
  if (typeof name !== 'string' || name.trim() === '') err(null, 'name', 'is required: the flow\'s name');
  else if (name.length > 255) err(null, 'name', 'must be at most 255 characters long');
  const description = input.description ?? '';
  if (typeof description !== 'string') err(null, 'description', 'must be a string');
  if (!Array.isArray(input.nodes) || input.nodes.length === 0) {
    err(null, 'nodes', 'is required: a list of at least one node, starting with a start node');
    return { errors, warnings };
  }
  if (input.nodes.length > MAX_NODES) err(null, 'nodes', `must have at most ${MAX_NODES} nodes`);

  // ---- each node on its own ------------------------------------------------
  const previousIds = new Map(previous?.nodes.map((n) => [n.name, n.node_id]));
  const explicitIds = new Set(input.nodes.filter(isObject).map((n) => n.node_id).filter((id): id is string => typeof id === 'string'));
  const drafts: Draft[] = [];
  const byName = new Map<string, Draft>();
  const byId = new Map<string, Draft>();
  input.nodes.forEach((raw, index) => {
    const at = `nodes[${index}]`;
    if (!isObject(raw)) return err(at, 'node', 'must be an object with name, node_type, config and transitions');
    const label = typeof raw.name === 'string' && raw.name ? raw.name : at;
    if (typeof raw.name !== 'string' || !NODE_NAME.test(raw.name)) {
      err(label, 'name', 'must start with a letter and use only letters, digits and _ (at most 64): it is the root of template variables');
    } else if (byName.has(raw.name)) {
      err(label, 'name', `"${raw.name}" is the name of another node; names must be unique in a flow`);
    }
    const type = nodeTypeOf(raw.node_type);
    if (!type) err(label, 'node_type', `${raw.node_type === undefined ? 'is required' : `"${String(raw.node_type)}" is not a node type`}: one of ${NODE_TYPES.join(', ')}`);
    let nodeId = raw.node_id;
    if (nodeId !== undefined && (typeof nodeId !== 'string' || !UUID.test(nodeId))) {
      err(label, 'node_id', 'must be a UUID (leave it out to have one assigned)');
    } else if (typeof nodeId === 'string' && byId.has(nodeId)) {
      err(label, 'node_id', `${nodeId} is the node_id of node ${byId.get(nodeId)!.label}; node_ids must be unique`);
    }
    if (typeof nodeId !== 'string') {
      const kept = typeof raw.name === 'string' ? previousIds.get(raw.name) : undefined;
      nodeId = kept && !explicitIds.has(kept) ? kept : newUuid();
    }
    if (raw.config !== undefined && !isObject(raw.config)) err(label, 'config', 'must be an object');
    if (raw.transitions !== undefined && !isObject(raw.transitions)) err(label, 'transitions', 'must be an object of exit state to target node');
    const position = raw.position;
    if (position !== undefined && !(isObject(position) && typeof position.x === 'number' && typeof position.y === 'number')) {
      err(label, 'position', 'must be {"x": number, "y": number}');
    }
    const node: PhloNode = {
      node_id: nodeId as string,
      name: label,
      node_type: type ?? ('' as NodeType),
      config: isObject(raw.config) ? raw.config : {},
      transitions: {},
      ...(isObject(position) ? { position: { x: Number(position.x), y: Number(position.y) } } : {}),
      events: [],
    };
    const draft: Draft = { index, label, node, component: type && components[type], rawTransitions: isObject(raw.transitions) ? raw.transitions : {} };
    drafts.push(draft);
    if (typeof raw.name === 'string' && !byName.has(raw.name)) byName.set(raw.name, draft);
    if (!byId.has(node.node_id)) byId.set(node.node_id, draft);
    node.events = checkEvents(raw.events, draft, err);
  });

  const names = new Set(byName.keys());
  const starts = drafts.filter((d) => d.node.node_type === 'start');
  if (starts.length === 0) err(null, 'nodes', 'needs exactly one node of node_type start; there is none');
  for (const extra of starts.slice(1)) err(extra.label, 'node_type', `a flow has exactly one start node; ${starts[0].label} is already one`);
  const startName = starts[0]?.label;

  const payloadUsed = new Map<string, string[]>();
  for (const d of drafts) {
    const { node, component } = d;
    if (!component) continue;
    component.check(new ConfigCheck(d.label, node.config, (f) => errors.push(f)));

    // Transitions: keys are states of this node, targets are nodes (never the start).
    const states = component.states(node.config);
    for (const [rawState, target] of Object.entries(d.rawTransitions)) {
      const state = stateKey(rawState, states);
      const field = `transitions.${rawState}`;
      if (!states.includes(state)) {
        err(d.label, field, states.length ? `"${rawState}" is not an exit state of ${node.node_type}: one of ${states.join(', ')}` : `${node.node_type} has no exit states: it ends the run`);
        continue;
      }
      if (target === null || target === '') continue;
      if (typeof target !== 'string') {
        err(d.label, field, 'must be the name or node_id of the next node');
        continue;
      }
      const to = byName.get(target) ?? byId.get(target);
      if (!to) err(d.label, field, `no node is named "${target}" or has that node_id`);
      else if (to.node.node_type === 'start') err(d.label, field, 'nothing may lead into the start node');
      else node.transitions[state] = to.node.node_id;
    }

    // Templates parse and read only nodes of this flow.
    for (const [path, text] of stringsIn(node.config, 'config')) {
      const parsed = parseTemplate(text);
      if (!parsed.ok) {
        err(d.label, path, `is not a valid template: ${parsed.error}`);
        continue;
      }
      for (const variable of templatePaths(parsed.template)) {
        const root = rootOf(variable);
        if (!names.has(root)) err(d.label, path, `{{${variable}}} reads "${root}", which is not the name of a node in this flow`);
        const param = startName && new RegExp(`^${startName}\\.http\\.params\\.([^.[]+)`).exec(variable)?.[1];
        if (param) payloadUsed.set(param, [...(payloadUsed.get(param) ?? []), `${d.label}.${path}`]);
      }
    }
  }

  const nodes = drafts.map((d) => d.node);
  if (starts.length === 1 && drafts.every((d) => d.component)) {
    const start = starts[0];
    const opensCall = (n: PhloNode, state: string) => (n.node_type === 'start' && state === 'incoming_call') || (n.node_type === 'initiate_call' && (state === 'answered' || state === 'voicemail'));
    for (const [id, via] of reachedWithoutCall(nodes, start.node.node_id, opensCall)) {
      const d = byId.get(id)!;
      if (d.component!.needsCall) err(d.label, 'node_type', `${d.node.node_type} acts on a live call, but a run reaches it without one (through ${via}); reach it from incoming_call, or from initiate_call's answered or voicemail`);
      const dial = d.node.config.dial;
      if (d.node.node_type === 'multi_party_call' && !(Array.isArray(dial) && dial.length > 0)) {
        err(d.label, 'config.dial', `is required: a run reaches this multi_party_call without a call to join (through ${via}), so it must dial its members`);
      }
    }
    checkWarnings(drafts, start, byId, payloadUsed, warn);
  }

  if (errors.length) return { errors, warnings };
  return { graph: { name: (name as string).trim(), description: description as string, nodes }, errors, warnings };
}

function checkEvents(raw: unknown, d: Draft, err: (node: string, field: string, message: string) => void): EventCallback[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    err(d.label, 'events', 'must be a list of {url, method, on}');
    return [];
  }
  const states = d.component?.states(d.node.config) ?? [];
  const out: EventCallback[] = [];
  raw.forEach((e, i) => {
    const field = `events[${i}]`;
    if (!isObject(e)) return err(d.label, field, 'must be an object {url, method, on}');
    if (typeof e.url !== 'string' || !isAbsoluteHttpUrl(e.url)) err(d.label, `${field}.url`, 'must be an absolute http(s) URL');
    const method = e.method ?? 'POST';
    if (method !== 'GET' && method !== 'POST') err(d.label, `${field}.method`, 'must be one of: GET, POST');
    const on = e.on ?? ['completed'];
    const allowed = [...NODE_EVENTS, ...states];
    if (!Array.isArray(on) || on.some((x) => typeof x !== 'string')) err(d.label, `${field}.on`, 'must be a list of node events');
    else for (const x of on) if (!allowed.includes(stateKey(x, allowed))) err(d.label, `${field}.on`, `"${x}" is not an event of this node: one of ${allowed.join(', ')}`);
    if (typeof e.url === 'string' && Array.isArray(on)) out.push({ url: e.url, method: method === 'GET' ? 'GET' : 'POST', on: on.map((x) => stateKey(String(x), allowed)) });
  });
  return out;
}

function checkWarnings(
  drafts: Draft[],
  start: Draft,
  byId: Map<string, Draft>,
  payloadUsed: Map<string, string[]>,
  warn: (node: string | null, field: string, message: string) => void,
): void {
  const nodes = drafts.map((d) => d.node);
  const reachable = reachableFrom(nodes, start.node.node_id);
  for (const d of drafts) if (!reachable.has(d.node.node_id)) warn(d.label, 'node', 'no run can reach this node: nothing leads to it from the start node');

  for (const loop of unboundedLoops(nodes, (n) => !!components[n.node_type]?.boundsLoops)) {
    const names = loop.map((id) => byId.get(id)!.label);
    warn(names[0], 'transitions', `loop ${names.join(' → ')} → ${names[0]} has no counter or input node on it; a run going round it ends at the 200-node limit`);
  }

  for (const d of drafts) {
    for (const state of d.component?.failureStates ?? []) {
      if (!d.node.transitions[state]) warn(d.label, `transitions.${state}`, `is not connected: a run whose call ends ${state.replace('_', ' ')} stops here`);
    }
  }

  const declared = (start.node.config.payload as Record<string, unknown> | undefined) ?? {};
  for (const [key, where] of payloadUsed) {
    if (!(key in declared)) warn(start.label, `config.payload.${key}`, `is used by ${where.join(', ')} but not declared in the start node's payload (runs without it render it empty)`);
  }
}
