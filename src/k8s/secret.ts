// --password-secret NAME/KEY: the password from a Secret's data. The value is
// returned to the caller only; no message, log or error ever contains it.
import { K8sError } from './errors.js';
import type { KubeClient } from './kube.js';

export async function readSecretKey(kube: KubeClient, namespace: string, ref: { name: string; key: string }): Promise<string> {
  const op = { verb: 'get', resource: 'secrets', namespace, name: ref.name } as const;
  let data: Record<string, string> | undefined;
  try {
    data = (await kube.call(op, () => kube.core.readNamespacedSecret({ name: ref.name, namespace }))).data;
  } catch (error) {
    if (error instanceof K8sError && error.kind === 'not-found') {
      throw new K8sError(`secret "${ref.name}" not found in namespace "${namespace}": check --password-secret and -n (kubectl get secrets -n ${namespace})`, 'not-found', 404);
    }
    throw error;
  }
  const encoded = data?.[ref.key];
  if (encoded === undefined) {
    const keys = Object.keys(data ?? {});
    throw new K8sError(
      `secret "${ref.name}" in namespace "${namespace}" has no key "${ref.key}"${keys.length ? `: it has ${keys.join(', ')}` : ' (it is empty)'}; check --password-secret NAME/KEY`,
      'not-found',
    );
  }
  // Secrets often end the value with a newline (echo into kubectl create secret); a password never does.
  return Buffer.from(encoded, 'base64').toString('utf8').replace(/\r?\n$/, '');
}
