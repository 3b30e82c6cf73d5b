// A concurrency limit shared by many callers, with two priorities: waiting high-priority work always starts before
// waiting low-priority work. The switch reconciler writes every status through one: the attachment statuses users
// wait for (`hilctl attach --wait`) go ahead of port statuses and Events, across all switches syncing at once.
export type LimiterPriority = 'high' | 'low';

export class Limiter {
  private running = 0;
  private readonly waiting: Record<LimiterPriority, (() => void)[]> = { high: [], low: [] };

  constructor(readonly concurrency: number) {
    if (!(concurrency >= 1)) throw new Error(`concurrency must be at least 1, not ${concurrency}`);
  }

  async run<T>(priority: LimiterPriority, fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((start) => this.waiting[priority].push(start));
    else this.running++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.high.shift() ?? this.waiting.low.shift();
      if (next)
        next(); // the slot passes straight on
      else this.running--;
    }
  }

  /** Runs fn over every item through the limiter; waits for all, then throws the first failure if any. */
  async forEach<T>(priority: LimiterPriority, items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(items.map((item) => this.run(priority, () => fn(item))));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Work waiting for a slot, per priority. */
  get queued(): { high: number; low: number } {
    return { high: this.waiting.high.length, low: this.waiting.low.length };
  }
}
