// The node reconciler: keeps each Node's BMC matching its spec, one reconcile per Node key (never two at once on
// one node; nodes in parallel up to the controller's workers — the BMC parallelism limit):
//
//   1. release: when spec.project went from P to "" (status.project remembers P, so it is acted on once, also
//      across restarts), spec.power is set Off (configurable) so the next project starts clean, and with HIL's
//      maintenance pool configured the node moves into the maintenance project instead of becoming free (and the
//      pool's URL is told, as HIL does);
//   2. power cycle: the annotation hil.io/power-cycle=<value> cycles the node once per new value; the value is
//      recorded in status.lastPowerCycle at once, so a restart does not cycle twice;
//   3. power: read the BMC; when spec.power is set and differs, set it and read back (a node turned off by hand is
//      turned on again, with a PowerDriftCorrected Event); with spec.power unset, power is only observed;
//   4. boot device: read; set (persistently) when spec.bootDevice differs;
//   5. status: power as the BMC reports it, conditions BMCReachable, PowerSynced and Ready, written only when changed.
//   A failing BMC (unreachable, refused credentials, timeout) backs off on its own key (base × 2^(n-1), capped),
//   visible in the BMCReachable message; other nodes never wait for it. Power is re-read every resync period.
import type { Node, NodeStatus } from '../../api/v1alpha1/types.js';
import type { Logger } from '../../common/logging.js';
import {
  isObmError,
  ObmError,
  type ObmConfig,
  type ObmDriver,
  type ObmRegistry,
  type PowerState,
} from '../../drivers/obm/index.js';
import type { ObjectCache } from '../cache.js';
import type { HilClient } from '../client.js';
import type { EventRecorder } from '../events.js';
import { errorMessage } from '../runtime/controller.js';
import { deepEqual } from '../../api/meta/equal.js';
import { getCondition, setCondition } from '../runtime/conditions.js';
import { DeviceBackoff } from '../runtime/backoff.js';
import type { Reconciler, Request, Result } from '../runtime/reconciler.js';
import { withDefaults } from '../runtime/options.js';
import { SYSTEM_NAMESPACE } from '../rbac.js';

export { POWER_CYCLE_ANNOTATION } from '../../api/v1alpha1/annotations.js';
import { POWER_CYCLE_ANNOTATION } from '../../api/v1alpha1/annotations.js';

export interface MaintenancePool {
  /** hil.cfg [maintenance] maintenance_project: released nodes move here instead of becoming free. */
  project: string;
  /** hil.cfg [maintenance] url: told `{"node": NAME}` (POST, JSON) of each node moved into the pool. */
  url?: string;
}

export interface NodeReconcilerOptions {
  client: HilClient;
  cache: ObjectCache;
  obmRegistry: ObmRegistry;
  events?: EventRecorder;
  logger?: Logger;
  /** Power is read back from every BMC at least this often (drift correction). Default 60 000. */
  resyncMs?: number;
  /** Backoff of a failing BMC: base × 2^(n-1) up to max (defaults 1 000 and 300 000). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** After a power cycle, an Off reading is not corrected for this long (the BMC is cycling). Default 10 000. */
  cycleGraceMs?: number;
  /** Power a released node off (spec.power Off). Default true. */
  releasePowerOff?: boolean;
  maintenance?: MaintenancePool;
  now?: () => number;
  /** For the maintenance URL (tests). */
  fetch?: typeof fetch;
}

interface NodeMemory {
  cyclingUntil: number;
  /** The power this process last saw as wanted and in sync (the cache may not show that status yet). */
  syncedPower?: PowerState;
  /** The last hil.io/power-cycle value acted on by this process (the cache may not show the status yet). */
  lastCycle?: string;
  configKey: string;
  /** spec.obm.enabled false was acted on (driver.revokeAccess) for this spec.obm. */
  revoked?: boolean;
}

type Cond = { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string };

export class NodeReconciler implements Reconciler {
  private readonly o: Required<
    Pick<NodeReconcilerOptions, 'resyncMs' | 'backoffBaseMs' | 'backoffMaxMs' | 'cycleGraceMs' | 'releasePowerOff'>
  > &
    NodeReconcilerOptions;
  private readonly memory = new Map<string, NodeMemory>();
  private readonly written = new Map<string, string>();
  private readonly now: () => number;
  private readonly backoff: DeviceBackoff;

  constructor(opts: NodeReconcilerOptions) {
    this.o = withDefaults(
      { resyncMs: 60_000, backoffBaseMs: 1_000, backoffMaxMs: 300_000, cycleGraceMs: 10_000, releasePowerOff: true },
      opts,
    );
    this.now = opts.now ?? Date.now;
    this.backoff = new DeviceBackoff({ baseMs: this.o.backoffBaseMs, maxMs: this.o.backoffMaxMs, now: this.now });
  }

  backoffMs(n: number): number {
    return this.backoff.delayFor(n);
  }

  async reconcile(req: Request, signal: AbortSignal): Promise<Result> {
    const name = req.key;
    const cached = this.o.cache.get('nodes', name);
    if (!cached) {
      this.memory.delete(name);
      this.backoff.reset(name);
      this.written.delete(name);
      return {};
    }
    // A node being deleted keeps its power as it is.
    if (cached.metadata.deletionTimestamp || signal.aborted) return {};
    const node = structuredClone(cached);
    const st: NodeStatus = node.status ?? {};
    const project = node.spec.project ?? '';

    // ---- 1. project changes: a release is acted on once ----
    if (st.project === undefined || st.project !== project) {
      if (st.project && project === '') return this.release(node, st.project);
      await this.writeStatus(node, { project });
    }

    // ---- BMC work ----
    const configKey = JSON.stringify([node.spec.obm]);
    let mem = this.memory.get(name);
    if (!mem || mem.configKey !== configKey) {
      mem = { cyclingUntil: 0, configKey };
      this.memory.set(name, mem);
      this.backoff.reset(name);
    }
    const wait = this.backoff.waiting(name);
    if (wait) return { requeueAfterMs: wait };

    let driver: ObmDriver;
    try {
      driver = this.o.obmRegistry.driverFor(node.spec.obm.type);
    } catch (err) {
      const message = (err as Error).message;
      await this.writeStatus(node, {
        power: 'Unknown',
        conditions: [
          { type: 'BMCReachable', status: 'Unknown', reason: 'Unsupported', message },
          { type: 'PowerSynced', status: 'Unknown', reason: 'Unsupported', message },
          { type: 'Ready', status: 'False', reason: 'Unsupported', message },
        ],
      });
      return {};
    }

    const at = { stage: 'credentials' };
    try {
      const bmc = await this.bmcConfig(node);
      if (node.spec.obm.enabled === false && !mem.revoked && driver.revokeAccess) {
        // HIL's node_disable_obm: whatever access the driver handed out goes (obmd: the node token, and with it
        // any console stream). Once per spec.obm (memory starts over when spec.obm changes). Power is still
        // managed: a release must still power the node off.
        at.stage = 'revoke OBM access';
        await driver.revokeAccess(bmc);
        mem.revoked = true;
      }
      at.stage = 'power status';
      const before = await this.powerCycleOnce(node, mem, driver, bmc, await driver.powerStatus(bmc), at);
      const cycling = mem.cyclingUntil > this.now();
      const { observed, pending } = await this.enforcePower(node, mem, driver, bmc, before, cycling, at);
      await this.enforceBootDevice(node, driver, bmc, at);
      this.backoff.reset(name);
      mem.syncedPower = node.spec.power && observed === node.spec.power ? observed : undefined;
      await this.writeSynced(node, observed, cycling);
      return { requeueAfterMs: pending || cycling ? 1_000 : this.o.resyncMs };
    } catch (err) {
      if (!isObmError(err) || signal.aborted) throw err;
      return this.bmcFailed(node, at.stage, err);
    }
  }

  /** Step 2: a new hil.io/power-cycle value is acted on once (recorded at once: a restart must not cycle again). */
  private async powerCycleOnce(
    node: Node,
    mem: NodeMemory,
    driver: ObmDriver,
    bmc: ObmConfig,
    observed: PowerState,
    at: { stage: string },
  ): Promise<PowerState> {
    const cycleWanted = node.metadata.annotations?.[POWER_CYCLE_ANNOTATION];
    const st: NodeStatus = node.status ?? {};
    if (!cycleWanted || cycleWanted === st.lastPowerCycle || cycleWanted === mem.lastCycle) return observed;
    if (node.spec.power === 'Off') {
      mem.lastCycle = cycleWanted;
      await this.writeStatus(node, { lastPowerCycle: cycleWanted });
      await this.event(node, 'Warning', 'PowerCycleSkipped', `power cycle ${cycleWanted} not done: spec.power is Off`);
      return observed;
    }
    at.stage = 'power cycle';
    if (observed === 'On') await driver.powerCycle(bmc);
    else await driver.setPower(bmc, 'On');
    mem.lastCycle = cycleWanted;
    mem.cyclingUntil = this.now() + this.o.cycleGraceMs;
    await this.writeStatus(node, { lastPowerCycle: cycleWanted });
    await this.event(
      node,
      'Normal',
      'PowerCycled',
      observed === 'On'
        ? `power cycled (${POWER_CYCLE_ANNOTATION}=${cycleWanted})`
        : `was Off; powered On for power cycle ${cycleWanted}`,
    );
    return 'On';
  }

  /** Step 3: spec.power, set and read back (a power state changed by hand is drift, corrected with a Warning). */
  private async enforcePower(
    node: Node,
    mem: NodeMemory,
    driver: ObmDriver,
    bmc: ObmConfig,
    observed: PowerState,
    cycling: boolean,
    at: { stage: string },
  ): Promise<{ observed: PowerState; pending: boolean }> {
    const desired = node.spec.power;
    const st: NodeStatus = node.status ?? {};
    if (!desired || observed === desired) return { observed, pending: false };
    if (cycling && desired === 'On') return { observed, pending: true }; // the BMC is in the middle of the cycle
    const prevSynced =
      mem.syncedPower === desired ||
      (getCondition(st.conditions, 'PowerSynced')?.status === 'True' && st.power === desired);
    at.stage = `power ${desired.toLowerCase()}`;
    const before = observed;
    await driver.setPower(bmc, desired);
    at.stage = 'power status';
    const now = await driver.powerStatus(bmc);
    if (prevSynced) {
      await this.event(
        node,
        'Warning',
        'PowerDriftCorrected',
        `node was ${before} (changed outside HIL, e.g. by hand); turned ${desired} again`,
      );
    } else {
      await this.event(
        node,
        'Normal',
        desired === 'On' ? 'PoweredOn' : 'PoweredOff',
        `turned ${desired} (was ${before})`,
      );
    }
    return { observed: now, pending: now !== desired };
  }

  /** Step 4: spec.bootDevice. */
  private async enforceBootDevice(node: Node, driver: ObmDriver, bmc: ObmConfig, at: { stage: string }): Promise<void> {
    const boot = node.spec.bootDevice;
    if (!boot) return;
    at.stage = 'boot device';
    const cur = await driver.bootDevice(bmc);
    if (cur === boot) return;
    await driver.setBootDevice(bmc, boot);
    await this.event(node, 'Normal', 'BootDeviceSet', `boot device set to ${boot} (was ${cur ?? 'other'})`);
  }

  /** Step 5: the status of a BMC that answered. */
  private async writeSynced(node: Node, observed: PowerState, cycling: boolean): Promise<void> {
    const desired = node.spec.power;
    const powerCond: Cond = !desired
      ? {
          type: 'PowerSynced',
          status: 'True',
          reason: 'ObservedOnly',
          message: `spec.power is not set: power is only observed (${observed})`,
        }
      : observed === desired
        ? { type: 'PowerSynced', status: 'True', reason: 'InSync', message: `power is ${observed}, as wanted` }
        : {
            type: 'PowerSynced',
            status: 'False',
            reason: cycling ? 'PowerCycling' : 'Pending',
            message: `power is ${observed}, wanted ${desired}`,
          };
    const ready = powerCond.status === 'True';
    await this.writeStatus(node, {
      power: observed,
      conditions: [
        { type: 'BMCReachable', status: 'True', reason: 'Reachable', message: `${describeBmc(node)} answered` },
        powerCond,
        ready
          ? { type: 'Ready', status: 'True', reason: 'InSync', message: 'BMC reachable, power as wanted' }
          : { type: 'Ready', status: 'False', reason: powerCond.reason, message: powerCond.message },
      ],
    });
  }

  /** A BMC that failed: it backs off on its own schedule; an Event when the reason is new; the status says why. */
  private async bmcFailed(node: Node, stage: string, err: ObmError): Promise<Result> {
    const name = node.metadata.name!;
    const st: NodeStatus = node.status ?? {};
    const { failures, delayMs: delay } = this.backoff.failed(name);
    const reason = reasonFor(err);
    const message = `${stage}: ${err.message} (attempt ${failures}; next in ${Math.max(1, Math.round(delay / 1000))} s)`;
    this.o.logger?.warn('BMC call failed', {
      node: name,
      stage,
      failures,
      retryInMs: delay,
      reason,
      error: err.message,
    });
    const prev = getCondition(st.conditions, 'BMCReachable');
    if (prev?.status !== 'False' || prev.reason !== reason)
      await this.event(node, 'Warning', reason, `${stage}: ${err.message}`);
    await this.writeStatus(node, {
      power: 'Unknown',
      conditions: [
        { type: 'BMCReachable', status: 'False', reason, message },
        { type: 'PowerSynced', status: 'Unknown', reason, message: 'the BMC cannot be read' },
        { type: 'Ready', status: 'False', reason, message },
      ],
    });
    return { requeueAfterMs: delay };
  }

  /** The node left its project (spec.project ""): power off, maintenance pool; once (status.project). */
  private async release(node: Node, from: string): Promise<Result> {
    const name = node.metadata.name!;
    const pool = this.o.maintenance;
    const toPool = !!pool && pool.project !== from;
    const spec: Record<string, unknown> = {};
    if (toPool) spec.project = pool.project;
    if (this.o.releasePowerOff && node.spec.power !== 'Off') spec.power = 'Off';
    if (Object.keys(spec).length) {
      // Conditional on what we read: a claim in between wins (409, retried with fresh state).
      await this.o.client.patch('nodes', name, { metadata: { resourceVersion: node.metadata.resourceVersion }, spec });
    }
    await this.writeStatus(node, { project: toPool ? pool.project : '' });
    const what = [
      spec.power ? 'powering it off' : '',
      toPool ? `moved to maintenance project "${pool.project}"` : 'now free',
    ]
      .filter(Boolean)
      .join('; ');
    await this.event(node, 'Normal', 'Released', `released from project "${from}": ${what}`);
    if (toPool && pool.url) {
      try {
        const r = await (this.o.fetch ?? fetch)(pool.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ node: name }),
          signal: AbortSignal.timeout(10_000),
        });
        if (!r.ok) this.o.logger?.warn('maintenance pool URL answered with an error', { node: name, status: r.status });
      } catch (err) {
        this.o.logger?.warn('could not tell the maintenance pool URL', { node: name, error: errorMessage(err) });
      }
    }
    // The spec patch brings the node back with fresh state; this is a fallback.
    return { requeueAfterMs: 100 };
  }

  /** The driver config for a node, with credentials from its Secret. */
  private async bmcConfig(node: Node): Promise<ObmConfig> {
    const obm = node.spec.obm;
    const ref = obm.credentialsSecretRef;
    let credentials: ObmConfig['credentials'];
    if (ref) {
      const ns = ref.namespace ?? SYSTEM_NAMESPACE;
      let data: Record<string, string>;
      try {
        data = await this.o.client.readSecret(ns, ref.name);
      } catch (err) {
        throw new ObmError('invalid', `cannot read the credentials Secret ${ns}/${ref.name}: ${errorMessage(err)}`);
      }
      credentials = { username: data.username ?? '', password: data.password ?? '' };
    }
    return {
      host: obm.host ?? '',
      ...(obm.port !== undefined ? { port: obm.port } : {}),
      ...(obm.uri !== undefined ? { uri: obm.uri } : {}),
      ...(credentials ? { credentials } : {}),
    };
  }

  private async event(node: Node, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    await this.o.events?.record({ kind: 'Node', metadata: node.metadata }, type, reason, message);
  }

  /** A status patch with only the fields given (conditions merged by type); skipped when nothing changes. */
  private async writeStatus(
    node: Node,
    patch: Omit<NodeStatus, 'conditions'> & { conditions?: Cond[] },
  ): Promise<void> {
    const name = node.metadata.name!;
    const cur: NodeStatus = node.status ?? {};
    const gen = node.metadata.generation;
    const body: NodeStatus = { ...patch, conditions: undefined };
    if (patch.conditions) {
      let conditions = cur.conditions;
      for (const c of patch.conditions) conditions = setCondition(conditions, { ...c, observedGeneration: gen });
      body.conditions = conditions;
      body.observedGeneration = gen;
    } else delete body.conditions;
    const next = { ...cur, ...body };
    if (deepEqual(next, cur)) return;
    const key = JSON.stringify(body);
    if (this.written.get(name) === key) return; // the same patch as last time (the cache has not caught up)
    try {
      await this.o.client.patchStatus('nodes', name, body);
      this.written.set(name, key);
      if (this.written.size > 100_000) this.written.clear();
      // Later writes in this reconcile start from here (`node` is this reconcile's own copy).
      node.status = next;
    } catch (err) {
      this.written.delete(name);
      if ((err as { code?: number }).code === 404) return;
      throw err;
    }
  }
}

function describeBmc(node: Node): string {
  if (node.spec.obm.type === 'obmd') return `obmd node ${node.spec.obm.uri}`;
  return `BMC ${node.spec.obm.host}:${node.spec.obm.port ?? 623}`;
}

function reasonFor(err: ObmError): string {
  switch (err.code) {
    case 'auth':
      return 'AuthenticationFailed';
    case 'unreachable':
      return 'BMCUnreachable';
    case 'timeout':
      return 'Timeout';
    case 'invalid':
      return 'InvalidConfig';
    case 'unsupported':
      return 'Unsupported';
    default:
      return 'BMCError';
  }
}
