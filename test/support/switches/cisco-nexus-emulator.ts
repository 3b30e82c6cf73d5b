// An emulated Cisco Nexus (NX-OS) over SSH, as a profile of the IOS-style emulator: a network-admin lands at
// `switch#`; `terminal length 0` stops the ` --More-- ` pager; `configure terminal`, `interface Ethernet1/1` (any
// case), `vlan LIST` (config-vlan mode), `switchport …` with NX-OS's trunk defaults (native VLAN 1, every VLAN
// allowed); `show running-config interface` with its `!Command:` header and an explicit `no shutdown`; errors under
// a caret line (`% Invalid command at '^' marker.`, `% Invalid range at '^' marker.` for a port it does not have,
// `ERROR: …: requested config change not allowed` on a routed port); `copy running-config startup-config` ending in
// `Copy complete.`.
import type { EmulatorKnobs } from './cli-shell.js';
import { factoryPort as ios, IosStyleEmulator, type IosStyleProfile } from './ios-style-emulator.js';

const caret = (at: number, message: string) => `${' '.repeat(at + 8)}^\n${message}`;

export const factoryPort = ios('access');

export const nexusProfile: IosStyleProfile = {
  hostname: 'switch',
  portPrefixes: ['Ethernet'],
  modes: ['access', 'trunk'],
  defaultMode: 'access',
  ifPrompt: () => 'if',
  vlanPrompt: () => 'vlan',
  renderConfig: (port, lines) =>
    [
      '',
      `!Command: show running-config interface ${port}`,
      '!Time: Mon Jan  1 00:00:00 2024',
      '',
      'version 9.3(5) Bios:version 05.39',
      '',
      `interface ${port}`,
      ...lines.map((l) => `  ${l}`),
      ...(lines.includes('shutdown') ? [] : ['  no shutdown']),
    ].join('\n'),
  invalid: (_token, at) => caret(at, "% Invalid command at '^' marker."),
  noSuchPort: (_name, at) => caret(at, "% Invalid range at '^' marker."),
  routedRefusal: (port) => `ERROR: ${port}: requested config change not allowed`,
  save: (commit) => {
    commit();
    return { kind: 'output', text: '[########################################] 100%\nCopy complete.' };
  },
  more: ' --More-- ',
  refusal: 'ERROR: VLAN configuration failed: the switch refused it',
  startUnprivileged: false,
  showWord: /^interface$/,
};

export class CiscoNexusEmulator extends IosStyleEmulator {
  constructor(ports: string, knobs: Partial<EmulatorKnobs> = {}) {
    super(nexusProfile, ports, { authMethods: ['keyboard-interactive', 'password'], ...knobs });
  }

  static async start(ports: string, knobs: Partial<EmulatorKnobs> = {}): Promise<CiscoNexusEmulator> {
    const e = new CiscoNexusEmulator(ports, knobs);
    await e.server.listen();
    return e;
  }
}
