// An emulated Arista EOS switch over SSH, as a profile of the IOS-style emulator: `switch>` / `switch#`
// (`switch(config-if-Et1)#`, `switch(config-vlan-100)#`), port names `Ethernet1` (`Et1`), a port's default mode
// access, `show running-config interfaces` with three-space indentation and no header, `% Invalid input (at token N:
// 'WORD')`, the ` --More-- ` pager, and `copy running-config startup-config` answering `Copy completed successfully.`
import type { EmulatorKnobs } from './cli-shell.js';
import { IosStyleEmulator, type IosStyleProfile } from './ios-style-emulator.js';

export const eosProfile: IosStyleProfile = {
  hostname: 'switch',
  portPrefixes: ['Ethernet'],
  modes: ['access', 'trunk'],
  defaultMode: 'access',
  ifPrompt: (port) => `if-${port.replace(/^Ethernet/, 'Et')}`,
  vlanPrompt: (vlans) => `vlan-${vlans}`,
  renderConfig: (port, lines) => [`interface ${port}`, ...lines.map((l) => `   ${l}`)].join('\n'),
  invalid: (token) => `% Invalid input (at token 1: '${token}')`,
  save: (commit) => {
    commit();
    return { kind: 'output', text: 'Copy completed successfully.' };
  },
  more: ' --More-- ',
  refusal: '% Invalid input (at token 4: VLAN not allowed)',
  startUnprivileged: true,
  showWord: /^interfaces?$/,
};

export class AristaEosEmulator extends IosStyleEmulator {
  constructor(ports: string, knobs: Partial<EmulatorKnobs> = {}) {
    super(eosProfile, ports, knobs);
  }

  static async start(ports: string, knobs: Partial<EmulatorKnobs> = {}): Promise<AristaEosEmulator> {
    const e = new AristaEosEmulator(ports, knobs);
    await e.server.listen();
    return e;
  }
}
