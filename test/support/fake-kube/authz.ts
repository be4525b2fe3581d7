// authorization.k8s.io/v1 self-reviews, answered from the fake's own rules:
// everything is allowed but the "verb resource" pairs a test forbade (the same
// set that makes other requests 403). A SelfSubjectAccessReview says whether
// one request would pass; a SelfSubjectRulesReview lists, per resource the
// server serves, the verbs that are allowed (what `kubectl auth can-i --list`
// prints).

export interface ResourceInfo {
  name: string;
  verbs: string[];
}

export interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

/** The key a forbidden pair is written with: the resource bare in the core and apps groups, else qualified by its group. */
export function ruleResource(group: string, resource: string): string {
  if (!group || group === 'apps') return resource;
  const [base, ...sub] = resource.split('/');
  return [`${base}.${group}`, ...sub].join('/');
}

export function accessReview(spec: { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: object }, forbidden: Set<string>) {
  const attributes = spec.resourceAttributes;
  if (!attributes) return { allowed: true };
  const resource = ruleResource(attributes.group ?? '', `${attributes.resource ?? ''}${attributes.subresource ? `/${attributes.subresource}` : ''}`);
  const denied = forbidden.has(`${attributes.verb} ${resource}`) || (attributes.verb === '*' && [...forbidden].some((f) => f.endsWith(` ${resource}`)));
  return denied ? { allowed: false } : { allowed: true };
}

export function rulesReview(groups: Record<string, ResourceInfo[]>, forbidden: Set<string>) {
  const resourceRules = Object.entries(groups).flatMap(([group, resources]) =>
    resources.flatMap((r) => {
      const verbs = r.verbs.filter((verb) => !forbidden.has(`${verb} ${ruleResource(group, r.name)}`));
      return verbs.length ? [{ verbs, apiGroups: [group], resources: [r.name] }] : [];
    }),
  );
  return {
    resourceRules,
    nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/readyz', '/version', '/version/'] }],
    incomplete: false,
  };
}
