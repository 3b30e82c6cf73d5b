// Cisco Nexus 3500/5500 (HIL's `nexus`). Ports are trunks: the native VLAN untagged (and in the allowed list), the
// others tagged. A port with no network has no allowed VLAN and the dummy VLAN (options.dummyVlan) as its native
// one: NX-OS always has a native VLAN, so it is parked on one that is created and shut on the switch, never left on
// VLAN 1.
//
// State is read from `show running-config interface PORT`, where NX-OS prints only what differs from the defaults:
// mode access, access VLAN 1; in trunk mode native VLAN 1 and every VLAN allowed.
import type { ObservedPort } from '../../switch-driver.js';
import { parseVlanList, vlanList, type CliDialect, type PortTarget } from '../dialect.js';

function setPort(target: PortTarget, _observed: ObservedPort, parkingVlan: number | undefined): string[] {
  const allowed = [...(target.native === undefined ? [] : [target.native]), ...target.tagged];
  return [
    'switchport',
    'switchport mode trunk',
    // The replace form: NX-OS works out the difference, VLANs kept are not interrupted.
    `switchport trunk allowed vlan ${allowed.length ? vlanList(allowed) : 'none'}`,
    `switchport trunk native vlan ${target.native ?? parkingVlan}`,
    ...(allowed.length ? ['no shutdown'] : []),
  ];
}

function parsePort(port: string, output: string, parkingVlan: number | undefined): ObservedPort {
  const lines = output.split('\n').map((l) => l.trim());
  const shutdown = lines.includes('shutdown');
  const odd = (anomaly: string): ObservedPort => ({ interface: port, tagged: [], parked: false, shutdown, anomaly });
  if (lines.includes('no switchport')) return odd('a routed port (no switchport)');
  const mode =
    /^switchport mode (\S+)$/.exec(lines.find((l) => l.startsWith('switchport mode ')) ?? '')?.[1] ?? 'access';
  if (mode === 'access') {
    const vlan = Number(
      /^switchport access vlan (\d+)$/.exec(lines.find((l) => l.startsWith('switchport access vlan ')) ?? '')?.[1] ?? 1,
    );
    return { ...odd(`access mode on VLAN ${vlan} (this driver sets up trunk ports)`), native: vlan };
  }
  if (mode !== 'trunk') return odd(`switchport mode ${mode} (this driver sets up trunk ports)`);
  const native = Number(
    /^switchport trunk native vlan (\d+)$/.exec(
      lines.find((l) => l.startsWith('switchport trunk native vlan ')) ?? '',
    )?.[1] ?? 1,
  );
  const allowedLines = lines.filter((l) => l.startsWith('switchport trunk allowed vlan '));
  if (allowedLines.length === 0) return odd('a trunk that carries every VLAN (no allowed list)');
  const allowed = new Set<number>();
  for (const l of allowedLines) {
    const text = l.replace(/^switchport trunk allowed vlan (add )?/, '');
    if (text === 'none') continue;
    const list = parseVlanList(text);
    if (!list) return odd(`unreadable allowed VLAN list "${text}"`);
    for (const v of list) allowed.add(v);
  }
  if (native === parkingVlan) {
    if (allowed.has(native)) return odd(`the dummy VLAN ${native} is allowed on the trunk`);
    return { interface: port, tagged: [...allowed].sort((a, b) => a - b), parked: allowed.size === 0, shutdown };
  }
  if (!allowed.has(native)) return odd(`native VLAN ${native} is not in the allowed list`);
  allowed.delete(native);
  return { interface: port, native, tagged: [...allowed].sort((a, b) => a - b), parked: false, shutdown };
}

export const ciscoNexus: CliDialect = {
  type: 'cisco-nexus',
  description: 'Cisco Nexus 3500/5500 (NX-OS)',
  interfacePattern: /^[Ee]thernet\d+\/\d+(\/\d+)?$/,
  parking: 'vlan',
  parkingVlanOption: 'dummyVlan',
  options: { dummyVlan: { pattern: /^[1-9]\d{0,3}$/ } },
  // HIL waited 30 s for every prompt (pexpect's default). NX-OS builds `show running-config interface` from the whole
  // running config (seconds on a busy supervisor), and `copy running-config startup-config` writes every module's
  // config to flash behind a progress bar: over a minute on a 5500 with fabric extenders.
  timeouts: { loginMs: 30_000, commandMs: 20_000, saveMs: 120_000 },
  login: { usernamePrompt: /login:\s*$/, passwordPrompt: /[Pp]assword:\s*$/, enable: 'enable' },
  paging: { disable: ['terminal length 0', 'terminal width 511'], more: /--More--\s*/, answer: ' ' },
  errors: [/^\s*% .*/m, /^\s*(ERROR|Error): .*/m],
  confirmations: [],
  commands: {
    configure: 'configure terminal',
    end: 'end',
    interface: (port) => `interface ${port}`,
    exitInterface: 'exit',
    createVlans: (vlans) => [`vlan ${vlanList(vlans)}`, 'exit'],
    setPort,
    readPort: (port) => `show running-config interface ${port}`,
    save: 'copy running-config startup-config',
  },
  saved: /Copy complete/,
  unknownPort: /Invalid (interface|range)/i,
  parsePort,
};
