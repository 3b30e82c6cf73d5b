// How the daemon runs NIC status: informational, so it lags on purpose — one write per node per half second at
// most, after the statuses users wait for. Woken by the node, the Ports its NICs are cabled to, its attachments.
import type { Controller } from '../runtime/controller.js';
import { addController, type Wiring } from '../wiring.js';
import { NicStatusReconciler } from './nic-status-reconciler.js';

/** How long NIC status waits after a change before it is recomputed (bursts coalesce into one write per node). */
const NIC_STATUS_DELAY_MS = 500;

export function wireNicStatus(w: Wiring): Controller {
  const { inf } = w;
  const controller = addController(w, 'nic-status', new NicStatusReconciler({ client: w.client, cache: w.cache }), 2);
  const later = (node: string | undefined) => node && controller.enqueueAfter(node, NIC_STATUS_DELAY_MS, 'low');
  /** The node whose NIC is cabled to each Port. */
  const nodeOfPort = new Map<string, string>();
  const nodePorts = new Map<string, string[]>();
  const onNode = (name: string, ports: string[] | undefined) => {
    for (const p of nodePorts.get(name) ?? []) if (nodeOfPort.get(p) === name) nodeOfPort.delete(p);
    for (const p of ports ?? []) nodeOfPort.set(p, name);
    if (ports) nodePorts.set(name, ports);
    else nodePorts.delete(name);
  };
  const portsOf = (nics: { port?: string }[] | undefined) =>
    (nics ?? []).flatMap((nic) => (nic.port ? [nic.port] : []));
  inf.nodes.on('add', (n) => (onNode(n.metadata.name!, portsOf(n.spec?.nics)), later(n.metadata.name)));
  inf.nodes.on('update', (n) => (onNode(n.metadata.name!, portsOf(n.spec?.nics)), later(n.metadata.name)));
  inf.nodes.on('delete', (n) => onNode(n.metadata.name!, undefined));
  inf.ports.on('change', (p) => later(nodeOfPort.get(p.metadata.name!)));
  inf.networkattachments.on('change', (a) => later(a.spec.node));
  return controller;
}
