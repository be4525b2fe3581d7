// The fake Kubernetes API server for bench/k8s.ts, in a process of its own
// (its CPU is not pgtop's): deployment/postgres in namespace development
// reaching the PostgreSQL given on the command line, with the metrics API,
// and PGDATA set to that server's data directory so that the exec'd sampler
// reads the real server processes. Prints {"kubeconfig", "pid"} once, then
// answers each line on stdin with a line of JSON: the traffic so far
// (test/support/fake-kube/traffic.ts). Serves until stdin closes.
import { createInterface } from 'node:readline';
import { postgresTemplate, startFakeCluster } from '../../test/support/fake-kube/index.js';
import { countTraffic } from '../../test/support/fake-kube/traffic.js';

const [host, port, user, password, dataDir] = process.argv.slice(2);
const cluster = await startFakeCluster({ namespace: 'development' });
const traffic = countTraffic(cluster.kube);
const template = postgresTemplate({ host: host!, port: Number(port), user: user!, password: password! });
cluster.kube.addDeployment('development', 'postgres', { ...template, env: { ...template.env, PGDATA: dataDir! } });
// What metrics-server would say, so the header and the pod screen show usage as they would in a cluster.
cluster.kube.setUsage('development', cluster.kube.livePod('development', 'postgres')!.name, { cpu: '250m', memory: '300Mi' });
process.stdout.write(`${JSON.stringify({ kubeconfig: cluster.kubeconfig, pid: process.pid })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', () => process.stdout.write(`${JSON.stringify(traffic.counts())}\n`));
lines.on('close', () => {
  void cluster.stop().then(() => process.exit(0));
});
