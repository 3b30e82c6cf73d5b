// The configuration an emulated L2 switch keeps: per port (mode, access VLAN, trunk native and allowed VLANs, admin
// state), the VLAN database, and the startup config (a copy made by `copy running-config startup-config`).

export interface PortConfig {
  /** `no switchport` (NX-OS): a routed port. */
  routed: boolean;
  mode: 'access' | 'trunk' | 'general' | 'dynamic auto' | 'dynamic desirable';
  accessVlan: number;
  /** `none`: no native VLAN (PowerConnect). */
  nativeVlan: number | 'none';
  /** `all`: every VLAN (the NX-OS trunk default). */
  allowed: Set<number> | 'all';
  shutdown: boolean;
}

export interface SwitchConfigState {
  ports: Map<string, PortConfig>;
  vlans: Set<number>;
}

export function clonePort(p: PortConfig): PortConfig {
  return { ...p, allowed: p.allowed === 'all' ? 'all' : new Set(p.allowed) };
}

export function cloneState(s: SwitchConfigState): SwitchConfigState {
  return { ports: new Map([...s.ports].map(([n, p]) => [n, clonePort(p)])), vlans: new Set(s.vlans) };
}

/** `gi1/0/1-4,te1/0/1-2` → the port names. */
export function expandPorts(spec: string): string[] {
  const out: string[] = [];
  for (const part of spec.split(',')) {
    const m = /^(.*?)(\d+)-(\d+)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    for (let i = Number(m[2]); i <= Number(m[3]); i++) out.push(`${m[1]}${i}`);
  }
  return out;
}

/** A VLAN list as the switch writes it: `101-103,200`. */
export function formatVlans(vlans: Iterable<number>): string {
  const sorted = [...new Set(vlans)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** `101-103,200` → VLAN ids, or undefined when malformed or out of 1–4094. */
export function parseVlans(text: string): number[] | undefined {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(part);
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a < 1 || b > 4094 || b < a) return undefined;
    for (let v = a; v <= b; v++) out.push(v);
  }
  return out;
}
