// The reconcile contract (controller-runtime's pkg/reconcile): a request carries only the key; the reconciler re-reads
// the current state (level-based), acts, and returns a result or throws.
//
//   - return {}                       done; the key is forgotten by the rate limiter
//   - return { requeueAfterMs: 5000 } done for now; reconcile this key again in 5 s (periodic work, visible backoff)
//   - throw err                       retry with per-key exponential backoff (5 ms, 10 ms, … ~16 min)
//   - throw new TerminalError(msg)    do not retry (report a condition instead); a later event brings the key back

/** A key: `name` for cluster-scoped objects, `namespace/name` for namespaced ones. */
export interface Request {
  readonly key: string;
}

export interface Result {
  /** Reconcile this key again after this many milliseconds (0 or absent: not unless something changes). */
  requeueAfterMs?: number;
}

export interface Reconciler {
  /** `signal` aborts when the controller stops (shutdown or lost leadership): stop writing at once. */
  reconcile(req: Request, signal: AbortSignal): Promise<Result>;
}

/** An error not worth retrying: the input must change first. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

export function isTerminal(err: unknown): boolean {
  return err instanceof TerminalError;
}
