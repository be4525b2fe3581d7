// Runs the fake Kubernetes API server in a process of its own for the
// forward benchmark: deployment/postgres in namespace development reaching
// the PostgreSQL given on the command line. Prints {"kubeconfig": PATH} and
// serves until stdin closes.
import { startFakeCluster, postgresTemplate } from '../test/support/fake-kube/index.js';

const [host, port, user, password] = process.argv.slice(2);
const cluster = await startFakeCluster({ namespace: 'development' });
cluster.kube.addDeployment('development', 'postgres', postgresTemplate({ host: host!, port: Number(port), user: user!, password: password! }));
process.stdout.write(`${JSON.stringify({ kubeconfig: cluster.kubeconfig, pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void cluster.stop().then(() => process.exit(0));
});
