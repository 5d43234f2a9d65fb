// The dependency rules `npm test` checks (test/dependency-rules.test.ts):
// no import cycle anywhere in src/, and no import pointing up the layers.
// Layers, bottom-up (ARCHITECTURE.md): a folder may import its own files and
// folders of lower layers only. Small shared leaf modules (ids, money,
// errors, log, config) may be imported from everywhere.
const LAYERS = [
  ['clock', 'store'],
  ['platform'],
  ['webhooks'],
  ['media'],
  ['telephony'],
  ['plivo-xml'],
  ['voice', 'messaging'],
  // Flows drive calls and messages.
  ['phlo'],
  ['sandbox'],
];
// Front doors and the composition root, on top: they may import each other.
const FRONT = ['http', 'cli', 'services.ts', 'server.ts', 'index.ts'];
const LEAVES = ['ids.ts', 'money.ts', 'errors.ts', 'log.ts', 'config.ts'];

const path = (names) => `^src/(${names.map((n) => n.replace('.', '\\.')).join('|')})(/|$)`;

const upward = LAYERS.flatMap((layer, i) =>
  layer.map((name) => {
    // Same layer, other folder (voice ↔ messaging), or any layer above.
    const others = [...layer.filter((n) => n !== name), ...LAYERS.slice(i + 1).flat(), ...FRONT];
    return {
      name: `layers-${name}`,
      comment: `src/${name} may import only the layers below it (and its own files)`,
      severity: 'error',
      from: { path: path([name]) },
      to: { path: path(others) },
    };
  }),
);

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'an import cycle ties its modules together: none anywhere in src/ (type-only imports count)',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'telephony-knows-no-platform',
      comment: 'drivers speak to the network and to the engine through driver.ts; they never import the platform, the store or webhooks',
      severity: 'error',
      from: { path: '^src/telephony/' },
      to: { path: path(['platform', 'store', 'webhooks']) },
    },
    ...upward,
    {
      name: 'unknown-folder',
      comment: 'every folder of src/ has a layer here: add a new one to LAYERS',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: path([...LAYERS.flat(), ...FRONT, ...LEAVES]) },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.mjs$' },
  },
};
