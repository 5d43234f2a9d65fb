// A PHLO as data: the document users write (JSON), and the normalised form
// the validator hands on (node types and state keys in snake_case, every
// transition pointing at a node_id). See docs/phlo.md for the format.

export const NODE_TYPES = [
  'start',
  'ivr_menu',
  'get_input',
  'initiate_call',
  'call_forward',
  'play_audio',
  'record_audio',
  'multi_party_call',
  'conference_bridge',
  'http_request',
  'branch',
  'counter',
  'send_sms',
  'hangup',
  'time_condition',
] as const;
export type NodeType = (typeof NODE_TYPES)[number];

/** Other names accepted for a node type on input (the console's component names). */
export const NODE_TYPE_ALIASES: Record<string, NodeType> = { send_message: 'send_sms' };

/** What starts a run; each is the start node's exit state of the same name. */
export type TriggerState = 'api_request' | 'incoming_call' | 'incoming_message';

export interface EventCallback {
  url: string;
  method: 'GET' | 'POST';
  /** Node events that post: `entered`, `completed` (the node left, whatever its state) or one of its exit states. */
  on: string[];
}

export interface PhloNode {
  node_id: string;
  name: string;
  node_type: NodeType;
  config: Record<string, unknown>;
  /** exit state → target node_id */
  transitions: Record<string, string>;
  position?: { x: number; y: number };
  events: EventCallback[];
}

/** A validated flow: what is stored and what runs execute (a run keeps the version it started with). */
export interface PhloGraph {
  name: string;
  description: string;
  nodes: PhloNode[];
}

/** One problem found in a document: the node it is about (its name, or null for the document) and the field. */
export interface Finding {
  node: string | null;
  field: string;
  message: string;
}

/** Template variable values of one run: node name → that node's variables. */
export type RunVariables = Record<string, Record<string, unknown>>;
