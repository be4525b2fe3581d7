// How pgtop's code is bundled, shared by the build (src/build.mjs) and by
// the benchmark that bundles the dashboard the same way to measure it
// (bench/dashboard.ts), so both run exactly what ships.
import { join } from 'node:path';
import { bundlePatches } from './bundle-patches.mjs';

/** esbuild options for code under `root` (the repository). */
export function bundleOptions(root) {
  return {
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Node 20 has RegExp's v flag; left as literals, string-width's Unicode
    // regexes compile when first used instead of at load (~17 ms, for the
    // emoji one alone, before the first screen).
    supported: { 'regexp-set-notation': true },
    // pg's optional native binding is never used.
    external: ['pg-native'],
    // Ink imports React DevTools only when DEV=true; pgtop never ships it.
    alias: { 'react-devtools-core': join(root, 'src/cli/devtools-stub.ts') },
    // React's production build: its development build checks and records every
    // render (about a third more CPU and memory for the same dashboard).
    define: { 'process.env.NODE_ENV': '"production"' },
    // Ink's frame output without a grid of one object per cell, pg without a probe for Cloudflare (src/bundle-patches.mjs).
    plugins: [bundlePatches],
    // CommonJS dependencies (pg) call require() for Node's built-ins.
    banner: { js: "import { createRequire as __pgtopCreateRequire } from 'node:module'; const require = __pgtopCreateRequire(import.meta.url);" },
    // Less to parse before the first screen (~1.6 MB of JavaScript → ~1 MB;
    // V8 reads every byte of a module when it loads). Names are kept, so a
    // stack trace still says where.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  };
}
