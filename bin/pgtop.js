#!/usr/bin/env node
// pgtop's command. The code is TypeScript compiled to dist/ (npm run build).
let run;
try {
  ({ run } = await import('../dist/main.js'));
} catch (error) {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/main.js')) {
    process.stderr.write('pgtop: not built yet: run "npm run build" in the pgtop directory\n');
    process.exit(1);
  }
  throw error;
}
process.exitCode = await run(process.argv.slice(2));
