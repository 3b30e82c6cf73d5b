// The attachment controller: the parts of a NetworkAttachment's life that need no switch.
//   - adds the hil.io/port-revert finalizer when it first sees an attachment, so deleting it waits for the switch
//     reconciler to revert the port;
//   - an attachment that does not reach a managed port (node, NIC, cabling, Port or Switch missing) says so
//     (phase Pending, Ready=False with the reason), and when deleted it has nothing to revert: its finalizer goes at once.
// Attachments that resolve to a Port of an existing Switch belong to the switch reconciler, which this one wakes.
import type { ObjectCache } from '../cache.js';
import type { HilClient } from '../client.js';
import { addFinalizer, FINALIZER_PORT_REVERT, hasFinalizer, removeFinalizer } from '../finalizers.js';
import { deepEqual } from '../../api/meta/equal.js';
import { setCondition } from '../runtime/conditions.js';
import type { Reconciler, Request, Result } from '../runtime/reconciler.js';
import { resolveAttachment } from '../topology.js';

export interface AttachmentReconcilerOptions {
  client: HilClient;
  cache: ObjectCache;
  /** Wakes the switch reconciler for a switch. */
  enqueueSwitch: (name: string) => void;
}

export class AttachmentReconciler implements Reconciler {
  constructor(private readonly o: AttachmentReconcilerOptions) {}

  async reconcile(req: Request, signal: AbortSignal): Promise<Result> {
    let a = this.o.cache.get('networkattachments', req.key);
    if (!a) return {};
    const where = resolveAttachment(a, this.o.cache);
    if (a.metadata.deletionTimestamp) {
      if ('switch' in where) {
        this.o.enqueueSwitch(where.switch);
        return {};
      }
      if (signal.aborted) return {};
      if (hasFinalizer(a, FINALIZER_PORT_REVERT))
        await removeFinalizer(this.o.client, 'networkattachments', a, FINALIZER_PORT_REVERT);
      return {};
    }
    if (signal.aborted) return {};
    a = await addFinalizer(this.o.client, 'networkattachments', a, FINALIZER_PORT_REVERT);
    if ('switch' in where) {
      this.o.enqueueSwitch(where.switch);
      return {};
    }
    const gen = a.metadata.generation;
    const cur = a.status ?? {};
    const next = {
      phase: 'Pending' as const,
      switch: null,
      port: null,
      vlan: null,
      observedGeneration: gen,
      conditions: setCondition(cur.conditions, {
        type: 'Ready',
        status: 'False',
        reason: where.reason,
        message: where.message,
        observedGeneration: gen,
      }),
    };
    const before = {
      phase: cur.phase,
      switch: cur.switch ?? null,
      port: cur.port ?? null,
      vlan: cur.vlan ?? null,
      observedGeneration: cur.observedGeneration,
      conditions: cur.conditions,
    };
    if (!deepEqual(next, before)) await this.o.client.patchStatus('networkattachments', req.key, next);
    return {};
  }
}
