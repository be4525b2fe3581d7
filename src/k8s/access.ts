// What RBAC lets pgtop do in the target's namespace, asked once when a -k
// target resolves: one SelfSubjectRulesReview (what `kubectl auth can-i
// --list` asks); where its rules are incomplete (another authorizer, a
// webhook, may allow more) or the review itself fails, one
// SelfSubjectAccessReview per operation pgtop needs that the rules do not
// grant (`kubectl auth can-i VERB RESOURCE`). Nothing here blocks: a review
// that cannot be had leaves the access unknown, and pgtop then tries and
// says a 403 when it comes. The result lands in the store
// (connection.kubeAccess); src/model/kube-access.ts reads it.
import type { V1ResourceRule } from '@kubernetes/client-node';
import { operationKey, rulesAllow, type KubeAccess, type KubeOperation, type KubeRule } from '../model/kube-access.js';
import type { KubeClient } from './kube.js';

export async function reviewAccess(kube: KubeClient, namespace: string, needs: readonly KubeOperation[]): Promise<KubeAccess> {
  let rules: KubeRule[] | null = null;
  let incomplete = true;
  try {
    const review = await kube.call({ verb: 'create', resource: 'selfsubjectrulesreviews' }, () =>
      kube.authorization.createSelfSubjectRulesReview({ body: { spec: { namespace } } }),
    );
    rules = (review.status?.resourceRules ?? []).map(ruleOf);
    incomplete = review.status?.incomplete === true;
  } catch {
    // No rules review (an old or restricted API server): the access reviews below answer alone.
  }
  const unsure = needs.filter((op) => !rules || rulesAllow(rules, incomplete, op) === null);
  const reviews: Record<string, boolean> = {};
  await Promise.all(
    unsure.map(async (op) => {
      try {
        const review = await kube.call({ verb: 'create', resource: 'selfsubjectaccessreviews' }, () =>
          kube.authorization.createSelfSubjectAccessReview({
            body: { spec: { resourceAttributes: { namespace, verb: op.verb, group: op.group ?? '', resource: op.resource, subresource: op.subresource } } },
          }),
        );
        // "denied" is a firm no; allowed false without it may be "no opinion" of every authorizer, which is also a no.
        reviews[operationKey(op)] = review.status?.allowed === true;
      } catch {
        // Unknown: pgtop tries, and a 403 says it.
      }
    }),
  );
  return { namespace, rules, incomplete, reviews };
}

function ruleOf(rule: V1ResourceRule): KubeRule {
  return { verbs: rule.verbs, apiGroups: rule.apiGroups ?? [], resources: rule.resources ?? [], resourceNames: rule.resourceNames ?? [] };
}
