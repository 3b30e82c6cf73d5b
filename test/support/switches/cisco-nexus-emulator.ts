// An emulated Cisco Nexus (NX-OS) over SSH: a network-admin lands at `switch#`; `terminal length 0` stops the
// `--More--` pager; `configure terminal`, `interface Ethernet1/1` (any case), `vlan LIST` (config-vlan mode),
// `switchport …` with NX-OS's trunk defaults (native VLAN 1, every VLAN allowed); errors with the caret line and
// `% Invalid command at '^' marker.`; `copy running-config startup-config` ending in `Copy complete.`.
import type { CliReply, EmulatorKnobs, ShellState } from './cli-shell.js';
import { DEFAULT_KNOBS, EmulatedSwitch } from './emulated-switch.js';
import { cloneState, formatVlans, parseVlans, type PortConfig } from './switch-state.js';

const caret = (at: number, message: string) => `${' '.repeat(at + 8)}^\n${message}`;
const INVALID = (at = 0) => caret(at, "% Invalid command at '^' marker.");
const RANGE = (at = 0) => caret(at, "% Invalid range at '^' marker.");
const NUMBER = (at = 0) => caret(at, "% Invalid number, range is (1:4094) at '^' marker.");

export function factoryPort(): PortConfig {
  return { routed: false, mode: 'access', accessVlan: 1, nativeVlan: 1, allowed: 'all', shutdown: false };
}

/** `ethernet1/1` → `Ethernet1/1`; undefined when not an Ethernet name. */
function canonical(name: string): string | undefined {
  const m = /^ethernet(\d+\/\d+(\/\d+)?)$/i.exec(name);
  return m ? `Ethernet${m[1]}` : undefined;
}

export class CiscoNexusEmulator extends EmulatedSwitch {
  readonly refusal = 'ERROR: VLAN configuration failed: the switch refused it';
  readonly more = ' --More-- ';

  constructor(ports: string, knobs: Partial<EmulatorKnobs> = {}) {
    super(ports, factoryPort, { ...DEFAULT_KNOBS, authMethods: ['keyboard-interactive', 'password'], ...knobs });
  }

  static async start(ports: string, knobs: Partial<EmulatorKnobs> = {}): Promise<CiscoNexusEmulator> {
    const e = new CiscoNexusEmulator(ports, knobs);
    await e.server.listen();
    return e;
  }

  prompt(s: ShellState): string {
    const suffix =
      { user: '>', exec: '#', config: '(config)#', if: '(config-if)#', vlan: '(config-vlan)#' }[s.mode] ?? '#';
    return `switch${suffix}`;
  }

  render(name: string): string {
    const p = this.running.ports.get(name);
    if (!p) return RANGE(name.length);
    const lines = [
      '',
      `!Command: show running-config interface ${name}`,
      '!Time: Mon Jan  1 00:00:00 2024',
      '',
      'version 9.3(5) Bios:version 05.39',
      '',
      `interface ${name}`,
    ];
    if (p.routed) lines.push('  no switchport');
    if (p.mode !== 'access') lines.push(`  switchport mode ${p.mode}`);
    if (p.accessVlan !== 1) lines.push(`  switchport access vlan ${p.accessVlan}`);
    if (p.nativeVlan !== 1) lines.push(`  switchport trunk native vlan ${p.nativeVlan}`);
    if (p.allowed !== 'all') {
      if (p.allowed.size === 0) lines.push('  switchport trunk allowed vlan none');
      // NX-OS splits a long list over several lines, the later ones with `add`.
      const parts = formatVlans(p.allowed).split(',');
      for (let i = 0; i < parts.length && p.allowed.size; i += 8) {
        lines.push(`  switchport trunk allowed vlan ${i ? 'add ' : ''}${parts.slice(i, i + 8).join(',')}`);
      }
    }
    lines.push(p.shutdown ? '  shutdown' : '  no shutdown');
    return lines.join('\n');
  }

  execute(s: ShellState, raw: string): CliReply {
    const out = (text = ''): CliReply => ({ kind: 'output', text });
    const line = raw.trim().replace(/\s+/g, ' ');
    if (line === '') return out();
    const w = line.split(' ');
    if (line === 'end' && s.mode !== 'exec') return ((s.mode = 'exec'), out());
    if (s.mode === 'exec') {
      if (line === 'terminal length 0') return ((s.paging = false), out());
      if (w[0] === 'terminal' && w[1] === 'width' && w.length === 3) return out();
      if (line === 'configure terminal')
        return ((s.mode = 'config'), out('Enter configuration commands, one per line. End with CNTL/Z.'));
      if (w[0] === 'show' && w[1] === 'running-config' && w[2] === 'interface' && w.length === 4) {
        const name = canonical(w[3]);
        return out(name ? this.render(name) : INVALID(line.length - w[3].length));
      }
      if (line === 'copy running-config startup-config') {
        this.startup = cloneState(this.running);
        return out('[########################################] 100%\nCopy complete.');
      }
      return out(INVALID());
    }
    if (s.mode === 'config' || s.mode === 'vlan') {
      if (line === 'exit') return ((s.mode = s.mode === 'vlan' ? 'config' : 'exec'), out());
      if (w[0] === 'interface' && w.length === 2) {
        const name = canonical(w[1]);
        if (!name) return out(INVALID(10));
        if (!this.running.ports.has(name)) return out(RANGE(10));
        s.mode = 'if';
        s.iface = name;
        return out();
      }
      const no = w[0] === 'no';
      const args = no ? w.slice(1) : w;
      if (args[0] === 'vlan' && args.length === 2) {
        const vlans = parseVlans(args[1]);
        if (!vlans) return out(NUMBER(line.length - args[1].length));
        for (const v of vlans) {
          if (no) this.running.vlans.delete(v);
          else this.running.vlans.add(v);
        }
        if (!no) s.mode = 'vlan';
        return out();
      }
      if (s.mode === 'vlan' && (line === 'shutdown' || line === 'no shutdown')) return out();
      return out(INVALID());
    }
    // interface mode
    const p = this.running.ports.get(s.iface ?? '');
    if (!p) return out(INVALID());
    if (line === 'exit') return ((s.mode = 'config'), out());
    if (line === 'shutdown') return ((p.shutdown = true), out());
    if (line === 'no shutdown') return ((p.shutdown = false), out());
    if (line === 'switchport') return ((p.routed = false), out());
    if (line === 'no switchport') return ((p.routed = true), out());
    if (w[0] !== 'switchport') return out(INVALID());
    if (p.routed) return out(`ERROR: ${p === undefined ? '' : s.iface}: requested config change not allowed`);
    if (w[1] === 'mode' && w.length === 3) {
      if (!['access', 'trunk'].includes(w[2])) return out(INVALID(16));
      p.mode = w[2] as PortConfig['mode'];
      return out();
    }
    if (w[1] === 'access' && w[2] === 'vlan' && w.length === 4) {
      const v = parseVlans(w[3]);
      if (!v || v.length !== 1) return out(NUMBER(23));
      p.accessVlan = v[0];
      return out();
    }
    if (w[1] === 'trunk' && w[2] === 'native' && w[3] === 'vlan' && w.length === 5) {
      const v = parseVlans(w[4]);
      if (!v || v.length !== 1) return out(NUMBER(30));
      p.nativeVlan = v[0];
      return out();
    }
    if (w[1] === 'trunk' && w[2] === 'allowed' && w[3] === 'vlan') {
      const rest = w.slice(4);
      if (rest.length === 1 && rest[0] === 'none') return ((p.allowed = new Set()), out());
      if (rest.length === 1 && rest[0] === 'all') return ((p.allowed = 'all'), out());
      const op = rest.length === 2 ? rest[0] : 'set';
      const vlans = parseVlans(rest[rest.length - 1]);
      if (!vlans || !['set', 'add', 'remove', 'except'].includes(op)) return out(INVALID(30));
      const cur = p.allowed === 'all' ? new Set(Array.from({ length: 4094 }, (_, i) => i + 1)) : new Set(p.allowed);
      if (op === 'set') p.allowed = new Set(vlans);
      else if (op === 'add') p.allowed = new Set([...cur, ...vlans]);
      else if (op === 'remove') p.allowed = new Set([...cur].filter((v) => !vlans.includes(v)));
      else p.allowed = new Set(Array.from({ length: 4094 }, (_, i) => i + 1).filter((v) => !vlans.includes(v)));
      return out();
    }
    return out(INVALID());
  }
}
