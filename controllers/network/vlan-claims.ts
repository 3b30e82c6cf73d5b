// VLAN claims: a VLAN belongs to a network when a Lease `vlan-<N>` in hil-system names the network's uid as its
// holder. Creating a Lease is atomic on the server (a second create of the same name is 409 AlreadyExists), so two
// controllers — two leaders during a failover, or one with a stale cache — can never hand out one VLAN twice. This
// works unchanged on a real cluster. Claims never expire (no renewTime); they are deleted when the network is gone.
import { isAlreadyExists, type HilClient } from '../client.js';
import type { LeaseObject } from '../runtime/leader-election.js';
import { SYSTEM_NAMESPACE } from '../rbac.js';

export const CLAIM_LABEL = 'hil.io/vlan-claim';
export const CLAIM_NETWORK_LABEL = 'hil.io/network';

export const claimName = (vlan: number) => `vlan-${vlan}`;

export function claimVlan(l: LeaseObject): number | undefined {
  const m = /^vlan-(\d{1,4})$/.exec(l.metadata.name);
  return m ? Number(m[1]) : undefined;
}

export class VlanClaims {
  constructor(
    private readonly client: HilClient,
    private readonly namespace = SYSTEM_NAMESPACE,
  ) {}

  /** Every claim, fresh from the server. */
  async list(): Promise<LeaseObject[]> {
    return (await this.client.listLeases(this.namespace, `${CLAIM_LABEL}=true`)).filter((l) => claimVlan(l) !== undefined);
  }

  /**
   * Tries to claim `vlan` for the network `uid`. true: it is ours (newly, or it already was); false: someone else
   * holds it.
   */
  async claim(vlan: number, uid: string, network: string): Promise<boolean> {
    try {
      await this.client.createLease({
        metadata: { name: claimName(vlan), namespace: this.namespace, labels: { [CLAIM_LABEL]: 'true', [CLAIM_NETWORK_LABEL]: network } },
        spec: { holderIdentity: uid },
      });
      return true;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const cur = await this.client.getLease(this.namespace, claimName(vlan));
      return cur?.spec.holderIdentity === uid;
    }
  }

  /** Deletes the claim if `uid` still holds it (preconditioned on the resourceVersion read). */
  async release(claim: LeaseObject): Promise<void> {
    await this.client.deleteLease(this.namespace, claim.metadata.name, claim.metadata.resourceVersion);
  }
}
