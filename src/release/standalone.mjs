// `npm run package`: pgtop as one file that runs with no Node and no
// node_modules on the machine (docs/install.md). Node 20's single executable
// application: this Node binary, with pgtop's bundle (its chunks, the SQL
// inside) injected as an asset and started by sea-main.cjs.
// Writes dist/release/pgtop-linux-<arch> and its .sha256.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'postject';
import { bundleOptions } from '../bundle-options.mjs';

const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'dist', 'release');
const work = join(out, 'work');
const name = `pgtop-${process.platform}-${process.arch}`;

function fail(message) {
  process.stderr.write(`npm run package: ${message}\n`);
  process.exit(1);
}

// A Node built without single executable support (a distribution's shared libnode) has no fuse to flip.
const node = readFileSync(process.execPath);
if (!node.includes(FUSE)) fail(`${process.execPath} cannot make single executables (no SEA fuse): use an official Node ${process.version} build`);

rmSync(out, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

// The bundle as the build makes it (chunks: Ink only for the dashboard), with
// `require` for Node's built-ins made from the executable's path (its
// modules have pgtop:/ URLs, not file: ones), into one JSON asset.
const options = bundleOptions(root);
const bundleDir = join(work, 'bundle');
await build({
  ...options,
  entryPoints: [join(root, 'src/cli/main.ts')],
  outdir: bundleDir,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  define: { ...options.define, PGTOP_STANDALONE: 'true' },
  banner: { js: "import { createRequire as __pgtopCreateRequire } from 'node:module'; const require = __pgtopCreateRequire(process.execPath);" },
});
const files = Object.fromEntries(
  readdirSync(bundleDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => [file.split(sep).join('/'), readFileSync(join(bundleDir, file), 'utf8')]),
);
writeFileSync(join(work, 'bundle.json'), JSON.stringify(files));

copyFileSync(join(root, 'src/release/sea-main.cjs'), join(work, 'sea-main.cjs'));
writeFileSync(
  join(work, 'sea-config.json'),
  JSON.stringify({ main: 'sea-main.cjs', output: 'pgtop.blob', disableExperimentalSEAWarning: true, assets: { 'bundle.json': 'bundle.json' } }),
);
execFileSync(process.execPath, ['--experimental-sea-config', 'sea-config.json'], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });

const target = join(out, name);
copyFileSync(process.execPath, target);
chmodSync(target, 0o755);
await inject(target, 'NODE_SEA_BLOB', readFileSync(join(work, 'pgtop.blob')), { sentinelFuse: FUSE });

const sha256 = createHash('sha256').update(readFileSync(target)).digest('hex');
writeFileSync(`${target}.sha256`, `${sha256}  ${name}\n`);
rmSync(work, { recursive: true, force: true });
const mb = (statSync(target).size / 1e6).toFixed(1);
process.stdout.write(`wrote ${join('dist', 'release', name)} (${mb} MB, Node ${process.version}) and ${name}.sha256\n`);
