// An emulated Cisco Catalyst (IOS / IOS XE) over SSH, as a profile of the IOS-style emulator: `Switch>` / `Switch#`
// (`Switch(config-if)#`, `Switch(config-vlan)#`), port names `GigabitEthernet1/0/1` abbreviated as IOS allows
// (`Gi1/0/1`), a port's default mode `dynamic auto`, `show running-config interface` with its `Building
// configuration...` header, `% Invalid input detected at '^' marker.` under a caret, the ` --More-- ` pager, and
// `copy running-config startup-config` asking `Destination filename [startup-config]?` and ending in `[OK]`.
import type { EmulatorKnobs } from './cli-shell.js';
import { IosStyleEmulator, type IosStyleProfile } from './ios-style-emulator.js';

export const catalystProfile: IosStyleProfile = {
  hostname: 'Switch',
  portPrefixes: ['GigabitEthernet', 'TenGigabitEthernet', 'FastEthernet'],
  modes: ['access', 'trunk', 'dynamic auto', 'dynamic desirable'],
  defaultMode: 'dynamic auto',
  ifPrompt: () => 'if',
  vlanPrompt: () => 'vlan',
  renderConfig: (port, lines) => {
    const body = [`interface ${port}`, ...lines.map((l) => ` ${l}`), 'end'];
    const bytes = body.join('\n').length + 4;
    return ['Building configuration...', '', `Current configuration : ${bytes} bytes`, '!', ...body].join('\n');
  },
  invalid: (_token, at) => `${' '.repeat(at + 7)}^\n% Invalid input detected at '^' marker.`,
  save: (commit) => ({
    kind: 'question',
    prompt: 'Destination filename [startup-config]? ',
    onAnswer: (answer) => {
      if (answer.trim() !== '' && answer.trim() !== 'startup-config')
        return '%Error opening (No such file or directory)';
      commit();
      return 'Building configuration...\n[OK]';
    },
  }),
  more: ' --More-- ',
  refusal: '% VLAN 0 out of range',
  startUnprivileged: true,
  showWord: /^interface$/,
};

export class CiscoCatalystEmulator extends IosStyleEmulator {
  constructor(ports: string, knobs: Partial<EmulatorKnobs> = {}) {
    super(catalystProfile, ports, knobs);
  }

  static async start(ports: string, knobs: Partial<EmulatorKnobs> = {}): Promise<CiscoCatalystEmulator> {
    const e = new CiscoCatalystEmulator(ports, knobs);
    await e.server.listen();
    return e;
  }
}
