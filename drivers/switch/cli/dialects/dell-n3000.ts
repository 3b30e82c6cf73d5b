// Dell Networking N3000 series, DNOS 6 (HIL's `delln3000`; the N1500/N2000/N4000 share the CLI). Ports are trunks:
// the native VLAN untagged, the others tagged. DNOS has no "native VLAN none" and its VLANs run 1-4093, so a port
// with no network is parked as HIL parks it: native on the dummy VLAN (options.dummyVlan, 1-4093), which is not in
// the port's allowed list, and no VLAN allowed: untagged frames land on a VLAN the port is not a member of, tagged
// frames on none.
//
// Only `add` and `remove` change the allowed list (the forms HIL drove real N3000s with). DNOS refuses a native VLAN
// that is not allowed at that moment, so it is added first; what must go is removed first, as one complement list
// (`remove 1-100,102-4093`), so the port is never left carrying a VLAN it should not, whatever it carried before.
//
// State is read from `show interfaces switchport PORT`, the DNOS block HIL parsed (`Port:`, `VLAN Membership Mode:`,
// `Trunking Mode Native VLAN: 4000 (Inactive)`, `Trunking Mode VLANs Enabled: 101-103,200`, long lists wrapped over
// lines). It does not show the admin state: this driver never shuts or unshuts an N3000 port.
import type { ObservedPort } from '../../switch-driver.js';
import { parseVlanList, vlanList, type CliDialect, type PortTarget } from '../dialect.js';

/** DNOS 6 VLAN ids run 1-4093 (4094 is reserved by the switch). */
const MAX_VLAN = 4093;

function complement(keep: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let v = 1; v <= MAX_VLAN; v++) if (!keep.has(v)) out.push(v);
  return out;
}

function setPort(target: PortTarget, _observed: ObservedPort, parkingVlan: number | undefined): string[] {
  const dummy = parkingVlan as number; // a vlan-parking dialect: the driver refuses to open without it
  const allow = 'switchport trunk allowed vlan';
  const wanted = new Set([...(target.native === undefined ? [] : [target.native]), ...target.tagged]);
  if (wanted.size === 0) {
    return [
      'switchport mode trunk',
      `${allow} add ${dummy}`,
      `switchport trunk native vlan ${dummy}`,
      `${allow} remove 1-${MAX_VLAN}`,
    ];
  }
  const native = target.native ?? dummy;
  const lines = ['switchport mode trunk'];
  const drop = complement(new Set([...wanted, native]));
  if (drop.length) lines.push(`${allow} remove ${vlanList(drop)}`);
  lines.push(`${allow} add ${vlanList(new Set([...wanted, native]))}`, `switchport trunk native vlan ${native}`);
  if (target.native === undefined) lines.push(`${allow} remove ${dummy}`);
  return lines;
}

/** `Key: value` pairs of a `show interfaces switchport` block; a line with no `:` continues the previous value. */
function fields(output: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const raw of output.replace(/\r/g, '').split('\n')) {
    const m = /^([A-Za-z][^:]*):(.*)$/.exec(raw.trim());
    if (m) {
      last = m[1].trim();
      out.set(last, m[2].trim());
    } else if (last !== undefined && raw.trim()) {
      out.set(last, `${out.get(last)},${raw.trim()}`);
    }
  }
  return out;
}

/** `101-103, 200 (Inactive)` / `23 - 25` / `All` / `none` → VLANs ('all' for every VLAN), undefined if unreadable. */
function vlansOf(text: string): number[] | 'all' | undefined {
  const t = text
    .replace(/\((Inactive|default)\)/gi, '')
    .replace(/\s+/g, '')
    .replace(/,+/g, ',')
    .replace(/^,|,$/g, '');
  if (/^all$/i.test(t)) return 'all';
  if (t === '' || /^none$/i.test(t)) return [];
  return parseVlanList(t);
}

function parsePort(port: string, output: string, parkingVlan: number | undefined): ObservedPort {
  const f = fields(output);
  const odd = (anomaly: string, native?: number): ObservedPort => ({
    interface: port,
    ...(native === undefined ? {} : { native }),
    tagged: [],
    parked: false,
    shutdown: false,
    anomaly,
  });
  const mode = f.get('VLAN Membership Mode') ?? '';
  if (/^access/i.test(mode)) {
    const vlan = Number(/^(\d+)/.exec(f.get('Access Mode VLAN') ?? '')?.[1] ?? 1);
    return odd(`access mode on VLAN ${vlan} (this driver sets up trunk ports)`, vlan);
  }
  if (!/^trunk/i.test(mode)) return odd(`VLAN membership mode "${mode}" (this driver sets up trunk ports)`);
  const nativeText = f.get('Trunking Mode Native VLAN') ?? f.get('Trunking Native Mode VLAN') ?? '1';
  const native = Number(/^(\d+)/.exec(nativeText)?.[1] ?? NaN);
  if (!Number.isInteger(native)) return odd(`unreadable native VLAN "${nativeText}"`);
  const enabledText = f.get('Trunking Mode VLANs Enabled') ?? f.get('Trunking VLANs Enabled') ?? 'All';
  const enabled = vlansOf(enabledText);
  if (enabled === undefined) return odd(`unreadable allowed VLAN list "${enabledText}"`);
  if (enabled === 'all') return odd('a trunk that carries every VLAN');
  const allowed = new Set(enabled);
  if (native === parkingVlan) {
    if (allowed.has(native)) return odd(`the dummy VLAN ${native} is allowed on the trunk`);
    return { interface: port, tagged: [...allowed].sort((a, b) => a - b), parked: allowed.size === 0, shutdown: false };
  }
  if (!allowed.has(native)) return odd(`native VLAN ${native} is not in the allowed list`);
  allowed.delete(native);
  return { interface: port, native, tagged: [...allowed].sort((a, b) => a - b), parked: false, shutdown: false };
}

export const dellN3000: CliDialect = {
  type: 'dell-n3000',
  description: 'Dell Networking N3000 (DNOS 6)',
  transports: ['ssh', 'telnet'],
  interfacePattern: /^(gi|te)\d+\/\d+(\/\d+)?$/,
  maxVlan: MAX_VLAN,
  parking: 'vlan',
  parkingVlanOption: 'dummyVlan',
  options: { dummyVlan: { pattern: /^([1-9]\d{0,2}|[1-3]\d{3}|40[0-8]\d|409[0-3])$/ } },
  // HIL waited 30 s for every prompt (pexpect's default). DNOS 6 logs in within seconds (over SSH the key exchange
  // dominates); `show interfaces switchport` and config lines answer in under a second, a `remove` of a long list in
  // a few; `copy running-config startup-config` writes flash (tens of seconds on a full stack config).
  timeouts: { loginMs: 30_000, commandMs: 15_000, saveMs: 60_000 },
  login: { usernamePrompt: /User(?: ?Name)?:\s*$/i, passwordPrompt: /[Pp]assword:\s*$/, enable: 'enable' },
  paging: { disable: ['terminal length 0'], more: /--More-- or \(q\)uit\s*/, answer: ' ' },
  errors: [/^\s*% .*/m],
  confirmations: [{ prompt: /\(y\/n\)\s*$/i, answer: 'y', enter: true }],
  commands: {
    configure: 'configure',
    end: 'end',
    interface: (port) => `interface ${port}`,
    exitInterface: 'exit',
    createVlans: (vlans) => [`vlan ${vlanList(vlans)}`, 'exit'],
    setPort,
    readPort: (port) => `show interfaces switchport ${port}`,
    save: 'copy running-config startup-config',
  },
  saved: /Configuration Saved|Copy succeeded/,
  unknownPort: /Invalid input|invalid interface/i,
  parsePort,
};
