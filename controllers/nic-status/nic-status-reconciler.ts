// Node NIC status: what each NIC of a node carries, for `hilctl describe node` and anyone reading Node.status.nics —
// the networks whose attachments are Attached on the NIC's port (with channel and VLAN), and whether that port
// matches its desired state (the Port's InSync condition, written by the switch reconciler after each sync).
// Key: the node name. Reads only the cache; writes only status.nics, and only when it changes.
import type { NetworkAttachment, Node, NodeNicStatus } from '../../api/v1alpha1/types.js';
import { lookup, type ObjectCache } from '../cache.js';
import type { HilClient } from '../client.js';
import { isNotFound } from '../client.js';
import { deepEqual } from '../../api/meta/equal.js';
import type { Reconciler, Request, Result } from '../runtime/reconciler.js';

export function nicStatuses(node: Node, cache: ObjectCache): NodeNicStatus[] {
  const name = node.metadata.name!;
  // Indexed by node where the cache can (the daemon's): a filter of every attachment per node is quadratic.
  const attachments = lookup(cache, 'attachmentsByNode', name).filter((a) => !a.metadata.deletionTimestamp);
  return (node.spec?.nics ?? []).map((nic) => {
    const networks = attachments
      .filter((a: NetworkAttachment) => a.spec.nic === nic.name && a.status?.phase === 'Attached')
      .map((a) => ({
        network: a.spec.network,
        channel: a.spec.channel ?? 'native',
        ...(typeof a.status?.vlan === 'number' ? { vlan: a.status.vlan } : {}),
      }))
      .sort((x, y) => x.network.localeCompare(y.network));
    const out: NodeNicStatus = { name: nic.name, networks };
    if (!nic.port) return { ...out, message: 'not cabled to a Port' };
    const port = cache.get('ports', nic.port);
    if (!port) return { ...out, inSync: false, message: `Port "${nic.port}" does not exist` };
    const cond = port.status?.conditions?.find((c) => c.type === 'InSync');
    if (!cond) return { ...out, message: `switch port ${port.spec.interface} of "${port.spec.switch}" not synced yet` };
    return cond.status === 'True'
      ? { ...out, inSync: true }
      : { ...out, inSync: false, message: cond.message ?? cond.reason };
  });
}

export class NicStatusReconciler implements Reconciler {
  /** What this process last wrote per node (the cache may not show it yet): no duplicate writes. */
  private readonly written = new Map<string, string>();

  constructor(private readonly o: { client: HilClient; cache: ObjectCache }) {}

  async reconcile(req: Request, signal: AbortSignal): Promise<Result> {
    const node = this.o.cache.get('nodes', req.key);
    if (!node || node.metadata.deletionTimestamp || signal.aborted) {
      this.written.delete(req.key);
      return {};
    }
    const nics = nicStatuses(node, this.o.cache);
    const body = JSON.stringify(nics);
    if (deepEqual(nics, node.status?.nics ?? []) || this.written.get(req.key) === body) return {};
    try {
      await this.o.client.patchStatus('nodes', req.key, { nics });
      this.written.set(req.key, body);
      if (this.written.size > 100_000) this.written.clear();
    } catch (err) {
      this.written.delete(req.key);
      if (!isNotFound(err)) throw err;
    }
    return {};
  }
}
