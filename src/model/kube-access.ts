// What the Kubernetes API lets pgtop do in the target's namespace, asked
// once when a -k target resolves (src/k8s/access.ts): the rules of one
// SelfSubjectRulesReview, and the answers of the SelfSubjectAccessReviews it
// falls back to where the rules are incomplete or missing. Sources and
// commands declare the operations they need (KUBE_NEEDS); kubeNeed() says
// which one is denied, in the words the screens show ("needs get pods/log in
// development"), before anything has failed. Pure: no I/O.

/** One operation on the API, as RBAC names it: verb, resource, subresource, API group ('' is core). */
export interface KubeOperation {
  verb: string;
  resource: string;
  subresource?: string;
  group?: string;
}

/** The operations pgtop makes that a panel or an action depends on (docs/kubernetes-permissions.md lists them). */
export const KUBE_NEEDS = {
  /** The instances of a CloudNativePG cluster (replication screen); the pod the forward goes to (pod screen, header). */
  listPods: { verb: 'list', resource: 'pods' },
  /** The pod kept current by a watch (pod screen, header's pod line). */
  watchPods: { verb: 'watch', resource: 'pods' },
  /** The PersistentVolumeClaims of the pod's volumes (pod screen). */
  getClaims: { verb: 'get', resource: 'persistentvolumeclaims' },
  /** The events of the pod and its claims (pod screen). */
  listEvents: { verb: 'list', resource: 'events' },
  /** The pod's CPU and memory from metrics-server (pod screen, header's pod line; else the cgroup's). */
  podMetrics: { verb: 'get', resource: 'pods', group: 'metrics.k8s.io' },
  /** The server container's log (logs screen). */
  podLog: { verb: 'get', resource: 'pods', subresource: 'log' },
  /** pg_dump, pg_restore and psql in the pod (backups b, restore r). */
  podExec: { verb: 'create', resource: 'pods', subresource: 'exec' },
} as const satisfies Record<string, KubeOperation>;

/** One rule of a SelfSubjectRulesReview's resourceRules. */
export interface KubeRule {
  verbs: readonly string[];
  apiGroups?: readonly string[];
  resources?: readonly string[];
  /** The rule grants only on these objects. */
  resourceNames?: readonly string[];
}

export interface KubeAccess {
  namespace: string;
  /** The rules review's rules; null when it could not be had (then only `reviews` say anything). */
  rules: readonly KubeRule[] | null;
  /**
   * The rules may leave out what other authorizers allow (a webhook): a
   * verb the rules do not list is then unknown, not denied.
   */
  incomplete: boolean;
  /** SelfSubjectAccessReview answers, by operationKey(). */
  reviews: Readonly<Record<string, boolean>>;
}

/** "get pods/log" (and the group when not core: "list pods.metrics.k8s.io"). */
export function operationText(op: KubeOperation): string {
  const resource = op.group ? `${op.resource}.${op.group}` : op.resource;
  return `${op.verb} ${resource}${op.subresource ? `/${op.subresource}` : ''}`;
}

/** The key of an access review's answer. */
export function operationKey(op: KubeOperation): string {
  return operationText(op);
}

/** The words every panel, key and failure use for a missing permission. */
export function needText(op: KubeOperation, namespace: string): string {
  return `needs ${operationText(op)} in ${namespace}`;
}

/**
 * Whether the rules allow an operation: true (a rule grants it), false (none
 * does, and the rules are complete), null (cannot tell: incomplete rules, or
 * only rules limited to objects by name when no name is asked about).
 */
export function rulesAllow(rules: readonly KubeRule[], incomplete: boolean, op: KubeOperation, name?: string): boolean | null {
  let byNameOnly = false;
  for (const rule of rules) {
    if (!matchesVerb(rule, op) || !matchesGroup(rule, op) || !matchesResource(rule, op)) continue;
    const names = rule.resourceNames ?? [];
    if (names.length === 0) return true;
    // A rule for some objects by name: it answers only for a name it lists.
    if (name !== undefined && names.includes(name)) return true;
    if (name === undefined) byNameOnly = true;
  }
  // A Role granting, say, the one pod by name: pgtop cannot tell for the pod it will meet; it tries, and a 403 says it.
  if (byNameOnly || incomplete) return null;
  return false;
}

/** True, false, or null when nobody can tell (then pgtop tries, and a 403 says it). */
export function kubeAllowed(access: KubeAccess | null, op: KubeOperation, name?: string): boolean | null {
  if (!access) return null;
  const reviewed = access.reviews[operationKey(op)];
  if (reviewed !== undefined) return reviewed;
  return access.rules ? rulesAllow(access.rules, access.incomplete, op, name) : null;
}

/** Null when the operation may run (or nobody can tell); else what is missing: "needs get pods/log in development". */
export function kubeNeed(access: KubeAccess | null, op: KubeOperation, name?: string): string | null {
  return access && kubeAllowed(access, op, name) === false ? needText(op, access.namespace) : null;
}

/** The first of several operations that is denied, in words; null when none is. */
export function firstKubeNeed(access: KubeAccess | null, ops: readonly KubeOperation[] | undefined): string | null {
  for (const op of ops ?? []) {
    const need = kubeNeed(access, op);
    if (need) return need;
  }
  return null;
}

const has = (list: readonly string[] | undefined, value: string) => !!list && (list.includes('*') || list.includes(value));

function matchesVerb(rule: KubeRule, op: KubeOperation): boolean {
  return has(rule.verbs, op.verb);
}

function matchesGroup(rule: KubeRule, op: KubeOperation): boolean {
  return has(rule.apiGroups, op.group ?? '');
}

/** As RBAC matches: "*" is every resource and subresource, "pods/*" every subresource of pods, "*\/log" the log of any resource. */
function matchesResource(rule: KubeRule, op: KubeOperation): boolean {
  const resources = rule.resources ?? [];
  if (resources.includes('*')) return true;
  if (!op.subresource) return resources.includes(op.resource);
  const full = `${op.resource}/${op.subresource}`;
  return resources.includes(full) || resources.includes(`${op.resource}/*`) || resources.includes(`*/${op.subresource}`);
}
