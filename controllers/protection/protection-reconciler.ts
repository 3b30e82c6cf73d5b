// Deletion protection (like Kubernetes' PVC protection): a Node or a Network that NetworkAttachments still refer to
// (or, for a Network, a Headnode's hnic: its VLAN must not be freed while a VM sits on its bridge — HIL's "Network
// still connected to headnodes") keeps the hil.io/attachments finalizer, and a DeletionBlocked condition names the attachments it waits for. The
// check lists attachments fresh from the server (never a stale cache) before letting the object go.
// Keys: "nodes/NAME" and "networks/NAME".
import type { ObjectCache } from '../cache.js';
import type { HilClient } from '../client.js';
import { addFinalizer, FINALIZER_ATTACHMENTS, hasFinalizer, removeFinalizer } from '../finalizers.js';
import { deepEqual } from '../../api/meta/equal.js';
import { getCondition, setCondition } from '../runtime/conditions.js';
import type { Reconciler, Request, Result } from '../runtime/reconciler.js';

export class ProtectionReconciler implements Reconciler {
  constructor(
    private readonly o: {
      client: HilClient;
      cache?: ObjectCache;
      onReleased?: (plural: 'nodes' | 'networks', name: string) => void;
    },
  ) {}

  async reconcile(req: Request, signal: AbortSignal): Promise<Result> {
    const [plural, name] = req.key.split('/') as ['nodes' | 'networks', string];
    // The common case, from the cache: protected and not being deleted — nothing to do.
    const cached = this.o.cache?.get(plural, name);
    if (cached && !cached.metadata.deletionTimestamp && hasFinalizer(cached, FINALIZER_ATTACHMENTS)) return {};
    const obj = await this.o.client.get(plural, name);
    if (!obj) return {};
    if (!obj.metadata.deletionTimestamp) {
      if (!signal.aborted) await addFinalizer(this.o.client, plural, obj, FINALIZER_ATTACHMENTS);
      return {};
    }
    if (!hasFinalizer(obj, FINALIZER_ATTACHMENTS)) return {};
    const field = plural === 'nodes' ? 'node' : 'network';
    const holding = (await this.o.client.list('networkattachments')).items
      .filter((a) => a.spec?.[field] === name)
      .map((a) => a.metadata.name!)
      .sort();
    const headnodes =
      plural === 'networks'
        ? (await this.o.client.list('headnodes')).items
            .filter((h) => (h.spec?.hnics ?? []).some((x) => x.network === name))
            .map((h) => h.metadata.name!)
            .sort()
        : [];
    if (signal.aborted) return {};
    if (holding.length || headnodes.length) {
      const gen = obj.metadata.generation;
      const shown = holding.slice(0, 20).join(', ') + (holding.length > 20 ? `, … (${holding.length} in all)` : '');
      const conditions = setCondition(obj.status?.conditions, {
        type: 'DeletionBlocked',
        status: 'True',
        reason: holding.length ? 'AttachmentsExist' : 'HeadnodesExist',
        message:
          [
            holding.length ? `NetworkAttachment(s) ${shown}` : '',
            headnodes.length ? `Headnode(s) ${headnodes.slice(0, 20).join(', ')}` : '',
          ]
            .filter(Boolean)
            .join(' and ')
            .replace(/^/, 'waiting for ') + ' to be deleted',
        observedGeneration: gen,
      });
      if (!deepEqual(conditions, obj.status?.conditions)) await this.o.client.patchStatus(plural, name, { conditions });
      return { requeueAfterMs: 30_000 };
    }
    if (getCondition(obj.status?.conditions, 'DeletionBlocked')) {
      // Not needed for correctness; keeps the last words visible until the object is gone.
    }
    await removeFinalizer(this.o.client, plural, obj, FINALIZER_ATTACHMENTS);
    this.o.onReleased?.(plural, name);
    return {};
  }
}
