// Dell PowerConnect 55xx (HIL's `powerconnect55xx`). Ports are trunks: the native VLAN untagged, the others tagged;
// a port with no network is taken off every VLAN (native none, allowed none) and shut down.
//
// State is read from `show running-config interface PORT`, where the 55xx prints only what differs from the
// defaults: mode access, access VLAN 1; in trunk mode native VLAN 1 and no allowed VLAN.
import type { ObservedPort } from '../../switch-driver.js';
import { parseVlanList, vlanList, type CliDialect, type PortTarget } from '../dialect.js';

function setPort(target: PortTarget, observed: ObservedPort): string[] {
  const wanted = new Set([...(target.native === undefined ? [] : [target.native]), ...target.tagged]);
  const lines = ['switchport mode trunk'];
  if (target.native === undefined && target.tagged.length === 0) {
    return [...lines, 'switchport trunk native vlan none', 'switchport trunk allowed vlan none', 'shutdown'];
  }
  if (observed.anomaly !== undefined || observed.parked) {
    // Not a trunk we set up (or parked): start from nothing.
    lines.push('switchport trunk allowed vlan none');
    if (wanted.size) lines.push(`switchport trunk allowed vlan add ${vlanList(wanted)}`);
  } else {
    const had = new Set([...(observed.native === undefined ? [] : [observed.native]), ...observed.tagged]);
    const remove = [...had].filter((v) => !wanted.has(v));
    const add = [...wanted].filter((v) => !had.has(v));
    if (remove.length) lines.push(`switchport trunk allowed vlan remove ${vlanList(remove)}`);
    if (add.length) lines.push(`switchport trunk allowed vlan add ${vlanList(add)}`);
  }
  lines.push(`switchport trunk native vlan ${target.native ?? 'none'}`, 'no shutdown');
  return lines;
}

function parsePort(port: string, output: string): ObservedPort {
  const lines = output.split('\n').map((l) => l.trim());
  const shutdown = lines.includes('shutdown');
  const mode =
    /^switchport mode (\S+)$/.exec(lines.find((l) => l.startsWith('switchport mode ')) ?? '')?.[1] ?? 'access';
  if (mode === 'access') {
    const vlan = Number(
      /^switchport access vlan (\d+)$/.exec(lines.find((l) => l.startsWith('switchport access vlan ')) ?? '')?.[1] ?? 1,
    );
    return {
      interface: port,
      native: vlan,
      tagged: [],
      parked: false,
      shutdown,
      anomaly: `access mode on VLAN ${vlan} (this driver sets up trunk ports)`,
    };
  }
  if (mode !== 'trunk')
    return {
      interface: port,
      tagged: [],
      parked: false,
      shutdown,
      anomaly: `switchport mode ${mode} (this driver sets up trunk ports)`,
    };
  const nativeText = /^switchport trunk native vlan (\S+)$/.exec(
    lines.find((l) => l.startsWith('switchport trunk native vlan ')) ?? '',
  )?.[1];
  const native = nativeText === 'none' ? undefined : Number(nativeText ?? 1);
  const allowed = new Set<number>();
  for (const l of lines) {
    const m = /^switchport trunk allowed vlan add (\S+)$/.exec(l);
    if (!m) continue;
    const list = parseVlanList(m[1]);
    if (!list)
      return {
        interface: port,
        tagged: [],
        parked: false,
        shutdown,
        anomaly: `unreadable allowed VLAN list "${m[1]}"`,
      };
    for (const v of list) allowed.add(v);
  }
  if (native !== undefined) allowed.delete(native);
  const tagged = [...allowed].sort((a, b) => a - b);
  if (native === undefined && tagged.length === 0) return { interface: port, tagged: [], parked: shutdown, shutdown };
  return { interface: port, ...(native === undefined ? {} : { native }), tagged, parked: false, shutdown };
}

export const dellPowerConnect: CliDialect = {
  type: 'dell-powerconnect',
  description: 'Dell PowerConnect 55xx',
  transports: ['ssh', 'telnet'],
  interfacePattern: /^(gi|te)\d+\/\d+(\/\d+)?$/,
  parking: 'shutdown',
  options: {},
  // HIL waited 30 s for every prompt (pexpect's default). The 55xx's slow CPU makes the SSH key exchange and login
  // take seconds; a config line answers in well under a second; `copy running-config startup-config` writes flash
  // (tens of seconds on a full config).
  timeouts: { loginMs: 30_000, commandMs: 15_000, saveMs: 60_000 },
  login: { usernamePrompt: /User ?Name:\s*$/i, passwordPrompt: /[Pp]assword:\s*$/, enable: 'enable' },
  paging: { disable: ['terminal datadump'], more: /More: <space>,\s+Quit: q[^\n]*?One line: <return>\s*/, answer: ' ' },
  errors: [/^\s*% .*/m],
  confirmations: [{ prompt: /\(Y\/N\)\[N\] \?\s*$/, answer: 'Y', enter: false }],
  commands: {
    configure: 'configure',
    end: 'end',
    interface: (port) => `interface ${port}`,
    exitInterface: 'exit',
    createVlans: (vlans) => ['vlan database', `vlan ${vlanList(vlans)}`, 'exit'],
    setPort,
    readPort: (port) => `show running-config interface ${port}`,
    save: 'copy running-config startup-config',
  },
  saved: /Copy succeeded/,
  unknownPort: /bad parameter value|does not exist/i,
  parsePort,
};
