// The network controller: gives each Network a VLAN. `spec.vlan` (admin-chosen) is honoured as is; otherwise the
// lowest free VLAN of the pool (hil.cfg [hil.ext.network_allocators.vlan_pool] vlans) is claimed atomically (see
// vlan-claims.ts) and written to `status.vlan`. Ready=True with the VLAN, or Ready=False PoolExhausted / NoVlanPool.
// Finalizer hil.io/vlan: when the network is deleted, the claim is freed — only after the protection finalizer
// (hil.io/attachments) is gone, so a VLAN still on a switch port is never handed to another network.
import type { Network } from '../../api/v1alpha1/types.js';
import type { Logger } from '../../common/logging.js';
import type { VlanSet } from '../../api/v1alpha1/vlans.js';
import type { HilClient } from '../client.js';
import type { EventRecorder } from '../events.js';
import { addFinalizer, FINALIZER_ATTACHMENTS, FINALIZER_VLAN, hasFinalizer, removeFinalizer } from '../finalizers.js';
import { deepEqual } from '../../api/meta/equal.js';
import { setCondition } from '../runtime/conditions.js';
import type { Reconciler, Request, Result } from '../runtime/reconciler.js';
import { claimVlan, VlanClaims } from './vlan-claims.js';

export interface NetworkReconcilerOptions {
  client: HilClient;
  pool?: VlanSet;
  events?: EventRecorder;
  logger?: Logger;
  /** Retry period while the pool is exhausted (default 15 s; deletions of networks also retrigger). */
  exhaustedRetryMs?: number;
}

export class NetworkReconciler implements Reconciler {
  private readonly client: HilClient;
  private readonly claims: VlanClaims;
  constructor(private readonly o: NetworkReconcilerOptions) {
    this.client = o.client;
    this.claims = new VlanClaims(o.client);
  }

  async reconcile(req: Request, signal: AbortSignal): Promise<Result> {
    let net = await this.client.get('networks', req.key);
    if (!net) return {};
    const uid = net.metadata.uid!;
    if (net.metadata.deletionTimestamp) {
      if (!hasFinalizer(net, FINALIZER_VLAN)) return {};
      // Wait for the attachments to be gone (the protection controller removes its finalizer then).
      if (hasFinalizer(net, FINALIZER_ATTACHMENTS)) return {};
      // And check for ourselves, fresh from the server: a VLAN still on a port is never freed.
      const holding = (await this.client.list('networkattachments')).items.filter((a) => a.spec?.network === req.key);
      if (holding.length) return { requeueAfterMs: 5_000 };
      if (signal.aborted) return {};
      for (const c of (await this.claims.list()).filter((l) => l.spec.holderIdentity === uid))
        await this.claims.release(c);
      await removeFinalizer(this.client, 'networks', net, FINALIZER_VLAN);
      this.o.logger?.info('network deleted; VLAN freed', { network: req.key, vlan: net.status?.vlan });
      return {};
    }
    if (signal.aborted) return {};
    net = await addFinalizer(this.client, 'networks', net, FINALIZER_VLAN);

    const gen = net.metadata.generation;
    let vlan: number | undefined;
    let cond: { status: 'True' | 'False'; reason: string; message: string };
    let retry: number | undefined;
    if (net.spec.vlan !== undefined) {
      // A VLAN of the pool is claimed like any other, so the allocator never hands it out. Admission refuses an
      // explicit VLAN that is claimed already; a pool network may still have claimed it in the moment between
      // (the allocator then yields it, see allocate()). Until the claim is ours the VLAN is not confirmed.
      const wanted = net.spec.vlan;
      if (this.o.pool?.has(wanted) && !(await this.claims.claim(wanted, uid, req.key))) {
        const holder = await this.claims.holder(wanted);
        cond = {
          status: 'False',
          reason: 'VlanConflict',
          message: `VLAN ${wanted} (spec.vlan) is claimed by ${holder ? `network "${holder}"` : 'another network'}; waiting for it to be released`,
        };
        retry = 5_000;
      } else {
        vlan = wanted;
        cond = { status: 'True', reason: 'ExplicitVlan', message: `VLAN ${vlan} (spec.vlan)` };
      }
    } else {
      const got = await this.allocate(net, signal);
      if (got.vlan !== undefined) {
        vlan = got.vlan;
        cond = { status: 'True', reason: 'VlanAllocated', message: `VLAN ${vlan} allocated from the pool` };
        if (got.fresh)
          await this.o.events?.record(
            { kind: 'Network', metadata: net.metadata },
            'Normal',
            'VlanAllocated',
            `VLAN ${vlan} allocated from the pool`,
          );
      } else {
        cond = got.condition!;
        retry = this.o.exhaustedRetryMs ?? 15_000;
      }
    }
    if (signal.aborted) return {};
    const conditions = setCondition(net.status?.conditions, { type: 'Ready', ...cond, observedGeneration: gen });
    const status = { vlan: vlan ?? null, observedGeneration: gen, conditions };
    const cur = {
      vlan: net.status?.vlan ?? null,
      observedGeneration: net.status?.observedGeneration,
      conditions: net.status?.conditions,
    };
    if (!deepEqual(status, cur)) {
      await this.client.patchStatus('networks', req.key, status);
      if (cond.status === 'False')
        await this.o.events?.record({ kind: 'Network', metadata: net.metadata }, 'Warning', cond.reason, cond.message);
    }
    return retry ? { requeueAfterMs: retry } : {};
  }

  /** Finds this network's claim, or claims the lowest free VLAN of the pool. */
  private async allocate(
    net: Network,
    signal: AbortSignal,
  ): Promise<{ vlan?: number; fresh?: boolean; condition?: { status: 'False'; reason: string; message: string } }> {
    const uid = net.metadata.uid!;
    const claims = await this.claims.list();
    const mine = claims.filter((c) => c.spec.holderIdentity === uid).sort((a, b) => claimVlan(a)! - claimVlan(b)!);
    if (mine.length) {
      // Already ours (e.g. claimed before a crash, status not yet written). Keep one; free any extra.
      const keep = mine.find((c) => claimVlan(c) === net.status?.vlan) ?? mine[0];
      for (const c of mine) if (c !== keep && !signal.aborted) await this.claims.release(c);
      return { vlan: claimVlan(keep) };
    }
    const pool = this.o.pool;
    if (!pool)
      return {
        condition: {
          status: 'False',
          reason: 'NoVlanPool',
          message:
            'no VLAN pool is configured ([hil.ext.network_allocators.vlan_pool] vlans in hil.cfg) and spec.vlan is not set',
        },
      };
    const taken = new Set(claims.map(claimVlan));
    // Explicit VLANs of other networks are taken too, claimed or not.
    for (const n of (await this.client.list('networks')).items) if (n.spec?.vlan !== undefined) taken.add(n.spec.vlan);
    for (const v of pool.values()) {
      if (taken.has(v)) continue;
      if (signal.aborted) return {};
      if (!(await this.claims.claim(v, uid, net.metadata.name!))) continue;
      // An admin network naming this VLAN may have been admitted after the list above, before our claim existed:
      // an explicit VLAN wins, so give it back and take the next one. (Created after our claim, admission refuses it.)
      const explicit = (await this.client.list('networks')).items.some(
        (n) => n.metadata.uid !== uid && n.spec?.vlan === v && !n.metadata.deletionTimestamp,
      );
      if (!explicit) return { vlan: v, fresh: true };
      const mineNow = (await this.claims.list()).find((c) => claimVlan(c) === v && c.spec.holderIdentity === uid);
      if (mineNow) await this.claims.release(mineNow);
    }
    return {
      condition: {
        status: 'False',
        reason: 'PoolExhausted',
        message: `every VLAN of the pool (${pool.toString()}) is in use`,
      },
    };
  }

  /** Deletes claims whose network is gone (force-deleted networks). Lists claims first, then networks. */
  async collectGarbage(): Promise<number> {
    const claims = await this.claims.list();
    const uids = new Set((await this.client.list('networks')).items.map((n) => n.metadata.uid));
    let freed = 0;
    for (const c of claims) {
      if (c.spec.holderIdentity && !uids.has(c.spec.holderIdentity)) {
        await this.claims.release(c).catch(() => undefined);
        freed++;
      }
    }
    return freed;
  }
}
