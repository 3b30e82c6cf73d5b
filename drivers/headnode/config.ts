// The bridge driver hil.cfg [headnode] names (config/sections.ts reads the section): linux (HIL's layout), ovs, or
// none (the controller never creates bridges).
import { ConfigError, type HeadnodeSettings } from '../../config/sections.js';
import {
  BridgeError,
  LinuxBridgeDriver,
  OvsBridgeDriver,
  type BridgeDriver,
} from '../headnode-bridge/bridge-driver.js';

/** The bridge driver the settings name (undefined for `none`); configuration errors as ConfigError. */
export function bridgeDriverFrom(
  s: HeadnodeSettings,
  opts: { forCreateBridges?: boolean } = {},
): BridgeDriver | undefined {
  try {
    if (s.bridgeDriver === 'none' && !opts.forCreateBridges) return undefined;
    if (s.bridgeDriver === 'ovs')
      return new OvsBridgeDriver({ parent: s.ovsBridge, trunkNic: s.trunkNic, db: s.ovsdb });
    if (!s.trunkNic)
      throw new ConfigError(
        '[headnode] trunk_nic is required for bridge_driver linux (the NIC that carries the VLANs)',
      );
    return new LinuxBridgeDriver({ trunkNic: s.trunkNic });
  } catch (err) {
    if (err instanceof BridgeError) throw new ConfigError(err.message);
    throw err;
  }
}
