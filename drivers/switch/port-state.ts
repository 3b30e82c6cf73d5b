// Helpers on port states that every driver and the switch controller share: when is a port in sync, which ports of a
// batch need writing, and how to say a state in words (for Events and conditions).
import type { ObservedPort, PortChange } from './switch-driver.js';

/** The change that reverts a port: no native VLAN, no tagged VLAN, i.e. parked so that it reaches nothing. */
export function parkedChange(iface: string): PortChange {
  return { interface: iface, native: null, tagged: [] };
}

/** True when the change asks for no VLAN at all (a revert). */
export function isRevert(change: Pick<PortChange, 'native' | 'tagged'>): boolean {
  return (change.native === undefined || change.native === null) && change.tagged.length === 0;
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  const sa = [...a].sort((x, y) => x - y);
  const sb = [...b].sort((x, y) => x - y);
  return sa.every((v, i) => v === sb[i]);
}

/**
 * True when the observed port already has the desired state: a revert wants the port parked; anything else wants
 * exactly that native VLAN and exactly those tagged VLANs on a port that is not parked. A port with an anomaly is
 * never in sync.
 */
export function portInSync(desired: Pick<PortChange, 'native' | 'tagged'>, observed: ObservedPort): boolean {
  if (observed.anomaly !== undefined) return false;
  if (isRevert(desired)) return observed.parked;
  if (observed.parked || observed.shutdown) return false;
  return (desired.native ?? undefined) === observed.native && sameSet(desired.tagged, observed.tagged);
}

/** The changes whose ports are not yet in the desired state (observed matched by interface; unobserved ones kept). */
export function changesNeeded(desired: readonly PortChange[], observed: readonly ObservedPort[]): PortChange[] {
  const byName = new Map(observed.map((o) => [o.interface, o]));
  return desired.filter((d) => {
    const o = byName.get(d.interface);
    return o === undefined || !portInSync(d, o);
  });
}

/** A state in words: "parked", "native 101", "native 101, tagged 102,103", "tagged 102", plus any anomaly. */
export function describePort(
  state: Partial<Pick<ObservedPort, 'parked' | 'shutdown' | 'anomaly'>> & Pick<PortChange, 'native' | 'tagged'>,
): string {
  const parts: string[] = [];
  if (state.parked || (!('parked' in state) && isRevert(state))) parts.push('parked');
  if (state.native !== undefined && state.native !== null) parts.push(`native ${state.native}`);
  if (state.tagged.length) parts.push(`tagged ${[...state.tagged].sort((a, b) => a - b).join(',')}`);
  if (state.shutdown && !state.parked) parts.push('shut down');
  if (parts.length === 0) parts.push('no VLAN');
  if (state.anomaly) parts.push(`(${state.anomaly})`);
  return parts.join(', ');
}
