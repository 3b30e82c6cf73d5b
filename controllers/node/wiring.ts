// How the daemon (controllers/daemon.ts) runs the node controller: informer events → keys. Only what the node
// reconciler acts on wakes it (a new generation, a new hil.io/power-cycle value, a deletion, a project change):
// its own status writes do not, so each BMC is read once per change plus once per resync period (the reconciler's
// requeueAfter), not once per status write.
import type { Node } from '../../api/v1alpha1/types.js';
import { defaultObmRegistry, type ObmRegistry } from '../../drivers/obm/index.js';
import type { Controller } from '../runtime/controller.js';
import { addController, type Wiring } from '../wiring.js';
import { NodeReconciler, POWER_CYCLE_ANNOTATION, type MaintenancePool } from './node-reconciler.js';

/** The daemon option `nodes` (hil.cfg [maintenance] and [hil.ext.obm.ipmi], flags: controllers/serve.ts). */
export interface NodeControllerConfig {
  obmRegistry?: ObmRegistry;
  /** BMCs driven at once (the node controller's workers). Default 32. */
  workers?: number;
  /** Power re-read period (drift correction). Default: the daemon's resync. */
  resyncMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  cycleGraceMs?: number;
  /** Power a released node off. Default true. */
  releasePowerOff?: boolean;
  maintenance?: MaintenancePool;
}

export function wireNodes(
  w: Wiring,
  config?: NodeControllerConfig,
): { controller: Controller; reconciler: NodeReconciler } {
  const o = { ...w, nodes: w.inf.nodes, config };
  const c = o.config ?? {};
  const reconciler = new NodeReconciler({
    client: o.client,
    cache: o.cache,
    obmRegistry: c.obmRegistry ?? defaultObmRegistry,
    events: o.events,
    logger: o.logger,
    resyncMs: c.resyncMs ?? o.resyncMs,
    backoffBaseMs: c.backoffBaseMs,
    backoffMaxMs: c.backoffMaxMs,
    cycleGraceMs: c.cycleGraceMs,
    releasePowerOff: c.releasePowerOff,
    maintenance: c.maintenance,
  });
  const controller = addController(w, 'node', reconciler, c.workers ?? 32);
  const seen = new Map<string, string>();
  const trigger = (n: Node) =>
    JSON.stringify([
      n.metadata.generation,
      n.metadata.annotations?.[POWER_CYCLE_ANNOTATION] ?? null,
      n.metadata.deletionTimestamp ?? null,
      n.spec?.project ?? '',
      n.status?.project ?? null,
    ]);
  o.nodes.on('add', (n) => {
    seen.set(n.metadata.name!, trigger(n));
    controller.enqueue(n.metadata.name!);
  });
  o.nodes.on('update', (n) => {
    const t = trigger(n);
    if (seen.get(n.metadata.name!) === t) return;
    seen.set(n.metadata.name!, t);
    controller.enqueue(n.metadata.name!);
  });
  o.nodes.on('delete', (n) => {
    seen.delete(n.metadata.name!);
    controller.enqueue(n.metadata.name!);
  });
  return { controller, reconciler };
}
