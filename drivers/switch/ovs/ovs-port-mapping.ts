// How HIL's port states map onto OVS Port rows, both ways. Pure functions: unit-tested without OVS.
//
// Writing (every column set explicitly, so a row never relies on OVS defaults):
//   parked (revert)    tag=P  trunks=[]       vlan_mode=access           protected=true
//   native only        tag=N  trunks=[]       vlan_mode=access           protected=false
//   native + tagged    tag=N  trunks=[N,T…]   vlan_mode=native-untagged  protected=false
//   tagged only        tag=[] trunks=[T…]     vlan_mode=trunk            protected=false
//
// Why `protected` on parked ports: OVS forwards VLAN 4095 like any other VLAN, so ports parked on one parking VLAN
// would reach each other (measured: two ports on tag=4095 pinged). OVS's protected ports never forward to each
// other, so every parked port is isolated, also from every other parked port. What we never write: an empty
// `trunks` on a trunk or native port, which OVS reads as "every VLAN" (HIL's own revert, an isolation hole).
import type { ObservedPort } from '../switch-driver.js';
import type { NormalizedChange } from '../validate.js';
import type { Json } from './ovsdb-client.js';

/** The columns of an OVS Port row that we read and write. */
export const PORT_COLUMNS = ['_uuid', 'name', 'tag', 'trunks', 'vlan_mode', 'protected'] as const;
/** The columns guarded (wait) and written (update) by apply. */
export const VLAN_COLUMNS = ['tag', 'trunks', 'vlan_mode', 'protected'] as const;

export interface OvsPortRow {
  uuid: string;
  name: string;
  tag: number | undefined;
  trunks: number[];
  vlanMode: string | undefined;
  protected: boolean;
  /** The row as the server sent it, for `wait` guards. */
  raw: Record<string, Json>;
}

/** OVSDB's encoding of a set (RFC 7047 §5.1): `["set", [...]]`, or a bare atom for a one-element set. */
function setValues(v: Json | undefined): Json[] {
  if (Array.isArray(v) && v[0] === 'set' && Array.isArray(v[1])) return v[1];
  if (v === undefined || v === null) return [];
  return [v];
}

/** Decodes a selected Port row. */
export function decodePortRow(raw: Record<string, Json>): OvsPortRow {
  const uuid = Array.isArray(raw._uuid) && raw._uuid[0] === 'uuid' ? String(raw._uuid[1]) : String(raw._uuid);
  const tag = setValues(raw.tag)[0];
  const mode = setValues(raw.vlan_mode)[0];
  return {
    uuid,
    name: String(raw.name),
    tag: typeof tag === 'number' ? tag : undefined,
    trunks: setValues(raw.trunks)
      .filter((t): t is number => typeof t === 'number')
      .sort((a, b) => a - b),
    vlanMode: typeof mode === 'string' ? mode : undefined,
    protected: raw.protected === true,
    raw,
  };
}

/** Encodes the VLAN columns of a row for an `update`. */
export function encodeVlanColumns(
  row: Pick<OvsPortRow, 'tag' | 'trunks' | 'vlanMode' | 'protected'>,
): Record<string, Json> {
  return {
    tag: row.tag === undefined ? ['set', []] : row.tag,
    trunks: ['set', [...row.trunks]],
    vlan_mode: row.vlanMode === undefined ? ['set', []] : row.vlanMode,
    protected: row.protected,
  };
}

/** The row columns that realise a change. */
export function desiredColumns(
  change: NormalizedChange,
  parkingVlan: number,
): Pick<OvsPortRow, 'tag' | 'trunks' | 'vlanMode' | 'protected'> {
  const { native, tagged } = change;
  if (native === undefined && tagged.length === 0)
    return { tag: parkingVlan, trunks: [], vlanMode: 'access', protected: true };
  if (tagged.length === 0) return { tag: native, trunks: [], vlanMode: 'access', protected: false };
  if (native === undefined) return { tag: undefined, trunks: [...tagged], vlanMode: 'trunk', protected: false };
  return {
    tag: native,
    trunks: [native, ...tagged].sort((a, b) => a - b),
    vlanMode: 'native-untagged',
    protected: false,
  };
}

/** What a Port row means, in HIL's terms. Anything we would not have written is reported as an anomaly. */
export function observeRow(row: OvsPortRow, parkingVlan: number): ObservedPort {
  const anomalies: string[] = [];
  const mode = row.vlanMode ?? (row.tag !== undefined ? 'access' : 'trunk');
  let native: number | undefined;
  let tagged: number[] = [];
  let parked = false;

  const carriesAll = 'an empty trunks list carries every VLAN';
  switch (mode) {
    case 'access':
      if (row.tag === undefined) anomalies.push('access port without a tag (VLAN 0)');
      else if (row.tag === parkingVlan) {
        parked = row.protected;
        if (!row.protected)
          anomalies.push(`on parking VLAN ${parkingVlan} but not protected, so parked ports reach each other`);
      } else {
        native = row.tag;
        if (row.tag === 0) anomalies.push('access port on VLAN 0');
      }
      if (row.trunks.length) anomalies.push(`trunks ${row.trunks.join(',')} set on an access port`);
      break;
    case 'trunk':
      tagged = row.trunks;
      if (row.trunks.length === 0) anomalies.push(`trunk port: ${carriesAll}`);
      if (row.tag !== undefined) anomalies.push(`tag ${row.tag} set on a trunk port`);
      break;
    case 'native-untagged':
    case 'native-tagged':
    case 'dot1q-tunnel':
      native = row.tag;
      tagged = row.trunks.filter((t) => t !== row.tag);
      if (mode !== 'native-untagged') anomalies.push(`vlan_mode ${mode} is not used by HIL`);
      if (row.tag === undefined) anomalies.push(`vlan_mode ${mode} without a tag`);
      if (row.trunks.length === 0) anomalies.push(`${mode} port: ${carriesAll}`);
      break;
    default:
      anomalies.push(`unknown vlan_mode ${mode}`);
  }
  if (row.protected && !parked && !anomalies.some((a) => a.includes('not protected'))) {
    anomalies.push('protected, so it cannot reach other protected (parked) ports');
  }
  if (tagged.includes(parkingVlan) || native === parkingVlan) anomalies.push(`carries the parking VLAN ${parkingVlan}`);
  if (tagged.includes(0)) anomalies.push('trunks VLAN 0 (untagged frames)');
  if (parked) {
    native = undefined;
    tagged = [];
  }
  const observed: { -readonly [K in keyof ObservedPort]: ObservedPort[K] } = {
    interface: row.name,
    tagged,
    parked,
    shutdown: false,
  };
  if (native !== undefined) observed.native = native;
  if (anomalies.length) observed.anomaly = anomalies.join('; ');
  return observed;
}
