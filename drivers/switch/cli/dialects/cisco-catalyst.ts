// Cisco Catalyst switches running IOS or IOS XE (2960, 3560/3750, 3850, 9200/9300…). Not a HIL type: ours, added to
// show that a vendor is a dialect file. The port model is IOS's own `switchport trunk` (switchport-trunk.ts): the
// native VLAN and the tagged ones in the allowed list, parked on the dummy VLAN (options.dummyVlan, created and
// shut on the switch) with no VLAN allowed. A Catalyst port's default mode is `dynamic auto` (it would negotiate a
// trunk with whatever is plugged in), which reads as an anomaly until the driver sets the port up.
//
// On the models that also speak ISL (3560, 3750…), `switchport mode trunk` is refused until the port has
// `switchport trunk encapsulation dot1q`; set that once on the ports HIL manages (docs/drivers.md).
import { vlanList, type CliDialect } from '../dialect.js';
import { parseTrunkConfig, trunkPortLines, type SwitchportTrunkStyle } from './switchport-trunk.js';

const style: SwitchportTrunkStyle = { switchportLine: false, defaultMode: 'dynamic auto' };

export const ciscoCatalyst: CliDialect = {
  type: 'cisco-catalyst',
  description: 'Cisco Catalyst (IOS / IOS XE)',
  transports: ['ssh'],
  interfacePattern:
    /^(FastEthernet|GigabitEthernet|TwoGigabitEthernet|FiveGigabitEthernet|TenGigabitEthernet|TwentyFiveGigE|FortyGigabitEthernet|HundredGigE)\d+(\/\d+){1,2}$/,
  parking: 'vlan',
  parkingVlanOption: 'dummyVlan',
  options: { dummyVlan: { pattern: /^[1-9]\d{0,3}$/ } },
  // 30 s to log in, as HIL gave every prompt. IOS builds `show running-config interface` from the whole running
  // config (seconds on a 3750 stack with a long config); `copy running-config startup-config` writes NVRAM, or flash
  // on IOS XE, which takes tens of seconds on a stack ("Building configuration..." before the [OK]).
  timeouts: { loginMs: 30_000, commandMs: 20_000, saveMs: 90_000 },
  login: { usernamePrompt: /Username:\s*$/, passwordPrompt: /[Pp]assword:\s*$/, enable: 'enable' },
  paging: { disable: ['terminal length 0', 'terminal width 0'], more: / ?--More-- ?/, answer: ' ' },
  errors: [/^\s*% .*/m, /^Command rejected: .*/m],
  // `copy running-config startup-config` asks for the destination; Enter takes the default.
  confirmations: [{ prompt: /Destination filename \[startup-config\]\?\s*$/, answer: '', enter: true }],
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
  saved: /\[OK\]/,
  unknownPort: /Invalid input/i,
  parsePort: parseTrunkConfig(style),
};
