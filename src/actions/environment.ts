// What actions may use besides the actions connection, provided by bin/
// wiring (src/cli/main.ts). Each field is optional: an action that needs one
// that is missing says so instead of running.
import type { ResolvedConnection } from '../db/connection-options.js';

export interface ActionEnvironment {
  /** Where the actions connection goes (for tools like pg_dump that connect themselves). */
  connection?: ResolvedConnection;
}
