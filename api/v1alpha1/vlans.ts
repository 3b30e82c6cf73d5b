// VLAN lists as HIL writes them (`vlans = 100-200, 300`) and as Switch vlanRange entries ("100-200", "300").

export class VlanRangeError extends Error {}

export interface VlanSet {
  has(vlan: number): boolean;
  /** The list in its canonical form, e.g. "100-200,300". */
  toString(): string;
  /** Every VLAN, ascending (at most 4094 of them). */
  values(): number[];
}

export function parseVlanList(spec: string | string[], min = 1, max = 4094): VlanSet {
  const parts = (Array.isArray(spec) ? spec : spec.split(',')).map((p) => p.trim()).filter(Boolean);
  const ranges: [number, number][] = [];
  for (const p of parts) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(p);
    if (!m) throw new VlanRangeError(`"${p}" is not a VLAN or a range LOW-HIGH`);
    const lo = Number(m[1]);
    const hi = m[2] !== undefined ? Number(m[2]) : lo;
    if (lo < min || hi > max) throw new VlanRangeError(`"${p}" is outside ${min}-${max}`);
    if (lo > hi) throw new VlanRangeError(`"${p}": the low end is above the high end`);
    ranges.push([lo, hi]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  return {
    has: (v) => merged.some(([lo, hi]) => v >= lo && v <= hi),
    toString: () => merged.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(','),
    values: () => merged.flatMap(([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i)),
  };
}
