// Lease-based leader election (client-go's leaderelection with a coordination.k8s.io/v1 Lease, as controller-runtime
// uses it). One daemon holds the Lease and reconciles; the others poll it every retryPeriod and take over once the
// holder has not renewed for leaseDuration (judged by *their own* clock: when they last saw the record change, so
// clock skew between machines does not matter). The holder renews every retryPeriod; if it cannot renew within
// renewDeadline it stops leading at once (before anyone else may take over: renewDeadline < leaseDuration).
// On a clean shutdown the holder releases the lease (empty holder, 1 s duration) so a standby takes over at once.
//
// Defaults: leaseDuration 12 s, renewDeadline 8 s, retryPeriod 2 s → a standby takes over at most ~14 s after the
// leader dies.
import type { Logger } from '../../common/logging.js';
import { sleepUnlessAborted } from './sleep.js';

/** The fields of a Lease we use (coordination.k8s.io/v1). Times are RFC 3339 strings with microseconds. */
export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface LeaseObject {
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string> };
  spec: LeaseRecord;
}

/** What leader election needs from the API (a fake in unit tests, client-node against a server otherwise). */
export interface LeaseStore {
  /** undefined when there is no such lease. */
  get(namespace: string, name: string): Promise<LeaseObject | undefined>;
  /** Rejects with an error whose `code` is 409 when it exists. */
  create(lease: LeaseObject): Promise<LeaseObject>;
  /** Rejects with `code` 409 when metadata.resourceVersion is stale. */
  replace(lease: LeaseObject): Promise<LeaseObject>;
}

export interface LeaderElectionOptions {
  store: LeaseStore;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  logger?: Logger;
  /** Injectable clock (tests). */
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** RFC 3339 with microseconds, as metav1.MicroTime serializes. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const defaultSleep = sleepUnlessAborted;

export class LeaderElector {
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  private readonly o: LeaderElectionOptions;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The record as last seen, and when (our clock) it last changed. */
  private observed?: { key: string; at: number; record: LeaseRecord };
  private leading = false;
  private lastRenew = 0;

  constructor(opts: LeaderElectionOptions) {
    this.o = opts;
    this.identity = opts.identity;
    this.leaseDurationMs = opts.leaseDurationMs ?? 12_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 8_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    if (!(this.renewDeadlineMs < this.leaseDurationMs))
      throw new Error('leader election: renewDeadline must be shorter than leaseDuration');
    if (!(this.retryPeriodMs < this.renewDeadlineMs))
      throw new Error('leader election: retryPeriod must be shorter than renewDeadline');
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The holder as last observed (for logs and tests). */
  get observedHolder(): string | undefined {
    return this.observed?.record.holderIdentity;
  }

  /**
   * Campaigns until elected, then keeps renewing. Resolves `true` when elected (call `hold` next), `false` when
   * `signal` aborted first.
   */
  async acquire(signal: AbortSignal): Promise<boolean> {
    let announced = '';
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) {
        this.leading = true;
        this.o.logger?.info('became leader', { lease: `${this.o.namespace}/${this.o.name}`, identity: this.identity });
        return true;
      }
      const holder = this.observed?.record.holderIdentity ?? '';
      if (holder !== announced) {
        announced = holder;
        this.o.logger?.info('waiting for the leader lease', {
          lease: `${this.o.namespace}/${this.o.name}`,
          holder,
          identity: this.identity,
        });
      }
      await this.sleep(this.retryPeriodMs * (1 + Math.random() * 0.2), signal);
    }
    return false;
  }

  /**
   * Renews every retryPeriod while leading. Resolves when leadership is lost (no successful renew within
   * renewDeadline, or someone else holds the lease) — `'lost'` — or when `signal` aborts — `'stopped'`.
   */
  async hold(signal: AbortSignal): Promise<'lost' | 'stopped'> {
    while (!signal.aborted) {
      await this.sleep(this.retryPeriodMs, signal);
      if (signal.aborted) break;
      // Retry within the deadline, as client-go's renew loop does.
      let renewed = false;
      while (!signal.aborted && this.now() - this.lastRenew < this.renewDeadlineMs) {
        if (await this.tryAcquireOrRenew()) {
          renewed = true;
          break;
        }
        if (
          this.observed &&
          this.observed.record.holderIdentity &&
          this.observed.record.holderIdentity !== this.identity
        )
          break;
        await this.sleep(Math.min(this.retryPeriodMs / 4, 500), signal);
      }
      if (signal.aborted) break;
      if (!renewed) {
        this.leading = false;
        this.o.logger?.error('lost the leader lease', {
          lease: `${this.o.namespace}/${this.o.name}`,
          identity: this.identity,
          holder: this.observed?.record.holderIdentity,
        });
        return 'lost';
      }
    }
    return 'stopped';
  }

  /** Gives the lease up (clean shutdown) so a standby takes over at once. Never throws. */
  async release(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    try {
      const cur = await this.o.store.get(this.o.namespace, this.o.name);
      if (!cur || cur.spec.holderIdentity !== this.identity) return;
      await this.o.store.replace({
        metadata: { ...cur.metadata },
        spec: { ...cur.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.now()) },
      });
      this.o.logger?.info('released the leader lease', {
        lease: `${this.o.namespace}/${this.o.name}`,
        identity: this.identity,
      });
    } catch (err) {
      this.o.logger?.warn('could not release the leader lease', { error: (err as Error).message });
    }
  }

  /** One attempt (client-go's tryAcquireOrRenew). Never throws. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.now();
    const mine: LeaseRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    try {
      const cur = await this.o.store.get(this.o.namespace, this.o.name);
      if (!cur) {
        await this.o.store.create({ metadata: { name: this.o.name, namespace: this.o.namespace }, spec: mine });
        this.observe(mine, now);
        this.lastRenew = now;
        return true;
      }
      const rec = cur.spec ?? {};
      this.observe(rec, now);
      const holder = rec.holderIdentity ?? '';
      const durationMs = (rec.leaseDurationSeconds ?? Math.ceil(this.leaseDurationMs / 1000)) * 1000;
      if (holder !== '' && holder !== this.identity && this.observed!.at + durationMs > now) return false;
      const next: LeaseRecord =
        holder === this.identity
          ? { ...rec, renewTime: mine.renewTime, leaseDurationSeconds: mine.leaseDurationSeconds }
          : { ...mine, leaseTransitions: (rec.leaseTransitions ?? 0) + 1 };
      const written = await this.o.store.replace({ metadata: { ...cur.metadata }, spec: next });
      this.observe(written.spec ?? next, now);
      this.lastRenew = now;
      return true;
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code !== 409) this.o.logger?.warn('leader election: lease request failed', { error: (err as Error).message });
      return false;
    }
  }

  private observe(rec: LeaseRecord, now: number): void {
    const key = JSON.stringify([
      rec.holderIdentity ?? '',
      rec.renewTime ?? '',
      rec.leaseDurationSeconds ?? 0,
      rec.leaseTransitions ?? 0,
    ]);
    if (!this.observed || this.observed.key !== key) this.observed = { key, at: now, record: rec };
  }
}
