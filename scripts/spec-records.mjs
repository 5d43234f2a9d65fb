#!/usr/bin/env node
// Builds the machine-readable record of the platform references that the
// spec-shape suite (test/spec/) checks us against: for every documented
// operation its method and path, the request parameters the reference marks
// required, and for every response example its status and each field's type
// and format. Run once per reference update and review the diff:
//
//   node scripts/spec-records.mjs ../shared/spec      # writes test/spec/records/*.json
//
// The references are web pages flattened to text, so the parsing is
// heuristic; what review found it gets wrong is corrected in REVIEWED below,
// so that running the script again reproduces the committed records.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const specDir = path.resolve(process.argv[2] ?? path.join(root, '../shared/spec'));
const outDir = path.join(root, 'test/spec/records');

// ---- value formats -------------------------------------------------------

const FORMATS = [
  ['uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i],
  ['datetime-offset', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/],
  ['datetime', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/],
  ['iso-datetime', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/],
  ['date', /^\d{4}-\d{2}-\d{2}$/],
  ['decimal', /^-?\d+\.\d+$/],
  ['digits', /^\d+$/],
  ['bool-string', /^(true|false)$/],
  ['api-path', /^\/v\d\/\S*$/],
  ['url', /^(https?|wss?):\/\/\S+$/],
];

/** The format a string example shows, or undefined for free text. */
export function formatOf(value) {
  for (const [name, re] of FORMATS) if (re.test(value)) return name;
  return undefined;
}

function typeOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

/** field path → {type, format?}; arrays of objects as `name[].field`. */
function fieldsOf(value, prefix = '', out = {}) {
  for (const [key, v] of Object.entries(value)) {
    const name = prefix + key;
    const t = typeOf(v);
    out[name] = t === 'string' && formatOf(v) ? { type: t, format: formatOf(v) } : { type: t };
    if (t === 'object') fieldsOf(v, `${name}.`, out);
    if (t === 'array' && v.length > 0) {
      const first = v[0];
      if (typeOf(first) === 'object') fieldsOf(first, `${name}[].`, out);
      else out[`${name}[]`] = typeOf(first) === 'string' && formatOf(first) ? { type: 'string', format: formatOf(first) } : { type: typeOf(first) };
    }
  }
  return out;
}

// ---- JSON examples as the pages print them --------------------------------

/** Drop `// comments` outside strings and trailing commas, so JSON.parse reads it. */
function cleanJson(text) {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else out += c;
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

/** The balanced {...} starting at line `start`, or undefined. */
function jsonBlock(lines, start) {
  let depth = 0;
  let text = '';
  for (let i = start; i < lines.length && i < start + 400; i++) {
    const line = lines[i];
    text += line + '\n';
    for (const ch of line.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
      if (ch === '{' || ch === '[') depth++;
      if (ch === '}' || ch === ']') depth--;
    }
    if (depth === 0) {
      try {
        return { value: JSON.parse(cleanJson(text)), end: i };
      } catch (err) {
        return { error: err.message, text, end: i };
      }
    }
  }
  return undefined;
}

// ---- the reference pages -------------------------------------------------

const ENDPOINT = /^\s*(GET|POST|DELETE|PUT)\s*(https?:\/\/.+?)\s*$/i;
/** Where a resource's chapter starts: its base URI, or its object's heading. */
const CHAPTER = /^\s*(BaseURI https?:\/\/|The [\w ]+ [oO]bject$)/;

/** The path as our routes spell it: the pages name the same placeholder several ways. */
function normalisePath(pathname) {
  return pathname
    .replace(/^\/v1\/DELETE\//, '/v1/')
    .replace(/\{auth_?id\}/gi, '{auth_id}')
    .replace(/\{member_?id\}/gi, '{member_id}')
    .replace(/\{all\|member_id\}/, '{member_id}')
    .replace(/\{mpc_name\/UUID\}|\{\[name\|uuid\]_\[<name\|uuid>\]\}/, 'name_{mpc_name}')
    .replace(/\{stream_uuid\}/i, '{stream_id}');
}
const snake = (s) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

function titleAbove(lines, i) {
  // Title, description, "API Endpoint", endpoint: the title is the first short
  // line without a full stop above the endpoint's heading.
  for (let j = i - 1, seen = 0; j >= 0 && seen < 12; j--) {
    const t = lines[j].trim();
    if (t === '' || /^(API )?Endpoint$/.test(t)) continue;
    seen++;
    if (t.length < 80 && !/[.:]$/.test(t) && !ENDPOINT.test(t)) return t;
  }
  return '';
}

function requiredIn(lines, from, to) {
  const required = new Set();
  const conditional = new Set();
  for (let i = from; i < to; i++) {
    const t = lines[i].trim();
    if (/^(Example Request|Returns|Response)$/.test(t)) break;
    let m = /^([A-Za-z_][\w]*?)\s*(?:\(Mandatory\)|Required|required\b|string\s*required|stringrequired)/.exec(t);
    if (m && !/—\s*Conditional|only if/.test(t)) required.add(snake(m[1]));
    else if (m) conditional.add(snake(m[1]));
    m = /^([A-Za-z_]\w*)$/.exec(t);
    if (m && /^Required\s*$/.test(lines[i + 1]?.trim() ?? '')) required.add(snake(m[1]));
    if (m && /^Required\s*—\s*Conditional/.test(lines[i + 1]?.trim() ?? '')) conditional.add(snake(m[1]));
  }
  return { required: [...required], conditional: [...conditional] };
}

/** Parameters the path already carries (call_uuid, phlo_id …) are not body parameters. */
function withoutPathParams({ required, conditional }, pathname) {
  const inPath = (name) => pathname.toLowerCase().includes(`{${name}}`);
  return { required: required.filter((n) => !inPath(n)), conditional: conditional.filter((n) => !inPath(n)) };
}

function responsesIn(lines, from, to, file, heading = /^Response$/) {
  const responses = [];
  const problems = [];
  for (let i = from; i < to; i++) {
    if (!heading.test(lines[i].trim())) continue;
    let status;
    let label = '';
    for (let j = i + 1; j < to; j++) {
      const t = lines[j].trim();
      if (t === '') continue;
      if (t === 'Response' || ENDPOINT.test(t)) break;
      const s = /^HTTP Status Code:\s*(\d{3})/i.exec(t);
      if (s) {
        if (status !== undefined && !responses.some((r) => r.status === status)) responses.push({ status, label, line: j, fields: {} });
        status = Number(s[1]);
        continue;
      }
      if (t.startsWith('{')) {
        const block = jsonBlock(lines, j);
        if (!block) break;
        if (block.error) problems.push(`${file}:${j + 1}: example does not parse (${block.error})`);
        else responses.push({ status: status ?? null, label, line: j + 1, fields: fieldsOf(block.value) });
        j = block.end;
        label = '';
        continue;
      }
      if (/^(Was this code helpful|Example Request|\d+)$/.test(t) || CHAPTER.test(t)) break;
      label = t;
    }
    // A status without an example: an answer with no body.
    if (status !== undefined && !responses.some((r) => r.status === status)) responses.push({ status, label, line: i + 1, fields: {} });
  }
  return { responses, problems };
}

function operationsOf(file, idPrefix) {
  const lines = fs.readFileSync(path.join(specDir, file), 'utf8').split('\n');
  const starts = [];
  const chapters = [];
  lines.forEach((l, i) => {
    const m = ENDPOINT.exec(l);
    if (m && !/\{version\}|\/v1\/$/.test(m[2])) starts.push({ i, method: m[1].toUpperCase(), url: m[2] });
    if (CHAPTER.test(l)) chapters.push(i);
  });
  const ops = [];
  const objects = [];
  const problems = [];
  // A chapter's object example sits between its heading and its first operation.
  chapters.forEach((c, k) => {
    const end = Math.min(starts.find((s) => s.i > c)?.i ?? lines.length, chapters[k + 1] ?? lines.length);
    const { responses, problems: p } = responsesIn(lines, c, end, file, /^(Example [oO]bject|Response)$/);
    problems.push(...p);
    for (const r of responses) if (Object.keys(r.fields).length) objects.push({ id: `${idPrefix}-object:${r.line}`, source: `${file}:${r.line}`, object: lines[c].trim(), fields: r.fields });
  });
  starts.forEach((s, k) => {
    const nextOp = k + 1 < starts.length ? starts[k + 1].i - 6 : lines.length;
    const end = Math.min(nextOp, chapters.find((c) => c > s.i) ?? lines.length);
    const u = new URL(s.url.replace(/ /g, '').replace(/[{}|<>[\]]/g, (c) => encodeURIComponent(c)));
    const pathname = normalisePath(decodeURIComponent(u.pathname));
    const { responses, problems: p } = responsesIn(lines, s.i + 1, end, file);
    problems.push(...p);
    ops.push({
      id: `${idPrefix}:${s.i + 1}`,
      source: `${file}:${s.i + 1}`,
      operation: titleAbove(lines, s.i),
      method: s.method,
      host: u.host,
      path: pathname,
      query: Object.fromEntries(u.searchParams),
      ...withoutPathParams(requiredIn(lines, s.i + 1, end), pathname),
      responses,
    });
  });
  return { ops, objects, problems };
}

/** platform-functions.md has no paths or examples: required parameters per function, placed on the path they use. */
function platformFunctions() {
  const text = fs.readFileSync(path.join(specDir, 'platform-functions.md'), 'utf8');
  const ops = [];
  for (const section of text.split(/^## /m).slice(1)) {
    const [head, ...rest] = section.split('\n');
    const m = /^Plivo\.(\w+)/.exec(head);
    if (!m) continue;
    const required = [];
    for (const row of rest) {
      const cells = row.split('|').map((c) => c.trim()).slice(row.trim().startsWith('|') ? 1 : 0);
      if (cells.length >= 3 && /^Required/.test(cells[2]) && !/^auth(Id|Token)$/.test(cells[0])) required.push(snake(cells[0]));
    }
    ops.push({ id: `platform:${m[1]}`, source: `platform-functions.md#${m[1]}`, operation: m[1], required });
  }
  return ops;
}

// ---- what review corrected -------------------------------------------------

/**
 * Applied after parsing; each entry says why. Keys are record ids
 * (file prefix and the endpoint's line).
 */
const REVIEWED = JSON.parse(fs.readFileSync(path.join(outDir, 'reviewed.json'), 'utf8'));

/** Path placeholders are not body parameters (platform-functions.md lists them with the rest). */
function review(op) {
  const fix = REVIEWED[op.id];
  const out = fix ? { ...op, ...fix.set, review: fix.why } : op;
  if (out.path && out.required) out.required = out.required.filter((n) => !out.path.includes(`{${n}}`));
  return out;
}

fs.mkdirSync(outDir, { recursive: true });
const report = [];
for (const [file, prefix] of [['voice-api.txt', 'voice'], ['phlo-api.txt', 'phlo']]) {
  const { ops, objects, problems } = operationsOf(file, prefix);
  const records = [...ops, ...objects].map(review).filter((r) => !r.drop);
  fs.writeFileSync(path.join(outDir, `${prefix}.json`), JSON.stringify(records, null, 2) + '\n');
  report.push(`${file}: ${ops.length} operations, ${ops.reduce((n, o) => n + o.responses.length, 0)} response examples, ${objects.length} object examples`, ...problems);
}
const functions = platformFunctions().map(review);
fs.writeFileSync(path.join(outDir, 'platform.json'), JSON.stringify(functions, null, 2) + '\n');
report.push(`platform-functions.md: ${functions.length} functions`);
console.log(report.join('\n'));
