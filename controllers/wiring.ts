// What every controller's wiring file (controllers/*/wiring.ts) gets from the daemon: the Manager it adds its
// Controller to, the shared informers and their cache, the API client, the Event recorder. A wiring file says what its
// controller watches, which events map to which keys, and its periodic resync; the daemon is then a list.
import type { Headnode, Network, NetworkAttachment, Node, Port, Project, Switch } from '../api/v1alpha1/types.js';
import type { Logger } from '../common/logging.js';
import type { ObjectCache } from './cache.js';
import type { HilClient } from './client.js';
import type { EventRecorder } from './events.js';
import { Controller } from './runtime/controller.js';
import type { ResourceInformer } from './runtime/informer.js';
import type { Manager } from './runtime/manager.js';
import type { Reconciler } from './runtime/reconciler.js';
import { sleepUnlessAborted } from './runtime/sleep.js';

export interface Informers {
  projects: ResourceInformer<Project>;
  switches: ResourceInformer<Switch>;
  ports: ResourceInformer<Port>;
  nodes: ResourceInformer<Node>;
  networks: ResourceInformer<Network>;
  networkattachments: ResourceInformer<NetworkAttachment>;
  headnodes: ResourceInformer<Headnode>;
}

export interface Wiring {
  manager: Manager;
  client: HilClient;
  cache: ObjectCache;
  inf: Informers;
  events: EventRecorder;
  logger: Logger;
  /** The daemon's resync period (drift correction). */
  resyncMs: number;
}

/** A Controller for `reconciler`, added to the manager. */
export function addController(w: Wiring, name: string, reconciler: Reconciler, workers: number): Controller {
  return w.manager.addController(
    new Controller({ name, reconciler, workers, metrics: w.manager.metrics, logger: w.logger }),
  );
}

/** Runs `each` every resync period while the manager runs (low priority work: never ahead of events), then `stop`. */
export function everyResync(w: Wiring, each: () => void | Promise<void>, stop?: () => void | Promise<void>): void {
  w.manager.addRunnable(async (signal) => {
    while (!signal.aborted) {
      await sleepUnlessAborted(w.resyncMs, signal);
      if (signal.aborted) break;
      await each();
    }
    await stop?.();
  });
}
