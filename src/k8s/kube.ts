// The Kubernetes client pgtop uses: kubeconfig loading as kubectl does it
// (--kubeconfig, else KUBECONFIG, else ~/.kube/config, else the in-cluster
// service account), the context and namespace, and REST calls through
// client-node with a deadline and one-line errors. Streams (port-forward,
// exec) are our own (tunnel.ts, exec.ts) but authenticate through here.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { AppsV1Api, AuthorizationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { ClientOptions } from 'ws';
import { httpError, K8sError, networkError, type ApiOperation } from './errors.js';

export interface KubeOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  /** Deadline of one REST call; the API server must answer within it. */
  requestTimeoutMs?: number;
  /** Where K3s writes its kubeconfig (tests point it elsewhere). */
  k3sKubeconfig?: string;
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
/**
 * On a K3s server node `kubectl` is K3s's own, which reads this file when
 * neither KUBECONFIG nor ~/.kube/config says otherwise: the incident at
 * 3 a.m. is an SSH to that node, so pgtop looks there too.
 */
export const K3S_KUBECONFIG = '/etc/rancher/k3s/k3s.yaml';

export class KubeClient {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  /** Self reviews: what this user may do (src/k8s/access.ts). */
  readonly authorization: AuthorizationV1Api;
  private readonly requestTimeoutMs: number;
  /** One agent for every WebSocket, so TLS sessions are resumed: a tunnel per connection costs half. */
  private readonly wsAgent = new https.Agent({ maxCachedSessions: 64 });

  private constructor(
    readonly config: KubeConfig,
    /** The context's name ("in-cluster" inside a pod). */
    readonly context: string,
    readonly namespace: string,
    /** The API server's URL. */
    readonly server: string,
    options: KubeOptions,
  ) {
    this.core = config.makeApiClient(CoreV1Api);
    this.apps = config.makeApiClient(AppsV1Api);
    this.authorization = config.makeApiClient(AuthorizationV1Api);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 6_000;
  }

  static load(options: KubeOptions, env: NodeJS.ProcessEnv = process.env): KubeClient {
    const config = new KubeConfig();
    const files = options.kubeconfig
      ? [options.kubeconfig]
      : (env.KUBECONFIG ?? '').split(delimiter).filter((file) => file !== '');
    let source = options.kubeconfig ? '--kubeconfig' : files.length > 0 ? 'KUBECONFIG' : '~/.kube/config';
    const k3s = options.k3sKubeconfig ?? K3S_KUBECONFIG;
    if (files.length === 0) {
      const home = env.HOME ?? homedir();
      if (home && existsSync(join(home, '.kube', 'config'))) files.push(join(home, '.kube', 'config'));
      else if (existsSync(k3s)) {
        if (!readable(k3s)) {
          throw new K8sError(
            `no ~/.kube/config, and K3s's ${k3s} is readable only by root: run pgtop with sudo, or copy it to ~/.kube/config (K3s: --write-kubeconfig-mode)`,
            'config',
          );
        }
        files.push(k3s);
        source = 'K3s';
      }
    }
    const inCluster = files.length === 0 && !!env.KUBERNETES_SERVICE_HOST && existsSync(join(SERVICE_ACCOUNT, 'token'));
    if (files.length === 0 && !inCluster) {
      throw new K8sError(
        `no kubeconfig found (looked for ~/.kube/config and ${k3s}, KUBECONFIG is unset): pass --kubeconfig FILE or set KUBECONFIG`,
        'config',
      );
    }
    try {
      if (inCluster) {
        config.loadFromCluster();
      } else {
        for (const [i, file] of files.entries()) {
          if (!existsSync(file)) {
            throw new K8sError(`kubeconfig ${file} (from ${source}) does not exist: check the path`, 'config');
          }
          if (i === 0) config.loadFromFile(file);
          else {
            const more = new KubeConfig();
            more.loadFromFile(file);
            config.mergeConfig(more);
          }
        }
      }
    } catch (error) {
      if (error instanceof K8sError) throw error;
      throw new K8sError(`cannot read the kubeconfig (${files.join(delimiter)}): ${oneLineOf(error)}`, 'config');
    }
    if (options.context) {
      if (!config.getContextObject(options.context)) {
        const known = config.getContexts().map((c) => c.name);
        throw new K8sError(
          `context "${options.context}" is not in the kubeconfig: use one of ${known.join(', ') || '(none)'} (kubectl config get-contexts)`,
          'config',
        );
      }
      config.setCurrentContext(options.context);
    }
    const contextName = inCluster ? 'in-cluster' : config.getCurrentContext();
    const context = inCluster ? null : config.getContextObject(contextName);
    if (!inCluster && !context) {
      throw new K8sError('the kubeconfig has no current context: pass --context NAME (kubectl config get-contexts)', 'config');
    }
    const cluster = config.getCurrentCluster();
    if (!cluster?.server) {
      throw new K8sError(`context "${contextName}" names no cluster with a server address: check the kubeconfig`, 'config');
    }
    const inClusterNamespace = inCluster ? readServiceAccountNamespace() : undefined;
    const namespace = options.namespace || context?.namespace || inClusterNamespace || 'default';
    return new KubeClient(config, contextName, namespace, cluster.server, options);
  }

  /** Runs one REST call with a deadline, turning every failure into a one-line K8sError. */
  async call<T>(op: ApiOperation, request: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new K8sError(`the Kubernetes API server at ${this.server} did not answer within ${this.requestTimeoutMs / 1000} s (${op.verb} ${op.resource}): is the cluster up? check the server address of context "${this.context}"`, 'unreachable')),
        this.requestTimeoutMs,
      );
    });
    try {
      return await Promise.race([request(), deadline]);
    } catch (error) {
      throw this.describe(error, op);
    } finally {
      clearTimeout(timer);
    }
  }

  describe(error: unknown, op: ApiOperation): K8sError {
    if (error instanceof K8sError) return error;
    const code = (error as { code?: unknown })?.code;
    if (typeof code === 'number' && code >= 300) {
      return httpError(code, (error as { body?: unknown }).body, op, this.context);
    }
    // Network and TLS failures carry a code; an auth provider's (an exec plugin's stderr) does not.
    if (typeof code === 'string' || (error as Error)?.name === 'FetchError') return networkError(error, this.server, this.context);
    return new K8sError(
      `cannot get credentials for context "${this.context}" (${oneLineOf(error).trim() || 'the credential plugin failed'}): log in again or fix the user in the kubeconfig`,
      'unauthorized',
    );
  }

  /** The wss:// URL of an API path. */
  wsUrl(path: string): string {
    return this.server.replace(/^http/, 'ws').replace(/\/$/, '') + path;
  }

  /** TLS material and credentials for a WebSocket to the API server (client-node's auth providers apply). */
  async wsOptions(extra: ClientOptions = {}): Promise<ClientOptions> {
    const options: ClientOptions = { ...extra };
    // Applied anew each time: exec and OIDC credentials refresh themselves.
    await this.config.applyToHTTPSOptions(options);
    // client-node makes a new agent per call; a plain one (no proxy) is swapped for ours.
    if (options.agent?.constructor === https.Agent) options.agent = this.wsAgent;
    return options;
  }
}

function readServiceAccountNamespace(): string | undefined {
  try {
    return readFileSync(join(SERVICE_ACCOUNT, 'namespace'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function oneLineOf(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!;
}

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
