// Arista EOS switches (7000 series and the rest: EOS is one CLI). Not a HIL type: ours, added to show that a vendor
// is a dialect file. The port model is the IOS-style `switchport trunk` (switchport-trunk.ts): the native VLAN and
// the tagged ones in the allowed list, parked on the dummy VLAN (options.dummyVlan, created and shut on the switch)
// with no VLAN allowed. An EOS port's default mode is access.
import { vlanList, type CliDialect } from '../dialect.js';
import { parseTrunkConfig, trunkPortLines, type SwitchportTrunkStyle } from './switchport-trunk.js';

const style: SwitchportTrunkStyle = { switchportLine: true, defaultMode: 'access' };

export const aristaEos: CliDialect = {
  type: 'arista-eos',
  description: 'Arista EOS',
  transports: ['ssh'],
  interfacePattern: /^Ethernet\d+(\/\d+){0,2}$/,
  parking: 'vlan',
  parkingVlanOption: 'dummyVlan',
  options: { dummyVlan: { pattern: /^[1-9]\d{0,3}$/ } },
  // 30 s to log in, as HIL gave every prompt. EOS answers config lines and `show running-config interfaces` in well
  // under a second; `copy running-config startup-config` writes a file to flash (seconds), given room for a busy
  // supervisor.
  timeouts: { loginMs: 30_000, commandMs: 15_000, saveMs: 60_000 },
  login: { usernamePrompt: /login:\s*$/, passwordPrompt: /[Pp]assword:\s*$/, enable: 'enable' },
  paging: { disable: ['terminal length 0', 'terminal width 32767'], more: / ?--More-- ?/, answer: ' ' },
  errors: [/^\s*% .*/m],
  confirmations: [],
  commands: {
    configure: 'configure terminal',
    end: 'end',
    interface: (port) => `interface ${port}`,
    exitInterface: 'exit',
    createVlans: (vlans) => [`vlan ${vlanList(vlans)}`, 'exit'],
    setPort: trunkPortLines(style),
    readPort: (port) => `show running-config interfaces ${port}`,
    save: 'copy running-config startup-config',
  },
  saved: /Copy completed successfully/,
  unknownPort: /Invalid input|Interface does not exist/i,
  parsePort: parseTrunkConfig(style),
};
