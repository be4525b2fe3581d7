// authorization.k8s.io/v1 self-reviews, answered from the fake's own rules:
// everything is allowed but the "verb resource" pairs a test forbade (the same
// set that makes other requests 403). A SelfSubjectAccessReview says whether
// one request would pass; a SelfSubjectRulesReview lists, per resource the
// server serves, the verbs that are allowed (what `kubectl auth can-i --list`
// prints). kubectl posts the reviews as protobuf (its built-in clients do),
// so the few fields read here are decoded from the wire format; the answer is
// JSON, which kubectl also accepts.

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

/**
 * `incomplete`: as an API server whose other authorizer (a webhook) cannot
 * list its rules answers: the rules RBAC knows, flagged incomplete, with the
 * evaluation error; clients then ask access reviews for the rest.
 */
export function rulesReview(groups: Record<string, ResourceInfo[]>, forbidden: Set<string>, incomplete = false) {
  const resourceRules = Object.entries(groups).flatMap(([group, resources]) =>
    resources.flatMap((r) => {
      const verbs = r.verbs.filter((verb) => !forbidden.has(`${verb} ${ruleResource(group, r.name)}`));
      return verbs.length ? [{ verbs, apiGroups: [group], resources: [r.name] }] : [];
    }),
  );
  return {
    resourceRules,
    nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/readyz', '/version', '/version/'] }],
    incomplete,
    ...(incomplete ? { evaluationError: 'webhook authorizer does not support user rule resolution' } : {}),
  };
}

/** Length-delimited and varint fields of a protobuf message, by field number (repeated fields: the last wins). */
function protoFields(buf: Buffer): Map<number, Buffer | number> {
  const fields = new Map<number, Buffer | number>();
  let i = 0;
  const varint = () => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = buf[i++]!;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) return value;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const [field, wire] = [Math.floor(key / 8), key % 8];
    if (wire === 0) fields.set(field, varint());
    else if (wire === 2) {
      const length = varint();
      fields.set(field, buf.subarray(i, i + length));
      i += length;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`protobuf wire type ${wire}`);
  }
  return fields;
}

const message = (fields: Map<number, Buffer | number>, n: number) => protoFields((fields.get(n) as Buffer | undefined) ?? Buffer.alloc(0));
const text = (fields: Map<number, Buffer | number>, n: number) => (fields.get(n) as Buffer | undefined)?.toString();

/**
 * The spec of a review as JSON, from a JSON body or a protobuf one (the "k8s\0"
 * envelope: runtime.Unknown whose field 2 is the object; the object's field 2
 * is its spec).
 */
export function reviewSpec(body: Buffer, contentType: string, kind: 'SelfSubjectAccessReview' | 'SelfSubjectRulesReview'): Record<string, unknown> {
  if (!contentType.includes('protobuf')) return (JSON.parse(body.toString() || '{}') as { spec?: Record<string, unknown> }).spec ?? {};
  if (body.subarray(0, 4).toString('latin1') !== 'k8s\0') throw new Error('not a Kubernetes protobuf envelope');
  const spec = message(message(protoFields(body.subarray(4)), 2), 2);
  if (kind === 'SelfSubjectRulesReview') return { namespace: text(spec, 1) };
  if (spec.has(1)) {
    const r = message(spec, 1);
    const names = ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'];
    return { resourceAttributes: Object.fromEntries(names.map((name, i) => [name, text(r, i + 1)]).filter(([, v]) => v !== undefined)) };
  }
  const n = message(spec, 2);
  return { nonResourceAttributes: { path: text(n, 1), verb: text(n, 2) } };
}
