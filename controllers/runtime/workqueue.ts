// A key-deduplicating work queue with the semantics of client-go's workqueue, which controller-runtime builds on:
//   - a key is in the queue at most once, however many times it is added while it waits;
//   - a key being processed is never handed to a second worker: adding it again marks it dirty, and it is queued
//     again when the first worker calls done();
//   - per-key exponential backoff for failures (addRateLimited: 5 ms × 2^(n-1), capped at ~16 min), reset by forget();
//   - addAfter(key, ms) for requeueAfter (the earliest pending time wins);
//   - two priorities: periodic resyncs go in at low priority and never delay event-driven work (as controller-runtime's
//     priority queue does for resync and initial-list events).
export type Priority = 'high' | 'low';

export interface RateLimiterOptions {
  /** First retry delay (default 5 ms). */
  baseDelayMs?: number;
  /** Cap (default 1000 s, as controller-runtime). */
  maxDelayMs?: number;
}

export class ExponentialBackoff {
  private readonly failures = new Map<string, number>();
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;

  constructor(opts: RateLimiterOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1_000_000;
  }

  /** Records one more failure of `key` and returns how long to wait before the next try. */
  when(key: string): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    return this.delayFor(n);
  }

  /** The delay after `n` consecutive failures. */
  delayFor(n: number): number {
    const d = this.baseDelayMs * 2 ** Math.min(n - 1, 60);
    return Math.min(d, this.maxDelayMs);
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }
}

export interface WorkQueueOptions extends RateLimiterOptions {
  /** Called whenever the number of queued keys changes (for the depth gauge). */
  onDepth?: (depth: number) => void;
}

export class WorkQueue {
  private readonly high: string[] = [];
  private readonly low: string[] = [];
  /** Keys waiting to be processed (queued, or marked while processing), with their priority. */
  private readonly dirty = new Map<string, Priority>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout; priority: Priority }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private down = false;
  readonly backoff: ExponentialBackoff;

  constructor(private readonly opts: WorkQueueOptions = {}) {
    this.backoff = new ExponentialBackoff(opts);
  }

  /** Queues `key` (a no-op when it is already queued; when it is being processed, it runs again after done()). */
  add(key: string, priority: Priority = 'high'): void {
    if (this.down) return;
    const cur = this.dirty.get(key);
    if (cur !== undefined) {
      if (cur === 'low' && priority === 'high') {
        this.dirty.set(key, 'high');
        const i = this.low.indexOf(key);
        if (i >= 0) {
          this.low.splice(i, 1);
          this.high.push(key);
        }
      }
      return;
    }
    this.dirty.set(key, priority);
    if (this.processing.has(key)) return;
    (priority === 'high' ? this.high : this.low).push(key);
    this.changed();
    this.wake();
  }

  /** Queues `key` after `ms` (the earliest of several pending times wins). */
  addAfter(key: string, ms: number, priority: Priority = 'high'): void {
    if (this.down) return;
    if (ms <= 0) return this.add(key, priority);
    const at = Date.now() + ms;
    const pending = this.delayed.get(key);
    if (pending) {
      if (pending.at <= at) {
        if (priority === 'high') pending.priority = 'high';
        return;
      }
      clearTimeout(pending.timer);
    }
    const timer = setTimeout(() => {
      const p = this.delayed.get(key);
      this.delayed.delete(key);
      this.add(key, p?.priority ?? priority);
    }, ms);
    timer.unref?.();
    this.delayed.set(key, { at, timer, priority: pending && pending.priority === 'high' ? 'high' : priority });
  }

  /** Queues `key` after its next backoff delay; returns that delay. */
  addRateLimited(key: string): number {
    const ms = this.backoff.when(key);
    this.addAfter(key, ms);
    return ms;
  }

  /** Resets the key's backoff (after a success). */
  forget(key: string): void {
    this.backoff.forget(key);
  }

  numRequeues(key: string): number {
    return this.backoff.retries(key);
  }

  /** The next key to process (high priority first), or undefined once the queue is shut down and drained. */
  get(): Promise<string | undefined> {
    const key = this.pop();
    if (key !== undefined || this.down) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `key` processed; if it was added meanwhile, it is queued again now. */
  done(key: string): void {
    this.processing.delete(key);
    const p = this.dirty.get(key);
    if (p !== undefined && !this.down) {
      (p === 'high' ? this.high : this.low).push(key);
      this.changed();
      this.wake();
    }
  }

  /** Keys queued and ready (not counting delayed or in-flight ones). */
  len(): number {
    return this.high.length + this.low.length;
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  /** Stops handing out keys: waiting get() calls resolve undefined; keys in flight may still call done(). */
  shutDown(): void {
    this.down = true;
    for (const d of this.delayed.values()) clearTimeout(d.timer);
    this.delayed.clear();
    this.high.length = 0;
    this.low.length = 0;
    this.dirty.clear();
    this.changed();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  get shuttingDown(): boolean {
    return this.down;
  }

  private pop(): string | undefined {
    const key = this.high.shift() ?? this.low.shift();
    if (key === undefined) return undefined;
    this.dirty.delete(key);
    this.processing.add(key);
    this.changed();
    return key;
  }

  private wake(): void {
    while (this.waiters.length && this.len()) {
      const key = this.pop()!;
      this.waiters.shift()!(key);
    }
  }

  private changed(): void {
    this.opts.onDepth?.(this.len());
  }
}
