// VLAN claims, shared by the API server (admission refuses an explicit VLAN that is claimed) and the network
// controller (which claims): a VLAN belongs to a network when the Lease `vlan-<N>` in hil-system names the
// network's uid as its holder and carries the network's name in a label. Hand-written.

/** The namespace of the leader lease, the VLAN claims and the credentials Secrets. */
export const SYSTEM_NAMESPACE = 'hil-system';
/** Marks a Lease as a VLAN claim (value "true"). */
export const CLAIM_LABEL = 'hil.io/vlan-claim';
/** The name of the network holding the claim. */
export const CLAIM_NETWORK_LABEL = 'hil.io/network';

export const claimName = (vlan: number) => `vlan-${vlan}`;

/** The VLAN a claim Lease is for, by its name; undefined for other Leases. */
export function vlanOfClaimName(name: string | undefined): number | undefined {
  const m = /^vlan-(\d{1,4})$/.exec(name ?? '');
  return m ? Number(m[1]) : undefined;
}
