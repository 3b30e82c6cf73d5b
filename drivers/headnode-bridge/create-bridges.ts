// `hil-admin create-bridges`: HIL's scripts/create_bridges. One bridge br-vlan<N> per VLAN of the pool
// (hil.cfg [hil.ext.network_allocators.vlan_pool] vlans) on the trunk NIC ([headnode] trunk_nic), made by the bridge
// driver of [headnode] bridge_driver (linux, HIL's layout; or ovs). Idempotent: what exists is left as it is, and
// nothing is ever deleted, so it is safe at every boot (manifests/systemd/hil-create-bridges.service).
import type { VlanSet } from '../../api/v1alpha1/vlans.js';
import { ConfigError, type HeadnodeSettings } from '../../config/sections.js';
import { bridgeDriverFrom } from '../headnode/config.js';
import type { BridgeDriver, BridgeResult } from './bridge-driver.js';

export interface CreateBridgesOptions {
  /** The VLANs: --vlans, else the pool (config/sections.ts vlanPoolSection). */
  vlans?: VlanSet;
  /** hil.cfg [headnode]: the trunk NIC and the bridge driver. */
  headnode: HeadnodeSettings;
  /** A driver instead of the configured one (tests). */
  driver?: BridgeDriver;
}

export async function createBridges(opts: CreateBridgesOptions): Promise<BridgeResult[]> {
  if (!opts.vlans)
    throw new ConfigError('no VLANs: set [hil.ext.network_allocators.vlan_pool] vlans in hil.cfg (or give --vlans)');
  const driver = opts.driver ?? bridgeDriverFrom(opts.headnode, { forCreateBridges: true })!;
  return driver.ensure(opts.vlans.values());
}
