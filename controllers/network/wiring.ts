// How the daemon runs the network controller: one key per Network; a network gone (its VLAN freed) wakes the
// networks still waiting for one; each resync period every network is looked at and claims of networks that are
// gone are collected.
import type { VlanSet } from '../../api/v1alpha1/vlans.js';
import type { Controller } from '../runtime/controller.js';
import { addController, everyResync, type Wiring } from '../wiring.js';
import { NetworkReconciler } from './network-reconciler.js';

export function wireNetworks(
  w: Wiring,
  pool: VlanSet | undefined,
): { controller: Controller; reconciler: NetworkReconciler } {
  const { inf } = w;
  const reconciler = new NetworkReconciler({ client: w.client, pool, events: w.events, logger: w.logger });
  // One worker: allocations never race each other in this process (claims keep other processes honest).
  const controller = addController(w, 'network', reconciler, 1);
  inf.networks.on('change', (n) => controller.enqueue(n.metadata.name!));
  inf.networks.on('delete', () => {
    for (const n of inf.networks.list())
      if (n.spec?.vlan === undefined && n.status?.vlan === undefined) controller.enqueue(n.metadata.name!);
  });
  everyResync(w, async () => {
    for (const n of inf.networks.list()) controller.enqueue(n.metadata.name!, 'low');
    const freed = await reconciler.collectGarbage().catch(() => 0);
    if (freed) w.logger.info('freed VLAN claims of networks that are gone', { count: freed });
  });
  return { controller, reconciler };
}
