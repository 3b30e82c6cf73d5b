// The manager (controller-runtime's manager.Manager): shared informers, the controllers, leader election, the
// metrics/health endpoint and graceful shutdown, in one lifecycle:
//
//   standby ──(lease acquired)──▶ start informers, wait for their first list ──▶ start controllers
//      ▲                                                                              │
//      └── (process restarts)  ◀── lost the lease: abort in-flight reconciles at once ┤
//                                  SIGTERM: stop taking work, finish in-flight, release the lease
import type { Logger } from '../../common/logging.js';
import type { Controller } from './controller.js';
import type { ResourceInformer } from './informer.js';
import { LeaderElector, type LeaderElectionOptions } from './leader-election.js';
import { ControllerMetrics, startMetricsServer } from './metrics.js';

export interface ManagerOptions {
  logger: Logger;
  metrics?: ControllerMetrics;
  /** Leader election; omitted = this process always leads (tests, single-replica installs). */
  leaderElection?: LeaderElectionOptions;
  /** Serve /metrics, /healthz, /readyz here. */
  metricsListen?: { host: string; port: number };
}

export type RunOutcome = 'stopped' | 'lost';

export class Manager {
  readonly metrics: ControllerMetrics;
  readonly elector?: LeaderElector;
  private readonly logger: Logger;
  private readonly informers: ResourceInformer<unknown>[] = [];
  private readonly controllers: Controller[] = [];
  private readonly runnables: ((signal: AbortSignal) => Promise<void> | void)[] = [];
  private readonly opts: ManagerOptions;
  private started = false;
  private synced = false;
  /** The port the metrics server listens on, once started. */
  metricsPort?: number;

  constructor(opts: ManagerOptions) {
    this.opts = opts;
    this.logger = opts.logger;
    this.metrics = opts.metrics ?? new ControllerMetrics();
    if (opts.leaderElection) this.elector = new LeaderElector({ logger: opts.logger, ...opts.leaderElection });
  }

  addInformer<T>(inf: ResourceInformer<T>): ResourceInformer<T> {
    this.informers.push(inf as ResourceInformer<unknown>);
    return inf;
  }

  addController(c: Controller): Controller {
    this.controllers.push(c);
    return c;
  }

  /** Work that runs while leading (periodic resyncs); gets a signal that aborts when leading ends. */
  addRunnable(fn: (signal: AbortSignal) => Promise<void> | void): void {
    this.runnables.push(fn);
  }

  get isLeader(): boolean {
    return this.elector ? this.elector.isLeader : this.started;
  }

  /** Ready: informers synced while leading, or standing by. */
  get ready(): boolean {
    return this.elector && !this.elector.isLeader ? true : this.synced;
  }

  /**
   * Runs until `signal` aborts (graceful stop: resolves 'stopped') or leadership is lost (resolves 'lost'; the
   * caller should exit so a fresh process campaigns again, as controller-runtime does).
   */
  async run(signal: AbortSignal): Promise<RunOutcome> {
    let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
    if (this.opts.metricsListen) {
      metricsServer = await startMetricsServer(
        this.metrics,
        { healthy: () => true, ready: () => this.ready },
        this.opts.metricsListen,
      );
      this.metricsPort = metricsServer.port;
      this.logger.info('serving metrics and health', { port: metricsServer.port, host: this.opts.metricsListen.host });
    }
    try {
      if (this.elector) {
        const elected = await this.elector.acquire(signal);
        if (!elected) return 'stopped';
        this.metrics.leader.set({ identity: this.elector.identity }, 1);
      }
      const leading = new AbortController();
      const onStop = () => leading.abort();
      signal.addEventListener('abort', onStop, { once: true });
      const held = this.elector
        ? this.elector.hold(leading.signal)
        : new Promise<'stopped'>((r) => leading.signal.addEventListener('abort', () => r('stopped'), { once: true }));

      this.started = true;
      const t0 = performance.now();
      await Promise.race([Promise.all(this.informers.map((i) => i.start())), held]);
      this.synced = this.informers.every((i) => i.synced);
      let outcome: RunOutcome = 'stopped';
      if (this.synced && !leading.signal.aborted) {
        this.logger.info('caches synced; starting controllers', {
          ms: Math.round(performance.now() - t0),
          controllers: this.controllers.map((c) => c.name),
        });
        for (const c of this.controllers) c.start();
        const runs = this.runnables.map((fn) =>
          Promise.resolve(fn(leading.signal)).catch((err) =>
            this.logger.error('runnable failed', { error: (err as Error).message }),
          ),
        );
        outcome = await held;
        signal.removeEventListener('abort', onStop);
        leading.abort();
        if (outcome === 'lost') {
          // Stop reconciling at once: abort in-flight reconciles (they stop before their next write).
          await Promise.all(this.controllers.map((c) => c.stop({ abort: true })));
        } else {
          this.logger.info('stopping: finishing in-flight reconciles');
          await Promise.all(this.controllers.map((c) => c.stop()));
        }
        await Promise.all(runs);
      } else {
        outcome = await held;
      }
      await Promise.all(this.informers.map((i) => i.stop()));
      if (this.elector) {
        if (outcome === 'stopped') await this.elector.release();
        this.metrics.leader.set({ identity: this.elector.identity }, 0);
      }
      this.started = false;
      return outcome;
    } finally {
      await metricsServer?.close();
    }
  }
}
