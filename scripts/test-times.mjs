// A node:test reporter for `npm test`: after the run, the test files that
// took longest (the sum of their top-level tests and suites, hooks
// included; a file's top-level before/after hooks are not counted), so the
// suite's wall time has names attached.
const SHOWN = 12;

export default async function* slowestFiles(source) {
  const files = new Map();
  for await (const { type, data } of source) {
    if ((type !== 'test:pass' && type !== 'test:fail') || data.nesting !== 0 || !data.file) continue;
    const file = files.get(data.file) ?? { ms: 0, failed: false };
    file.ms += data.details?.duration_ms ?? 0;
    file.failed ||= type === 'test:fail';
    files.set(data.file, file);
  }
  if (files.size < 2) return;
  const root = process.cwd() + '/';
  const rows = [...files].sort((a, b) => b[1].ms - a[1].ms).slice(0, SHOWN);
  yield `\nslowest test files:\n${rows.map(([name, f]) => `${(f.ms / 1000).toFixed(1).padStart(7)} s  ${name.replace(root, '')}${f.failed ? '  (failed)' : ''}`).join('\n')}\n`;
}
