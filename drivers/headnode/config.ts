// hil.cfg [headnode], as HIL has it plus our additions:
//
//   [headnode]
//   libvirt_endpoint = qemu:///system      # HIL: the libvirt URI (required to run headnodes)
//   base_imgs = img1, img2                 # HIL: base images users may clone (libvirt domains, powered off)
//   trunk_nic = eth1                       # HIL: the NIC carrying every pool VLAN
//   bridge_driver = linux | ovs | none     # ours: how br-vlan<N> is made (default linux, HIL's way); none: the
//                                          #   controller never creates bridges (made beforehand by create-bridges)
//   ovs_bridge = br-trunk                  # ours (ovs): the OVS bridge holding trunk_nic, parent of the br-vlan<N>
//   ovsdb = unix:/run/openvswitch/db.sock  # ours (ovs): OVSDB remote (default ovs-vsctl's)
//   image_dir = /var/lib/libvirt/images    # ours: where disk copies go (default beside the base image's disk)
//   nic_model = virtio                     # ours: NIC model when the base image has none to copy
import { cfgGet, ConfigError, type HilConfig } from '../../common/hilcfg.js';
import { BridgeError, LinuxBridgeDriver, OvsBridgeDriver, type BridgeDriver } from '../bridge/bridge-driver.js';
import { DOMAIN_NAME_PATTERN } from './headnode-driver.js';

export interface HeadnodeSettings {
  libvirtEndpoint?: string;
  baseImages: string[];
  trunkNic?: string;
  bridgeDriver: 'linux' | 'ovs' | 'none';
  ovsBridge: string;
  ovsdb?: string;
  imageDir?: string;
  nicModel?: string;
}

/** Comma- or whitespace-separated base image names, each checked. */
export function parseBaseImages(value: string | undefined): string[] {
  const names = (value ?? '').split(/[,\s]+/).filter(Boolean);
  for (const n of names) if (!DOMAIN_NAME_PATTERN.test(n)) throw new ConfigError(`[headnode] base_imgs: "${n}" is not a valid image name (pattern ${DOMAIN_NAME_PATTERN.source})`);
  return [...new Set(names)];
}

export function headnodeSettings(cfg: HilConfig | undefined): HeadnodeSettings {
  const get = (k: string) => cfgGet(cfg, 'headnode', k) || undefined;
  const driver = get('bridge_driver') ?? 'linux';
  if (driver !== 'linux' && driver !== 'ovs' && driver !== 'none') throw new ConfigError(`[headnode] bridge_driver "${driver}": expected linux, ovs or none`);
  const s: HeadnodeSettings = {
    libvirtEndpoint: get('libvirt_endpoint'),
    baseImages: parseBaseImages(get('base_imgs')),
    trunkNic: get('trunk_nic'),
    bridgeDriver: driver,
    ovsBridge: get('ovs_bridge') ?? 'br-trunk',
    ovsdb: get('ovsdb'),
    imageDir: get('image_dir'),
    nicModel: get('nic_model'),
  };
  if (s.imageDir !== undefined && !/^\/[A-Za-z0-9._/-]{0,250}$/.test(s.imageDir)) throw new ConfigError(`[headnode] image_dir "${s.imageDir}": expected an absolute path of letters, digits and ._/-`);
  if (s.nicModel !== undefined && !/^[a-z0-9_-]{1,32}$/.test(s.nicModel)) throw new ConfigError(`[headnode] nic_model "${s.nicModel}": expected e.g. virtio or e1000`);
  return s;
}

/** The bridge driver the settings name (undefined for `none`); configuration errors as ConfigError. */
export function bridgeDriverFrom(s: HeadnodeSettings, opts: { forCreateBridges?: boolean } = {}): BridgeDriver | undefined {
  try {
    if (s.bridgeDriver === 'none' && !opts.forCreateBridges) return undefined;
    if (s.bridgeDriver === 'ovs') return new OvsBridgeDriver({ parent: s.ovsBridge, trunkNic: s.trunkNic, db: s.ovsdb });
    if (!s.trunkNic) throw new ConfigError('[headnode] trunk_nic is required for bridge_driver linux (the NIC that carries the VLANs)');
    return new LinuxBridgeDriver({ trunkNic: s.trunkNic });
  } catch (err) {
    if (err instanceof BridgeError) throw new ConfigError(err.message);
    throw err;
  }
}
