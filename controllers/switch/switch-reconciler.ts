// The switch reconciler — the heart of HIL: keeps every managed port of one Switch on the VLANs its NIC's
// NetworkAttachments ask for. One reconcile per Switch key (never two at once on one switch; switches in parallel):
//
//   1. desired state of every Port of the switch (desired-state.ts), from the informers' caches;
//   2. if nothing differs from what the switch had at the last sync and no resync is due: done, no session;
//   3. otherwise, in ONE session: read every port back (drift shows), apply only the ports that differ in ONE
//      `apply`, ONE `save` if anything changed. Paused switches (annotation hil.io/paused) are read, never written;
//   4. statuses, written only when they change (switch-status.ts): NetworkAttachment phase/switch/port/vlan + Ready,
//      Port observed VLANs + InSync, Switch Reachable/Ready, lastSyncTime/Duration, failedSyncAttempts, nextSyncTime;
//      Events for each port changed and each drift corrected; the hil.io/port-revert finalizer of a deleted
//      attachment is removed once its port no longer carries it, and that of a deleted Port once its switch port is
//      read back reverted.
//   A failing or hanging switch (driver timeouts) backs off (1 s × 2^(n-1), capped; visible in nextSyncTime) on its own
//   key: other switches never wait for it.
//
// Usable in-process (benchmarks, tests): new SwitchReconciler({ client, cache, driverRegistry }) and call
// reconcile({ key: switchName }, signal) — or run it under a Controller (controllers/daemon.ts does).
import type { Port, Switch } from '../../api/v1alpha1/types.js';
import type { Logger } from '../../common/logging.js';
import {
  changesNeeded,
  describePort,
  isSwitchError,
  portInSync,
  SwitchError,
  type DriverRegistry,
  type ObservedPort,
  type PortChange,
  type PortResult,
  type SwitchCapabilities,
  type SwitchConfig,
  type SwitchDriver,
  type SwitchSession,
} from '../../drivers/switch/index.js';
import type { ObjectCache } from '../cache.js';
import type { HilClient } from '../client.js';
import type { EventRecorder } from '../events.js';
import { errorMessage } from '../runtime/controller.js';
import { deepEqual } from '../../api/meta/equal.js';
import { DeviceBackoff } from '../runtime/backoff.js';
import type { Reconciler, Request, Result } from '../runtime/reconciler.js';
import { Limiter } from '../runtime/limiter.js';
import { withDefaults } from '../runtime/options.js';
import { SYSTEM_NAMESPACE } from '../rbac.js';
import { planSwitch, type PortPlan } from './desired-state.js';
import { rfc3339, SwitchStatusWriter } from './switch-status.js';
import { SessionPool } from './session-pool.js';

export { PAUSED_ANNOTATION } from '../../api/v1alpha1/annotations.js';
import { PAUSED_ANNOTATION } from '../../api/v1alpha1/annotations.js';

export interface SwitchReconcilerOptions {
  client: HilClient;
  cache: ObjectCache;
  driverRegistry: DriverRegistry;
  events?: EventRecorder;
  logger?: Logger;
  /** Full read-back of every port (drift correction) at least this often. Default 60 000. */
  resyncMs?: number;
  /**
   * Every driver call settles within this. Default: each driver's own (30 000 for ovs, linuxbridge and mock; the
   * dialect's login, command and save deadlines for CLI switches, which this caps when set).
   */
  driverTimeoutMs?: number;
  /** Keep a switch's session open this long after a batch (default 30 000; 0 closes it at once). */
  sessionIdleMs?: number;
  /**
   * Whether more events for this switch are on their way (the daemon's Batcher). While they are, each pass applies
   * what is known so far in the kept session, and the save, the statuses and the Events wait for the pass after the
   * burst: the switch works while the API is still taking the burst, and there is still one save per batch.
   */
  burstOngoing?: (switchName: string) => boolean;
  /** A burst defers the save and the statuses at most this long after its first applied change (default 1 000). */
  maxDeferMs?: number;
  /** Backoff of a failing switch: base × 2^(n-1) up to max (defaults 1 000 and 300 000). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /**
   * Status writes (and Events) in flight at once, across every switch (default 16). Attachment statuses go
   * first, then port and switch statuses and Events.
   */
  statusConcurrency?: number;
  /**
   * Reconcile this switch again after `afterMs` (the daemon's controller queue): a pass returns once its attachment
   * statuses are written, and its trailing writes (Port and Switch statuses, Events) that fail ask for another pass
   * through this. Without it (tests), they are only logged.
   */
  requeue?: (switchName: string, afterMs: number) => void;
  now?: () => number;
}

/** What this process last knew of a switch (memory only; a restart just means one full read). */
interface SwitchMemory {
  /** Port state as read (or written) at the last successful sync, by interface. */
  observed: Map<string, ObservedPort>;
  lastFullSync: number;
  configKey: string;
  /** Changes applied in a burst that no save has covered yet (kept across failures: the next success saves). */
  unsaved?: boolean;
  /** When the oldest of those was applied (ms): a burst that never ends still saves after maxDeferMs. */
  unsavedSince?: number;
  /** Events of a burst's passes, recorded after its final pass (with the statuses). */
  pendingEvents?: PendingEvent[];
}

interface PendingEvent {
  port: Port;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export class SwitchReconciler implements Reconciler {
  private readonly o: Required<
    Pick<SwitchReconcilerOptions, 'resyncMs' | 'backoffBaseMs' | 'backoffMaxMs' | 'statusConcurrency' | 'maxDeferMs'>
  > &
    SwitchReconcilerOptions;
  private readonly pool: SessionPool;
  private readonly memory = new Map<string, SwitchMemory>();
  private readonly status: SwitchStatusWriter;
  private readonly now: () => number;
  private readonly writes: Limiter;
  /** Switches whose SSH host key was refused, with the recorded key (or '') at the time. */
  private readonly hostKeyRefused = new Map<string, string>();
  /** Failing switches wait on their own schedule (shown in status.nextSyncTime). */
  private readonly backoff: DeviceBackoff;
  /**
   * Each switch's trailing writes, chained: a pass's Port and Switch statuses and Events go after the previous
   * pass's (so they land in order), but its next pass does not wait for them.
   */
  private readonly trails = new Map<string, Promise<void>>();

  constructor(opts: SwitchReconcilerOptions) {
    this.o = withDefaults(
      {
        resyncMs: 60_000,
        backoffBaseMs: 1_000,
        backoffMaxMs: 300_000,
        statusConcurrency: 16,
        maxDeferMs: 1_000,
      },
      opts,
    );
    this.writes = new Limiter(this.o.statusConcurrency);
    this.pool = new SessionPool(opts.sessionIdleMs ?? 30_000);
    this.now = opts.now ?? Date.now;
    this.backoff = new DeviceBackoff({ baseMs: this.o.backoffBaseMs, maxMs: this.o.backoffMaxMs, now: this.now });
    this.status = new SwitchStatusWriter({
      client: this.o.client,
      cache: this.o.cache,
      writes: this.writes,
      resyncMs: this.o.resyncMs,
      logger: this.o.logger,
    });
  }

  /** Closes every kept session (shutdown), after the trailing writes in flight (5 s at most). */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled(), new Promise((r) => (timer = setTimeout(r, 5_000)))]);
    clearTimeout(timer);
    await this.pool.closeAll();
  }

  /** Resolves once every switch's trailing writes are done (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.trails.size) await Promise.all(this.trails.values());
  }

  /**
   * Runs `work` after the switch's earlier trailing writes. What users wait for is written by then; this is what
   * follows (Port statuses and finalizers, the Switch's status, Events). A failure is logged and asks for another
   * pass, which writes whatever is still missing.
   */
  private trail(name: string, work: () => Promise<void>): void {
    const next = (this.trails.get(name) ?? Promise.resolve())
      .then(work)
      .catch((err: unknown) => {
        const retryInMs = this.backoffMs(1);
        this.o.logger?.warn('writing switch statuses failed; reconciling again', {
          switch: name,
          retryInMs,
          error: errorMessage(err),
        });
        this.o.requeue?.(name, retryInMs);
      })
      .finally(() => {
        if (this.trails.get(name) === next) this.trails.delete(name);
      });
    this.trails.set(name, next);
  }

  /** The backoff after n consecutive failures. */
  backoffMs(n: number): number {
    return this.backoff.delayFor(n);
  }

  async reconcile(req: Request, signal: AbortSignal): Promise<Result> {
    const name = req.key;
    const sw = this.o.cache.get('switches', name);
    if (!sw || sw.metadata.deletionTimestamp) {
      this.memory.delete(name);
      this.hostKeyRefused.delete(name);
      this.backoff.reset(name);
      await this.pool.discard(name);
      // No switch to revert them on (admission keeps a Switch while it has Ports; these name one that never was).
      await this.status.releaseDeletedPorts(name);
      return {};
    }
    let driver: SwitchDriver;
    try {
      driver = this.o.driverRegistry.driverFor(sw.spec.type);
    } catch (err) {
      // No driver for this type: nothing to retry until the Switch changes. Nothing was ever sent to it either, so
      // its deleted Ports may go.
      await this.status.releaseDeletedPorts(name);
      await this.status.writeSwitchStatus(sw, {
        conditions: [
          { type: 'Reachable', status: 'Unknown', reason: 'Unsupported', message: (err as Error).message },
          { type: 'Ready', status: 'False', reason: 'Unsupported', message: (err as Error).message },
        ],
      });
      return {};
    }
    const caps = driver.capabilities();
    const parkingVlan =
      caps.parking === 'vlan' ? (sw.spec.parkingVlan ?? caps.defaultParkingVlan) : sw.spec.parkingVlan;
    const plan = planSwitch(sw, this.o.cache, caps, parkingVlan);
    const paused = sw.metadata.annotations?.[PAUSED_ANNOTATION] === 'true';
    const configKey = JSON.stringify([
      sw.spec.type,
      sw.spec.address,
      sw.spec.options ?? {},
      sw.spec.parkingVlan ?? null,
      sw.spec.credentialsSecretRef ?? null,
    ]);

    let mem = this.memory.get(name);
    if (mem && mem.configKey !== configKey) {
      mem = undefined;
      this.backoff.reset(name);
    }
    const now = this.now();
    const failing = this.backoff.failures(name) > 0;

    // Backing off after a failure: wait for nextSyncTime unless the desired state changed meanwhile? No: a failing
    // switch is retried on its own schedule only (events must not defeat the backoff).
    const refusedWith = this.hostKeyRefused.get(name);
    if (refusedWith !== undefined && refusedWith !== (sw.status?.sshHostKeyFingerprint ?? '')) {
      // An admin cleared (or replaced) the recorded host key that was refused: try again now.
      this.hostKeyRefused.delete(name);
      this.backoff.reset(name);
    }
    const wait = mem ? this.backoff.waiting(name) : 0;
    if (wait) return { requeueAfterMs: wait };

    // A Port being deleted goes only once its switch port is read back reverted: that takes a session.
    const deleting = plan.ports.some((p) => p.port.metadata.deletionTimestamp) && !paused;
    const resyncDue = !mem || failing || deleting || now - mem.lastFullSync >= this.o.resyncMs;
    const differs =
      !mem ||
      plan.ports.some((p) => {
        const o = mem.observed.get(p.desired.interface);
        return !o || !portInSync(p.desired, o);
      });
    // Mid-burst, unless this burst has deferred its save for too long already (events that never stop).
    const burst =
      !paused &&
      this.o.burstOngoing?.(name) === true &&
      !(mem?.unsavedSince !== undefined && now - mem.unsavedSince >= this.o.maxDeferMs);
    // Mid-burst with nothing new to apply: the pass after the burst saves and reports.
    if (burst && mem && !failing && !differs) return {};

    if (!resyncDue && !differs && !mem?.unsaved) {
      // Nothing to do on the switch: make sure statuses say so (cheap when they already do).
      if (signal.aborted) return {};
      this.trail(name, await this.status.writeStatuses(sw, plan, mem!.observed, new Map(), { paused }));
      return { requeueAfterMs: Math.max(1, mem!.lastFullSync + this.o.resyncMs - now) };
    }
    if (paused && !resyncDue && mem) {
      // Paused: no writes; statuses show what differs.
      this.trail(name, await this.status.writeStatuses(sw, plan, mem.observed, new Map(), { paused }));
      return { requeueAfterMs: Math.max(1, mem.lastFullSync + this.o.resyncMs - now) };
    }
    const replan = () => planSwitch(sw, this.o.cache, caps, parkingVlan);
    return this.sync(sw, driver, caps, plan, replan, configKey, paused, burst, signal);
  }

  /**
   * One session: read back, apply the difference, save; then statuses. Mid-burst (`burst`), only the apply: the
   * read is skipped when this burst's earlier pass left every port's state in memory, and the save, statuses and
   * Events wait for the pass after the burst (which reads the switch again).
   */
  private async sync(
    sw: Switch,
    driver: SwitchDriver,
    caps: SwitchCapabilities,
    plannedBefore: ReturnType<typeof planSwitch>,
    replan: () => ReturnType<typeof planSwitch>,
    configKey: string,
    paused: boolean,
    burstAtStart: boolean,
    signal: AbortSignal,
  ): Promise<Result> {
    let plan = plannedBefore;
    let burst = burstAtStart;
    const name = sw.metadata.name!;
    const t0 = this.now();
    const prev = this.memory.get(name);
    const portErrors = new Map<string, { code: string; message: string }>();
    let stage: 'login' | 'read' | 'apply' | 'save' | 'status' = 'login';
    let session: SwitchSession | undefined;
    try {
      const config = await this.switchConfig(sw);
      const acquired = await this.pool.acquire(name, driver, config, configKey);
      session = acquired.session;
      // A login takes seconds on a real switch; what was asked meanwhile goes into this batch, not the next one.
      // A burst that ended meanwhile is all in this batch: save and report now rather than in one more pass.
      if (!acquired.reused) {
        plan = replan();
        burst &&= this.o.burstOngoing?.(name) === true;
      }
      await this.recordHostKey(sw, session);
      stage = 'read';
      const { managed, observed } = await this.readPorts(
        session,
        name,
        plan.ports,
        burst ? prev : undefined,
        portErrors,
      );
      const observedBy = new Map(observed.map((o) => [o.interface, o]));
      let todo = changesNeeded(
        managed.map((p) => p.desired),
        observed,
      );
      const drift = this.driftIn(todo, managed, observedBy, prev);
      let results: PortResult[] = [];
      if (!paused && todo.length) {
        stage = 'apply';
        ({ results, todo } = await this.applyChanges(session, todo, portErrors, signal));
        // What was asked while this batch was being written (seconds on a real switch) goes into the same session
        // and the same save, not into one more pass after the statuses. A few rounds at most: a stream of changes
        // that never ends is still saved and reported.
        for (let round = 0; round < 3; round++) {
          const next = replan();
          const has = new Map(observedBy);
          for (const r of results) {
            const c = todo.find((x) => x.interface === r.interface);
            if (!r.error && c) has.set(r.interface, asObserved(c));
          }
          const ports = next.ports.filter((p) => has.has(p.desired.interface) && !portErrors.has(p.desired.interface));
          const more = changesNeeded(
            ports.map((p) => p.desired),
            ports.map((p) => has.get(p.desired.interface)!),
          );
          if (!more.length) break;
          plan = next;
          const applied = await this.applyChanges(session, more, portErrors, signal);
          const again = new Set(applied.todo.map((c) => c.interface));
          todo = [...todo.filter((c) => !again.has(c.interface)), ...applied.todo];
          results = [...results.filter((r) => !again.has(r.interface)), ...applied.results];
        }
      }
      // Applied changes not yet saved (this pass's or an earlier pass's of the burst); paused: not even a save.
      let unsaved = results.some((r) => r.changed) || prev?.unsaved === true;
      if (unsaved && !burst && !paused) {
        stage = 'save';
        await session.save();
        unsaved = false;
      }
      this.pool.release(name);

      // What the switch has now: what we read, updated with what we wrote.
      const now = new Map<string, ObservedPort>();
      for (const o of observed) now.set(o.interface, o);
      const written = new Map<string, PortChange>();
      for (const r of results) {
        if (r.error) continue;
        const c = todo.find((x) => x.interface === r.interface)!;
        written.set(r.interface, c);
        now.set(r.interface, asObserved(c));
      }
      const duration = this.now() - t0;
      // Events: one per port changed (drift corrections say so), recorded after the statuses users wait for.
      const events = [
        ...(prev?.pendingEvents ?? []),
        ...this.changeEvents(name, written, results, managed, observedBy, drift),
      ];
      const deferred = burst && (unsaved || events.length > 0);
      const unsavedSince = unsaved ? (prev?.unsavedSince ?? t0) : undefined;
      this.backoff.reset(name);
      this.memory.set(name, {
        observed: now,
        lastFullSync: t0,
        configKey,
        unsaved,
        unsavedSince,
        pendingEvents: deferred ? events : [],
      });
      // Mid-burst: the pass after it (the Batcher enqueues it) saves, writes the statuses and records the Events.
      if (deferred) return {};

      if (signal.aborted) return {};
      stage = 'status';
      const rest = await this.status.writeStatuses(sw, plan, now, portErrors, {
        paused,
        synced: { at: t0, duration },
        caps,
        readBack: observedBy,
      });
      this.trail(name, async () => {
        await rest();
        await Promise.all(events.map((e) => this.recordEvent(portRef(e.port), e.type, e.reason, e.message)));
      });
      const resync = this.o.resyncMs;
      const failedPorts = [...portErrors.values()].some(
        (e) => e.code !== 'unknown-port' && e.code !== 'unsupported' && e.code !== 'invalid',
      );
      // A deleted Port's port was written this pass: read it back at once, then let the Port go.
      const revertedNow = plan.ports.some(
        (p) =>
          p.port.metadata.deletionTimestamp && results.some((r) => r.interface === p.desired.interface && r.changed),
      );
      if (revertedNow) return { requeueAfterMs: 10 };
      return { requeueAfterMs: failedPorts ? Math.min(resync, this.backoffMs(1)) : resync };
    } catch (err) {
      // The switch is fine; the API is not: retried by the controller (the next reconcile rewrites statuses).
      if (stage === 'status') throw err;
      if (isSwitchError(err, 'conflict') && !signal.aborted) {
        // Someone changed a port between our read and our write (OVS); nothing was written. Read again at once.
        this.pool.release(name);
        this.backoff.reset(name);
        this.memory.set(name, {
          observed: prev?.observed ?? new Map(),
          lastFullSync: 0,
          configKey,
          unsaved: prev?.unsaved,
          unsavedSince: prev?.unsavedSince,
          pendingEvents: prev?.pendingEvents,
        });
        this.o.logger?.info('switch changed under us; reading it again', { switch: name });
        return { requeueAfterMs: 10 };
      }
      await this.pool.discard(name);
      if (signal.aborted) return {};
      return this.syncFailed(sw, plan, stage, err, prev, configKey);
    }
  }

  /** A failed sync: the switch backs off on its own schedule, and its status and waiting attachments say why. */
  private async syncFailed(
    sw: Switch,
    plan: ReturnType<typeof planSwitch>,
    stage: string,
    err: unknown,
    prev: SwitchMemory | undefined,
    configKey: string,
  ): Promise<Result> {
    const name = sw.metadata.name!;
    // After the trailing writes of the last good pass: its Reachable=True must not land after this failure's False.
    await this.trails.get(name);
    const { failures, delayMs: delay } = this.backoff.failed(name);
    this.memory.set(name, {
      observed: prev?.observed ?? new Map(),
      lastFullSync: prev?.lastFullSync ?? 0,
      configKey,
      unsaved: prev?.unsaved,
      unsavedSince: prev?.unsavedSince,
      pendingEvents: prev?.pendingEvents,
    });
    const message = isSwitchError(err) ? `${stage}: ${err.message}` : `${stage}: ${errorMessage(err)}`;
    this.o.logger?.warn('switch sync failed', { switch: name, stage, failures, retryInMs: delay, error: message });
    const loginFailed = stage === 'login';
    const reason = isSwitchError(err) ? reasonFor(err.code) : 'SyncFailed';
    if (isSwitchError(err, 'host-key')) {
      // Refused until an admin trusts the new key: remember which recorded key was refused, so that clearing it
      // (or pinning another) retries at once instead of at the end of the backoff.
      this.hostKeyRefused.set(name, sw.status?.sshHostKeyFingerprint ?? '');
      await this.recordEvent(
        { kind: 'Switch', metadata: sw.metadata },
        'Warning',
        'HostKeyMismatch',
        `${err.message}. If the switch was replaced or re-keyed, an administrator trusts the new key by clearing status.sshHostKeyFingerprint (or pinning options.hostKeyFingerprint): see docs/drivers.md`,
      );
    }
    await this.status.writeSwitchStatus(sw, {
      failedSyncAttempts: failures,
      nextSyncTime: rfc3339(this.now() + delay),
      conditions: [
        loginFailed
          ? { type: 'Reachable', status: 'False', reason, message }
          : { type: 'Reachable', status: 'True', reason: 'LoggedIn', message: `logged in to ${sw.spec.address}` },
        {
          type: 'Ready',
          status: 'False',
          reason,
          message: `sync failed (attempt ${failures}, next in ${Math.round(delay / 1000)} s): ${message}`,
        },
      ],
    });
    // Attachments waiting on this switch say why.
    await this.writes.forEach(
      'high',
      plan.ports.flatMap((p) => p.attachments.map((a) => ({ p, a }))),
      async ({ p, a }) => {
        if (a.verdict.kind !== 'included' || a.attachment.status?.phase === 'Attached') return;
        await this.status.writeAttachmentStatus(a.attachment, sw, p, a.verdict.vlan, 'Pending', {
          status: 'False',
          reason: 'SwitchUnreachable',
          message: `switch "${name}": ${message}`,
        });
      },
    );
    return { requeueAfterMs: delay };
  }

  /**
   * Step 1 of a sync: every managed port's state, read back from the switch (mid-burst, what this burst's earlier
   * pass left in memory, when it has every port). Ports the switch does not have are marked and left out.
   */
  private async readPorts(
    session: SwitchSession,
    name: string,
    ports: PortPlan[],
    burstMemory: SwitchMemory | undefined,
    portErrors: Map<string, { code: string; message: string }>,
  ): Promise<{ managed: PortPlan[]; observed: ObservedPort[] }> {
    const remembered =
      burstMemory?.unsaved && this.backoff.failures(name) === 0
        ? ports.map((p) => burstMemory.observed.get(p.desired.interface))
        : [];
    if (remembered.length && remembered.every((o) => o !== undefined)) return { managed: ports, observed: remembered };
    try {
      return { managed: ports, observed: await session.readPorts(ports.map((p) => p.desired.interface)) };
    } catch (err) {
      if (!isSwitchError(err, 'unknown-port') || !err.ports?.length) throw err;
      for (const iface of err.ports)
        portErrors.set(iface, { code: 'unknown-port', message: `switch "${name}" has no port "${iface}"` });
      const managed = ports.filter((p) => !portErrors.has(p.desired.interface));
      return {
        managed,
        observed: managed.length ? await session.readPorts(managed.map((p) => p.desired.interface)) : [],
      };
    }
  }

  /** Step 2: which of the ports to change had been in their desired state — changed by hand since (drift). */
  private driftIn(
    todo: PortChange[],
    managed: PortPlan[],
    observedBy: Map<string, ObservedPort>,
    prev: SwitchMemory | undefined,
  ): Map<string, ObservedPort> {
    const drift = new Map<string, ObservedPort>();
    for (const c of todo) {
      const plan1 = managed.find((p) => p.desired.interface === c.interface)!;
      const lastKnown = prev?.observed.get(c.interface);
      // We had this port in the desired state (memory, else its InSync status), and now it is not.
      const wasInSync = lastKnown ? portInSync(c, lastKnown) : statusMatches(plan1.port, c);
      if (wasInSync) drift.set(c.interface, observedBy.get(c.interface)!);
    }
    return drift;
  }

  /**
   * Step 3: the changes, in one apply. Ports the driver refuses before sending anything (unknown, unsupported,
   * invalid) are marked and the rest applied, still one batch; per-port failures are marked too.
   */
  private async applyChanges(
    session: SwitchSession,
    todo: PortChange[],
    portErrors: Map<string, { code: string; message: string }>,
    signal: AbortSignal,
  ): Promise<{ results: PortResult[]; todo: PortChange[] }> {
    const notAborted = () => {
      if (signal.aborted) throw new SwitchError('closed', 'stopped before writing (shutdown or lost leadership)');
    };
    notAborted();
    let results: PortResult[];
    try {
      results = await session.apply(todo);
    } catch (err) {
      const refusedBeforeSending =
        isSwitchError(err, 'unknown-port') || isSwitchError(err, 'unsupported') || isSwitchError(err, 'invalid');
      if (!refusedBeforeSending || !err.ports?.length) throw err;
      for (const iface of err.ports) portErrors.set(iface, { code: err.code, message: err.message });
      todo = todo.filter((c) => !portErrors.has(c.interface));
      notAborted();
      results = todo.length ? await session.apply(todo) : [];
    }
    for (const r of results) if (r.error) portErrors.set(r.interface, r.error);
    return { results, todo };
  }

  /** Step 5: one Event per port changed; drift corrections say so. */
  private changeEvents(
    name: string,
    written: Map<string, PortChange>,
    results: PortResult[],
    managed: PortPlan[],
    observedBy: Map<string, ObservedPort>,
    drift: Map<string, ObservedPort>,
  ): PendingEvent[] {
    const events: PendingEvent[] = [];
    for (const [iface, c] of written) {
      if (!results.find((x) => x.interface === iface)?.changed) continue;
      const port = managed.find((x) => x.desired.interface === iface)!.port;
      const before = observedBy.get(iface)!;
      events.push(
        drift.has(iface)
          ? {
              port,
              type: 'Warning',
              reason: 'DriftCorrected',
              message: `port ${iface} of switch ${name} had ${describePort(before)} by hand; restored ${describePort(c)}`,
            }
          : {
              port,
              type: 'Normal',
              reason: 'PortConfigured',
              message: `port ${iface} of switch ${name}: ${describePort(before)} → ${describePort(c)}`,
            },
      );
    }
    return events;
  }

  private async recordEvent(
    obj: { kind: string; metadata: Port['metadata'] },
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void> {
    const events = this.o.events;
    if (events) await this.writes.run('low', () => events.record(obj, type, reason, message));
  }

  /**
   * Trust on first use: the SSH host key a switch presented is recorded in its status (admins only may write status),
   * and the driver holds the switch to it from then on (switchConfig passes it as trustedHostKey).
   */
  private async recordHostKey(sw: Switch, session: SwitchSession): Promise<void> {
    const seen = session.hostKeyFingerprint;
    if (!seen || sw.status?.sshHostKeyFingerprint === seen) return;
    this.hostKeyRefused.delete(sw.metadata.name!);
    await this.status.writeSwitchStatus(sw, { sshHostKeyFingerprint: seen });
    if (!sw.status?.sshHostKeyFingerprint) {
      this.o.logger?.info('recorded the switch SSH host key (trust on first use)', {
        switch: sw.metadata.name,
        hostKey: seen,
      });
    }
  }

  /** The driver config for a switch, with credentials from its Secret. */
  private async switchConfig(sw: Switch): Promise<SwitchConfig> {
    let credentials: SwitchConfig['credentials'];
    const ref = sw.spec.credentialsSecretRef;
    if (ref) {
      let data: Record<string, string>;
      try {
        data = await this.o.client.readSecret(ref.namespace ?? SYSTEM_NAMESPACE, ref.name);
      } catch (err) {
        throw new SwitchError(
          'auth',
          `cannot read the credentials Secret ${ref.namespace ?? SYSTEM_NAMESPACE}/${ref.name}: ${errorMessage(err)}`,
        );
      }
      credentials = {
        username: data.username ?? '',
        password: data.password ?? '',
        ...(data.enablePassword !== undefined ? { enablePassword: data.enablePassword } : {}),
      };
    }
    // options.caSecretRef (REST switches over https): `NAME` or `NAMESPACE/NAME`, key ca.crt, read like the
    // credentials; a Secret not there yet is retried with backoff.
    let caCertificates: string | undefined;
    const caRef = sw.spec.options?.caSecretRef;
    if (caRef) {
      const [namespace, secretName] = caRef.includes('/') ? caRef.split('/', 2) : [SYSTEM_NAMESPACE, caRef];
      try {
        caCertificates = (await this.o.client.readSecret(namespace, secretName))['ca.crt'];
      } catch (err) {
        throw new SwitchError(
          'unreachable',
          `cannot read the CA Secret ${namespace}/${secretName} (options.caSecretRef): ${errorMessage(err)}`,
        );
      }
      if (!caCertificates)
        throw new SwitchError('unreachable', `the CA Secret ${namespace}/${secretName} has no key ca.crt`);
    }
    return {
      address: sw.spec.address,
      options: sw.spec.options,
      parkingVlan: sw.spec.parkingVlan,
      ...(this.o.driverTimeoutMs !== undefined ? { timeoutMs: this.o.driverTimeoutMs } : {}),
      ...(credentials ? { credentials } : {}),
      ...(sw.status?.sshHostKeyFingerprint ? { trustedHostKey: sw.status.sshHostKeyFingerprint } : {}),
      ...(caCertificates ? { caCertificates } : {}),
    };
  }
}

function asObserved(c: PortChange): ObservedPort {
  const revert = (c.native === undefined || c.native === null) && c.tagged.length === 0;
  return {
    interface: c.interface,
    ...(c.native !== undefined && c.native !== null ? { native: c.native } : {}),
    tagged: [...c.tagged].sort((a, b) => a - b),
    parked: revert,
    shutdown: false,
  };
}

/** The Port's recorded status says it was in sync with `c` (used for drift detection after a restart). */
function statusMatches(port: Port, c: PortChange): boolean {
  const s = port.status;
  if (!s || s.conditions?.find((x) => x.type === 'InSync')?.status !== 'True') return false;
  const revert = (c.native === undefined || c.native === null) && c.tagged.length === 0;
  if (revert) return s.nativeVlan === undefined && (s.taggedVlans ?? []).length === 0;
  return (
    (s.nativeVlan ?? null) === (c.native ?? null) &&
    deepEqual(
      [...(s.taggedVlans ?? [])].sort((a, b) => a - b),
      [...c.tagged].sort((a, b) => a - b),
    )
  );
}

function portRef(p: Port) {
  return { kind: 'Port', metadata: p.metadata };
}

function reasonFor(code: string): string {
  switch (code) {
    case 'auth':
      return 'AuthenticationFailed';
    case 'host-key':
      return 'HostKeyMismatch';
    case 'unreachable':
      return 'SwitchUnreachable';
    case 'timeout':
      return 'Timeout';
    case 'closed':
      return 'SessionClosed';
    case 'conflict':
      return 'Conflict';
    case 'invalid':
      return 'InvalidConfig';
    case 'unsupported':
      return 'Unsupported';
    default:
      return 'SyncFailed';
  }
}

export { rfc3339 };
