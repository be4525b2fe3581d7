// Builds pgtop into dist/ as an ES module bundle. One bundle loads in half
// the time of node_modules' thousands of files (time to first screen ~0.5 s
// instead of ~1 s); Ink and React sit in a chunk of their own that --once,
// --help and early failures never load. Type checking is tsc's job (npm run
// typecheck); this only bundles.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });

await build({
  entryPoints: [join(root, 'src/cli/main.ts')],
  outdir: join(root, 'dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // pg's optional native binding is never used.
  external: ['pg-native'],
  // Ink imports React DevTools only when DEV=true; pgtop never ships it.
  alias: { 'react-devtools-core': join(root, 'src/cli/devtools-stub.ts') },
  // CommonJS dependencies (pg) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __pgtopCreateRequire } from 'node:module'; const require = __pgtopCreateRequire(import.meta.url);" },
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
