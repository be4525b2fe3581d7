// Kubernetes failures as a user reads them: one line naming the cause and the
// fix. The API server's own words (a metav1.Status message) are kept, since
// they say exactly which object or permission is missing; client-node's
// "HTTP-Code: 403 Message: … Body: …" dumps and node-fetch's wrappers are not.
import { oneLine, PgtopError } from '../errors.js';
import { needText } from '../model/kube-access.js';
import type { Failure } from '../scheduler/failures.js';

/** What pgtop was doing when the API server refused: "get pods", "create pods/portforward". */
export interface ApiOperation {
  verb: 'get' | 'list' | 'watch' | 'create';
  resource: string;
  namespace?: string;
  name?: string;
}

export type K8sErrorKind =
  | 'config' | 'unreachable' | 'unauthorized' | 'forbidden' | 'not-found' | 'no-ready-pod' | 'refused' | 'other';

export class K8sError extends PgtopError {
  constructor(
    message: string,
    readonly kind: K8sErrorKind,
    /** The HTTP status the API server answered with, when it answered. */
    readonly status?: number,
    /** The short cause, for messages that wrap this one ("connection refused"). */
    readonly detail?: string,
    /** What was refused, for a 403: the words "needs get pods/log in development" are made of it. */
    readonly operation?: ApiOperation,
  ) {
    super(message);
  }
}

/** A metav1.Status body as the API server sends it with every error. */
export interface StatusBody {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: { reason?: string; message?: string; field?: string }[] };
}

export function parseStatus(body: unknown): StatusBody | undefined {
  if (typeof body === 'string') {
    try {
      return parseStatus(JSON.parse(body));
    } catch {
      return undefined;
    }
  }
  if (body && typeof body === 'object' && ('status' in body || 'message' in body)) return body as StatusBody;
  return undefined;
}

export function describeOperation(op: ApiOperation): string {
  return `${op.verb} ${op.resource}`;
}

function where(op: ApiOperation): string {
  return op.namespace ? ` in namespace "${op.namespace}"` : '';
}

/** The one-line error for an HTTP error answer of the API server to `op`. */
export function httpError(status: number, body: unknown, op: ApiOperation, context: string): K8sError {
  const parsed = parseStatus(body);
  const said = parsed?.message ? ` (the API server said: ${parsed.message})` : '';
  switch (status) {
    case 401:
      return new K8sError(
        `the API server rejected the credentials of context "${context}" (401 Unauthorized): they have probably expired; refresh them (log in again or fetch a new kubeconfig)`,
        'unauthorized',
        status,
      );
    case 403:
      return new K8sError(
        `RBAC: you may not ${describeOperation(op)}${where(op)}${said}: ask a cluster admin for a Role that grants "${op.verb}" on "${op.resource}"`,
        'forbidden',
        status,
        undefined,
        op,
      );
    case 404:
      return new K8sError(`${parsed?.message ?? `${op.resource} "${op.name ?? ''}" not found`}${where(op)}`, 'not-found', status);
    default:
      return new K8sError(
        `the API server refused to ${describeOperation(op)}${where(op)}: ${parsed?.message ?? `HTTP ${status}`}`,
        'refused',
        status,
      );
  }
}

/**
 * What a Kubernetes source's failure means: RBAC refusing switches it off
 * with the words the permission review would have said ("needs get pods/log
 * in development"); anything else is tried again.
 */
export function kubeSourceFailure(title: string, error: unknown, namespace: string): Failure {
  const message = `${title} failed: ${oneLine(error)}`;
  if (error instanceof K8sError && error.kind === 'forbidden') {
    const op = error.operation;
    const need = op ? needText({ verb: op.verb, resource: op.resource }, op.namespace ?? namespace) : oneLine(error);
    return { kind: 'degraded', message, disabled: `${title}: ${need}` };
  }
  return { kind: 'failed', message };
}

/** The one-line error for a request that got no HTTP answer at all. */
export function networkError(error: unknown, server: string, context: string): K8sError {
  const err = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err?.code ?? err?.cause?.code ?? '';
  const message = String(err?.message ?? error);
  if (/EXPIRED/i.test(code) || /certificate expired|certificate has expired/i.test(message)) {
    return new K8sError(
      `the TLS certificate of context "${context}" has expired (${server}): refresh your credentials (fetch a new kubeconfig)`,
      'unauthorized',
    );
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code) || /certificate/i.test(message)) {
    return new K8sError(
      `cannot verify the API server at ${server} (${firstLine(message)}): check certificate-authority-data in the kubeconfig of context "${context}"`,
      'unreachable',
    );
  }
  const reason = code || firstLine(message).replace(/^request to \S+ failed, reason: /, '');
  return new K8sError(
    `cannot reach the Kubernetes API server at ${server} (${reason}): is the cluster up? check the server address of context "${context}" (kubectl cluster-info)`,
    'unreachable',
  );
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

/** kubelet's long port-forward error text, down to its cause: "connection refused". */
export function forwardErrorCause(text: string): string {
  const match = /connect: ([^:]+?)\s*$/.exec(text.trim());
  return match ? match[1]! : text.trim().split('\n')[0]!.slice(0, 200);
}
