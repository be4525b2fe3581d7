import type { BuildOptions } from 'esbuild';

/** esbuild options for code under `root` (the repository), as the build bundles pgtop. */
export function bundleOptions(root: string): BuildOptions;
