// The datacenter's wiring as the objects describe it, in both directions: from a NetworkAttachment to the Switch
// and Port its NIC is cabled to (the attachment reconciler, the switch wiring), and from a switch's Ports back to
// the NICs cabled to them and their attachments (the switch reconciler's desired state). One place, so the two
// directions cannot disagree.
import type { NetworkAttachment } from '../api/v1alpha1/types.js';
import { lookup, type ObjectCache } from './cache.js';

export type Resolution = { switch: string; port: string } | { reason: string; message: string };

/** Where an attachment lands: the Switch and Port of its NIC, or why it does not land anywhere. */
export function resolveAttachment(a: NetworkAttachment, cache: ObjectCache): Resolution {
  const node = cache.get('nodes', a.spec.node);
  if (!node) return { reason: 'NodeNotFound', message: `node "${a.spec.node}" does not exist (yet)` };
  const nic = (node.spec.nics ?? []).find((n) => n.name === a.spec.nic);
  if (!nic) return { reason: 'NicNotFound', message: `node "${a.spec.node}" has no NIC "${a.spec.nic}"` };
  if (!nic.port)
    return { reason: 'NotCabled', message: `NIC "${a.spec.nic}" of node "${a.spec.node}" is not cabled to a Port` };
  const port = cache.get('ports', nic.port);
  if (!port)
    return {
      reason: 'PortNotFound',
      message: `Port "${nic.port}" (of NIC "${a.spec.nic}" of node "${a.spec.node}") does not exist (yet)`,
    };
  const sw = cache.get('switches', port.spec.switch);
  if (!sw)
    return {
      reason: 'SwitchNotFound',
      message: `Switch "${port.spec.switch}" (of Port "${nic.port}") does not exist (yet)`,
    };
  return { switch: sw.metadata.name!, port: port.metadata.name! };
}

/** The NIC cabled to each of these Ports, by Port name. */
export function nicsCabledTo(
  portNames: ReadonlySet<string>,
  cache: ObjectCache,
): Map<string, { node: string; nic: string }> {
  const out = new Map<string, { node: string; nic: string }>();
  for (const port of portNames)
    for (const n of lookup(cache, 'nodesByPort', port))
      for (const nic of n.spec?.nics ?? [])
        if (nic.port === port) out.set(port, { node: n.metadata.name!, nic: nic.name });
  return out;
}

/** The attachments naming this NIC of this node. */
export function attachmentsOfNic(node: string, nic: string, cache: ObjectCache): NetworkAttachment[] {
  return lookup(cache, 'attachmentsByNode', node).filter((a) => a.spec.nic === nic);
}
