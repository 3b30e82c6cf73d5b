// The IOS-style `switchport trunk` model that NX-OS, Catalyst IOS and Arista EOS share: a managed port is a trunk
// whose allowed list holds its native and tagged VLANs (set with the replace form, so VLANs kept are not
// interrupted), with the native VLAN set; a port with no network allows no VLAN and has the dummy VLAN as its native
// one (these switches always have a native VLAN, so it is one that goes nowhere, never VLAN 1). The dialect files
// hold only what differs: whether `switchport` must be said first, and the switch's default mode.
//
// State is read from `show running-config interface PORT`, where these switches print only what differs from the
// defaults: access VLAN 1, trunk native VLAN 1, every VLAN allowed; a long allowed list continues on lines with `add`.
import type { ObservedPort } from '../../switch-driver.js';
import { parseVlanList, vlanList, type PortTarget } from '../dialect.js';

export interface SwitchportTrunkStyle {
  /** Say `switchport` first (an L2 port; NX-OS ports may be routed by default). */
  readonly switchportLine: boolean;
  /** The mode a port has when its config names none: `access` (NX-OS, EOS), `dynamic auto` (Catalyst). */
  readonly defaultMode: string;
}

/** The lines (interface mode) giving a port exactly `target`, or parking it on the dummy VLAN. */
export function trunkPortLines(
  style: SwitchportTrunkStyle,
): (target: PortTarget, observed: ObservedPort, parkingVlan: number | undefined) => string[] {
  return (target, _observed, parkingVlan) => {
    const allowed = [...(target.native === undefined ? [] : [target.native]), ...target.tagged];
    return [
      ...(style.switchportLine ? ['switchport'] : []),
      'switchport mode trunk',
      `switchport trunk allowed vlan ${allowed.length ? vlanList(allowed) : 'none'}`,
      `switchport trunk native vlan ${target.native ?? parkingVlan}`,
      ...(allowed.length ? ['no shutdown'] : []),
    ];
  };
}

/** Reads a port's `show running-config interface` output back into the model. */
export function parseTrunkConfig(
  style: SwitchportTrunkStyle,
): (port: string, output: string, parkingVlan: number | undefined) => ObservedPort {
  return (port, output, parkingVlan) => {
    const lines = output.split('\n').map((l) => l.trim());
    const shutdown = lines.includes('shutdown');
    const odd = (anomaly: string): ObservedPort => ({ interface: port, tagged: [], parked: false, shutdown, anomaly });
    if (lines.includes('no switchport')) return odd('a routed port (no switchport)');
    const mode =
      /^switchport mode (.+)$/.exec(lines.find((l) => l.startsWith('switchport mode ')) ?? '')?.[1] ??
      style.defaultMode;
    if (mode === 'access') {
      const vlan = Number(
        /^switchport access vlan (\d+)$/.exec(lines.find((l) => l.startsWith('switchport access vlan ')) ?? '')?.[1] ??
          1,
      );
      return { ...odd(`access mode on VLAN ${vlan} (this driver sets up trunk ports)`), native: vlan };
    }
    if (mode !== 'trunk') return odd(`switchport mode ${mode} (this driver sets up trunk ports)`);
    const native = Number(
      /^switchport trunk native vlan (\d+)$/.exec(
        lines.find((l) => l.startsWith('switchport trunk native vlan ')) ?? '',
      )?.[1] ?? 1,
    );
    const allowedLines = lines.filter((l) => l.startsWith('switchport trunk allowed vlan '));
    if (allowedLines.length === 0) return odd('a trunk that carries every VLAN (no allowed list)');
    const allowed = new Set<number>();
    for (const l of allowedLines) {
      const text = l.replace(/^switchport trunk allowed vlan (add )?/, '');
      if (text === 'none') continue;
      const list = parseVlanList(text);
      if (!list) return odd(`unreadable allowed VLAN list "${text}"`);
      for (const v of list) allowed.add(v);
    }
    if (native === parkingVlan) {
      if (allowed.has(native)) return odd(`the dummy VLAN ${native} is allowed on the trunk`);
      return { interface: port, tagged: [...allowed].sort((a, b) => a - b), parked: allowed.size === 0, shutdown };
    }
    if (!allowed.has(native)) return odd(`native VLAN ${native} is not in the allowed list`);
    allowed.delete(native);
    return { interface: port, native, tagged: [...allowed].sort((a, b) => a - b), parked: false, shutdown };
  };
}
