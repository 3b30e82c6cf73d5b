// The isolation invariant, as a pure function of one observed instant: what every switch port carries (read from
// the switch itself) and the API's objects. No I/O here; observe.ts feeds it from OVSDB and list+watch.
//
// A port may carry a VLAN only when
//   - a Port object describes it (spec.switch, spec.interface), a node's NIC is cabled to that Port, the node is in a
//     project, and
//   - the VLAN is the confirmed VLAN (status.vlan) of a network that project may use now: owned by it, listed in
//     spec.accessProjects, or public.
// Anything else is a violation, at any instant. A port still on the old VLAN of a network its project may use (it is
// converging) is fine; a VLAN of another project's network, a VLAN of no network, or "every VLAN" (an OVS trunk with
// an empty trunks list) never is. Hand edits made on purpose (the chaos run's) are excused on that port until a given
// time, by which the controllers must have corrected them.
//
// The checker reads OVS rows with its own small decoder (carriedVlans), not the driver's: it must not share the
// code under test's interpretation of the switch.

/** One OVS Port row's VLAN columns, decoded (absent columns are undefined or empty). */
export interface OvsRow {
  name: string;
  tag?: number;
  trunks: number[];
  vlanMode?: string;
  protected: boolean;
}

/** What a port carries: a set of VLAN ids, or every VLAN. */
export type Carried = { all: true } | { all: false; vlans: number[] };

/**
 * What OVS forwards on a port (ovs-vswitchd.conf.db(5), Port table, vlan_mode): access carries `tag` (VLAN 0, i.e.
 * untagged, when there is none); trunk carries `trunks`, or every VLAN when trunks is empty; native-* carry tag plus
 * trunks, every VLAN when trunks is empty; dot1q-tunnel carries everything. With no vlan_mode, a tag means access and no
 * tag means trunk. A port parked on the parking VLAN and protected (it forwards to no other protected port) carries
 * nothing.
 */
export function carriedVlans(row: OvsRow, parkingVlan: number): Carried {
  const mode = row.vlanMode ?? (row.tag !== undefined ? 'access' : 'trunk');
  const set = (vs: (number | undefined)[]): Carried => ({
    all: false,
    vlans: [...new Set(vs.filter((v): v is number => v !== undefined))].sort((a, b) => a - b),
  });
  switch (mode) {
    case 'access':
      if (row.tag === parkingVlan && row.protected) return set([]);
      return set([row.tag ?? 0]);
    case 'trunk':
      return row.trunks.length ? set(row.trunks) : { all: true };
    case 'native-untagged':
    case 'native-tagged':
      return row.trunks.length ? set([row.tag ?? 0, ...row.trunks]) : { all: true };
    default:
      return { all: true };
  }
}

/** The few fields of the API objects the invariant needs (the real objects fit). */
export interface ApiObjects {
  ports: { metadata: { name?: string }; spec: { switch: string; interface: string } }[];
  nodes: { metadata: { name?: string }; spec: { project?: string; nics?: { name: string; port?: string }[] } }[];
  networks: {
    metadata: { name?: string };
    spec: { owner?: string; accessProjects?: string[]; public?: boolean };
    status?: { vlan?: number | null };
  }[];
}

export interface SwitchPorts {
  /** The Switch object's name. */
  switch: string;
  /** The switch's ports as read from it. */
  rows: OvsRow[];
  parkingVlan: number;
  /** Ports that are not node ports (the bridge's own internal port). */
  ignore?: string[];
}

export type ViolationKind = 'foreign-vlan' | 'no-port-object' | 'no-nic' | 'no-project' | 'every-vlan';

export interface Violation {
  kind: ViolationKind;
  switch: string;
  interface: string;
  /** The offending VLAN (absent for every-vlan and when the whole port is the problem). */
  vlan?: number;
  /** A sentence for people. */
  message: string;
}

/** May `project` use `network` now? */
export function mayUse(network: ApiObjects['networks'][number], project: string): boolean {
  const s = network.spec ?? {};
  return s.public === true || (!!s.owner && s.owner === project) || (s.accessProjects ?? []).includes(project);
}

/** Every violation of one instant. `excused`: interface → until (ms), hand edits being corrected; `now` in ms. */
export function findViolations(
  sw: SwitchPorts,
  objects: ApiObjects,
  opts: { now?: number; excused?: ReadonlyMap<string, number> } = {},
): Violation[] {
  const out: Violation[] = [];
  const ports = objects.ports.filter((p) => p.spec?.switch === sw.switch);
  const vlanOwners = new Map<number, string[]>();
  for (const n of objects.networks) {
    const v = n.status?.vlan;
    if (typeof v === 'number') vlanOwners.set(v, [...(vlanOwners.get(v) ?? []), n.metadata.name ?? '?']);
  }
  const whose = (v: number) => {
    const nets = vlanOwners.get(v);
    if (!nets) return 'no network';
    return nets
      .map((name) => {
        const n = objects.networks.find((x) => x.metadata.name === name)!;
        return `network "${name}" (owner ${n.spec?.owner ? `"${n.spec.owner}"` : 'admin'}${n.spec?.public ? ', public' : ''}${n.spec?.accessProjects?.length ? `, access ${n.spec.accessProjects.join(',')}` : ''})`;
      })
      .join(' and ');
  };
  for (const row of sw.rows) {
    if (sw.ignore?.includes(row.name)) continue;
    const until = opts.excused?.get(row.name);
    if (until !== undefined && (opts.now ?? Date.now()) <= until) continue;
    const carried = carriedVlans(row, sw.parkingVlan);
    if (!carried.all && carried.vlans.length === 0) continue;
    const what = carried.all ? 'every VLAN' : `VLAN ${carried.vlans.join(',')}`;
    const base = { switch: sw.switch, interface: row.name };
    const matching = ports.filter((p) => p.spec.interface === row.name);
    if (matching.length === 0) {
      out.push({
        ...base,
        kind: 'no-port-object',
        message: `port ${row.name} carries ${what} but no Port object describes it`,
      });
      continue;
    }
    const portNames = new Set(matching.map((p) => p.metadata.name));
    const cabled = objects.nodes.flatMap((n) =>
      (n.spec?.nics ?? []).filter((nic) => nic.port && portNames.has(nic.port)).map((nic) => ({ node: n, nic })),
    );
    if (cabled.length === 0) {
      out.push({
        ...base,
        kind: 'no-nic',
        message: `port ${row.name} (Port ${[...portNames].join(',')}) carries ${what} but no NIC is cabled to it`,
      });
      continue;
    }
    // More than one NIC on one Port is refused at admission; if it happened, the port must satisfy every node.
    for (const { node, nic } of cabled) {
      const project = node.spec?.project ?? '';
      const who = `port ${row.name} (node ${node.metadata.name}, NIC ${nic.name}${project ? `, project "${project}"` : ''})`;
      if (!project) {
        out.push({ ...base, kind: 'no-project', message: `${who} carries ${what} but the node is in no project` });
        continue;
      }
      if (carried.all) {
        out.push({ ...base, kind: 'every-vlan', message: `${who} carries every VLAN (an empty trunks list)` });
        continue;
      }
      for (const v of carried.vlans) {
        const usable = objects.networks.some((n) => n.status?.vlan === v && mayUse(n, project));
        if (!usable)
          out.push({
            ...base,
            kind: 'foreign-vlan',
            vlan: v,
            message: `${who} carries VLAN ${v} of ${whose(v)}, which project "${project}" may not use`,
          });
      }
    }
  }
  return out;
}

/** A stable identity for a violation, so an episode (first seen … last seen) can be followed across instants. */
export function violationKey(v: Violation): string {
  return `${v.switch}/${v.interface}/${v.kind}/${v.vlan ?? '*'}`;
}
