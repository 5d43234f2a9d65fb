// What every call builds keeps one hidden class per shape. Under Node 20's V8 an
// object literal that starts with a spread and then adds keys (`{ ...row, seq }`,
// `{ ...a, ...b }`) gets a hidden class and descriptor array of its own for each
// object made: measured 3–50 µs and 0.8–9 KB per object against ~0.1 µs and the
// object's own size for `Object.assign(a, …)` or a literal that starts with a
// property (docs/decisions.md, "No object literal on a call's path starts with a
// spread"). This test keeps such literals out of the modules every call runs through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '..');
/** The modules a call's set-up, life and end run through (its records, callbacks, rating, debug log and media commands). */
const CALL_PATH = ['src/voice/engine', 'src/telephony/sip/rtp', 'src/webhooks', 'src/platform/pricing.ts', 'src/platform/call-log.ts', 'src/store/repos/call-log.ts'];

function files(p: string): string[] {
  const full = path.join(ROOT, p);
  if (!fs.statSync(full).isDirectory()) return [full];
  return fs.readdirSync(full).flatMap((name) => (name.endsWith('.ts') || fs.statSync(path.join(full, name)).isDirectory() ? files(path.join(p, name)) : []));
}

/** `file:line` of each object literal that starts with a spread and has more after it. */
function spreadThenKeys(file: string): string[] {
  const src = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isObjectLiteralExpression(n) && n.properties.length > 1 && ts.isSpreadAssignment(n.properties[0]!)) {
      found.push(`${path.relative(ROOT, file)}:${src.getLineAndCharacterOfPosition(n.getStart()).line + 1}: ${n.getText().replace(/\s+/g, ' ').slice(0, 80)}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return found;
}

test('no object literal on a call\'s path starts with a spread and adds keys after it', () => {
  const found = CALL_PATH.flatMap(files).flatMap(spreadThenKeys);
  assert.deepEqual(found, [], `write Object.assign(made, { … }), or start the literal with a property:\n${found.join('\n')}`);
});

test('the check finds such a literal', () => {
  const probe = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'object-shapes-')), 'probe.ts');
  fs.writeFileSync(probe, 'const a = { x: 1 };\nexport const b = { ...a, y: 2 };\nexport const c = { y: 2, ...a };\nexport const d = { ...a };\n');
  try {
    assert.deepEqual(spreadThenKeys(probe).map((f) => f.replace(/^.*probe\.ts:/, '')), ['2: { ...a, y: 2 }']);
  } finally {
    fs.rmSync(path.dirname(probe), { recursive: true, force: true });
  }
});
