// Per-key backoff for work against a device (a switch, a BMC) that fails: base × 2^(n-1), capped, on its own
// schedule. Unlike the work queue's retry backoff (workqueue.ts), this one is the reconciler's: a failing device
// is retried when its backoff ends even if events keep coming, and its next attempt is shown in its status.
export class DeviceBackoff {
  private readonly state = new Map<string, { failures: number; nextAttempt: number }>();

  constructor(private readonly o: { baseMs: number; maxMs: number; now: () => number }) {}

  /** The delay after n consecutive failures. */
  delayFor(n: number): number {
    return Math.min(this.o.maxMs, this.o.baseMs * 2 ** Math.max(0, Math.min(n - 1, 30)));
  }

  /** Consecutive failures of this key so far. */
  failures(key: string): number {
    return this.state.get(key)?.failures ?? 0;
  }

  /** How long the key must still wait (ms), or 0 when it may be tried now. */
  waiting(key: string): number {
    const s = this.state.get(key);
    if (!s) return 0;
    const left = s.nextAttempt - this.o.now();
    return left > 5 ? left : 0;
  }

  /** One more failure: how many in a row now, and how long until the next attempt. */
  failed(key: string): { failures: number; delayMs: number } {
    const failures = this.failures(key) + 1;
    const delayMs = this.delayFor(failures);
    this.state.set(key, { failures, nextAttempt: this.o.now() + delayMs });
    return { failures, delayMs };
  }

  /** A success (or a new configuration, or the object gone): the next failure starts from the base again. */
  reset(key: string): void {
    this.state.delete(key);
  }
}
