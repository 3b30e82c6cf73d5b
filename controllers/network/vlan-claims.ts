// VLAN claims (naming in api/v1alpha1/vlan-claims.ts): a VLAN belongs to a network when a Lease `vlan-<N>` in hil-system names the network's uid as its
// holder. Creating a Lease is atomic on the server (a second create of the same name is 409 AlreadyExists), so two
// controllers — two leaders during a failover, or one with a stale cache — can never hand out one VLAN twice. This
// works unchanged on a real cluster. Claims never expire (no renewTime); they are deleted when the network is gone.
import {
  CLAIM_LABEL,
  CLAIM_NETWORK_LABEL,
  claimName,
  SYSTEM_NAMESPACE,
  vlanOfClaimName,
} from '../../api/v1alpha1/vlan-claims.js';
import { isAlreadyExists, type HilClient } from '../client.js';
import type { LeaseObject } from '../runtime/leader-election.js';

export { CLAIM_LABEL, CLAIM_NETWORK_LABEL, claimName };

export function claimVlan(l: LeaseObject): number | undefined {
  return vlanOfClaimName(l.metadata.name);
}

export class VlanClaims {
  constructor(
    private readonly client: HilClient,
    private readonly namespace = SYSTEM_NAMESPACE,
  ) {}

  /** Every claim, fresh from the server. */
  async list(): Promise<LeaseObject[]> {
    return (await this.client.listLeases(this.namespace, `${CLAIM_LABEL}=true`)).filter(
      (l) => claimVlan(l) !== undefined,
    );
  }

  /**
   * Tries to claim `vlan` for the network `uid`. true: it is ours (newly, or it already was); false: someone else
   * holds it.
   */
  async claim(vlan: number, uid: string, network: string): Promise<boolean> {
    try {
      await this.client.createLease({
        metadata: {
          name: claimName(vlan),
          namespace: this.namespace,
          labels: { [CLAIM_LABEL]: 'true', [CLAIM_NETWORK_LABEL]: network },
        },
        spec: { holderIdentity: uid },
      });
      return true;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const cur = await this.client.getLease(this.namespace, claimName(vlan));
      return cur?.spec.holderIdentity === uid;
    }
  }

  /** The name of the network holding `vlan`'s claim (its label), if any. */
  async holder(vlan: number): Promise<string | undefined> {
    return (await this.client.getLease(this.namespace, claimName(vlan)))?.metadata.labels?.[CLAIM_NETWORK_LABEL];
  }

  /** Deletes the claim if `uid` still holds it (preconditioned on the resourceVersion read). */
  async release(claim: LeaseObject): Promise<void> {
    await this.client.deleteLease(this.namespace, claim.metadata.name, claim.metadata.resourceVersion);
  }
}
