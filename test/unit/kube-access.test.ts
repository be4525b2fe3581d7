// The permission review's rules read as RBAC reads them: verbs, groups,
// resources with their subresources and wildcards, rules limited to objects
// by name, incomplete rules, and access reviews taking precedence.
import { describe, expect, it } from 'vitest';
import { firstKubeNeed, KUBE_NEEDS, kubeAllowed, kubeNeed, rulesAllow, type KubeAccess, type KubeRule } from '../../src/model/kube-access.js';

const core = (verbs: string[], resources: string[], resourceNames?: string[]): KubeRule => ({ verbs, apiGroups: [''], resources, resourceNames });
const access = (rules: KubeRule[] | null, options: Partial<KubeAccess> = {}): KubeAccess => ({ namespace: 'development', rules, incomplete: false, reviews: {}, ...options });

describe('rulesAllow', () => {
  it('grants a verb on a resource, not another verb, resource or subresource', () => {
    const rules = [core(['get', 'list'], ['pods'])];
    expect(rulesAllow(rules, false, { verb: 'list', resource: 'pods' })).toBe(true);
    expect(rulesAllow(rules, false, { verb: 'delete', resource: 'pods' })).toBe(false);
    expect(rulesAllow(rules, false, { verb: 'get', resource: 'services' })).toBe(false);
    // get on pods is not get on pods/log: a subresource is its own resource.
    expect(rulesAllow(rules, false, KUBE_NEEDS.podLog)).toBe(false);
    expect(rulesAllow([core(['get'], ['pods/log'])], false, KUBE_NEEDS.podLog)).toBe(true);
  });

  it('reads the wildcards: * verbs, * resources (subresources too), pods/* and */log, * groups', () => {
    expect(rulesAllow([core(['*'], ['pods/exec'])], false, KUBE_NEEDS.podExec)).toBe(true);
    expect(rulesAllow([core(['create'], ['*'])], false, KUBE_NEEDS.podExec)).toBe(true);
    expect(rulesAllow([core(['get'], ['pods/*'])], false, KUBE_NEEDS.podLog)).toBe(true);
    expect(rulesAllow([core(['get'], ['*/log'])], false, KUBE_NEEDS.podLog)).toBe(true);
    expect(rulesAllow([core(['get'], ['*/log'])], false, { verb: 'get', resource: 'pods' })).toBe(false);
    expect(rulesAllow([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], false, KUBE_NEEDS.podExec)).toBe(true);
    // A rule of another API group grants nothing in the core group.
    expect(rulesAllow([{ verbs: ['*'], apiGroups: ['apps'], resources: ['*'] }], false, KUBE_NEEDS.listPods)).toBe(false);
    expect(rulesAllow([{ verbs: ['list'], apiGroups: ['metrics.k8s.io'], resources: ['pods'] }], false, { verb: 'list', resource: 'pods', group: 'metrics.k8s.io' })).toBe(true);
  });

  it('a rule limited to objects by name answers for those names only, and cannot tell for an unnamed one', () => {
    const rules = [core(['get'], ['pods/log'], ['pg-0'])];
    expect(rulesAllow(rules, false, KUBE_NEEDS.podLog, 'pg-0')).toBe(true);
    expect(rulesAllow(rules, false, KUBE_NEEDS.podLog, 'pg-1')).toBe(false);
    expect(rulesAllow(rules, false, KUBE_NEEDS.podLog)).toBeNull();
    // list is never limited by name in practice, and a name rule does not deny the others.
    expect(rulesAllow([...rules, core(['get'], ['pods/log'])], false, KUBE_NEEDS.podLog, 'pg-1')).toBe(true);
  });

  it('incomplete rules cannot deny: what they leave out is unknown', () => {
    expect(rulesAllow([core(['get'], ['pods'])], true, KUBE_NEEDS.podLog)).toBeNull();
    expect(rulesAllow([core(['get'], ['pods/log'])], true, KUBE_NEEDS.podLog)).toBe(true);
  });
});

describe('kubeNeed', () => {
  it('says the missing verb in the namespace, nothing when allowed or unknown', () => {
    const a = access([core(['list'], ['pods'])]);
    expect(kubeNeed(a, KUBE_NEEDS.podLog)).toBe('needs get pods/log in development');
    expect(kubeNeed(a, KUBE_NEEDS.podExec)).toBe('needs create pods/exec in development');
    expect(kubeNeed(a, KUBE_NEEDS.listPods)).toBeNull();
    // Without -k (no review) nothing is ever said to be missing.
    expect(kubeNeed(null, KUBE_NEEDS.podLog)).toBeNull();
    expect(kubeNeed(access(null), KUBE_NEEDS.podLog)).toBeNull();
    expect(kubeNeed(a, { verb: 'list', resource: 'pods', group: 'metrics.k8s.io' })).toBe('needs list pods.metrics.k8s.io in development');
  });

  it('an access review answers before the rules (the fallback where rules are incomplete)', () => {
    const a = access([core(['get'], ['pods'])], { incomplete: true, reviews: { 'get pods/log': false, 'create pods/exec': true } });
    expect(kubeAllowed(a, KUBE_NEEDS.podLog)).toBe(false);
    expect(kubeAllowed(a, KUBE_NEEDS.podExec)).toBe(true);
    expect(kubeAllowed(a, KUBE_NEEDS.listPods)).toBeNull();
    expect(firstKubeNeed(a, [KUBE_NEEDS.podExec, KUBE_NEEDS.podLog])).toBe('needs get pods/log in development');
    expect(firstKubeNeed(a, [KUBE_NEEDS.podExec])).toBeNull();
    expect(firstKubeNeed(a, undefined)).toBeNull();
  });
});
