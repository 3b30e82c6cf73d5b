// An emulated Dell PowerConnect 55xx over SSH: `console>` / `console#` prompts, `enable` (with its password when one
// is set), `configure`, `interface gi1/0/1`, `vlan database`, `switchport …`, `terminal datadump` to stop paging,
// the 55xx pager, `% Unrecognized command` / `% bad parameter value` errors, and `copy running-config
// startup-config` asking `(Y/N)[N] ?`. Ports start at the factory default (access, VLAN 1, up) unless told.
import type { CliReply, EmulatorKnobs, ShellState } from './cli-shell.js';
import { DEFAULT_KNOBS, EmulatedSwitch } from './emulated-switch.js';
import { cloneState, formatVlans, parseVlans, type PortConfig } from './switch-state.js';

const UNRECOGNIZED = '% Unrecognized command';
const BAD_VALUE = '% bad parameter value';

export function factoryPort(): PortConfig {
  return { routed: false, mode: 'access', accessVlan: 1, nativeVlan: 1, allowed: new Set(), shutdown: false };
}

export class DellPowerConnectEmulator extends EmulatedSwitch {
  readonly refusal = BAD_VALUE;
  readonly more = 'More: <space>,  Quit: q or CTRL+Z, One line: <return> ';
  readonly shellLogin = { username: 'User Name:', password: 'Password:', failed: '\r\nAuthentication failed' };
  readonly busy = '% Maximum number of sessions reached';

  constructor(ports: string, knobs: Partial<EmulatorKnobs> = {}) {
    super(ports, factoryPort, { ...DEFAULT_KNOBS, startUnprivileged: true, ...knobs });
  }

  static async start(ports: string, knobs: Partial<EmulatorKnobs> = {}): Promise<DellPowerConnectEmulator> {
    const e = new DellPowerConnectEmulator(ports, knobs);
    await e.server.listen();
    return e;
  }

  prompt(s: ShellState): string {
    const suffix =
      { user: '>', exec: '#', config: '(config)#', if: '(config-if)#', vlandb: '(config-vlan)#' }[s.mode] ?? '#';
    return `console${suffix}`;
  }

  /** The running config of one port, as `show running-config interface` prints it. */
  render(name: string): string {
    const p = this.running.ports.get(name);
    if (!p) return BAD_VALUE;
    const lines = [`interface ${name}`];
    if (p.shutdown) lines.push(' shutdown');
    if (p.mode !== 'access') lines.push(` switchport mode ${p.mode}`);
    if (p.accessVlan !== 1) lines.push(` switchport access vlan ${p.accessVlan}`);
    if (p.nativeVlan !== 1) lines.push(` switchport trunk native vlan ${p.nativeVlan}`);
    if (p.allowed !== 'all' && p.allowed.size)
      lines.push(` switchport trunk allowed vlan add ${formatVlans(p.allowed)}`);
    lines.push('exit');
    return lines.join('\n');
  }

  execute(s: ShellState, raw: string): CliReply {
    const out = (text = ''): CliReply => ({ kind: 'output', text });
    const line = raw.trim().replace(/\s+/g, ' ');
    if (line === '') return out();
    const w = line.split(' ');
    if (s.mode === 'user') {
      if (line === 'enable') {
        const pw = this.knobs.enablePassword;
        if (pw === undefined) {
          s.mode = 'exec';
          return out();
        }
        return {
          kind: 'password',
          prompt: 'Password:',
          onAnswer: (given) => {
            if (given !== pw) return '% Access denied';
            s.mode = 'exec';
            return '';
          },
        };
      }
      return out(UNRECOGNIZED);
    }
    if (line === 'end') {
      s.mode = 'exec';
      return out();
    }
    if (s.mode === 'exec') {
      if (line === 'terminal datadump') return ((s.paging = false), out());
      if (line === 'no terminal datadump') return ((s.paging = true), out());
      if (line === 'configure') return ((s.mode = 'config'), out());
      if (w[0] === 'show' && w[1] === 'running-config' && w[2] === 'interface' && w.length === 4)
        return out(this.render(w[3]));
      if (line === 'show vlan')
        return out(
          [
            'VLAN  Name',
            '----  ----',
            ...[...this.running.vlans].sort((a, b) => a - b).map((v) => `${String(v).padEnd(5)} ${v}`),
          ].join('\n'),
        );
      if (line === 'copy running-config startup-config') {
        return {
          kind: 'confirm',
          question: 'Overwrite file [startup-config].... (Y/N)[N] ?',
          onAnswer: (key) => {
            if (key !== 'Y' && key !== 'y') return `${key}\nCopy operation aborted`;
            this.startup = cloneState(this.running);
            return `${key}\n\n01-Jan-2024 00:00:00 %COPY-I-FILECPY: Files Copy - source URL running-config destination URL flash://startup-config\n01-Jan-2024 00:00:01 %COPY-N-TRAP: The copy operation was completed successfully\nCopy succeeded`;
          },
        };
      }
      return out(UNRECOGNIZED);
    }
    if (s.mode === 'config') {
      if (line === 'exit') return ((s.mode = 'exec'), out());
      if (w[0] === 'interface' && w.length === 2) {
        if (!this.running.ports.has(w[1])) return out(BAD_VALUE);
        s.mode = 'if';
        s.iface = w[1];
        return out();
      }
      if (line === 'vlan database') return ((s.mode = 'vlandb'), out());
      return out(UNRECOGNIZED);
    }
    if (s.mode === 'vlandb') {
      if (line === 'exit') return ((s.mode = 'config'), out());
      const no = w[0] === 'no';
      const args = no ? w.slice(1) : w;
      if (args[0] === 'vlan' && args.length === 2) {
        const vlans = parseVlans(args[1]);
        if (!vlans) return out(BAD_VALUE);
        for (const v of vlans) {
          if (no) this.running.vlans.delete(v);
          else this.running.vlans.add(v);
        }
        return out();
      }
      return out(UNRECOGNIZED);
    }
    // interface mode
    const p = this.running.ports.get(s.iface ?? '');
    if (!p) return out(UNRECOGNIZED);
    if (line === 'exit') return ((s.mode = 'config'), out());
    if (line === 'shutdown') return ((p.shutdown = true), out());
    if (line === 'no shutdown') return ((p.shutdown = false), out());
    if (w[0] !== 'switchport') return out(UNRECOGNIZED);
    if (w[1] === 'mode' && w.length === 3) {
      if (!['access', 'trunk', 'general'].includes(w[2])) return out(BAD_VALUE);
      if (p.mode !== w[2]) {
        // A port changing mode starts that mode from its defaults.
        p.mode = w[2] as PortConfig['mode'];
        p.accessVlan = 1;
        p.nativeVlan = 1;
        p.allowed = new Set();
      }
      return out();
    }
    if (w[1] === 'access' && w[2] === 'vlan' && w.length === 4) {
      const v = parseVlans(w[3]);
      if (!v || v.length !== 1 || p.mode !== 'access') return out(BAD_VALUE);
      p.accessVlan = v[0];
      return out();
    }
    if (w[1] === 'trunk' && w[2] === 'native' && w[3] === 'vlan' && w.length === 5) {
      if (p.mode !== 'trunk') return out(BAD_VALUE);
      if (w[4] === 'none') return ((p.nativeVlan = 'none'), out());
      const v = parseVlans(w[4]);
      if (!v || v.length !== 1) return out(BAD_VALUE);
      p.nativeVlan = v[0];
      return out();
    }
    if (w[1] === 'trunk' && w[2] === 'allowed' && w[3] === 'vlan') {
      if (p.mode !== 'trunk') return out(BAD_VALUE);
      const allowed = p.allowed === 'all' ? new Set<number>() : p.allowed;
      if (w.length === 5 && w[4] === 'none') return ((p.allowed = new Set()), out());
      if (w.length === 6 && (w[4] === 'add' || w[4] === 'remove')) {
        const vlans = parseVlans(w[5]);
        if (!vlans) return out(BAD_VALUE);
        for (const v of vlans) {
          if (w[4] === 'add') allowed.add(v);
          else allowed.delete(v);
        }
        p.allowed = allowed;
        return out();
      }
      return out(BAD_VALUE);
    }
    return out(UNRECOGNIZED);
  }
}
