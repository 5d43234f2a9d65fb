// String values in a node's config are Liquid templates ({{Menu.input}},
// {{Lookup.response.reply | default: "none"}}), rendered with liquidjs
// restricted to output tags and the filters the PHLO format names: no tags
// ({% if %}, {% assign %} …), no other filters. A variable of a node that has
// not run renders empty.
import { Liquid, type Template } from 'liquidjs';
import type { RunVariables } from './phlo-document.ts';

export const TEMPLATE_FILTERS = ['default', 'upcase', 'downcase', 'strip', 'size', 'url_encode', 'json'] as const;

const liquid = new Liquid({ strictFilters: true, strictVariables: false, ownPropertyOnly: true, cache: false });
for (const name of Object.keys(liquid.filters)) {
  if (!(TEMPLATE_FILTERS as readonly string[]).includes(name)) liquid.unregisterFilter(name);
}
for (const name of Object.keys(liquid.tags)) delete liquid.tags[name];

/** Parsed templates, shared by every run of every flow (a flow's strings repeat on each run). */
const parsed = new Map<string, Template[]>();
const MAX_CACHED = 10_000;

/** Whether a string needs rendering at all: most config strings are literals. */
export const isTemplate = (s: string): boolean => s.includes('{{') || s.includes('{%');

export type Parsed = { ok: true; template: Template[] } | { ok: false; error: string };

export function parseTemplate(source: string): Parsed {
  const hit = parsed.get(source);
  if (hit) return { ok: true, template: hit };
  try {
    const template = liquid.parse(source);
    if (parsed.size >= MAX_CACHED) parsed.delete(parsed.keys().next().value!);
    parsed.set(source, template);
    return { ok: true, template };
  } catch (err) {
    // liquidjs appends ", line:1, col:5" and a source excerpt; keep the first line.
    return { ok: false, error: (err as Error).message.split('\n')[0] };
  }
}

/** The variables a template reads, as dotted paths (`Start.http.params.from`). */
export function templatePaths(template: Template[]): string[] {
  return liquid.globalFullVariablesSync(template);
}

/** Render one string; a template that no longer parses (validated earlier, so never in practice) renders as itself. */
export function render(source: string, vars: RunVariables): string {
  if (!isTemplate(source)) return source;
  const p = parseTemplate(source);
  if (!p.ok) return source;
  return String(liquid.renderSync(p.template, vars) ?? '');
}

/** Render every string in a config value (objects and lists are walked). */
export function renderDeep(value: unknown, vars: RunVariables): unknown {
  if (typeof value === 'string') return render(value, vars);
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, vars));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, vars)]));
  }
  return value;
}

/** The PHLO boolean rule for values given as strings: `0`, `false` and empty are false, anything else true. */
export function toFlowBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === undefined || value === null) return false;
  const s = String(value).trim().toLowerCase();
  return !(s === '' || s === '0' || s === 'false');
}
