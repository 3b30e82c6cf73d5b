// An informer (list + watch + cache) on one resource, built on client-node 1.4.0's makeInformer, with what that
// version leaves to the application (client-node informers stop on any watch error other than a clean close):
//   - on a clean server close it re-watches from its last resourceVersion by itself;
//   - on any other watch end or a failed list it emits `error` and STOPS: we restart it, with backoff (200 ms → 30 s,
//     reset once a list succeeds).
// `synced` turns true after the first successful list, so controllers start from a full cache.
import * as k8s from '@kubernetes/client-node';
import type { Logger } from '../../common/logging.js';

export type ObjectHandler<T> = (obj: T) => void;

export interface ListOf<T> {
  metadata?: { resourceVersion?: string };
  items: T[];
}

export interface InformerOptions<T> {
  /** For logs and metrics, e.g. `networks.hil.io`. */
  name: string;
  /** The collection path, e.g. `/apis/hil.io/v1alpha1/networks`. */
  path: string;
  list: () => Promise<ListOf<T>>;
  labelSelector?: string;
  logger?: Logger;
}

export class ResourceInformer<T> {
  readonly name: string;
  private readonly inner: k8s.Informer<k8s.KubernetesObject> & k8s.ObjectCache<k8s.KubernetesObject>;
  private readonly handlers = {
    add: [] as ObjectHandler<T>[],
    update: [] as ObjectHandler<T>[],
    delete: [] as ObjectHandler<T>[],
  };
  private stopped = true;
  private listedOnce = false;
  private failures = 0;
  private restartTimer?: NodeJS.Timeout;
  private readonly logger?: Logger;
  private syncWaiters: (() => void)[] = [];

  constructor(kc: k8s.KubeConfig, opts: InformerOptions<T>) {
    this.name = opts.name;
    this.logger = opts.logger;
    const list = async () => {
      const l = await opts.list();
      this.failures = 0;
      if (!this.listedOnce) {
        this.listedOnce = true;
        // Handlers for the listed items run synchronously right after this resolves; wake waiters after them.
        setImmediate(() => this.syncWaiters.splice(0).forEach((w) => w()));
      }
      return l as unknown as k8s.KubernetesListObject<k8s.KubernetesObject>;
    };
    this.inner = k8s.makeInformer<k8s.KubernetesObject>(kc, opts.path, list, opts.labelSelector);
    this.inner.on(k8s.ADD, (o) => this.handlers.add.forEach((h) => h(o as T)));
    this.inner.on(k8s.UPDATE, (o) => this.handlers.update.forEach((h) => h(o as T)));
    this.inner.on(k8s.DELETE, (o) => this.handlers.delete.forEach((h) => h(o as T)));
    this.inner.on(k8s.ERROR, (err?: unknown) => this.onError(err));
  }

  on(verb: 'add' | 'update' | 'delete' | 'change', h: ObjectHandler<T>): this {
    if (verb === 'change') {
      this.handlers.add.push(h);
      this.handlers.update.push(h);
      this.handlers.delete.push(h);
    } else this.handlers[verb].push(h);
    return this;
  }

  get synced(): boolean {
    return this.listedOnce;
  }

  /** Starts listing and watching; resolves once the first list is in the cache (or when stopped). */
  async start(): Promise<void> {
    if (!this.stopped) return this.waitForSync();
    this.stopped = false;
    void this.inner.start().catch((err) => this.onError(err));
    return this.waitForSync();
  }

  waitForSync(): Promise<void> {
    if (this.listedOnce || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.syncWaiters.splice(0).forEach((w) => w());
    await this.inner.stop();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.inner.get(name, namespace) as T | undefined;
  }

  list(namespace?: string): T[] {
    return [...this.inner.list(namespace)] as T[];
  }

  private onError(err: unknown): void {
    if (this.stopped) return;
    this.failures++;
    const delay = Math.min(30_000, 200 * 2 ** Math.min(this.failures - 1, 10));
    this.logger?.warn('watch ended with an error; restarting', {
      informer: this.name,
      retryInMs: delay,
      error: (err as Error)?.message ?? String(err),
    });
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (this.stopped) return;
      void this.inner.start().catch((e) => this.onError(e));
    }, delay);
    this.restartTimer.unref?.();
  }
}
