// hil.cfg, section by section, as plain typed settings: the one place that knows the file's keys. Every part of the
// system (API server, controllers, create-bridges, auth backends) takes these settings, never the file; a new key
// is added here, and its error names the key. Flags and HIL_* variables are merged over them by the commands
// (apiserver/serve.ts, controllers/serve.ts), which say which flag overrides which key.
import { existsSync } from 'node:fs';
import { DOMAIN_NAME_PATTERN } from '../api/v1alpha1/names.js';
import { parseVlanList, VlanRangeError, type VlanSet } from '../api/v1alpha1/vlans.js';
import {
  authBackendOf,
  cfgBool,
  cfgGet,
  ConfigError,
  loadHilConfig,
  type AuthBackend,
  type HilConfig,
} from './hilcfg.js';

export { ConfigError, type HilConfig };

/** hil.cfg from --config, else ./hil.cfg if present (as HIL's tools do), else none (embedded defaults). */
export function readConfig(path: string | undefined): HilConfig | undefined {
  if (path) return loadHilConfig(path);
  if (existsSync('hil.cfg')) return loadHilConfig('hil.cfg');
  return undefined;
}

/** HOST:PORT, [IPV6]:PORT or PORT alone (host 127.0.0.1); the error names where the value came from. */
export function parseHostPort(
  value: string,
  source: string,
  example = '127.0.0.1:6443',
): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value) ?? /^()()(\d+)$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`${source} "${value}": expected HOST:PORT, e.g. ${example}`);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

/** A VLAN list (`100-110,200`) from a flag or a key; the error starts with `source`. */
export function vlanList(value: string, source: string): VlanSet {
  try {
    return parseVlanList(value);
  } catch (err) {
    if (err instanceof VlanRangeError) throw new ConfigError(`${source}: ${err.message}`);
    throw err;
  }
}

/** [hil.ext.network_allocators.vlan_pool] vlans: the VLANs the network controller hands out. */
export function vlanPoolSection(cfg: HilConfig | undefined): VlanSet | undefined {
  const vlans = cfgGet(cfg, 'hil.ext.network_allocators.vlan_pool', 'vlans');
  return vlans ? vlanList(vlans, '[hil.ext.network_allocators.vlan_pool] vlans') : undefined;
}

/** What the API server reads: [server], [database] uri, [general] log_level, [auth], [extensions] (as strings). */
export interface ServerSection {
  listen?: string;
  dataDir?: string;
  tlsCert?: string;
  tlsKey?: string;
  watchTimeout?: string;
  maxWatches?: string;
  maxWatchesPerUser?: string;
  databaseUri?: string;
  logLevel?: string;
  /** [auth] require_authentication (default true). */
  requireAuthentication: boolean;
  /** The auth backend [extensions] names. */
  authBackend?: AuthBackend;
}

export function serverSection(cfg: HilConfig | undefined): ServerSection {
  const server = (k: string) => cfgGet(cfg, 'server', k);
  let requireAuthentication: boolean;
  try {
    requireAuthentication = cfgBool(cfgGet(cfg, 'auth', 'require_authentication'), true);
  } catch (err) {
    throw new ConfigError(`[auth] require_authentication: ${(err as Error).message}`);
  }
  return {
    listen: server('listen'),
    dataDir: server('data_dir'),
    tlsCert: server('tls_cert'),
    tlsKey: server('tls_key'),
    watchTimeout: server('watch_timeout'),
    maxWatches: server('max_watches'),
    maxWatchesPerUser: server('max_watches_per_user'),
    databaseUri: cfgGet(cfg, 'database', 'uri'),
    logLevel: cfgGet(cfg, 'general', 'log_level'),
    requireAuthentication,
    authBackend: authBackendOf(cfg),
  };
}

/** [client] endpoint: where HIL's CLI (and the controller daemon, lacking better) finds the API. */
export function clientEndpoint(cfg: HilConfig | undefined): string | undefined {
  return cfgGet(cfg, 'client', 'endpoint') || undefined;
}

/** [hil.ext.auth.keystone] as HIL writes it (auth_url, username, password, project_name, …). */
export interface KeystoneSettings {
  authUrl: string;
  username: string;
  password: string;
  projectName: string;
  userDomain?: string;
  projectDomain?: string;
}

export function keystoneSection(cfg: HilConfig | undefined): KeystoneSettings {
  const get = (k: string) => cfgGet(cfg, 'hil.ext.auth.keystone', k);
  const missing = ['auth_url', 'username', 'password', 'project_name'].filter((k) => !get(k));
  if (missing.length)
    throw new ConfigError(`the keystone auth backend needs [hil.ext.auth.keystone] ${missing.join(', ')} in hil.cfg`);
  return {
    authUrl: get('auth_url')!,
    username: get('username')!,
    password: get('password')!,
    projectName: get('project_name')!,
    userDomain: get('user_domain_name'),
    projectDomain: get('project_domain_name'),
  };
}

// [headnode], as HIL has it plus our additions:
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
  for (const n of names)
    if (!DOMAIN_NAME_PATTERN.test(n))
      throw new ConfigError(
        `[headnode] base_imgs: "${n}" is not a valid image name (pattern ${DOMAIN_NAME_PATTERN.source})`,
      );
  return [...new Set(names)];
}

export function headnodeSection(cfg: HilConfig | undefined): HeadnodeSettings {
  const get = (k: string) => cfgGet(cfg, 'headnode', k) || undefined;
  const driver = get('bridge_driver') ?? 'linux';
  if (driver !== 'linux' && driver !== 'ovs' && driver !== 'none')
    throw new ConfigError(`[headnode] bridge_driver "${driver}": expected linux, ovs or none`);
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
  if (s.imageDir !== undefined && !/^\/[A-Za-z0-9._/-]{0,250}$/.test(s.imageDir))
    throw new ConfigError(
      `[headnode] image_dir "${s.imageDir}": expected an absolute path of letters, digits and ._/-`,
    );
  if (s.nicModel !== undefined && !/^[a-z0-9_-]{1,32}$/.test(s.nicModel))
    throw new ConfigError(`[headnode] nic_model "${s.nicModel}": expected e.g. virtio or e1000`);
  return s;
}

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** [maintenance]: HIL's maintenance pool — released nodes move to maintenance_project (and `url` is told). */
export function maintenanceSection(cfg: HilConfig | undefined): { project: string; url?: string } | undefined {
  const project = cfgGet(cfg, 'maintenance', 'maintenance_project') || undefined;
  const url = cfgGet(cfg, 'maintenance', 'url') || undefined;
  if (url && !project)
    throw new ConfigError('[maintenance] url is set but maintenance_project is not: set both, or neither');
  if (project && !DNS1123.test(project))
    throw new ConfigError(`[maintenance] maintenance_project "${project}" is not a valid project name`);
  if (url && !/^https?:\/\/[^\s]+$/.test(url))
    throw new ConfigError(`[maintenance] url "${url}" is not an http(s) URL`);
  return project ? { project, ...(url ? { url } : {}) } : undefined;
}

function int(section: string, key: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(`[${section}] ${key} "${v}": expected an integer from ${min} to ${max}`);
  return n;
}

/** [hil.ext.obm.ipmi]: ipmitool's knobs for every ipmi BMC — cipher_suite (-C), timeout (-N), retries (-R). */
export function ipmiSection(cfg: HilConfig | undefined): {
  cipherSuite?: number;
  timeoutSeconds?: number;
  retries?: number;
} {
  const S = 'hil.ext.obm.ipmi';
  const cipherSuite = int(S, 'cipher_suite', cfgGet(cfg, S, 'cipher_suite'), 0, 17);
  const timeoutSeconds = int(S, 'timeout', cfgGet(cfg, S, 'timeout'), 1, 60);
  const retries = int(S, 'retries', cfgGet(cfg, S, 'retries'), 1, 10);
  return {
    ...(cipherSuite !== undefined ? { cipherSuite } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    ...(retries !== undefined ? { retries } : {}),
  };
}
