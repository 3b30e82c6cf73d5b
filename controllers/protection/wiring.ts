// How the daemon runs deletion protection: keys "nodes/NAME" and "networks/NAME", woken by the node or network
// itself, by any attachment naming them, and (networks) by a headnode's hnics.
import type { Controller } from '../runtime/controller.js';
import { addController, type Wiring } from '../wiring.js';
import { ProtectionReconciler } from './protection-reconciler.js';

export function wireProtection(w: Wiring): Controller {
  const { inf } = w;
  const controller = addController(w, 'protection', new ProtectionReconciler({ client: w.client, cache: w.cache }), 2);
  inf.nodes.on('change', (n) => controller.enqueue(`nodes/${n.metadata.name}`));
  inf.networks.on('change', (n) => controller.enqueue(`networks/${n.metadata.name}`));
  inf.networkattachments.on('change', (a) => {
    controller.enqueue(`nodes/${a.spec.node}`);
    controller.enqueue(`networks/${a.spec.network}`);
  });
  // A headnode changed or gone: a network it used may be waiting to be deleted.
  inf.headnodes.on('change', (h) =>
    (h.spec?.hnics ?? []).forEach((x) => x.network && controller.enqueue(`networks/${x.network}`)),
  );
  return controller;
}
