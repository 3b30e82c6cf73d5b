// `hil-admin create-bridges`: HIL's scripts/create_bridges. One bridge br-vlan<N> per VLAN of the pool
// (hil.cfg [hil.ext.network_allocators.vlan_pool] vlans) on the trunk NIC ([headnode] trunk_nic), made by the bridge
// driver of [headnode] bridge_driver (linux, HIL's layout; or ovs). Idempotent: what exists is left as it is, and
// nothing is ever deleted, so it is safe at every boot (manifests/systemd/hil-create-bridges.service).
import { cfgGet, ConfigError, type HilConfig } from '../../common/hilcfg.js';
import { parseVlanList, VlanRangeError } from '../../common/vlans.js';
import { bridgeDriverFrom, headnodeSettings } from '../headnode/config.js';
import type { BridgeDriver, BridgeResult } from './bridge-driver.js';

export interface CreateBridgesOptions {
  /** VLANs instead of the pool (e.g. "100-110,200"). */
  vlans?: string;
  /** A driver instead of the configured one (tests). */
  driver?: BridgeDriver;
}

export async function createBridges(cfg: HilConfig | undefined, opts: CreateBridgesOptions = {}): Promise<BridgeResult[]> {
  const list = opts.vlans ?? cfgGet(cfg, 'hil.ext.network_allocators.vlan_pool', 'vlans');
  if (!list) throw new ConfigError('no VLANs: set [hil.ext.network_allocators.vlan_pool] vlans in hil.cfg (or give --vlans)');
  let vlans: number[];
  try {
    vlans = parseVlanList(list).values();
  } catch (err) {
    if (err instanceof VlanRangeError) throw new ConfigError(`VLAN list "${list}": ${err.message}`);
    throw err;
  }
  const driver = opts.driver ?? bridgeDriverFrom(headnodeSettings(cfg), { forCreateBridges: true })!;
  return driver.ensure(vlans);
}
