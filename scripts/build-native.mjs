// The checkout's `postprepare` step (`npm ci` and `npm install` run it in
// the repository itself, never in an application that installs the package):
// builds the media workers' batched-UDP addon (native/rtp-udp) with npm's own
// node-gyp. It is optional: where it cannot be built (no C compiler or Node
// headers, not Linux) this prints one line and succeeds, and the media
// workers use node:dgram, saying so once when they start.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'native', 'rtp-udp');
const skip = (why) => {
  console.log(`native/rtp-udp not built (${why}): the RTP media workers will use node:dgram`);
  process.exit(0);
};
if (process.platform !== 'linux') skip(`batched UDP is Linux-only; this is ${process.platform}`);
if (!existsSync(join(dir, 'binding.gyp'))) process.exit(0); // an installed copy of the package carries no native sources
// npm tells its scripts where its bundled node-gyp is; outside npm, look beside npm itself.
const gyp = process.env.npm_config_node_gyp ?? join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
if (!existsSync(gyp)) skip(`node-gyp not found at ${gyp}`);
// Node's own headers when they came with it (npm's config usually says so already): nothing to download.
const prefix = join(dirname(process.execPath), '..');
const nodedir = !process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? [`--nodedir=${prefix}`] : [];
const run = spawnSync(process.execPath, [gyp, 'rebuild', '--loglevel=error', ...nodedir], { cwd: dir, encoding: 'utf8' });
if (run.status !== 0) {
  const lines = `${run.stderr ?? ''}${run.stdout ?? ''}`.split('\n').filter((l) => /error/i.test(l));
  skip(`node-gyp failed: ${lines[0]?.trim() ?? run.error?.message ?? `exit ${run.status}`}`);
}
