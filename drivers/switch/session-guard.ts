// What every session needs around its calls: one call at a time, a deadline on each, and a clean close that
// rejects whatever is still pending. Drivers wrap each public method in `guard.run(...)`.
import { SwitchError } from './errors.js';

export class SessionGuard {
  private tail: Promise<unknown> = Promise.resolve();
  private closedBy: SwitchError | undefined;
  private readonly waiting = new Set<(err: SwitchError) => void>();

  /**
   * @param timeoutMs each call settles within this long after it was made (queueing included)
   * @param abort called once when the session dies (timeout or close): drop the connection, kill the process
   */
  constructor(
    private readonly timeoutMs: number,
    private readonly abort: (reason: SwitchError) => void,
    /** Optional words on what was being waited for, added to timeout messages. */
    private readonly timeoutHint?: () => string | undefined,
  ) {}

  get closed(): boolean {
    return this.closedBy !== undefined;
  }

  /**
   * Runs `fn` after every earlier call has settled, rejecting with `timeout` (and closing) if it takes too long:
   * `timeoutMs` for this call when given (a call whose length grows with its batch), else the session's.
   */
  run<T>(what: string, fn: () => Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    if (this.closedBy)
      return Promise.reject(new SwitchError('closed', `${what}: the session is closed (${this.closedBy.message})`));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (err: SwitchError | undefined, value?: T) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.waiting.delete(fail);
        if (err) reject(err);
        else resolve(value as T);
      };
      const fail = (err: SwitchError) => settle(new SwitchError(err.code, `${what}: ${err.message}`, { cause: err }));
      this.waiting.add(fail);
      const timer = setTimeout(() => {
        const hint = this.timeoutHint?.();
        const err = new SwitchError(
          'timeout',
          `${what}: no answer from the switch within ${timeoutMs} ms${hint ? ` (${hint})` : ''}; session closed`,
        );
        settle(err);
        this.shutdown(err);
      }, timeoutMs);
      const start = async () => {
        if (settled) return;
        if (this.closedBy) return fail(new SwitchError('closed', `the session is closed (${this.closedBy.message})`));
        try {
          settle(undefined, await fn());
        } catch (err) {
          settle(
            err instanceof SwitchError
              ? err
              : new SwitchError('failed', `${what}: ${(err as Error)?.message ?? String(err)}`, { cause: err }),
          );
        }
      };
      // Wait for the previous call to settle (either way), not for its side effects.
      const next = this.tail.then(start, start);
      this.tail = next.catch(() => undefined);
    });
  }

  /** Closes the session: pending calls reject with `closed`, `abort` runs once. */
  shutdown(reason: SwitchError = new SwitchError('closed', 'closed by the caller')): void {
    if (this.closedBy) return;
    this.closedBy = reason;
    for (const fail of [...this.waiting]) fail(new SwitchError('closed', `the session was closed (${reason.message})`));
    try {
      this.abort(reason);
    } catch {
      // closing must never throw
    }
  }
}

/** Rejects with `timeout` if `promise` has not settled within `ms` (at least 1 ms). */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new SwitchError('timeout', `${what}: no answer from the switch in time`)),
      Math.max(1, ms),
    );
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
