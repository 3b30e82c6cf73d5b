// The OVS netns lab seen through the API: the inventory YAML for a lab (Switch, Ports, Nodes), the switch's ports as
// OVS has them, and the ping matrix compared with who should reach whom. Shared by the isolation e2e test and the
// chaos run (hack/chaos.ts).
import type { Lab, Reachability } from '../../hack/lab/lab.js';

/** Switch + one Port per lab port + one Node per lab node (project per node; '' = free). */
export function labInventoryYaml(
  lab: Lab,
  opts: { switchName: string; vlanRange: string; projectOf: (node: string) => string },
): string {
  return [
    `apiVersion: hil.io/v1alpha1\nkind: Switch\nmetadata: {name: ${opts.switchName}}\nspec:\n  type: ovs\n  address: "${lab.ovsdb!.tcp}"\n  options: {bridge: ${lab.bridge}}\n  vlanRange: ["${opts.vlanRange}"]`,
    ...lab.nodes.map((n) => portYaml(opts.switchName, n.port)),
    ...lab.nodes.map(
      (n) =>
        `apiVersion: hil.io/v1alpha1\nkind: Node\nmetadata: {name: ${n.name}}\nspec:\n  project: "${opts.projectOf(n.name)}"\n  obm: {type: mock, host: bmc-${n.name}}\n  nics:\n  - {name: eth0, macAddress: "${n.mac}", port: ${opts.switchName}-${n.port}}`,
    ),
  ].join('\n---\n');
}

/** The Port object of a lab switch port, named `<switch>-<port>`. */
export function portYaml(switchName: string, port: string): string {
  return `apiVersion: hil.io/v1alpha1\nkind: Port\nmetadata: {name: ${switchName}-${port}}\nspec: {switch: ${switchName}, interface: ${port}}`;
}

/** OVS port → `tag/trunks` (e.g. `101/`, `101/101,102`), straight from the switch; the bridge's own port left out. */
export async function ovsTags(lab: Lab): Promise<Record<string, string>> {
  const out = JSON.parse(await lab.vsctl('--format=json', '--columns=name,tag,trunks', 'list', 'port')) as {
    data: unknown[][];
  };
  // OVSDB JSON: a set is ["set", [...]], a single value is itself.
  const values = (v: unknown): number[] =>
    Array.isArray(v) && v[0] === 'set' ? (v[1] as number[]) : typeof v === 'number' ? [v] : [];
  const tags: Record<string, string> = {};
  for (const [name, tag, trunks] of out.data) {
    if (name !== lab.bridge)
      tags[name as string] = `${values(tag).join(',')}/${values(trunks)
        .sort((a, b) => a - b)
        .join(',')}`;
  }
  return tags;
}

/**
 * Where the ping matrix differs from the plan (node → the network it is on untagged, undefined: none): two nodes
 * must reach each other exactly when they are on the same network. One line per wrong pair.
 */
export function matrixMismatches(
  r: Reachability,
  names: readonly string[],
  plan: Readonly<Record<string, string | undefined>>,
): string[] {
  const wrong: string[] = [];
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const [a, b] = [names[i], names[j]];
      const expected = plan[a] !== undefined && plan[a] === plan[b];
      if (r.reaches(a, b) !== expected)
        wrong.push(`${a}(${plan[a] ?? 'none'}) ${expected ? 'should' : 'should NOT'} reach ${b}(${plan[b] ?? 'none'})`);
    }
  }
  return wrong;
}
