// A controller: a work queue, N workers and a Reconciler (controller-runtime's controller.Controller). Keys come from
// informer event handlers (enqueue) and from the reconciler's own results (requeueAfter, backoff). Never two workers
// on one key (the queue guarantees it); different keys run in parallel up to `workers`.
import type { Logger } from '../../common/logging.js';
import type { ControllerMetrics } from './metrics.js';
import { isTerminal, type Reconciler } from './reconciler.js';
import { WorkQueue, type Priority } from './workqueue.js';

export interface ControllerOptions {
  name: string;
  reconciler: Reconciler;
  /** Concurrent reconciles of different keys (default 1). */
  workers?: number;
  metrics?: ControllerMetrics;
  logger?: Logger;
  /** Backoff of failing keys (defaults: 5 ms → 1000 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** An optimistic-concurrency conflict (HTTP 409): retried, but not counted as an error (cert-manager does the same). */
export function isConflict(err: unknown): boolean {
  const e = err as { code?: number; statusCode?: number } | undefined;
  return e?.code === 409 || e?.statusCode === 409;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly reconciler: Reconciler;
  private readonly workers: number;
  private readonly metrics?: ControllerMetrics;
  private readonly logger?: Logger;
  private running: Promise<void>[] = [];
  private abort = new AbortController();
  private inFlight = 0;

  constructor(opts: ControllerOptions) {
    this.name = opts.name;
    this.reconciler = opts.reconciler;
    this.workers = Math.max(1, opts.workers ?? 1);
    this.metrics = opts.metrics;
    this.logger = opts.logger;
    this.queue = new WorkQueue({
      baseDelayMs: opts.baseDelayMs,
      maxDelayMs: opts.maxDelayMs,
      onDepth: (d) => this.metrics?.queueDepth.set({ controller: this.name }, d),
    });
  }

  enqueue(key: string, priority: Priority = 'high'): void {
    this.queue.add(key, priority);
  }

  enqueueAfter(key: string, ms: number, priority: Priority = 'high'): void {
    this.queue.addAfter(key, ms, priority);
  }

  /** Starts the workers. */
  start(): void {
    if (this.running.length) return;
    for (let i = 0; i < this.workers; i++) this.running.push(this.work());
  }

  /** Reconciles running now. */
  get busy(): number {
    return this.inFlight;
  }

  /**
   * Stops taking work and waits for in-flight reconciles to finish. With `abort`, their signal is aborted first
   * (lost leadership: stop writing at once).
   */
  async stop(opts: { abort?: boolean } = {}): Promise<void> {
    if (opts.abort) this.abort.abort(new Error(`controller ${this.name} stopped`));
    this.queue.shutDown();
    await Promise.all(this.running);
    this.running = [];
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      await this.processOne(key);
    }
  }

  /** One reconcile of one key, with metrics and requeue handling. */
  async processOne(key: string): Promise<void> {
    const started = performance.now();
    let result = 'success';
    this.inFlight++;
    try {
      const res = await this.reconciler.reconcile({ key }, this.abort.signal);
      this.queue.forget(key);
      if (res.requeueAfterMs && res.requeueAfterMs > 0) {
        result = 'requeue_after';
        this.queue.addAfter(key, res.requeueAfterMs);
      }
    } catch (err) {
      if (this.abort.signal.aborted) {
        result = 'aborted';
      } else if (isTerminal(err)) {
        result = 'terminal';
        this.queue.forget(key);
        this.metrics?.reconcileErrors.inc({ controller: this.name });
        this.logger?.warn('reconcile failed for good', { controller: this.name, key, error: (err as Error).message });
      } else if (isConflict(err)) {
        result = 'conflict';
        this.queue.addRateLimited(key);
        this.logger?.debug('conflict, retrying', { controller: this.name, key });
      } else {
        result = 'error';
        this.metrics?.reconcileErrors.inc({ controller: this.name });
        const delay = this.queue.addRateLimited(key);
        this.logger?.warn('reconcile failed, retrying', {
          controller: this.name,
          key,
          retryInMs: delay,
          error: errorMessage(err),
        });
      }
    } finally {
      this.inFlight--;
      this.queue.done(key);
      this.metrics?.reconcileTotal.inc({ controller: this.name, result });
      this.metrics?.reconcileDuration.observe({ controller: this.name }, (performance.now() - started) / 1000);
    }
  }
}

export function errorMessage(err: unknown): string {
  const e = err as { body?: unknown; message?: string; code?: number };
  if (e && typeof e.body === 'string') {
    try {
      const s = JSON.parse(e.body) as { message?: string };
      if (s.message) return `${e.code ?? ''} ${s.message}`.trim();
    } catch {
      /* not JSON */
    }
  }
  if (e && e.body && typeof e.body === 'object' && (e.body as { message?: string }).message)
    return `${e.code ?? ''} ${(e.body as { message: string }).message}`.trim();
  return e?.message ?? String(err);
}
