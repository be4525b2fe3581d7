// Changes to dependencies' code as esbuild bundles it, all for speed, all
// checked: the build fails if the code they expect has changed (after an
// upgrade: look again then). Used through src/bundle-options.mjs.
//  - Ink's renderer uses src/ink/fast-output.ts (see there why), with Ink's
//    own Output as its fallback.
//  - pg asks at load time whether it runs in a Cloudflare Worker by making a
//    `new Response()`, which makes Node 20 load its whole fetch
//    implementation (undici): ~35 ms of pgtop's ~0.4 s to the first screen.
//    pgtop only runs on Node, so the answer is no.
//  - yoga-layout (Ink's layout engine) would load the same fetch to read its
//    own inlined WebAssembly.
//  - Ink draws nothing until exit when CI or CONTINUOUS_INTEGRATION is set
//    (is-in-ci), to keep CI logs short. A terminal is interactive whatever
//    the environment says: under CI=true (a CI job, a shell that exports it)
//    pgtop would show a blank screen. Only a non-terminal stdout counts.
//  - Ink clears the whole terminal and writes the whole frame again, every
//    frame, when the last frame was as tall as the terminal, and pgtop's
//    always is: ~10 kB a refresh at 200x50 where a few lines changed, and
//    its incrementalRendering (changed lines only) never runs. That path is
//    for frames taller than the terminal (the cursor cannot go back up past
//    its top); one exactly as tall goes through the log-update like any other.
//  - Ink's incremental log-update writes a changed line whole; pgtop writes
//    only the run of cells that changed (src/ink/line-update.ts says why).
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fastOutput = join(dirname(fileURLToPath(import.meta.url)), 'ink', 'fast-output.ts');
const lineUpdate = join(dirname(fileURLToPath(import.meta.url)), 'ink', 'line-update.ts');

const PATCHES = [
  {
    file: /[\\/]ink[\\/]build[\\/]renderer\.js$/,
    find: "import Output from './output.js';",
    replace: [
      "import InkOutput from './output.js';",
      `import { fastOutputClass } from ${JSON.stringify(fastOutput)};`,
      'const Output = fastOutputClass(InkOutput);',
    ].join('\n'),
  },
  {
    // The layout engine's WebAssembly is inlined as base64, which its loader
    // decodes itself, unless `fetch` exists: then it fetches the data: URL,
    // loading undici for it (~40 ms). Decode it directly.
    file: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/,
    find: 'function ya(){return w||"function"!=typeof fetch?',
    replace: 'function ya(){return true?',
  },
  {
    file: /[\\/]ink[\\/]build[\\/]ink\.js$/,
    find: 'if (this.lastOutputHeight >= this.options.stdout.rows) {',
    replace: 'if (this.lastOutputHeight > this.options.stdout.rows) { // pgtop: only taller than the terminal (src/bundle-patches.mjs)',
  },
  {
    file: /[\\/]ink[\\/]build[\\/]log-update\.js$/,
    edits: [
      {
        find: "import ansiEscapes from 'ansi-escapes';",
        replace: `import ansiEscapes from 'ansi-escapes';\nimport { lineUpdate as pgtopLineUpdate } from ${JSON.stringify(lineUpdate)};`,
      },
      {
        find: 'buffer.push(ansiEscapes.cursorTo(0) +\n                nextLines[i] +\n                ansiEscapes.eraseEndLine +',
        replace: 'buffer.push((pgtopLineUpdate(previousLines[i], nextLines[i]) ?? ansiEscapes.cursorTo(0) + nextLines[i] + ansiEscapes.eraseEndLine) +',
      },
    ],
  },
  {
    file: /[\\/]pg[\\/]lib[\\/]stream\.js$/,
    find: 'function isCloudflareRuntime() {',
    replace: 'function isCloudflareRuntime() {\n  return false // pgtop: Node only (src/bundle-patches.mjs)',
  },
  {
    file: /[\\/]is-in-ci[\\/]index\.js$/,
    find: "const isInCi = check('CI') || check('CONTINUOUS_INTEGRATION');",
    replace: "const isInCi = !process.stdout.isTTY && (check('CI') || check('CONTINUOUS_INTEGRATION'));",
  },
];

// Creating the first Intl.Segmenter loads ICU's break-iterator data: ~15 ms,
// which string-width, ansi-tokenize and slice-ansi each pay at load time for
// a segmenter that pgtop's text (mostly ASCII; see isNarrowText in
// src/format/format.ts) seldom needs. Made on first use instead.
const LAZY_SEGMENTER = (name, args) => ({
  find: `const ${name} = new Intl.Segmenter(${args});`,
  replace: `let ${name}Instance; const ${name} = { segment: (text) => (${name}Instance ??= new Intl.Segmenter(${args})).segment(text) };`,
});
PATCHES.push(
  { file: /[\\/]string-width[\\/]index\.js$/, ...LAZY_SEGMENTER('segmenter', '') },
  { file: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]tokenize\.js$/, ...LAZY_SEGMENTER('segmenter', 'undefined, { granularity: "grapheme" }') },
  { file: /[\\/]slice-ansi[\\/]tokenize-ansi\.js$/, ...LAZY_SEGMENTER('GRAPHEME_SEGMENTER', "undefined, {granularity: 'grapheme'}") },
);

export const bundlePatches = {
  name: 'pgtop-bundle-patches',
  setup(build) {
    for (const patch of PATCHES) {
      build.onLoad({ filter: patch.file }, async (args) => {
        let source = await readFile(args.path, 'utf8');
        // A patch is one find/replace, or several on the same file (edits).
        for (const { find, replace } of patch.edits ?? [patch]) {
          if (!source.includes(find)) throw new Error(`${args.path} no longer has "${find}": see src/bundle-patches.mjs`);
          source = source.replace(find, replace);
        }
        return { contents: source, loader: 'js', resolveDir: dirname(args.path) };
      });
    }
  },
};
