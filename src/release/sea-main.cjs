// The standalone executable's entry (Node's single executable application,
// which on Node 20 runs one CommonJS script). pgtop is an ES module bundle
// in chunks (Ink's is loaded only for the dashboard) with top-level await
// (the layout engine loads its WebAssembly so), which CommonJS cannot hold.
// So the chunks travel as one asset of the executable, and module loader
// hooks serve them from memory under pgtop:/ URLs: nothing is read from
// disk. Built by src/release/standalone.mjs (docs/install.md).
'use strict';
const { register } = require('node:module');
const { getAsset } = require('node:sea');
const vm = require('node:vm');

// The loader's hooks (they run on Node's loader thread): pgtop:/ URLs resolve
// among the chunks, whose text they were handed once; the rest is Node's.
const HOOKS = `
let files;
export function initialize(data) { files = data.files; }
export function resolve(specifier, context, next) {
  const parent = context.parentURL ?? '';
  const url = specifier.startsWith('pgtop:') ? specifier : parent.startsWith('pgtop:') && specifier.startsWith('.') ? new URL(specifier, parent).href : null;
  return url === null ? next(specifier, context) : { url, shortCircuit: true };
}
export function load(url, context, next) {
  if (!url.startsWith('pgtop:')) return next(url, context);
  const source = files[url.slice('pgtop:/'.length)];
  if (source === undefined) throw new Error('pgtop: no module ' + url + ' in this executable');
  return { format: 'module', source, shortCircuit: true };
}
`;

// vm's default loader is marked experimental on Node 20; its warning is not for the user.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  if (String(warning).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return;
  emitWarning.call(process, warning, ...rest);
};

const files = JSON.parse(getAsset('bundle.json', 'utf8'));
register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { files } });
// The single executable's require() knows only Node's built-ins and it has no import(): vm lends the main loader's.
const load = new vm.Script("import('pgtop:/main.js')", {
  filename: 'pgtop-standalone.cjs',
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
}).runInThisContext();

load.then(
  async ({ run }) => {
    process.exitCode = await run(process.argv.slice(2));
  },
  (error) => {
    process.stderr.write(`pgtop: the standalone executable could not start: ${error && error.message ? error.message : error}\n`);
    process.exitCode = 1;
  },
);
