// Desired port state of one switch, computed from the objects alone (pure, table-tested):
//   for each Port of the switch: the NIC cabled to it (Node.spec.nics[].port), that NIC's NetworkAttachments, each
//   attachment's Network VLAN (status.vlan, as the network controller confirmed it) → native VLAN (channel native) and tagged VLANs (channel
//   tagged). A port with no NIC or no usable attachment, or whose Port is being deleted, is reverted (native null,
//   tagged []: parked). An attachment to a network the node's project may not use (now) is refused (Failed,
//   NoAccess) and never reaches the port.
// Attachments that cannot be put on the port are left out and say why: waiting (Pending: no VLAN yet, network
// missing) or refused (Failed: VLAN outside the Switch's vlanRange, the parking VLAN, a channel the switch cannot do).
import type { Network, NetworkAttachment, Port, Switch } from '../../api/v1alpha1/types.js';
import { projectMayUse } from '../../api/v1alpha1/access.js';
import { parseVlanList, type VlanSet } from '../../api/v1alpha1/vlans.js';
import type { PortChange, SwitchCapabilities } from '../../drivers/switch/index.js';
import { lookup, type ObjectCache } from '../cache.js';
import { attachmentsOfNic, nicsCabledTo } from '../topology.js';

export type AttachmentVerdict =
  | { kind: 'included'; vlan: number }
  | { kind: 'pending'; reason: string; message: string; vlan?: number }
  | { kind: 'refused'; reason: string; message: string; vlan?: number }
  | { kind: 'detaching'; vlan?: number };

export interface PortPlan {
  port: Port;
  /** The complete desired state (a revert when nothing is attached). */
  desired: PortChange;
  /** The NIC cabled to this port, if any. */
  nic?: { node: string; nic: string };
  attachments: { attachment: NetworkAttachment; verdict: AttachmentVerdict }[];
}

export interface SwitchPlan {
  ports: PortPlan[];
  /** Port objects whose interface appears twice (never touched). */
  duplicates: Port[];
}

/** May `project` use the network now (api/v1alpha1/access.ts). */
export function mayUse(net: Network, project: string): boolean {
  return projectMayUse(net.spec, project);
}

export function allowList(sw: Switch): VlanSet | undefined {
  const r = sw.spec.vlanRange;
  if (!r || r.length === 0) return undefined;
  try {
    return parseVlanList(r);
  } catch {
    return parseVlanList([]); // an invalid range (refused at admission) allows nothing
  }
}

export function planSwitch(
  sw: Switch,
  cache: ObjectCache,
  caps: SwitchCapabilities,
  parkingVlan: number | undefined,
): SwitchPlan {
  const name = sw.metadata.name!;
  const ports = lookup(cache, 'portsBySwitch', name);
  const byIface = new Map<string, Port[]>();
  for (const p of ports) byIface.set(p.spec.interface, [...(byIface.get(p.spec.interface) ?? []), p]);
  const duplicates = [...byIface.values()].filter((l) => l.length > 1).flat();

  // The NIC cabled to each Port object, and the attachments of each NIC.
  const nicOf = nicsCabledTo(new Set(ports.map((p) => p.metadata.name!)), cache);
  const allowed = allowList(sw);

  const plans: PortPlan[] = [];
  for (const port of ports) {
    if (duplicates.includes(port)) continue;
    // A Port being deleted is reverted whatever is cabled to it (admission refuses deleting a cabled Port anyway).
    const nic = port.metadata.deletionTimestamp ? undefined : nicOf.get(port.metadata.name!);
    const list = nic ? attachmentsOfNic(nic.node, nic.nic, cache) : [];
    // Checked here as well as at admission: on a real cluster no admission of ours runs, and access can be revoked or
    // the node moved after the attachment was made. A VLAN reaches a port only while the node's project may use it.
    const project = nic ? (cache.get('nodes', nic.node)?.spec?.project ?? '') : '';
    const atts: PortPlan['attachments'] = [];
    let native: number | null = null;
    const tagged: number[] = [];
    const sorted = [...list].sort(
      (a, b) =>
        (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
        a.metadata.name!.localeCompare(b.metadata.name!),
    );
    for (const a of sorted) {
      const net = cache.get('networks', a.spec.network);
      // Only the VLAN the network controller confirmed: an explicit spec.vlan that lost a race for its claim (status
      // VlanConflict, status.vlan null) must never reach a port.
      const vlan = net?.status?.vlan ?? undefined;
      const channel = a.spec.channel ?? 'native';
      let verdict: AttachmentVerdict;
      if (a.metadata.deletionTimestamp) verdict = { kind: 'detaching', vlan };
      else if (!net)
        verdict = {
          kind: 'pending',
          reason: 'NetworkNotFound',
          message: `network "${a.spec.network}" does not exist (yet)`,
        };
      else if (vlan === undefined)
        verdict = { kind: 'pending', reason: 'VlanPending', message: `network "${a.spec.network}" has no VLAN yet` };
      else if (!mayUse(net, project))
        verdict = {
          kind: 'refused',
          reason: 'NoAccess',
          vlan,
          message: project
            ? `project "${project}" of node "${nic!.node}" may not use network "${a.spec.network}" (not its owner, not in spec.accessProjects, not public); nothing is put on the port`
            : `node "${nic!.node}" is in no project; nothing is put on the port`,
        };
      else if (allowed && !allowed.has(vlan))
        verdict = {
          kind: 'refused',
          reason: 'VlanNotAllowed',
          vlan,
          message: `VLAN ${vlan} of network "${a.spec.network}" is outside the vlanRange of switch "${name}" (${allowed.toString() || 'none'}); nothing was sent to the switch`,
        };
      else if (parkingVlan !== undefined && vlan === parkingVlan)
        verdict = {
          kind: 'refused',
          reason: 'VlanReserved',
          vlan,
          message: `VLAN ${vlan} is the parking VLAN of switch "${name}"`,
        };
      else if (channel === 'tagged' && !caps.trunk)
        verdict = {
          kind: 'refused',
          reason: 'Unsupported',
          vlan,
          message: `switch "${name}" (type ${sw.spec.type}) cannot carry tagged VLANs; use channel native`,
        };
      else if (channel === 'native' && !caps.nativeVlan)
        verdict = {
          kind: 'refused',
          reason: 'Unsupported',
          vlan,
          message: `switch "${name}" (type ${sw.spec.type}) cannot carry an untagged VLAN`,
        };
      else if (channel === 'native' && native !== null)
        verdict = {
          kind: 'refused',
          reason: 'NativeTaken',
          vlan,
          message: `the NIC already has native network VLAN ${native}`,
        };
      else if (tagged.includes(vlan) || native === vlan)
        verdict = { kind: 'refused', reason: 'DuplicateVlan', vlan, message: `VLAN ${vlan} is already on the port` };
      else {
        verdict = { kind: 'included', vlan };
        if (channel === 'native') native = vlan;
        else tagged.push(vlan);
      }
      atts.push({ attachment: a, verdict });
    }
    if (native === null && tagged.length && !caps.nativelessTrunk) {
      for (const x of atts) {
        if (x.verdict.kind === 'included') {
          x.verdict = {
            kind: 'pending',
            reason: 'NativeRequired',
            vlan: x.verdict.vlan,
            message: `switch "${name}" needs a native network on the NIC before a tagged one`,
          };
        }
      }
      tagged.length = 0;
    }
    tagged.sort((a, b) => a - b);
    plans.push({ port, desired: { interface: port.spec.interface, native, tagged }, nic, attachments: atts });
  }
  return { ports: plans, duplicates };
}
