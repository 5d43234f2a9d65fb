// Flows (PHLO), read-only: each drawn as a graph laid out by elkjs (loaded
// only here), a node's settings on click, validation findings on the nodes,
// and a run's path highlighted from its trace.
import { html, useEffect, useMemo, useState } from '../lib/html.js';
import { get, getAll } from '../lib/api.js';
import { useList } from '../lib/crud.js';
import { Empty, ErrorNote, Status, when } from '../lib/format.js';
import { href } from '../lib/router.js';

export default function Flows({ route }) {
  return route[0] ? html`<${Flow} id=${route[0]} />` : html`<${FlowList} />`;
}

function FlowList() {
  const list = useList('Phlo/');
  return html`<h1>Flows</h1>
    <p class="intro">Flows are created with the PHLO API or <code>switchboard phlo push</code>; here they are drawn and their runs traced.</p>
    <${ErrorNote} error=${list.error} />
    ${list.loading ? html`<p>Loading…</p>` : list.objects.length === 0 ? html`<${Empty}>No flows yet.</${Empty}>` : html`
    <div class="table-wrap"><table><caption class="sr-only">Flows</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Nodes</th><th scope="col">Version</th><th scope="col">Updated</th></tr></thead>
      <tbody>${list.objects.map((f) => html`<tr key=${f.phlo_id}><td><a href=${href('flows', f.phlo_id)}>${f.name}</a></td><td>${f.node_count}</td><td>${f.version}</td><td>${when(f.updated_on)}</td></tr>`)}</tbody>
    </table></div>`}`;
}

let elk = null;
/** elkjs is a classic script (UMD): loaded once, on first use, from this server. */
function layoutEngine() {
  elk ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/console/vendor/elk.bundled.js';
    script.onload = () => resolve(new window.ELK());
    script.onerror = () => reject(new Error('the graph layout library could not be loaded'));
    document.head.append(script);
  });
  return elk;
}

const NODE_HEIGHT = 52;
const nodeWidth = (n) => Math.max(190, 8 * Math.max(n.name.length, n.node_type.length) + 110);

async function layout(nodes) {
  const byKey = new Map(nodes.flatMap((n) => [[n.node_id, n], [n.name, n]]));
  const edges = nodes.flatMap((n) =>
    Object.entries(n.transitions ?? {})
      .filter(([, target]) => byKey.has(target))
      .map(([state, target]) => ({ id: `${n.node_id}:${state}`, sources: [n.node_id], targets: [byKey.get(target).node_id], labels: [{ text: state, width: 7 * state.length + 10, height: 16 }] })),
  );
  const graph = await (await layoutEngine()).layout({
    id: 'flow',
    layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'DOWN', 'elk.spacing.nodeNode': '36', 'elk.layered.spacing.nodeNodeBetweenLayers': '56', 'elk.edgeRouting': 'ORTHOGONAL', 'elk.padding': '[top=16,left=16,bottom=16,right=16]' },
    children: nodes.map((n) => ({ id: n.node_id, width: nodeWidth(n), height: NODE_HEIGHT })),
    edges,
  });
  return graph;
}

function Flow({ id }) {
  const [flow, setFlow] = useState(null);
  const [graph, setGraph] = useState(null);
  const [runs, setRuns] = useState([]);
  const [runId, setRunId] = useState(new URLSearchParams(location.hash.split('?')[1]).get('run') ?? '');
  const [selected, setSelected] = useState(null);
  const [error, setError] = useState(null);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const f = await get(`Phlo/${id}/`);
        const [g, r] = await Promise.all([layout(f.nodes), getAll(`Phlo/${id}/Run/`, {}, 100)]);
        if (!live) return;
        setFlow(f);
        setGraph(g);
        setRuns(r);
      } catch (e) {
        if (live) setError(e);
      }
    })();
    return () => {
      live = false;
    };
  }, [id]);

  const run = runs.find((r) => r.run_id === runId);
  const path = useMemo(() => pathOf(run), [run]);
  const findings = useMemo(() => findingsByNode(flow), [flow]);
  const node = flow?.nodes.find((n) => n.node_id === selected);

  return html`<p><a href=${href('flows')}>← All flows</a></p>
    <${ErrorNote} error=${error} />
    ${!flow ? !error && html`<p>Loading…</p>` : html`
    <h1>Flow ${flow.name}</h1>
    ${flow.description && html`<p class="intro">${flow.description}</p>`}
    <dl class="facts"><dt>Version</dt><dd>${flow.version}</dd><dt>Updated</dt><dd>${when(flow.updated_on)}</dd><dt>Runner URL</dt><dd><code>${flow.phlo_url}</code></dd></dl>
    ${findings.all.length > 0 && html`<section aria-labelledby="warn-h"><h2 id="warn-h">Validation</h2><ul class="findings">${findings.all.map((w) => html`<li class=${w.level}><strong>${w.level}</strong> ${w.node ? html`<button type="button" class="link" onClick=${() => setSelected(nodeIdOf(flow, w.node))}>${w.node}</button>` : 'flow'}${w.field ? ` (${w.field})` : ''}: ${w.message}</li>`)}</ul></section>`}
    <div class="field inline-filter"><label for="run-pick">Show a run's path</label>
      <select id="run-pick" value=${runId} onChange=${(e) => setRunId(e.target.value)}>
        <option value="">(none)</option>
        ${runs.map((r) => html`<option value=${r.run_id}>${when(r.created_on)} · ${r.trigger} · ${r.status}</option>`)}
      </select></div>
    ${run && html`<p class="meta" role="status">Run <code>${run.run_id}</code>: <${Status} value=${run.status} /> ${run.reason ?? ''} — ${run.steps.length} steps.</p>`}
    <div class="flow-view">
      <${Graph} graph=${graph} flow=${flow} path=${path} findings=${findings} selected=${selected} onSelect=${setSelected} />
      <${NodePanel} node=${node} findings=${node ? findings.byNode.get(node.name) ?? [] : []} step=${node && run ? run.steps.filter((s) => s.node_id === node.node_id) : []} />
    </div>`}`;
}

const nodeIdOf = (flow, name) => flow.nodes.find((n) => n.name === name || n.node_id === name)?.node_id ?? null;

function findingsByNode(flow) {
  const all = [...(flow?.errors ?? []).map((e) => ({ ...e, level: 'error' })), ...(flow?.warnings ?? []).map((w) => ({ ...w, level: 'warning' }))];
  const byNode = new Map();
  for (const f of all) if (f.node) byNode.set(f.node, [...(byNode.get(f.node) ?? []), f]);
  return { all, byNode };
}

/** The nodes a run entered, and the transitions it took (step i left by its state into step i+1). */
function pathOf(run) {
  const nodes = new Set();
  const edges = new Set();
  if (!run) return { nodes, edges };
  run.steps.forEach((s, i) => {
    nodes.add(s.node_id);
    if (s.state && run.steps[i + 1]) edges.add(`${s.node_id}:${s.state}`);
  });
  return { nodes, edges };
}

function Graph({ graph, flow, path, findings, selected, onSelect }) {
  const byId = new Map(flow.nodes.map((n) => [n.node_id, n]));
  return html`<svg class="flow" viewBox=${`0 0 ${graph.width} ${graph.height}`} width=${graph.width} role="group" aria-label=${`Graph of flow ${flow.name}`}>
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" /></marker></defs>
    ${graph.edges.map((e) => {
      const points = e.sections.flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]);
      const label = e.labels?.[0];
      return html`<g key=${e.id} class=${`edge${path.edges.has(e.id) ? ' ran' : ''}`} aria-hidden="true">
        <polyline points=${points.map((p) => `${p.x},${p.y}`).join(' ')} marker-end="url(#arrow)" />
        ${label && html`<text x=${label.x + label.width / 2} y=${label.y + 12} text-anchor="middle">${label.text}</text>`}
      </g>`;
    })}
    ${graph.children.map((c) => {
      const n = byId.get(c.id);
      const found = findings.byNode.get(n.name) ?? [];
      const level = found.some((f) => f.level === 'error') ? ' error' : found.length ? ' warning' : '';
      // What colour shows is also written on the node (findings, on the run path): its text is its accessible name.
      const flag = level.trim() === 'error' ? '✖' : '⚠';
      const cls = `node${level}${path.nodes.has(n.node_id) ? ' ran' : ''}${selected === n.node_id ? ' selected' : ''}`;
      const choose = () => onSelect(n.node_id);
      return html`<g key=${c.id} class=${cls} transform=${`translate(${c.x},${c.y})`} role="button" tabindex="0"
          aria-pressed=${selected === n.node_id}
          onClick=${choose} onKeyDown=${(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), choose())}>
        <rect width=${c.width} height=${c.height} rx="6" />
        <text x="12" y="21" class="name">${`${n.name} `}</text>
        <text x="12" y="40" class="type">${`${n.node_type} `}</text>
        ${found.length > 0 && html`<text x=${c.width - 12} y="21" text-anchor="end" class="flag">${`${flag} ${found.length} ${found.length > 1 ? 'findings' : 'finding'} `}</text>`}
        ${path.nodes.has(n.node_id) && html`<text x=${c.width - 12} y="40" text-anchor="end" class="ran-mark">✔ ran</text>`}
      </g>`;
    })}
  </svg>`;
}

function NodePanel({ node, findings, step }) {
  if (!node) return html`<aside class="panel node-panel" aria-label="Node"><p class="meta">Choose a node (click it, or Tab to it and press Enter) to see its settings.</p></aside>`;
  return html`<aside class="panel node-panel" aria-label=${`Node ${node.name}`}>
    <h2>${node.name}</h2>
    <dl class="facts small"><dt>Type</dt><dd>${node.node_type}</dd><dt>ID</dt><dd><code>${node.node_id}</code></dd></dl>
    ${findings.length > 0 && html`<ul class="findings">${findings.map((f) => html`<li class=${f.level}><strong>${f.level}</strong> ${f.field ? `${f.field}: ` : ''}${f.message}</li>`)}</ul>`}
    <h3>Config</h3><pre>${JSON.stringify(node.config ?? {}, null, 2)}</pre>
    <h3>Transitions</h3>
    ${Object.keys(node.transitions ?? {}).length === 0 ? html`<p class="meta">none: a run ends here</p>` : html`<ul class="plain">${Object.entries(node.transitions).map(([state, target]) => html`<li><code>${state}</code> → ${target}</li>`)}</ul>`}
    ${step.map((s) => html`<h3>In this run</h3><dl class="facts small"><dt>Entered</dt><dd>${when(s.entered_at)}</dd><dt>Left</dt><dd>${when(s.left_at)}</dd><dt>State</dt><dd>${s.state ?? '—'}</dd></dl><pre>${JSON.stringify(s.variables ?? {}, null, 2)}</pre>`)}
  </aside>`;
}
