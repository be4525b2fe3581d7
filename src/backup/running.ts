// Backups and restores in flight, so that quitting pgtop stops them: their
// programs are stopped (pg_dump killed, the pod's stream closed) and their
// temporary files removed, instead of pgtop lingering invisibly until a long
// dump has finished.
const inFlight = new Set<AbortController>();

/** A controller for one piece of work; call done() when it has finished. */
export function startWork(outer?: AbortSignal): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  const onOuter = () => controller.abort();
  if (outer?.aborted) controller.abort();
  outer?.addEventListener('abort', onOuter, { once: true });
  inFlight.add(controller);
  return {
    signal: controller.signal,
    done() {
      inFlight.delete(controller);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

/** Stops every backup and restore in flight (pgtop is quitting). */
export function stopAllWork(): void {
  for (const controller of inFlight) controller.abort();
}
