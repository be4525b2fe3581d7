// Opens the target the command line chose. The demo and Kubernetes modules
// load only when chosen: the direct path never loads the Kubernetes client.
import { resolveConnection } from '../db/connection-options.js';
import type { ConnectionTarget, TargetChoice } from './target.js';

export async function openTarget(choice: TargetChoice, env: NodeJS.ProcessEnv = process.env): Promise<ConnectionTarget> {
  if (choice.demo) {
    // Loaded only with --demo. The guided session's demo leaves pg_stat_statements for the learner to enable.
    const { openDemoTarget } = await import('./demo.js');
    return openDemoTarget({ enableStatements: !choice.forLearning }, env);
  }
  if (choice.k8s) {
    // Loaded only with -k: the direct path never loads the Kubernetes client.
    const { openK8sTarget } = await import('./kubernetes.js');
    return openK8sTarget(choice.k8s, choice.connection, env);
  }
  const connection = resolveConnection(choice.connection, env);
  return { connection, label: `direct ${connection.describe}`, close: () => Promise.resolve() };
}
