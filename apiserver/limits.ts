// What one client, or all of them together, may hold of the server: watches, bytes queued for a watcher that does
// not read, request bodies, and time to send a request. A misbehaving or hostile client is cut off; the server,
// and the controllers running in it, stay up. docs/security.md lists each limit with its flag.

export interface ServerLimits {
  /** Open watches, all callers together; one more is a 429. */
  maxWatches: number;
  /** Open watches per non-admin user (anonymous callers share one count); one more is a 429. */
  maxWatchesPerUser: number;
  /** Bytes a watch may have waiting for a client that does not read, beyond its initial state; then it is closed. */
  watchBufferBytes: number;
  /** A watch whose client has not taken its data for this long is closed (kube-apiserver drops slow watchers). */
  slowWatchMs: number;
  /** Largest request body, once authenticated (413 above). */
  maxBodyBytes: number;
  /** Largest request body of an anonymous caller (optional authentication); they can write nothing anyway. */
  anonymousMaxBodyBytes: number;
  /** Time to receive a request's headers (slowloris). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (not the answer: watches and consoles stream for long). */
  requestTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxWatches: 2_000,
  maxWatchesPerUser: 100,
  watchBufferBytes: 1024 * 1024,
  slowWatchMs: 15_000,
  maxBodyBytes: 3 * 1024 * 1024,
  anonymousMaxBodyBytes: 16 * 1024,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
};

/** Counts open watches per user and in total. */
export class WatchQuota {
  private total = 0;
  private readonly perUser = new Map<string, number>();

  constructor(private readonly limits: Pick<ServerLimits, 'maxWatches' | 'maxWatchesPerUser'>) {}

  /** A slot for a new watch, or the reason there is none. The returned release is idempotent. */
  acquire(user: string, admin: boolean): { release: () => void } | { refused: string } {
    if (this.total >= this.limits.maxWatches)
      return { refused: `the server has ${this.total} watches open, its limit (--max-watches)` };
    const mine = this.perUser.get(user) ?? 0;
    if (!admin && mine >= this.limits.maxWatchesPerUser) {
      return { refused: `user "${user}" has ${mine} watches open, the limit per user (--max-watches-per-user)` };
    }
    this.total++;
    this.perUser.set(user, mine + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const n = (this.perUser.get(user) ?? 1) - 1;
        if (n <= 0) this.perUser.delete(user);
        else this.perUser.set(user, n);
      },
    };
  }

  get open(): number {
    return this.total;
  }
}
