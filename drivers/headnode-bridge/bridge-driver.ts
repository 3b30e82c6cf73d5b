// Host bridges for headnodes: `br-vlan<N>` carries VLAN N of the trunk NIC untagged, so a headnode's interface on it
// is on the project's network (HIL's scripts/create_bridges). Two variants, chosen by hil.cfg [headnode] bridge_driver:
//
//   linux  HIL's layout: an 802.1Q sub-interface <trunk>.<N> enslaved to Linux bridge br-vlan<N> (iproute2). Needs the
//          kernel's 8021q module (absent on some kernels, e.g. the project's CI machines: use ovs there).
//   ovs    Open vSwitch: br-vlan<N> is a "fake bridge" of the trunk bridge (`ovs-vsctl add-br br-vlan<N> <parent> <N>`):
//          every port added to it is an access port of VLAN N on the parent, which also holds the trunk NIC.
//
// ensure() creates what is missing and changes nothing that exists (idempotent); nothing here ever deletes. Every
// name and VLAN is validated before it reaches a command line; commands run without a shell.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export type BridgeDriverKind = 'linux' | 'ovs';

export interface BridgeResult {
  bridge: string;
  vlan: number;
  /** created: made now; exists: was already there (and right). */
  outcome: 'created' | 'exists';
}

export interface BridgeDriver {
  readonly kind: BridgeDriverKind;
  /** The bridge of a VLAN: br-vlan<N>. */
  bridgeName(vlan: number): string;
  /** Makes sure the bridge of each VLAN exists; creates only what is missing. */
  ensure(vlans: readonly number[]): Promise<BridgeResult[]>;
}

export class BridgeError extends Error {
  override readonly name = 'BridgeError';
}

/** Runs a program without a shell: resolves {code, stdout, stderr}; rejects only when it cannot be started. */
export type CommandRunner = (
  cmd: string,
  args: readonly string[],
) => Promise<{ code: number; stdout: string; stderr: string }>;

export const execRunner: CommandRunner = (cmd, args) =>
  new Promise((resolve, reject) => {
    execFile(cmd, [...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new BridgeError(`${cmd} not found`));
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });

/** Linux interface names: at most 15 characters, no `/`, whitespace or `:`. */
export const IFNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/;
/** An OVSDB remote: unix:/path or tcp:HOST:PORT. */
export const OVSDB_PATTERN = /^(unix:\/[A-Za-z0-9._/-]{1,200}|tcp:[A-Za-z0-9.[\]:-]{1,100}:\d{1,5})$/;

export function assertVlan(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 4094)
    throw new BridgeError(`VLAN ${JSON.stringify(v)} is not allowed (an integer 1-4094)`);
  return v;
}

export function assertIfName(name: unknown, what: string): string {
  if (typeof name !== 'string' || !IFNAME_PATTERN.test(name))
    throw new BridgeError(`${what} ${JSON.stringify(name)} is not allowed (pattern ${IFNAME_PATTERN.source})`);
  return name;
}

export function bridgeNameFor(vlan: number): string {
  return `br-vlan${assertVlan(vlan)}`;
}

function which(names: string[]): string {
  return names.find((p) => existsSync(p)) ?? names[0].split('/').pop()!;
}

export interface LinuxBridgeOptions {
  trunkNic: string;
  run?: CommandRunner;
  ip?: string;
}

/** HIL's bridges with iproute2: <trunk>.<N> (802.1Q) in br-vlan<N>, both up. */
export class LinuxBridgeDriver implements BridgeDriver {
  readonly kind = 'linux' as const;
  private readonly run: CommandRunner;
  private readonly ip: string;
  private readonly trunk: string;

  constructor(o: LinuxBridgeOptions) {
    this.trunk = assertIfName(o.trunkNic, '[headnode] trunk_nic');
    this.run = o.run ?? execRunner;
    this.ip = o.ip ?? which(['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip']);
  }

  bridgeName(vlan: number): string {
    return bridgeNameFor(vlan);
  }

  private async ipOk(args: string[]): Promise<void> {
    const r = await this.run(this.ip, args);
    if (r.code !== 0) throw new BridgeError(`ip ${args.join(' ')} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  }

  private async linkExists(name: string): Promise<boolean> {
    return (await this.run(this.ip, ['-o', 'link', 'show', 'dev', name])).code === 0;
  }

  async ensure(vlans: readonly number[]): Promise<BridgeResult[]> {
    if (!(await this.linkExists(this.trunk)))
      throw new BridgeError(`trunk NIC ${this.trunk} ([headnode] trunk_nic) does not exist`);
    const out: BridgeResult[] = [];
    for (const vlan of vlans) {
      const bridge = this.bridgeName(vlan);
      const sub = assertIfName(`${this.trunk}.${vlan}`, 'VLAN interface');
      let created = false;
      if (!(await this.linkExists(sub))) {
        await this.ipOk(['link', 'add', 'link', this.trunk, 'name', sub, 'type', 'vlan', 'id', String(vlan)]);
        created = true;
      }
      if (!(await this.linkExists(bridge))) {
        await this.ipOk(['link', 'add', 'name', bridge, 'type', 'bridge']);
        created = true;
      }
      if (created) {
        await this.ipOk(['link', 'set', 'dev', sub, 'master', bridge]);
        await this.ipOk(['link', 'set', 'dev', sub, 'up']);
        await this.ipOk(['link', 'set', 'dev', bridge, 'up']);
      }
      out.push({ bridge, vlan, outcome: created ? 'created' : 'exists' });
    }
    return out;
  }
}

export interface OvsBridgeOptions {
  /** The OVS bridge holding the trunk (hil.cfg [headnode] ovs_bridge), parent of the fake bridges. */
  parent: string;
  /** The trunk NIC, added to the parent bridge when given and not there yet. */
  trunkNic?: string;
  /** OVSDB remote (default: ovs-vsctl's, i.e. $OVS_RUNDIR/db.sock). */
  db?: string;
  run?: CommandRunner;
  vsctl?: string;
}

/** br-vlan<N> as fake bridges of an OVS bridge. */
export class OvsBridgeDriver implements BridgeDriver {
  readonly kind = 'ovs' as const;
  private readonly run: CommandRunner;
  private readonly vsctlBin: string;
  private readonly parent: string;
  private readonly trunk?: string;
  private readonly db?: string;

  constructor(o: OvsBridgeOptions) {
    this.parent = assertIfName(o.parent, '[headnode] ovs_bridge');
    this.trunk = o.trunkNic === undefined ? undefined : assertIfName(o.trunkNic, '[headnode] trunk_nic');
    if (o.db !== undefined && !OVSDB_PATTERN.test(o.db))
      throw new BridgeError(`OVSDB remote ${JSON.stringify(o.db)} is not allowed (unix:/path or tcp:HOST:PORT)`);
    this.db = o.db;
    this.run = o.run ?? execRunner;
    this.vsctlBin = o.vsctl ?? which(['/usr/bin/ovs-vsctl', '/usr/sbin/ovs-vsctl']);
  }

  bridgeName(vlan: number): string {
    return bridgeNameFor(vlan);
  }

  private async vsctl(args: string[], okCodes = [0]): Promise<{ code: number; stdout: string }> {
    const argv = [...(this.db ? [`--db=${this.db}`] : []), '--timeout=20', ...args];
    const r = await this.run(this.vsctlBin, argv);
    if (!okCodes.includes(r.code))
      throw new BridgeError(`ovs-vsctl ${args.join(' ')} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
    return r;
  }

  async ensure(vlans: readonly number[]): Promise<BridgeResult[]> {
    // br-exists: 0 yes, 2 no.
    if ((await this.vsctl(['br-exists', this.parent], [0, 2])).code !== 0) {
      throw new BridgeError(
        `OVS bridge ${this.parent} ([headnode] ovs_bridge) does not exist: create it and add the trunk NIC to it (ovs-vsctl add-br ${this.parent} -- add-port ${this.parent} ${this.trunk ?? 'TRUNK'})`,
      );
    }
    if (this.trunk) {
      const ports = (await this.vsctl(['list-ports', this.parent])).stdout.split('\n').filter(Boolean);
      if (!ports.includes(this.trunk)) await this.vsctl(['add-port', this.parent, this.trunk]);
    }
    const out: BridgeResult[] = [];
    for (const vlan of vlans) {
      const bridge = this.bridgeName(vlan);
      if ((await this.vsctl(['br-exists', bridge], [0, 2])).code === 0) {
        const [parent, tag] = await Promise.all([
          this.vsctl(['br-to-parent', bridge]),
          this.vsctl(['br-to-vlan', bridge]),
        ]);
        if (parent.stdout.trim() !== this.parent || Number(tag.stdout.trim()) !== vlan) {
          throw new BridgeError(
            `OVS bridge ${bridge} exists but is not VLAN ${vlan} of ${this.parent} (parent ${parent.stdout.trim()}, VLAN ${tag.stdout.trim()}); left as it is`,
          );
        }
        out.push({ bridge, vlan, outcome: 'exists' });
        continue;
      }
      await this.vsctl(['--may-exist', 'add-br', bridge, this.parent, String(vlan)]);
      out.push({ bridge, vlan, outcome: 'created' });
    }
    return out;
  }
}
