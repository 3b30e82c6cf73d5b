// How the daemon (controllers/daemon.ts) runs the headnode controller: informer events → keys, and a periodic resync
// (a domain removed or stopped by hand is put back within one period).
import type { BridgeDriver } from '../../drivers/headnode-bridge/bridge-driver.js';
import type { HeadnodeDriver } from '../../drivers/headnode/headnode-driver.js';
import type { Controller } from '../runtime/controller.js';
import { addController, everyResync, type Wiring } from '../wiring.js';
import { HeadnodeReconciler } from './headnode-reconciler.js';

/** The daemon option `headnodes` (from hil.cfg [headnode]: controllers/serve.ts). */
export interface HeadnodeControllerConfig {
  /** The hypervisor; undefined: headnodes report NoHypervisor. The caller owns it (closes it). */
  driver?: HeadnodeDriver;
  bridges?: BridgeDriver;
  bridgeKind?: 'linux' | 'ovs';
  baseImages?: readonly string[];
  workers?: number;
}

export function wireHeadnodes(w: Wiring, config?: HeadnodeControllerConfig): Controller {
  const o = { ...w, headnodes: w.inf.headnodes, networks: w.inf.networks, config };
  const c = o.config ?? {};
  const reconciler = new HeadnodeReconciler({
    client: o.client,
    cache: o.cache,
    driver: c.driver,
    bridges: c.bridges,
    bridgeKind: c.bridgeKind ?? c.bridges?.kind,
    baseImages: c.baseImages,
    events: o.events,
    logger: o.logger,
  });
  const ctl = addController(w, 'headnode', reconciler, c.workers ?? 4);
  o.headnodes.on('change', (h) => ctl.enqueue(h.metadata.name!));
  // A network's VLAN allocated or changed: the headnodes with an hnic on it.
  o.networks.on('change', (n) => {
    for (const h of o.headnodes.list())
      if ((h.spec?.hnics ?? []).some((x) => x.network === n.metadata.name)) ctl.enqueue(h.metadata.name!);
  });
  everyResync(w, () => o.headnodes.list().forEach((h) => ctl.enqueue(h.metadata.name!, 'low')));
  return ctl;
}
