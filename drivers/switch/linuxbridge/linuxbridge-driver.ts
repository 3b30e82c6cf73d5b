// The Linux-bridge driver: one Linux bridge per VLAN inside a network namespace (the "switch"); a port is on VLAN N
// when it is enslaved to bridge `br<N>`. For kernels without 802.1Q / bridge VLAN filtering (these machines), so it
// models access (untagged) ports only: tagged VLANs are refused with `unsupported`.
//
//   Switch.spec.address   the network namespace holding the switch-side ports: NAME or netns:NAME
//   options.bridgePrefix  bridge names are PREFIX<VID> (default "br": br101, br4094)
//   parking               by shutdown: a reverted port is detached (nomaster) and set down, so it reaches nothing.
//                         Parking on a shared "parking bridge" would connect parked ports to each other, so there is
//                         none; a configured parkingVlan is only reserved.
//
// A batch is one `ip -batch` (bridges that do not exist yet are created in the same batch and kept: creating one
// costs ~1.5 ms, deleting one ~40 ms, so they are never deleted in the hot path). readPorts is one `ip -j -batch`.
// save() is a no-op: this state lives in the kernel and is rebuilt by the controller after a reboot.
import { SwitchError } from '../errors.js';
import { portInSync } from '../port-state.js';
import { SessionGuard, withDeadline } from '../session-guard.js';
import type {
  ObservedPort,
  PortChange,
  PortResult,
  SwitchCapabilities,
  SwitchConfig,
  SwitchDriver,
  SwitchSession,
} from '../switch-driver.js';
import {
  assertConfigBasics,
  assertInterfaceNames,
  assertSafeToken,
  resolveOptions,
  resolveTimeout,
  validateChanges,
} from '../validate.js';
import { JsonStreamSplitter } from '../json-stream.js';
import { IpRunner } from './ip-command.js';

const NETNS_PATTERN = /^(?:netns:)?([A-Za-z0-9][A-Za-z0-9._-]{0,63})$/;

const OPTIONS = {
  bridgePrefix: { pattern: /^[a-z][a-z0-9-]{0,5}$/, default: 'br' },
} as const;

const CAPABILITIES: SwitchCapabilities = Object.freeze({
  trunk: false,
  nativeVlan: true,
  nativelessTrunk: false,
  parking: 'shutdown',
  // A Linux interface name: at most 15 bytes, no '/', ':' or whitespace.
  interfacePattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/,
});

interface Link {
  ifname: string;
  flags?: string[];
  master?: string;
  linkinfo?: { info_kind?: string };
}

export class LinuxBridgeSwitchDriver implements SwitchDriver {
  readonly type = 'linuxbridge';

  capabilities(): SwitchCapabilities {
    return CAPABILITIES;
  }

  async open(config: SwitchConfig): Promise<SwitchSession> {
    assertConfigBasics(config);
    const timeoutMs = resolveTimeout(config.timeoutMs);
    const opts = resolveOptions(config.options, OPTIONS);
    const m = NETNS_PATTERN.exec(config.address);
    if (!m)
      throw new SwitchError(
        'invalid',
        `linuxbridge address ${JSON.stringify(config.address)} must be a network namespace name (NAME or netns:NAME)`,
      );
    const session = new LinuxBridgeSession(
      assertSafeToken(m[1], 'network namespace'),
      opts.bridgePrefix ?? 'br',
      config.parkingVlan,
      timeoutMs,
    );
    try {
      await withDeadline(session.init(), timeoutMs, `open ${config.address}`);
    } catch (err) {
      await session.close();
      throw err;
    }
    return session;
  }
}

export class LinuxBridgeSession implements SwitchSession {
  readonly capabilities = CAPABILITIES;
  private readonly guard: SessionGuard;
  private readonly ip: IpRunner;
  private readonly bridgeName: RegExp;

  constructor(
    readonly netns: string,
    private readonly prefix: string,
    readonly parkingVlan: number | undefined,
    timeoutMs: number,
  ) {
    this.ip = new IpRunner(netns);
    this.guard = new SessionGuard(timeoutMs, () => this.ip.killAll());
    this.bridgeName = new RegExp(`^${prefix}(\\d{1,4})$`);
  }

  /** @internal The "login": the namespace must exist. */
  init(): Promise<void> {
    return this.guard.run('open', async () => {
      try {
        await this.links();
      } catch (err) {
        throw new SwitchError(
          'unreachable',
          `no network namespace ${this.netns} to manage: ${(err as Error).message}`,
          { cause: err },
        );
      }
    });
  }

  readPorts(interfaces: readonly string[]): Promise<ObservedPort[]> {
    return this.guard.run('readPorts', async () => {
      const names = assertInterfaceNames(interfaces, this.capabilities);
      const links = await this.links();
      return this.ports(names, links).map((l) => this.observe(l, links));
    });
  }

  apply(changes: readonly PortChange[]): Promise<PortResult[]> {
    return this.guard.run('apply', async () => {
      const batch = validateChanges(changes, this.capabilities, this.parkingVlan);
      if (batch.length === 0) return [];
      const links = await this.links();
      const ports = this.ports(
        batch.map((c) => c.interface),
        links,
      );
      const lines: string[] = [];
      const bridgesReady = new Set<string>();
      const results: PortResult[] = batch.map((c, i) => {
        const changed = !portInSync(c, this.observe(ports[i], links));
        if (!changed) return { interface: c.interface, changed };
        if (c.native === undefined) {
          lines.push(`link set ${c.interface} nomaster down`);
        } else {
          const br = `${this.prefix}${c.native}`;
          if (!bridgesReady.has(br)) {
            const existing = links.get(br);
            if (!existing) lines.push(`link add ${br} type bridge`);
            else if (existing.linkinfo?.info_kind !== 'bridge')
              throw new SwitchError('failed', `${br} in ${this.netns} exists but is not a bridge`);
            if (!existing?.flags?.includes('UP')) lines.push(`link set ${br} up`);
            bridgesReady.add(br);
          }
          lines.push(`link set ${c.interface} master ${br} up`);
        }
        return { interface: c.interface, changed };
      });
      if (lines.length) {
        // Every token was validated (port names, VLAN numbers, prefix); check again as the last line of defence.
        for (const line of lines) for (const tok of line.split(' ')) assertSafeToken(tok, 'ip batch token');
        await this.ip.run(['-batch', '-'], `${lines.join('\n')}\n`);
      }
      return results;
    });
  }

  save(): Promise<void> {
    return this.guard.run('save', async () => undefined);
  }

  async close(): Promise<void> {
    this.guard.shutdown();
  }

  /**
   * Every link of the namespace, bridges marked. One `ip` process: a JSON batch of `link show` and
   * `link show type bridge` (cheaper than `link show -d`, whose per-link details are ten times larger).
   */
  private async links(): Promise<Map<string, Link>> {
    const out = await this.ip.run(['-j', '-batch', '-'], 'link show\nlink show type bridge\n');
    const [all, bridges] = new JsonStreamSplitter().push(out).map((t) => JSON.parse(t) as Link[]);
    if (!all || !bridges) throw new SwitchError('failed', `unexpected output from ip in ${this.netns}`);
    const isBridge = new Set(bridges.map((b) => b.ifname));
    return new Map(
      all.map((l) => [l.ifname, isBridge.has(l.ifname) ? { ...l, linkinfo: { info_kind: 'bridge' } } : l]),
    );
  }

  /** The named links, in order; `invalid` for a per-VLAN bridge or loopback, `unknown-port` for missing ones. */
  private ports(names: readonly string[], links: Map<string, Link>): Link[] {
    const notPorts = names.filter(
      (n) => n === 'lo' || links.get(n)?.linkinfo?.info_kind === 'bridge' || this.bridgeName.test(n),
    );
    if (notPorts.length) {
      throw new SwitchError(
        'invalid',
        `${notPorts.join(', ')} in ${this.netns} ${notPorts.length === 1 ? 'is' : 'are'} not a switch port (a bridge or loopback)`,
        { ports: notPorts },
      );
    }
    const unknown = names.filter((n) => !links.has(n));
    if (unknown.length)
      throw new SwitchError('unknown-port', `network namespace ${this.netns} has no port ${unknown.join(', ')}`, {
        ports: unknown,
      });
    return names.map((n) => links.get(n)!);
  }

  private observe(link: Link, links: Map<string, Link>): ObservedPort {
    const up = link.flags?.includes('UP') ?? false;
    if (!link.master) return { interface: link.ifname, tagged: [], parked: true, shutdown: !up };
    const m = this.bridgeName.exec(link.master);
    const vid = m ? Number(m[1]) : NaN;
    const bridge = links.get(link.master);
    const anomalies: string[] = [];
    if (!m || vid < 1 || vid > 4094) anomalies.push(`enslaved to ${link.master}, which is not a per-VLAN bridge`);
    else if (vid === this.parkingVlan) anomalies.push(`on ${link.master}, the bridge of the reserved parking VLAN`);
    if (bridge && !bridge.flags?.includes('UP')) anomalies.push(`bridge ${link.master} is down`);
    const observed: { -readonly [K in keyof ObservedPort]: ObservedPort[K] } = {
      interface: link.ifname,
      tagged: [],
      parked: false,
      shutdown: !up,
    };
    if (m && vid >= 1 && vid <= 4094) observed.native = vid;
    if (anomalies.length) observed.anomaly = anomalies.join('; ');
    return observed;
  }
}
