// How the daemon runs the switch reconciler: a switch is reconciled when it, one of its Ports, a node cabled to it,
// an attachment landing on it or a network carried by it changes; bursts of events are batched into one session
// (Batcher); every switch is resynced each period (drift correction) and once at start.
import type { Node } from '../../api/v1alpha1/types.js';
import type { DriverRegistry } from '../../drivers/switch/index.js';
import { resolveAttachment } from '../topology.js';
import { Batcher } from '../runtime/batcher.js';
import { onSpecChange } from '../runtime/spec-signatures.js';
import type { Controller } from '../runtime/controller.js';
import { addController, everyResync, type Wiring } from '../wiring.js';
import { SwitchReconciler } from './switch-reconciler.js';

export interface SwitchControllerConfig {
  driverRegistry: DriverRegistry;
  driverTimeoutMs?: number;
  sessionIdleMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Switches reconciled at once (default 64): a hung switch holds one worker only. */
  workers?: number;
  /** Sync a switch once its events have been quiet this long (default 20 ms)… */
  batchDelayMs?: number;
  /** …but no later than this after the first event of a burst (default 500 ms). */
  batchMaxWaitMs?: number;
}

export function wireSwitches(
  w: Wiring,
  c: SwitchControllerConfig,
): { controller: Controller; reconciler: SwitchReconciler; enqueue: (name: string | undefined) => void } {
  const { inf, cache } = w;
  const reconciler = new SwitchReconciler({
    client: w.client,
    cache,
    driverRegistry: c.driverRegistry,
    events: w.events,
    logger: w.logger,
    resyncMs: w.resyncMs,
    driverTimeoutMs: c.driverTimeoutMs,
    sessionIdleMs: c.sessionIdleMs,
    backoffBaseMs: c.backoffBaseMs,
    backoffMaxMs: c.backoffMaxMs,
    // Called only once the controllers run, after batches and controller below exist.
    burstOngoing: (name) => batches.has(name),
    requeue: (name, afterMs) => controller.enqueueAfter(name, afterMs),
  });
  const controller = addController(w, 'switch', reconciler, c.workers ?? 64);
  const batches = new Batcher({
    quietMs: c.batchDelayMs ?? 20,
    maxWaitMs: c.batchMaxWaitMs ?? 500,
    fire: (name) => controller.enqueue(name),
  });
  // Each event starts a pass at once (which applies without saving while the burst goes on), and the Batcher
  // brings the pass after the burst, which saves and writes the statuses.
  const enqueue = (name: string | undefined) => {
    if (!name) return;
    batches.add(name);
    controller.enqueue(name);
  };

  // Status-only updates of Ports, Nodes and NetworkAttachments do not wake a switch: its desired state comes from
  // their spec (a spec change bumps metadata.generation), their deletion and finalizers, never from their status —
  // which for Ports and attachments is this reconciler's own writes (each Attached written woke the switch again and
  // prolonged its burst by a pass), for Nodes the power and NIC statuses. Switches (a host key cleared by an admin
  // is in status) and Networks (their VLAN is in status) still wake it on any change.
  const switchOfPort = (portName: string | undefined) => (portName ? inf.ports.get(portName)?.spec?.switch : undefined);
  /** Switches each node's NICs were last seen on (so a recabled NIC's old port is reverted too). */
  const nodeSwitches = new Map<string, Set<string>>();
  const onNode = (n: Node, deleted = false) => {
    const name = n.metadata.name!;
    const now = new Set((n.spec?.nics ?? []).map((nic) => switchOfPort(nic.port)).filter((s): s is string => !!s));
    for (const s of new Set([...(nodeSwitches.get(name) ?? []), ...now])) enqueue(s);
    if (deleted) nodeSwitches.delete(name);
    else nodeSwitches.set(name, now);
  };
  inf.switches.on('change', (s) => enqueue(s.metadata.name));
  onSpecChange(inf.ports, (p) => enqueue(p.spec?.switch));
  onSpecChange(inf.nodes, onNode);
  onSpecChange(inf.networkattachments, (a) => {
    const where = resolveAttachment(a, cache);
    if ('switch' in where) enqueue(where.switch);
  });
  inf.networks.on('change', (n) => {
    // A VLAN allocated or freed: every switch carrying the network (cheap: no session unless something differs).
    const carrying = new Set<string>();
    for (const a of inf.networkattachments.list()) {
      if (a.spec.network !== n.metadata.name) continue;
      const where = resolveAttachment(a, cache);
      if ('switch' in where) carrying.add(where.switch);
    }
    carrying.forEach(enqueue);
  });

  everyResync(
    w,
    () => inf.switches.list().forEach((s) => controller.enqueue(s.metadata.name!, 'low')),
    async () => {
      batches.clear();
      await reconciler.close();
    },
  );
  // Everything once at start (the informers' initial lists also enqueue, through the handlers).
  w.manager.addRunnable(() => inf.switches.list().forEach((s) => enqueue(s.metadata.name)));
  return { controller, reconciler, enqueue };
}
