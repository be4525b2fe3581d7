// A schema check for Kubernetes objects, from the API types client-node is
// generated from (the OpenAPI spec): every field must exist in its type
// (a typo like `restartpolicy` or a field at the wrong level fails), and
// every value must have the field's type. Used where a real API server's
// validation is not at hand (the fake serves no batch/v1).
import * as k8s from '@kubernetes/client-node';

type AttributeMap = { baseName: string; type: string }[];

const MODELS = k8s as unknown as Record<string, { getAttributeTypeMap?: () => AttributeMap }>;

const KINDS: Record<string, string> = {
  'batch/v1 CronJob': 'V1CronJob',
  'v1 PersistentVolumeClaim': 'V1PersistentVolumeClaim',
};

/** Problems found ("spec.jobTemplate.spec.template.spec.containers[0].imagee: no such field in V1Container"), or []. */
export function schemaProblems(object: unknown): string[] {
  const o = object as { apiVersion?: string; kind?: string };
  const type = KINDS[`${o.apiVersion} ${o.kind}`];
  if (!type) return [`unknown apiVersion/kind: ${o.apiVersion} ${o.kind}`];
  const problems: string[] = [];
  check(object, type, o.kind ?? '', problems);
  return problems;
}

function check(value: unknown, type: string, at: string, problems: string[]): void {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return void problems.push(`${at}: expected a list (${type})`);
    value.forEach((item, i) => check(item, array[1]!, `${at}[${i}]`, problems));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return void problems.push(`${at}: expected a map`);
    for (const [k, v] of Object.entries(value)) check(v, map[1]!, `${at}.${k}`, problems);
    return;
  }
  switch (type) {
    case 'string':
      if (typeof value !== 'string') problems.push(`${at}: expected a string, got ${JSON.stringify(value)}`);
      return;
    case 'number':
      if (typeof value !== 'number') problems.push(`${at}: expected a number, got ${JSON.stringify(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${at}: expected a boolean`);
      return;
    case 'Date':
    case 'any':
    case 'object':
    case 'IntOrString':
      return;
  }
  const model = MODELS[type]?.getAttributeTypeMap?.();
  if (!model) return void problems.push(`${at}: no model for ${type}`);
  if (!value || typeof value !== 'object' || Array.isArray(value)) return void problems.push(`${at}: expected an object (${type})`);
  for (const [key, v] of Object.entries(value)) {
    const field = model.find((f) => f.baseName === key);
    if (!field) problems.push(`${at}.${key}: no such field in ${type}`);
    else check(v, field.type, `${at}.${key}`, problems);
  }
}
