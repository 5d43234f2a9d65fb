// Graph questions about a flow, on node_ids: what a run can reach, which
// loops nothing bounds, and where a run can arrive without a live call.
import type { PhloNode } from './phlo-document.ts';

export interface Edge {
  from: string;
  state: string;
  to: string;
}

export function edgesOf(nodes: readonly PhloNode[]): Edge[] {
  return nodes.flatMap((n) => Object.entries(n.transitions).map(([state, to]) => ({ from: n.node_id, state, to })));
}

function adjacency(nodes: readonly PhloNode[], keep: (id: string) => boolean = () => true): Map<string, string[]> {
  const adj = new Map<string, string[]>(nodes.filter((n) => keep(n.node_id)).map((n) => [n.node_id, []]));
  for (const e of edgesOf(nodes)) if (adj.has(e.from) && adj.has(e.to)) adj.get(e.from)!.push(e.to);
  return adj;
}

/** node_ids a run starting at `from` can reach, `from` included. */
export function reachableFrom(nodes: readonly PhloNode[], from: string): Set<string> {
  const adj = adjacency(nodes);
  const seen = new Set<string>([from]);
  const todo = [from];
  while (todo.length) {
    for (const next of adj.get(todo.pop()!) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        todo.push(next);
      }
    }
  }
  return seen;
}

/**
 * Loops that no bounding node (a counter, a node waiting for input) sits on:
 * the strongly connected components, with a cycle, of the graph once the
 * bounding nodes are taken out (Tarjan's algorithm, iterative).
 */
export function unboundedLoops(nodes: readonly PhloNode[], bounds: (n: PhloNode) => boolean): string[][] {
  const bounding = new Set(nodes.filter(bounds).map((n) => n.node_id));
  const adj = adjacency(nodes, (id) => !bounding.has(id));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const loops: string[][] = [];
  let counter = 0;

  for (const root of adj.keys()) {
    if (index.has(root)) continue;
    const frames: Array<{ id: string; next: number }> = [{ id: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (frames.length) {
      const frame = frames[frames.length - 1];
      const succ = adj.get(frame.id)!;
      if (frame.next < succ.length) {
        const w = succ[frame.next++];
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          frames.push({ id: w, next: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(w)!));
        }
        continue;
      }
      frames.pop();
      if (frames.length) {
        const parent = frames[frames.length - 1].id;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.id)!));
      }
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== frame.id);
        const selfLoop = component.length === 1 && succ.includes(frame.id);
        if (component.length > 1 || selfLoop) loops.push(component.reverse());
      }
    }
  }
  return loops;
}

/**
 * Nodes a run can arrive at with no live call, each with the transition
 * that brings it there ("Start.api_request"). A call is live after an edge
 * for which `opensCall` holds and stays live along every later edge.
 */
export function reachedWithoutCall(
  nodes: readonly PhloNode[],
  startId: string,
  opensCall: (node: PhloNode, state: string) => boolean,
): Map<string, string> {
  const byId = new Map(nodes.map((n) => [n.node_id, n]));
  const via = new Map<string, string>();
  const todo = [startId];
  const visited = new Set<string>([startId]);
  while (todo.length) {
    const node = byId.get(todo.pop()!)!;
    for (const [state, to] of Object.entries(node.transitions)) {
      if (opensCall(node, state) || !byId.has(to) || visited.has(to)) continue;
      visited.add(to);
      via.set(to, `${node.name}.${state}`);
      todo.push(to);
    }
  }
  return via;
}
