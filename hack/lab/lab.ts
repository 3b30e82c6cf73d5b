// The network-namespace lab: a "switch" (private Open vSwitch daemons, or one Linux bridge per VLAN) in its own
// network namespace, and N "node" namespaces each wired to a switch port by a veth pair. Used by the integration
// tests, the README demo and benchmarks.
//
//   import { startLab } from '../../hack/lab/lab.js';
//   const lab = await startLab({ nodes: 6 });              // OVS, every port parked
//   const session = await new OvsSwitchDriver().open(lab.switchConfig());
//   ...; await lab.reachability();                          // the ping matrix
//   await lab.stop();
//
//   node --import tsx hack/lab/lab.ts up --nodes 6 [--switch ovs|linuxbridge] [--extra-ports N] [--name NAME]
//   node --import tsx hack/lab/lab.ts list | matrix NAME | down [NAME] | down --all   (down alone: the only lab)
//
// What it builds (OVS in userspace, as measured on the project's 2-core Debian 12 machines):
//   - a run folder $TMPDIR/hil-lab-NAME with lab.json (what to tear down), the OVS database, sockets, pid and log
//     files. Nothing goes to /var/run or systemd.
//   - ovsdb-server on a unix socket and a TCP remote on 127.0.0.1:<free port>; ovs-vswitchd inside the switch
//     namespace (it opens the switch-side veth ends by name) with bridge sw0, datapath_type=netdev (no kernel datapath
//     here).
//   - namespaces NAME-sw, NAME-n1…: node i has eth0 (MAC 02:99:SS:00:00:ii, address 10.99.SS.i/24; only such
//     namespace addresses and loopback are ever used) wired to switch port p<i>; `--extra-ports` adds switch ports
//     x1… that are veth pairs inside the switch namespace (for batch tests without one namespace per port).
//   - every port starts parked: OVS tag=4095 vlan_mode=access protected=true; linuxbridge detached and down.
//   - `ethtool -K eth0 tx off` on node ends (TCP over the netdev datapath hangs with veth checksum offload) and IPv6
//     off in every namespace (no router solicitations or MLD frames in captures).
// Teardown kills the daemons and deletes the namespaces and the run folder, also when the owner process exits
// abnormally (exit hooks), and a later startLab reaps labs whose owner process has died.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { SwitchConfig } from '../../drivers/switch/switch-driver.js';

export type LabSwitchKind = 'ovs' | 'linuxbridge';

export interface LabOptions {
  /** Node namespaces, each wired to one switch port (default 2, at most 250). */
  nodes?: number;
  /** The switch: private Open vSwitch daemons (default) or one Linux bridge per VLAN. */
  switch?: LabSwitchKind;
  /** Extra switch ports with no node behind them (veth pairs inside the switch namespace). */
  extraPorts?: number;
  /** Lab name (prefix of every namespace); default a random `hlXXXXXX`. */
  name?: string;
  /** Third octet of the node subnet 10.99.X.0/24 (default 1). */
  subnet?: number;
  /** VLAN the OVS ports start parked on (default 4095). */
  parkingVlan?: number;
  /** Not reaped when the owner process is gone (the CLI's `up`). */
  persistent?: boolean;
}

export interface LabNode {
  /** Short name: n1, n2, … */
  name: string;
  netns: string;
  /** The switch-side port (OVS port / Linux interface in the switch namespace): p1, p2, … */
  port: string;
  /** 10.99.S.i */
  address: string;
  mac: string;
}

interface LabRecord {
  name: string;
  kind: LabSwitchKind;
  dir: string;
  pid: number;
  persistent: boolean;
  netns: string[];
  pidfiles: string[];
}

const LAB_PREFIX = 'hil-lab-';
const NAME_PATTERN = /^[a-z][a-z0-9]{1,11}$/;
const OVS_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';
const BRIDGE = 'sw0';

function which(candidates: string[]): string | undefined {
  return candidates.find((p) => existsSync(p));
}

const bin = {
  ip: () => which(['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip']) ?? 'ip',
  ovsdbServer: () => which(['/usr/sbin/ovsdb-server', '/usr/bin/ovsdb-server']) ?? 'ovsdb-server',
  ovsVswitchd: () => which(['/usr/sbin/ovs-vswitchd', '/usr/bin/ovs-vswitchd']) ?? 'ovs-vswitchd',
  ovsVsctl: () => which(['/usr/bin/ovs-vsctl', '/usr/sbin/ovs-vsctl']) ?? 'ovs-vsctl',
  ovsdbTool: () => which(['/usr/bin/ovsdb-tool', '/usr/sbin/ovsdb-tool']) ?? 'ovsdb-tool',
  ovsAppctl: () => which(['/usr/bin/ovs-appctl', '/usr/sbin/ovs-appctl']) ?? 'ovs-appctl',
  tcpdump: () => which(['/usr/bin/tcpdump', '/usr/sbin/tcpdump']) ?? 'tcpdump',
  ping: () => which(['/usr/bin/ping', '/bin/ping']) ?? 'ping',
  ethtool: () => which(['/usr/sbin/ethtool', '/sbin/ethtool', '/usr/bin/ethtool']) ?? 'ethtool',
};

/**
 * Why a lab of this kind cannot run here (not root, a tool missing), or undefined when it can. Tests skip with this
 * message; under CI (`CI` set) they should fail instead, since CI installs everything (hack/install-test-deps.sh).
 */
export function labUnavailable(
  kind: LabSwitchKind = 'ovs',
  needs: ('ping' | 'tcpdump' | 'ethtool')[] = [],
): string | undefined {
  if (process.platform !== 'linux') return 'the lab needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces, veth pairs, OVS daemons)';
  const missing: string[] = [];
  if (!which(['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'])) missing.push('iproute2 (ip)');
  if (kind === 'ovs') {
    for (const [name, f] of [
      ['ovsdb-server', bin.ovsdbServer],
      ['ovs-vswitchd', bin.ovsVswitchd],
      ['ovs-vsctl', bin.ovsVsctl],
      ['ovsdb-tool', bin.ovsdbTool],
    ] as const) {
      if (!existsSync(f())) missing.push(name);
    }
    if (!existsSync(OVS_SCHEMA)) missing.push(OVS_SCHEMA);
  }
  if (!existsSync(bin.ethtool())) missing.push('ethtool');
  if (needs.includes('ping') && !existsSync(bin.ping())) missing.push('iputils-ping');
  if (needs.includes('tcpdump') && !existsSync(bin.tcpdump())) missing.push('tcpdump');
  if (missing.length) {
    const pkgs =
      kind === 'ovs'
        ? 'openvswitch-switch iproute2 iputils-ping tcpdump ethtool'
        : 'iproute2 iputils-ping tcpdump ethtool';
    return `missing ${missing.join(', ')} (apt-get install ${pkgs}; see hack/install-test-deps.sh)`;
  }
  return undefined;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program (no shell), optionally feeding stdin; never rejects. */
function run(
  cmd: string,
  args: readonly string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout: '', stderr: e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** HIL_LAB_DEBUG=1 prints each command the lab runs, with its time. */
const debug = process.env.HIL_LAB_DEBUG === '1';

/** Runs and throws with the command and stderr on a non-zero exit. */
async function must(cmd: string, args: readonly string[], opts: Parameters<typeof run>[2] = {}): Promise<string> {
  const t0 = debug ? performance.now() : 0;
  const r = await run(cmd, args, opts);
  if (debug)
    console.error(`lab: ${(performance.now() - t0).toFixed(0).padStart(5)} ms  ${cmd} ${args.join(' ').slice(0, 100)}`);
  if (r.code !== 0)
    throw new Error(
      `${cmd} ${args.join(' ').slice(0, 200)} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`,
    );
  return r.stdout;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (dead, not yet reaped by whoever adopted the daemon) counts as gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is one of this lab's daemons: its command line names the lab's run folder (pids get reused). */
function isLabDaemon(pid: number, dir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .some((arg) => arg.includes(`${dir}/`));
  } catch {
    return false;
  }
}

/** Tears a lab down from its record, synchronously (usable from an exit hook). Never throws. */
function teardownSync(rec: LabRecord): void {
  // SIGKILL: the daemons' state is thrown away with the run folder, and a clean ovs-vswitchd exit (SIGTERM) takes
  // over a second with a hundred ports.
  const pids = rec.pidfiles.map(readPid).filter((p): p is number => p !== undefined && isLabDaemon(p, rec.dir));
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + 2000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (pids.some(pidAlive) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 5);
  if (rec.netns.length) {
    spawnSync(bin.ip(), ['-force', '-batch', '-'], {
      input: rec.netns.map((n) => `netns del ${n}`).join('\n') + '\n',
      stdio: ['pipe', 'ignore', 'ignore'],
    });
  }
  rmSync(rec.dir, { recursive: true, force: true });
}

/** Labs started by this process, torn down on exit if the caller did not. */
const live = new Map<string, LabRecord>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const rec of live.values()) if (!rec.persistent) teardownSync(rec);
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const rec of live.values()) if (!rec.persistent) teardownSync(rec);
      live.clear();
      process.kill(process.pid, sig); // the default action, now that our handler is gone
    });
  }
}

/** Every lab recorded under $TMPDIR (running or left behind). */
export function listLabs(): LabRecord[] {
  const out: LabRecord[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(tmpdir()).filter((e) => e.startsWith(LAB_PREFIX));
  } catch {
    return out;
  }
  for (const e of entries) {
    try {
      out.push(JSON.parse(readFileSync(join(tmpdir(), e, 'lab.json'), 'utf8')) as LabRecord);
    } catch {
      /* not ours, or half-written */
    }
  }
  return out;
}

/** Tears down labs whose owner process has died (a test runner killed mid-run). Not persistent (CLI) ones. */
export function reapStaleLabs(): string[] {
  const reaped: string[] = [];
  for (const rec of listLabs()) {
    if (rec.persistent || live.has(rec.name) || pidAlive(rec.pid)) continue;
    teardownSync(rec);
    reaped.push(rec.name);
  }
  return reaped;
}

/** Tears down a lab by name (any owner). */
export function stopLabByName(name: string): boolean {
  const rec = listLabs().find((r) => r.name === name);
  if (!rec) return false;
  teardownSync(rec);
  live.delete(name);
  return true;
}

export interface Reachability {
  /** `a-b` (node names, a before b) → whether a pinged b. */
  readonly pairs: ReadonlyMap<string, boolean>;
  /** Whether a and b reach each other (either order). */
  reaches(a: string, b: string): boolean;
  /** The matrix as text, for failure messages. */
  format(): string;
}

export class Lab {
  readonly nodes: readonly LabNode[];
  /** Switch ports with no node behind them. */
  readonly extraPorts: readonly string[];
  readonly bridge: string | undefined;
  /** OVSDB remotes (ovs only). */
  readonly ovsdb: { unix: string; tcp: string } | undefined;

  /** @internal use startLab() */
  constructor(
    private readonly rec: LabRecord,
    init: { nodes: LabNode[]; extraPorts: string[]; ovsdb?: { unix: string; tcp: string } },
  ) {
    this.nodes = init.nodes;
    this.extraPorts = init.extraPorts;
    this.ovsdb = init.ovsdb;
    this.bridge = rec.kind === 'ovs' ? BRIDGE : undefined;
  }

  get name(): string {
    return this.rec.name;
  }
  get kind(): LabSwitchKind {
    return this.rec.kind;
  }
  get dir(): string {
    return this.rec.dir;
  }
  /** The namespace holding the switch side (OVS's vswitchd, or the per-VLAN bridges). */
  get switchNetns(): string {
    return `${this.rec.name}-sw`;
  }
  /** Every switch port: node ports, then extra ports. */
  get ports(): string[] {
    return [...this.nodes.map((n) => n.port), ...this.extraPorts];
  }

  /** The SwitchConfig a driver needs for this lab's switch. */
  switchConfig(opts: { remote?: 'unix' | 'tcp'; wait?: boolean; timeoutMs?: number } = {}): SwitchConfig {
    if (this.kind === 'linuxbridge') return { address: this.switchNetns, timeoutMs: opts.timeoutMs };
    const remote = opts.remote === 'unix' ? this.ovsdb!.unix : this.ovsdb!.tcp;
    return {
      address: remote,
      options: { bridge: BRIDGE, ...(opts.wait === false ? { wait: 'false' } : {}) },
      timeoutMs: opts.timeoutMs,
    };
  }

  node(name: string): LabNode {
    const n = this.nodes.find((x) => x.name === name || x.netns === name || x.port === name);
    if (!n) throw new Error(`lab ${this.name} has no node ${name}`);
    return n;
  }

  /** `ovs-vsctl` against this lab's database (hand edits in tests, inspection). */
  vsctl(...args: string[]): Promise<string> {
    if (this.kind !== 'ovs') throw new Error('vsctl: not an OVS lab');
    return must(bin.ovsVsctl(), [`--db=${this.ovsdb!.unix}`, '--timeout=20', ...args]);
  }

  /** `ovs-appctl` to ovs-vswitchd (e.g. `ofproto/trace sw0 in_port=p1,dl_vlan=20`, `fdb/show sw0`). */
  appctl(...args: string[]): Promise<string> {
    if (this.kind !== 'ovs') throw new Error('appctl: not an OVS lab');
    return must(bin.ovsAppctl(), ['-t', join(this.dir, 'ovs-vswitchd.ctl'), ...args]);
  }

  /** The pid of one of the lab's OVS daemons (to stop or freeze it in a test: SIGSTOP simulates a hung switch). */
  daemonPid(daemon: 'ovsdb-server' | 'ovs-vswitchd'): number {
    const pid = this.kind === 'ovs' ? readPid(join(this.dir, `${daemon}.pid`)) : undefined;
    if (pid === undefined) throw new Error(`lab ${this.name} has no running ${daemon}`);
    return pid;
  }

  /** `ip -n NETNS ARGS…` in a lab namespace. */
  ip(netns: string, ...args: string[]): Promise<string> {
    return must(bin.ip(), ['-n', netns, ...args]);
  }

  /** Whether `from` pings `to` (node names): neighbours flushed first, then `ping -c1 -w2`. */
  async ping(from: string, to: string): Promise<boolean> {
    const a = this.node(from);
    const b = this.node(to);
    await run(bin.ip(), ['-n', a.netns, 'neigh', 'flush', 'all']);
    return this.pingRaw(a, b);
  }

  private async pingRaw(a: LabNode, b: LabNode): Promise<boolean> {
    const r = await run(bin.ip(), ['netns', 'exec', a.netns, bin.ping(), '-n', '-q', '-c1', '-w2', b.address], {
      timeoutMs: 10_000,
    });
    return r.code === 0;
  }

  /** Pings every pair of the given nodes (default all) at once, after flushing every node's neighbours. */
  async reachability(names: readonly string[] = this.nodes.map((n) => n.name)): Promise<Reachability> {
    const nodes = names.map((n) => this.node(n));
    await Promise.all(nodes.map((n) => run(bin.ip(), ['-n', n.netns, 'neigh', 'flush', 'all'])));
    const jobs: Promise<[string, boolean]>[] = [];
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        const [a, b] = [nodes[i], nodes[j]];
        jobs.push(this.pingRaw(a, b).then((ok) => [`${a.name}-${b.name}`, ok]));
      }
    }
    const pairs = new Map(await Promise.all(jobs));
    return {
      pairs,
      reaches: (a, b) => pairs.get(`${a}-${b}`) ?? pairs.get(`${b}-${a}`) ?? false,
      format: () => {
        const w = Math.max(...nodes.map((n) => n.name.length)) + 1;
        const head = ' '.repeat(w) + nodes.map((n) => n.name.padStart(w)).join('');
        const rows = nodes.map(
          (a) =>
            a.name.padEnd(w) +
            nodes
              .map((b) =>
                (a === b
                  ? '-'
                  : (pairs.get(`${a.name}-${b.name}`) ?? pairs.get(`${b.name}-${a.name}`))
                    ? 'Y'
                    : '.'
                ).padStart(w),
              )
              .join(''),
        );
        return [head, ...rows].join('\n');
      },
    };
  }

  /**
   * Captures frames on a node's eth0 (`tcpdump -e -n -t`: link-level headers, no timestamps, so 802.1Q tags are visible) while
   * `traffic` runs; resolves with tcpdump's lines. `filter` is a tcpdump expression of plain words (e.g. `arp or icmp`).
   */
  async capture(
    node: string,
    traffic: () => Promise<unknown>,
    opts: { filter?: string; settleMs?: number } = {},
  ): Promise<string[]> {
    const n = this.node(node);
    const filter = (opts.filter ?? '').split(/\s+/).filter(Boolean);
    for (const w of filter)
      if (!/^[A-Za-z0-9.:()!]+$/.test(w)) throw new Error(`capture: bad filter word ${JSON.stringify(w)}`);
    const child = spawn(
      bin.ip(),
      ['netns', 'exec', n.netns, bin.tcpdump(), '-i', 'eth0', '-e', '-n', '-t', '-l', '-U', ...filter],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`tcpdump did not start in ${n.netns}: ${err}`)), 5000);
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if (/listening on/.test(err)) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('close', () => {
          clearTimeout(timer);
          reject(new Error(`tcpdump exited in ${n.netns}: ${err}`));
        });
      });
      await traffic();
      await sleep(opts.settleMs ?? 300);
    } finally {
      child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(t);
    }
    return out.split('\n').filter(Boolean);
  }

  /** Kills the daemons, deletes the namespaces and the run folder. Safe to call twice. */
  async stop(): Promise<void> {
    if (!live.has(this.name) && !existsSync(this.dir)) return;
    teardownSync(this.rec);
    live.delete(this.name);
  }
}

/** Builds a lab (see the file header); on any failure it tears down what it built and rethrows. */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const kind = options.switch ?? 'ovs';
  const nodeCount = options.nodes ?? 2;
  const extra = options.extraPorts ?? 0;
  const subnet = options.subnet ?? 1;
  const parking = options.parkingVlan ?? 4095;
  if (!Number.isInteger(nodeCount) || nodeCount < 0 || nodeCount > 250) throw new Error('nodes: an integer 0-250');
  if (!Number.isInteger(extra) || extra < 0 || extra > 2000) throw new Error('extraPorts: an integer 0-2000');
  if (!Number.isInteger(subnet) || subnet < 0 || subnet > 255) throw new Error('subnet: an integer 0-255');
  if (!Number.isInteger(parking) || parking < 1 || parking > 4095) throw new Error('parkingVlan: an integer 1-4095');
  const name = options.name ?? `hl${randomBytes(3).toString('hex')}`;
  if (!NAME_PATTERN.test(name))
    throw new Error(`lab name ${JSON.stringify(name)}: lower-case letters and digits, 2-12, starting with a letter`);
  const why = labUnavailable(kind);
  if (why) throw new Error(`cannot start a lab: ${why}`);

  reapStaleLabs();
  const dir = join(tmpdir(), `${LAB_PREFIX}${name}`);
  if (existsSync(dir)) throw new Error(`a lab named ${name} exists (${dir}); stop it first`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });

  const sw = `${name}-sw`;
  const nodes: LabNode[] = Array.from({ length: nodeCount }, (_, k) => {
    const i = k + 1;
    const hex = (v: number) => v.toString(16).padStart(2, '0');
    return {
      name: `n${i}`,
      netns: `${name}-n${i}`,
      port: `p${i}`,
      address: `10.99.${subnet}.${i}`,
      mac: `02:99:${hex(subnet)}:00:00:${hex(i)}`,
    };
  });
  const extraPorts = Array.from({ length: extra }, (_, k) => `x${k + 1}`);
  const rec: LabRecord = {
    name,
    kind,
    dir,
    pid: process.pid,
    persistent: options.persistent ?? false,
    netns: [sw, ...nodes.map((n) => n.netns)],
    pidfiles: kind === 'ovs' ? [join(dir, 'ovs-vswitchd.pid'), join(dir, 'ovsdb-server.pid')] : [],
  };
  writeFileSync(join(dir, 'lab.json'), JSON.stringify(rec, null, 2));
  live.set(name, rec);
  installExitHooks();

  try {
    const ip = bin.ip();
    // Namespaces, with IPv6 off before any interface exists (no RS/MLD/DAD frames to confuse captures).
    await must(ip, ['-batch', '-'], { input: rec.netns.map((n) => `netns add ${n}`).join('\n') + '\n' });
    await Promise.all(
      rec.netns.map((n) =>
        // A fixed script (no input in it); tolerant of kernels without IPv6.
        must(ip, [
          'netns',
          'exec',
          n,
          '/bin/sh',
          '-c',
          'for f in all default; do echo 1 > /proc/sys/net/ipv6/conf/$f/disable_ipv6; done 2>/dev/null || true',
        ]),
      ),
    );
    // Wiring: node eth0 <-> switch port p<i>; extra ports x<i> <-> x<i>-peer inside the switch namespace.
    const wires = [
      ...nodes.map((n) => `link add eth0 address ${n.mac} netns ${n.netns} type veth peer name ${n.port} netns ${sw}`),
      ...extraPorts.map((x) => `link add ${x} netns ${sw} type veth peer name ${x}-peer netns ${sw}`),
    ];
    if (wires.length) await must(ip, ['-batch', '-'], { input: wires.join('\n') + '\n' });
    await Promise.all(
      nodes.map(async (n) => {
        await must(ip, ['-n', n.netns, '-batch', '-'], {
          input: `link set lo up\naddr add ${n.address}/24 dev eth0\nlink set eth0 up\n`,
        });
        await must(ip, ['netns', 'exec', n.netns, bin.ethtool(), '-K', 'eth0', 'tx', 'off']);
      }),
    );
    let ovsdb: { unix: string; tcp: string } | undefined;
    if (kind === 'ovs') {
      // OVS ports come up (link) now and are parked in the same ovs-vsctl call that adds them.
      const ups = [
        ...nodes.map((n) => `link set ${n.port} up`),
        ...extraPorts.flatMap((x) => [`link set ${x} up`, `link set ${x}-peer up`]),
      ];
      if (ups.length) await must(ip, ['-n', sw, '-batch', '-'], { input: ups.join('\n') + '\n' });
      ovsdb = await startOvs(dir, sw, [...nodes.map((n) => n.port), ...extraPorts], parking);
    } else {
      // Linux bridge ports start detached and down: parked. Peers of extra ports are up, so only x<i> gates them.
      const ups = extraPorts.map((x) => `link set ${x}-peer up`);
      if (ups.length) await must(ip, ['-n', sw, '-batch', '-'], { input: ups.join('\n') + '\n' });
    }
    return new Lab(rec, { nodes, extraPorts, ovsdb });
  } catch (err) {
    teardownSync(rec);
    live.delete(name);
    throw err;
  }
}

async function startOvs(
  dir: string,
  sw: string,
  ports: string[],
  parking: number,
): Promise<{ unix: string; tcp: string }> {
  const env = { ...process.env, OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir, OVS_SYSCONFDIR: dir };
  const db = join(dir, 'conf.db');
  const sock = join(dir, 'db.sock');
  await must(bin.ovsdbTool(), ['create', db, OVS_SCHEMA], { env });
  await must(
    bin.ovsdbServer(),
    [
      db,
      `--remote=punix:${sock}`,
      '--remote=ptcp:0:127.0.0.1',
      `--pidfile=${join(dir, 'ovsdb-server.pid')}`,
      `--log-file=${join(dir, 'ovsdb-server.log')}`,
      `--unixctl=${join(dir, 'ovsdb-server.ctl')}`,
      '--detach',
      '--no-chdir',
    ],
    { env, timeoutMs: 20_000 },
  );
  // The TCP remote asked for port 0; the server logs the port it got.
  let tcpPort: number | undefined;
  for (let i = 0; i < 200 && tcpPort === undefined; i++) {
    const log = existsSync(join(dir, 'ovsdb-server.log')) ? readFileSync(join(dir, 'ovsdb-server.log'), 'utf8') : '';
    const m = /127\.0\.0\.1: listening on port (\d+)/.exec(log);
    if (m) tcpPort = Number(m[1]);
    else await sleep(10);
  }
  if (tcpPort === undefined) throw new Error(`ovsdb-server in ${dir} did not report its TCP port`);
  const vsctl = (...args: string[]) => must(bin.ovsVsctl(), [`--db=unix:${sock}`, '--timeout=20', ...args], { env });
  await vsctl('--no-wait', 'init');
  await must(
    bin.ip(),
    [
      'netns',
      'exec',
      sw,
      bin.ovsVswitchd(),
      `unix:${sock}`,
      `--pidfile=${join(dir, 'ovs-vswitchd.pid')}`,
      `--log-file=${join(dir, 'ovs-vswitchd.log')}`,
      `--unixctl=${join(dir, 'ovs-vswitchd.ctl')}`,
      '--detach',
      '--no-chdir',
    ],
    { env, timeoutMs: 20_000 },
  );
  const add: string[] = ['--', 'add-br', BRIDGE, '--', 'set', 'bridge', BRIDGE, 'datapath_type=netdev'];
  for (const p of ports) add.push('--', 'add-port', BRIDGE, p, `tag=${parking}`, 'vlan_mode=access', 'protected=true');
  await vsctl(...add);
  return { unix: `unix:${sock}`, tcp: `tcp:127.0.0.1:${tcpPort}` };
}

// ---- CLI ----

function describeLab(lab: Lab): string {
  const lines = [
    `lab ${lab.name} (${lab.kind}) in ${lab.dir}`,
    `  switch namespace ${lab.switchNetns}${lab.bridge ? `, OVS bridge ${lab.bridge}` : ', one bridge br<VID> per VLAN'}`,
  ];
  if (lab.ovsdb) lines.push(`  OVSDB remotes     ${lab.ovsdb.unix}  ${lab.ovsdb.tcp}`);
  for (const n of lab.nodes)
    lines.push(
      `  ${n.name.padEnd(4)} netns ${n.netns.padEnd(14)} ${n.address.padEnd(12)} ${n.mac}  switch port ${n.port}`,
    );
  if (lab.extraPorts.length) lines.push(`  extra switch ports: ${lab.extraPorts.join(' ')}`);
  lines.push(
    `  a Switch for it:  type: ${lab.kind}, address: ${lab.switchConfig().address}${lab.bridge ? `, options: {bridge: ${lab.bridge}}` : ''}`,
  );
  if (lab.ovsdb) lines.push(`  inspect:          ovs-vsctl --db=${lab.ovsdb.unix} show`);
  lines.push(`  tear down:        node --import tsx hack/lab/lab.ts down ${lab.name}`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      nodes: { type: 'string', default: '2' },
      switch: { type: 'string', default: 'ovs' },
      'extra-ports': { type: 'string', default: '0' },
      name: { type: 'string' },
      subnet: { type: 'string', default: '1' },
      all: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const [cmd, arg] = positionals;
  switch (cmd) {
    case 'up': {
      if (values.switch !== 'ovs' && values.switch !== 'linuxbridge') throw new Error('--switch: ovs or linuxbridge');
      const lab = await startLab({
        nodes: Number(values.nodes),
        switch: values.switch,
        extraPorts: Number(values['extra-ports']),
        name: values.name,
        subnet: Number(values.subnet),
        persistent: true,
      });
      live.delete(lab.name); // persistent: outlives this process
      if (values.json) {
        console.log(
          JSON.stringify(
            {
              name: lab.name,
              kind: lab.kind,
              dir: lab.dir,
              switchNetns: lab.switchNetns,
              ovsdb: lab.ovsdb,
              bridge: lab.bridge,
              nodes: lab.nodes,
              extraPorts: lab.extraPorts,
            },
            null,
            2,
          ),
        );
      } else {
        console.log(describeLab(lab));
      }
      return 0;
    }
    case 'down': {
      const labs = listLabs();
      if (!values.all && !arg && labs.length !== 1) {
        throw new Error(`down NAME, or down --all (labs: ${labs.map((r) => r.name).join(', ') || 'none'})`);
      }
      const recs = values.all || (!arg && labs.length === 1) ? labs : labs.filter((r) => r.name === arg);
      if (!values.all && recs.length === 0) {
        console.error(`no lab named ${arg}`);
        return 1;
      }
      for (const r of recs) {
        teardownSync(r);
        console.log(`lab ${r.name} torn down`);
      }
      return 0;
    }
    case 'list': {
      for (const r of listLabs())
        console.log(
          `${r.name}\t${r.kind}\t${r.persistent ? 'persistent' : `owner pid ${r.pid}${pidAlive(r.pid) ? '' : ' (dead)'}`}\t${r.dir}`,
        );
      return 0;
    }
    case 'matrix': {
      const rec = listLabs().find((r) => r.name === arg);
      if (!rec) throw new Error(`no lab named ${arg}`);
      const nodes = rec.netns
        .filter((n) => n !== `${rec.name}-sw`)
        .map((netns) => {
          const i = Number(/-n(\d+)$/.exec(netns)![1]);
          const addr = JSON.parse(
            execFileSync(bin.ip(), ['-j', '-n', netns, 'addr', 'show', 'dev', 'eth0']).toString(),
          )[0]?.addr_info?.[0]?.local as string;
          return { name: `n${i}`, netns, port: `p${i}`, address: addr, mac: '' };
        });
      const lab = new Lab(rec, { nodes, extraPorts: [] });
      console.log((await lab.reachability()).format());
      return 0;
    }
    default:
      console.error(
        'usage: node --import tsx hack/lab/lab.ts up [--nodes N] [--switch ovs|linuxbridge] [--extra-ports N] [--name NAME] [--subnet S] [--json]',
      );
      console.error('       node --import tsx hack/lab/lab.ts list | matrix NAME | down [NAME] | down --all');
      return 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`lab: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
