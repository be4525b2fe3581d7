// What -k names, parsed as kubectl parses TYPE/NAME: the four workload kinds
// pgtop can forward to, with kubectl's short and plural forms, and a
// CloudNativePG Cluster (its pods carry the label cnpg.io/cluster=NAME). Pure, and
// loaded without client-node so a typo is a usage error before any I/O.
import { UsageError } from '../errors.js';

export type TargetKind = 'deployment' | 'statefulset' | 'service' | 'pod' | 'cluster';

export interface TargetRef {
  kind: TargetKind;
  name: string;
}

const ALIASES: Record<string, TargetKind> = {
  deployment: 'deployment', deployments: 'deployment', deploy: 'deployment',
  'deployment.apps': 'deployment', 'deployments.apps': 'deployment',
  statefulset: 'statefulset', statefulsets: 'statefulset', sts: 'statefulset',
  'statefulset.apps': 'statefulset', 'statefulsets.apps': 'statefulset',
  service: 'service', services: 'service', svc: 'service',
  pod: 'pod', pods: 'pod', po: 'pod',
  cluster: 'cluster', clusters: 'cluster', 'cluster.postgresql.cnpg.io': 'cluster', 'clusters.postgresql.cnpg.io': 'cluster',
};

// A DNS-1123 subdomain, as Kubernetes requires of these names.
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function parseTargetRef(text: string): TargetRef {
  const slash = text.indexOf('/');
  if (slash < 0) {
    throw new UsageError(`invalid -k "${text}": give TYPE/NAME, e.g. -k deployment/postgres (TYPE: deployment, statefulset, service, pod or cluster)`);
  }
  const type = text.slice(0, slash).toLowerCase();
  const name = text.slice(slash + 1);
  const kind = ALIASES[type];
  if (!kind) {
    throw new UsageError(`invalid -k "${text}": unknown type "${type}"; use deployment (deploy), statefulset (sts), service (svc), pod (po) or cluster (a CloudNativePG Cluster)`);
  }
  if (!NAME.test(name)) {
    throw new UsageError(`invalid -k "${text}": "${name}" is not a Kubernetes name (lower-case letters, digits, '-' and '.')`);
  }
  return { kind, name };
}

export function parsePort(text: string, flag: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`invalid ${flag} "${text}": give a port number from 1 to 65535`);
  }
  return port;
}

/** NAME/KEY of --password-secret. */
export function parseSecretRef(text: string): { name: string; key: string } {
  const match = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)\/([-._a-zA-Z0-9]+)$/.exec(text);
  if (!match) throw new UsageError(`invalid --password-secret "${text}": give NAME/KEY, e.g. --password-secret postgres/password`);
  return { name: match[1]!, key: match[3]! };
}
