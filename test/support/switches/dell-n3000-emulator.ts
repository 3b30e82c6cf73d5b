// An emulated Dell N3000 (DNOS 6): `console>` / `console#`, `enable` (with its password when one is set), `User:` and
// `Password:` inside the stream on telnet, `configure`, `interface gi1/0/1` (any case, long names too) with the
// `console(config-if-Gi1/0/1)#` prompt, `vlan LIST` in config mode (`console(config-vlan100)#`), `terminal length 0`
// to stop the `--More-- or (q)uit` pager, `show interfaces switchport PORT` in the DNOS block form, and
// `copy running-config startup-config` asking `(y/n)` and answering `Configuration Saved!`.
//
// DNOS rules kept: VLAN ids 1-4093; a port's access and trunk settings are kept apart (changing the mode loses
// neither); a trunk starts with native VLAN 1 and every VLAN allowed; the native VLAN must exist (HIL's docs) and be
// in the allowed list when it is set (HIL's driver adds it first for this reason); allowed-list changes are `add`,
// `remove`, `all` or a list; a VLAN not in the VLAN database shows `(Inactive)`.
import type { CliReply, EmulatorKnobs, ShellState } from './cli-shell.js';
import { DEFAULT_KNOBS, EmulatedSwitch } from './emulated-switch.js';
import { cloneState, formatVlans, type PortConfig } from './switch-state.js';

const MAX_VLAN = 4093;
const ALL = (): Set<number> => new Set(Array.from({ length: MAX_VLAN }, (_, i) => i + 1));
const INVALID = (at = 0) => `${' '.repeat(at + 9)}^\n% Invalid input detected at '^' marker.`;

export function factoryPort(): PortConfig {
  return { routed: false, mode: 'access', accessVlan: 1, nativeVlan: 1, allowed: 'all', shutdown: false };
}

/** `101-103,200` in DNOS's range (1-4093), or undefined. */
function vlans(text: string): number[] | undefined {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(part);
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a < 1 || b > MAX_VLAN || b < a) return undefined;
    for (let v = a; v <= b; v++) out.push(v);
  }
  return out;
}

/** `Gi1/0/1`, `gigabitethernet1/0/1`, `te1/0/2` → the key `gi1/0/1` / `te1/0/2`; undefined when not a port name. */
function key(name: string): string | undefined {
  const m = /^(gi|gigabitethernet|te|tengigabitethernet)(\d+\/\d+(\/\d+)?)$/i.exec(name);
  if (!m) return undefined;
  return `${m[1].toLowerCase().startsWith('gi') ? 'gi' : 'te'}${m[2]}`;
}

const display = (k: string) => `${k[0].toUpperCase()}${k.slice(1)}`;

export class DellN3000Emulator extends EmulatedSwitch {
  readonly refusal = '% Failed to configure the VLAN.';
  readonly more = '--More-- or (q)uit';
  readonly shellLogin = { username: 'User:', password: 'Password:', failed: '\r\n% Authentication failed.' };
  readonly busy = 'Maximum number of sessions reached. Connection refused.';

  constructor(ports: string, knobs: Partial<EmulatorKnobs> = {}) {
    super(ports, factoryPort, { ...DEFAULT_KNOBS, startUnprivileged: true, ...knobs });
  }

  static async start(ports: string, knobs: Partial<EmulatorKnobs> = {}): Promise<DellN3000Emulator> {
    const e = new DellN3000Emulator(ports, knobs);
    await e.server.listen();
    return e;
  }

  prompt(s: ShellState): string {
    if (s.mode === 'if') return `console(config-if-${display(s.iface ?? '')})#`;
    if (s.mode.startsWith('vlan')) return `console(config-${s.mode})#`;
    return `console${{ user: '>', exec: '#', config: '(config)#' }[s.mode] ?? '#'}`;
  }

  /** `show interfaces switchport PORT`, as DNOS 6 prints it. */
  render(name: string): string {
    const p = this.running.ports.get(name);
    if (!p) return INVALID(26);
    const state = (v: number) => (v === 1 ? ' (default)' : this.running.vlans.has(v) ? '' : ' (Inactive)');
    const native = p.nativeVlan === 'none' ? 1 : p.nativeVlan;
    const enabled = p.allowed === 'all' ? 'All' : p.allowed.size ? formatVlans(p.allowed) : '';
    // DNOS wraps a long list at 60 columns.
    const wrapped = enabled.match(/.{1,60}(,|$)/g) ?? [''];
    const modes: Record<string, string> = { access: 'Access Mode', trunk: 'Trunk Mode', general: 'General Mode' };
    const mode = modes[p.mode] ?? p.mode;
    return [
      '',
      `Port: ${display(name)}`,
      `VLAN Membership Mode: ${mode}`,
      `Access Mode VLAN: ${p.accessVlan}${state(p.accessVlan)}`,
      'General Mode PVID: 1 (default)',
      'General Mode Ingress Filtering: Enabled',
      'General Mode Acceptable Frame Type: Admit All',
      'General Mode Dynamically Added VLANs:',
      'General Mode Untagged VLANs: 1',
      'General Mode Tagged VLANs:',
      'General Mode Forbidden VLANs:',
      `Trunking Mode Native VLAN: ${native}${state(native)}`,
      'Trunking Mode Native VLAN Tagging: Disable',
      `Trunking Mode VLANs Enabled: ${wrapped[0]}`,
      ...wrapped.slice(1).map((w) => `                             ${w}`),
      'Protected Port: False',
    ].join('\n');
  }

  execute(s: ShellState, raw: string): CliReply {
    const out = (text = ''): CliReply => ({ kind: 'output', text });
    const line = raw.trim().replace(/\s+/g, ' ');
    if (line === '') return out();
    const w = line.split(' ');
    if (s.mode === 'user') {
      if (line === 'enable') {
        const pw = this.knobs.enablePassword;
        if (pw === undefined) return ((s.mode = 'exec'), out());
        return {
          kind: 'password',
          prompt: 'Password:',
          onAnswer: (given) => {
            if (given !== pw) return '% Incorrect password.';
            s.mode = 'exec';
            return '';
          },
        };
      }
      return out(INVALID());
    }
    if (line === 'end') return ((s.mode = 'exec'), out());
    if (s.mode === 'exec') {
      if (line === 'terminal length 0') return ((s.paging = false), out());
      if (w[0] === 'terminal' && w[1] === 'length' && w.length === 3) return ((s.paging = true), out());
      if (line === 'configure' || line === 'config' || line === 'configure terminal')
        return ((s.mode = 'config'), out());
      if (w[0] === 'show' && /^int/.test(w[1] ?? '') && /^sw/.test(w[2] ?? '') && w.length === 4) {
        const k = key(w[3]);
        return out(k ? this.render(k) : INVALID(line.length - w[3].length));
      }
      if (line === 'copy running-config startup-config') {
        return {
          kind: 'question',
          prompt:
            '\nThis operation may take a few minutes.\nManagement interfaces will not be available during this time.\n\nAre you sure you want to save? (y/n) ',
          onAnswer: (answer) => {
            if (answer.trim().toLowerCase() !== 'y') return '\nConfiguration Not Saved!';
            this.startup = cloneState(this.running);
            return '\nConfiguration Saved!';
          },
        };
      }
      return out(INVALID());
    }
    if (s.mode === 'config' || s.mode.startsWith('vlan')) {
      if (line === 'exit') return ((s.mode = s.mode === 'config' ? 'exec' : 'config'), out());
      if (w[0] === 'interface' && w.length === 2) {
        const k = key(w[1]);
        if (!k || !this.running.ports.has(k)) return out(INVALID(10));
        s.mode = 'if';
        s.iface = k;
        return out();
      }
      const no = w[0] === 'no';
      const args = no ? w.slice(1) : w;
      if (args[0] === 'vlan' && args.length === 2) {
        const list = vlans(args[1]);
        if (!list) return out(INVALID(line.length - args[1].length));
        for (const v of list) {
          if (no) this.running.vlans.delete(v);
          else this.running.vlans.add(v);
        }
        if (!no) s.mode = `vlan${args[1]}`;
        return out();
      }
      return out(INVALID());
    }
    // interface mode
    const p = this.running.ports.get(s.iface ?? '');
    if (!p) return out(INVALID());
    if (line === 'exit') return ((s.mode = 'config'), out());
    if (line === 'shutdown') return ((p.shutdown = true), out());
    if (line === 'no shutdown') return ((p.shutdown = false), out());
    const sw = w[0] === 'switchport' || w[0] === 'sw';
    if (!sw) return out(INVALID());
    if (w[1] === 'mode' && w.length === 3) {
      if (!['access', 'trunk', 'general'].includes(w[2])) return out(INVALID(16));
      p.mode = w[2] as PortConfig['mode'];
      return out();
    }
    if (w[1] === 'access' && w[2] === 'vlan' && w.length === 4) {
      const v = vlans(w[3]);
      if (!v || v.length !== 1) return out(INVALID(23));
      p.accessVlan = v[0];
      return out();
    }
    if (w[1] === 'trunk' && w[2] === 'native' && w[3] === 'vlan' && w.length === 5) {
      const v = vlans(w[4]);
      if (!v || v.length !== 1) return out(INVALID(30));
      // HIL's N3000 notes: unlike NX-OS, the dummy VLAN must exist, or it cannot be made the native VLAN.
      if (!this.running.vlans.has(v[0])) return out(`% VLAN ${v[0]} does not exist.`);
      if (p.allowed !== 'all' && !p.allowed.has(v[0]))
        return out(`% VLAN ${v[0]} is not in the trunk's allowed VLAN list; add it before making it the native VLAN.`);
      p.nativeVlan = v[0];
      return out();
    }
    if (w[1] === 'trunk' && w[2] === 'allowed' && w[3] === 'vlan') {
      const rest = w.slice(4);
      if (rest.length === 1 && rest[0] === 'all') return ((p.allowed = 'all'), out());
      const op = rest.length === 2 ? rest[0] : 'set';
      const list = vlans(rest[rest.length - 1] ?? '');
      if (!list || !['set', 'add', 'remove', 'except'].includes(op) || rest.length > 2) return out(INVALID(30));
      const cur = p.allowed === 'all' ? ALL() : new Set(p.allowed);
      if (op === 'set') p.allowed = new Set(list);
      else if (op === 'add') p.allowed = new Set([...cur, ...list]);
      else if (op === 'remove') p.allowed = new Set([...cur].filter((v) => !list.includes(v)));
      else p.allowed = new Set([...ALL()].filter((v) => !list.includes(v)));
      if (p.allowed.size === MAX_VLAN) p.allowed = 'all';
      return out();
    }
    return out(INVALID());
  }
}
