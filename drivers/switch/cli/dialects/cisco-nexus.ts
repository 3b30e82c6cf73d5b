// Cisco Nexus 3500/5500 (HIL's `nexus`). Ports are trunks: the native VLAN untagged (and in the allowed list), the
// others tagged. A port with no network has no allowed VLAN and the dummy VLAN (options.dummyVlan) as its native
// one: NX-OS always has a native VLAN, so it is parked on one that is created and shut on the switch, never left on
// VLAN 1. The trunk model and its read-back are switchport-trunk.ts (shared with Catalyst and EOS); NX-OS ports may
// be routed, so `switchport` comes first, and a port's default mode is access.
import { vlanList, type CliDialect } from '../dialect.js';
import { parseTrunkConfig, trunkPortLines, type SwitchportTrunkStyle } from './switchport-trunk.js';

const style: SwitchportTrunkStyle = { switchportLine: true, defaultMode: 'access' };

export const ciscoNexus: CliDialect = {
  type: 'cisco-nexus',
  description: 'Cisco Nexus 3500/5500 (NX-OS)',
  transports: ['ssh'],
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
    setPort: trunkPortLines(style),
    readPort: (port) => `show running-config interface ${port}`,
    save: 'copy running-config startup-config',
  },
  saved: /Copy complete/,
  unknownPort: /Invalid (interface|range)/i,
  parsePort: parseTrunkConfig(style),
};
