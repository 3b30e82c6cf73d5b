// How the daemon (controllers/daemon.ts) runs the headnode controller: informer events → keys, and a periodic resync
// (a domain removed or stopped by hand is put back within one period).
import type { Headnode, Network } from '../../api/v1alpha1/types.js';
import type { Logger } from '../../common/logging.js';
import type { BridgeDriver } from '../../drivers/bridge/bridge-driver.js';
import type { HeadnodeDriver } from '../../drivers/headnode/headnode-driver.js';
import type { ObjectCache } from '../cache.js';
import type { HilClient } from '../client.js';
import type { EventRecorder } from '../events.js';
import { Controller } from '../runtime/controller.js';
import type { ResourceInformer } from '../runtime/informer.js';
import type { Manager } from '../runtime/manager.js';
import { HeadnodeReconciler } from './headnode-controller.js';

/** The daemon option `headnodes` (from hil.cfg [headnode]: controllers/serve.ts). */
export interface HeadnodeControllerConfig {
  /** The hypervisor; undefined: headnodes report NoHypervisor. The caller owns it (closes it). */
  driver?: HeadnodeDriver;
  bridges?: BridgeDriver;
  bridgeKind?: 'linux' | 'ovs';
  baseImages?: readonly string[];
  workers?: number;
}

export function wireHeadnodes(o: {
  manager: Manager;
  client: HilClient;
  cache: ObjectCache;
  headnodes: ResourceInformer<Headnode>;
  networks: ResourceInformer<Network>;
  events: EventRecorder;
  logger: Logger;
  resyncMs: number;
  config?: HeadnodeControllerConfig;
}): Controller {
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
  const ctl = o.manager.addController(new Controller({ name: 'headnode', reconciler, workers: c.workers ?? 4, metrics: o.manager.metrics, logger: o.logger }));
  o.headnodes.on('change', (h) => ctl.enqueue(h.metadata.name!));
  // A network's VLAN allocated or changed: the headnodes with an hnic on it.
  o.networks.on('change', (n) => {
    for (const h of o.headnodes.list()) if ((h.spec?.hnics ?? []).some((x) => x.network === n.metadata.name)) ctl.enqueue(h.metadata.name!);
  });
  o.manager.addRunnable(async (signal) => {
    while (!signal.aborted) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, o.resyncMs);
        function done() {
          clearTimeout(t);
          signal.removeEventListener('abort', done);
          resolve();
        }
        signal.addEventListener('abort', done, { once: true });
      });
      if (signal.aborted) break;
      for (const h of o.headnodes.list()) ctl.enqueue(h.metadata.name!, 'low');
    }
  });
  return ctl;
}
