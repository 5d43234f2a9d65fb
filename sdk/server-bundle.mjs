// The server's TypeScript as one JavaScript module for switchboard/testing:
// loading ~250 files through tsx's module hooks (a worker thread answering
// each import) cost 2.5–2.8 s of CPU in every test process, one module is
// read in about a second. esbuild (tsx's own compiler) builds it on first use
// into node_modules/.cache/switchboard/, keyed by the sources' paths, sizes
// and times, so an edited source builds a new one. npm packages stay
// imports, resolved from the package as before; each source's
// import.meta.url and import.meta.dirname keep naming the source file, so
// the files found beside it (resources/, the console's web/, workers) are
// found as before.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The bundle of `root`/src/index.ts, built when missing or out of date; answers its path. */
export async function serverBundle(root) {
  const { build, version } = await import('esbuild');
  const dir = path.join(root, 'node_modules', '.cache', 'switchboard');
  const name = `server-${sourcesKey(path.join(root, 'src'), version)}.mjs`;
  const file = path.join(dir, name);
  if (fs.existsSync(file)) return file;
  const result = await build({
    entryPoints: [path.join(root, 'src', 'index.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    write: false,
    logLevel: 'silent',
    plugins: [sourceLocations],
  });
  fs.mkdirSync(dir, { recursive: true });
  // Written aside and renamed, the map first: a process building at the same time, or one reading, sees whole files.
  for (const out of [...result.outputFiles].sort((a) => (a.path.endsWith('.map') ? -1 : 1))) {
    const tmp = `${out.path}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, out.contents);
    fs.renameSync(tmp, out.path);
  }
  for (const old of fs.readdirSync(dir)) {
    if (old.startsWith('server-') && !old.startsWith(name)) fs.rmSync(path.join(dir, old), { force: true });
  }
  return file;
}

/** Every source's path, size and modification time (and the compiler's version), hashed. */
function sourcesKey(src, compilerVersion) {
  const hash = crypto.createHash('sha256').update(compilerVersion);
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else {
        const st = fs.statSync(p);
        hash.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
      }
    }
  };
  walk(src);
  return hash.digest('hex').slice(0, 16);
}

/** An esbuild plugin: a source's import.meta.url and import.meta.dirname become its own location. */
const sourceLocations = {
  name: 'source-locations',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      let contents = await fs.promises.readFile(args.path, 'utf8');
      if (contents.includes('import.meta')) {
        contents = contents
          .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)))
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      }
      return { contents, loader: 'ts' };
    });
  },
};
