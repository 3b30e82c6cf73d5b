// An emulated switch with the IOS-style CLI that Cisco Nexus (NX-OS), Cisco Catalyst (IOS / IOS XE) and Arista EOS
// share, the vendor's differences given as a profile (cisco-nexus-emulator.ts, cisco-catalyst-emulator.ts,
// arista-eos-emulator.ts): prompts, port names and their abbreviations, the default port mode, how `show
// running-config interface` looks, the error replies and how saving goes. Shared: `enable`, `terminal length 0`, `configure terminal`, `interface NAME` (abbreviations allowed),
// `vlan LIST` (config-vlan mode), `switchport mode access|trunk|dynamic …`, `switchport access vlan N`,
// `switchport trunk native vlan N`, `switchport trunk allowed vlan LIST|add|remove|except|all|none`, `[no] shutdown`,
// `[no] switchport`, with trunk defaults native VLAN 1 and every VLAN allowed.
import type { CliReply, EmulatorKnobs, ShellState } from './cli-shell.js';
import { DEFAULT_KNOBS, EmulatedSwitch } from './emulated-switch.js';
import { cloneState, formatVlans, parseVlans, type PortConfig } from './switch-state.js';

export interface IosStyleProfile {
  readonly hostname: string;
  /** Full port-name prefixes, e.g. `GigabitEthernet`; an input name may abbreviate them (`Gi1/0/1`, `et1`). */
  readonly portPrefixes: readonly string[];
  /** The mode a port has when nothing is configured. */
  readonly defaultMode: PortConfig['mode'];
  /** The prompt suffix in interface and VLAN modes (after `(config-`). */
  readonly ifPrompt: (port: string) => string;
  readonly vlanPrompt: (vlans: string) => string;
  /** `show running-config interface` of one port, given its config lines (without indentation). */
  readonly renderConfig: (port: string, lines: readonly string[]) => string;
  /** The reply to a line it cannot parse; `token` is the offending word, `at` its column. */
  readonly invalid: (token: string, at: number) => string;
  /** The reply to a well-formed port name the switch does not have (default: `invalid`). */
  readonly noSuchPort?: (name: string, at: number) => string;
  /** The reply to a `switchport …` line on a routed (`no switchport`) port (default: the line is taken). */
  readonly routedRefusal?: (port: string) => string;
  /** The modes `switchport mode` takes. */
  readonly modes: readonly string[];
  /** The reply to `copy running-config startup-config` (it may ask first). */
  readonly save: (commit: () => void) => CliReply;
  readonly more: string;
  readonly refusal: string;
  readonly startUnprivileged: boolean;
  /** The word in `show running-config interface(s) NAME`. */
  readonly showWord: RegExp;
}

export function factoryPort(defaultMode: PortConfig['mode']): () => PortConfig {
  return () => ({ routed: false, mode: defaultMode, accessVlan: 1, nativeVlan: 1, allowed: 'all', shutdown: false });
}

export class IosStyleEmulator extends EmulatedSwitch {
  readonly more: string;
  readonly refusal: string;

  constructor(
    readonly profile: IosStyleProfile,
    ports: string,
    knobs: Partial<EmulatorKnobs> = {},
  ) {
    super(ports, factoryPort(profile.defaultMode), {
      ...DEFAULT_KNOBS,
      startUnprivileged: profile.startUnprivileged,
      ...knobs,
    });
    this.more = profile.more;
    this.refusal = profile.refusal;
  }

  /** An input name (abbreviated, any case) → the port's full name, when it has that form. */
  canonical(name: string): string | undefined {
    const m = /^([A-Za-z-]+)(\d+(\/\d+){0,2})$/.exec(name);
    if (!m || m[1].length < 2) return undefined;
    const prefix = this.profile.portPrefixes.find((p) => p.toLowerCase().startsWith(m[1].toLowerCase()));
    return prefix ? `${prefix}${m[2]}` : undefined;
  }

  prompt(s: ShellState): string {
    const h = this.profile.hostname;
    if (s.mode === 'if') return `${h}(config-${this.profile.ifPrompt(s.iface ?? '')})#`;
    if (s.mode.startsWith('vlan:')) return `${h}(config-${this.profile.vlanPrompt(s.mode.slice(5))})#`;
    return `${h}${{ user: '>', exec: '#', config: '(config)#' }[s.mode] ?? '#'}`;
  }

  /** The port's configuration lines, as the switch prints them (only what differs from the defaults). */
  configLines(name: string): string[] | undefined {
    const p = this.running.ports.get(name);
    if (!p) return undefined;
    const lines: string[] = [];
    if (p.routed) lines.push('no switchport');
    if (p.accessVlan !== 1) lines.push(`switchport access vlan ${p.accessVlan}`);
    if (p.nativeVlan !== 1) lines.push(`switchport trunk native vlan ${p.nativeVlan}`);
    if (p.allowed !== 'all') {
      if (p.allowed.size === 0) lines.push('switchport trunk allowed vlan none');
      // A long list continues on lines with `add`.
      const parts = formatVlans(p.allowed).split(',');
      for (let i = 0; i < parts.length && p.allowed.size; i += 8)
        lines.push(`switchport trunk allowed vlan ${i ? 'add ' : ''}${parts.slice(i, i + 8).join(',')}`);
    }
    if (p.mode !== this.profile.defaultMode) lines.push(`switchport mode ${p.mode}`);
    if (p.shutdown) lines.push('shutdown');
    return lines;
  }

  render(name: string): string {
    const lines = this.configLines(name);
    return lines ? this.profile.renderConfig(name, lines) : this.noSuchPort(name, 0);
  }

  private noSuchPort(name: string, at: number): string {
    return (this.profile.noSuchPort ?? this.profile.invalid)(name, at);
  }

  execute(s: ShellState, raw: string): CliReply {
    const out = (text = ''): CliReply => ({ kind: 'output', text });
    const line = raw.trim().replace(/\s+/g, ' ');
    if (line === '') return out();
    const w = line.split(' ');
    const bad = (i = 0) => out(this.profile.invalid(w[i] ?? '', line.indexOf(w[i] ?? '')));
    if (s.mode === 'user') {
      if (line !== 'enable') return bad();
      const pw = this.knobs.enablePassword;
      if (pw === undefined) return ((s.mode = 'exec'), out());
      return {
        kind: 'password',
        prompt: 'Password: ',
        onAnswer: (given) => {
          if (given !== pw) return '% Access denied';
          s.mode = 'exec';
          return '';
        },
      };
    }
    if (line === 'end') return ((s.mode = 'exec'), out());
    if (s.mode === 'exec') {
      if (line === 'terminal length 0') return ((s.paging = false), out());
      if (w[0] === 'terminal' && (w[1] === 'length' || w[1] === 'width') && w.length === 3) return out();
      if (line === 'configure terminal' || line === 'configure') return ((s.mode = 'config'), out());
      if (w[0] === 'show' && w[1] === 'running-config' && this.profile.showWord.test(w[2] ?? '') && w.length === 4) {
        const name = this.canonical(w[3]);
        if (!name) return bad(3);
        return out(this.configLines(name) ? this.render(name) : this.noSuchPort(w[3], line.indexOf(w[3])));
      }
      if (line === 'copy running-config startup-config')
        return this.profile.save(() => (this.startup = cloneState(this.running)));
      return bad();
    }
    if (s.mode === 'config' || s.mode.startsWith('vlan:')) {
      if (line === 'exit') return ((s.mode = s.mode === 'config' ? 'exec' : 'config'), out());
      if (w[0] === 'interface' && w.length === 2) {
        const name = this.canonical(w[1]);
        if (!name) return bad(1);
        if (!this.running.ports.has(name)) return out(this.noSuchPort(w[1], line.indexOf(w[1])));
        s.mode = 'if';
        s.iface = name;
        return out();
      }
      const no = w[0] === 'no';
      const args = no ? w.slice(1) : w;
      if (args[0] === 'vlan' && args.length === 2) {
        const vlans = parseVlans(args[1]);
        if (!vlans) return bad(no ? 2 : 1);
        for (const v of vlans) {
          if (no) this.running.vlans.delete(v);
          else this.running.vlans.add(v);
        }
        if (!no) s.mode = `vlan:${args[1]}`;
        return out();
      }
      if (s.mode.startsWith('vlan:') && (line === 'shutdown' || line === 'no shutdown' || w[0] === 'name'))
        return out();
      return bad();
    }
    // interface mode
    const p = this.running.ports.get(s.iface ?? '');
    if (!p) return bad();
    if (line === 'exit') return ((s.mode = 'config'), out());
    if (line === 'shutdown') return ((p.shutdown = true), out());
    if (line === 'no shutdown') return ((p.shutdown = false), out());
    if (line === 'switchport') return ((p.routed = false), out());
    if (line === 'no switchport') return ((p.routed = true), out());
    if (w[0] !== 'switchport') return bad();
    if (p.routed && this.profile.routedRefusal) return out(this.profile.routedRefusal(s.iface ?? ''));
    if (w[1] === 'mode') {
      const mode = w.slice(2).join(' ');
      if (!this.profile.modes.includes(mode)) return bad(2);
      p.mode = mode as PortConfig['mode'];
      return out();
    }
    if (w[1] === 'access' && w[2] === 'vlan' && w.length === 4) {
      const v = parseVlans(w[3]);
      if (!v || v.length !== 1) return bad(3);
      p.accessVlan = v[0];
      return out();
    }
    if (w[1] === 'trunk' && w[2] === 'native' && w[3] === 'vlan' && w.length === 5) {
      const v = parseVlans(w[4]);
      if (!v || v.length !== 1) return bad(4);
      p.nativeVlan = v[0];
      return out();
    }
    if (w[1] === 'trunk' && w[2] === 'allowed' && w[3] === 'vlan' && (w.length === 5 || w.length === 6)) {
      const rest = w.slice(4);
      if (rest.length === 1 && rest[0] === 'none') return ((p.allowed = new Set()), out());
      if (rest.length === 1 && rest[0] === 'all') return ((p.allowed = 'all'), out());
      const op = rest.length === 2 ? rest[0] : 'set';
      const vlans = parseVlans(rest[rest.length - 1]);
      if (!vlans || !['set', 'add', 'remove', 'except'].includes(op)) return bad(w.length - 1);
      const every = () => new Set(Array.from({ length: 4094 }, (_, i) => i + 1));
      const cur = p.allowed === 'all' ? every() : new Set(p.allowed);
      if (op === 'set') p.allowed = new Set(vlans);
      else if (op === 'add') p.allowed = new Set([...cur, ...vlans]);
      else if (op === 'remove') p.allowed = new Set([...cur].filter((v) => !vlans.includes(v)));
      else p.allowed = new Set([...every()].filter((v) => !vlans.includes(v)));
      return out();
    }
    return bad();
  }
}
