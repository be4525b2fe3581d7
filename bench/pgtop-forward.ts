// pgtop's port-forward alone, in a process of its own (as it runs inside
// pgtop): opens the -k target and prints {"port": N}; serves until stdin closes.
import { openK8sTarget } from '../src/target/kubernetes.js';

const [kubeconfig, password] = process.argv.slice(2);
const target = await openK8sTarget(
  { target: { kind: 'deployment', name: 'postgres' }, namespace: 'development', kubeconfig, remotePort: 5432 },
  {},
  { ...process.env, PGPASSWORD: password },
);
process.stdout.write(`${JSON.stringify({ port: target.connection.port })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void target.close().then(() => process.exit(0));
});
