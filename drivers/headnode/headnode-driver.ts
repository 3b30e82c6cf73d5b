// The headnode driver: the one interface the headnode controller talks to. A headnode is a VM ("domain") cloned from
// an administrator's base image, with one virtual NIC per connected hnic on a host bridge (br-vlan<N>). The
// controller computes a DomainSpec from the Headnode and its networks; the driver makes the hypervisor match it.
// Implementations: `libvirt` (real, through the @unraid/libvirt binding; `test:///default` in fast tests, a real
// libvirtd + QEMU in the e2e) and `fake` (in memory, for unit tests of the controller). The controller never knows which.
//
// Contract:
//   - inspect(name)  → what exists (undefined when there is no such domain);
//   - ensure(spec)   → defines the domain if missing (clone of spec.baseImage: XML and disks), or brings a shut-off
//                      domain's interfaces in line with spec; never touches a running domain's definition;
//   - start / stop   → idempotent (starting a running domain, stopping a stopped one: no-op; a paused domain is
//                      resumed). stop is a hard power-off,
//                      as HIL's headnode_stop;
//   - remove(name)   → power off, undefine, delete the disks the driver created; no-op when already gone.
// Errors are HeadnodeDriverError with a reason the controller puts in a condition (libvirt's own message kept).
import { createHash } from 'node:crypto';

export type BridgeKind = 'linux' | 'ovs';

export interface DomainInterfaceSpec {
  /** The hnic this interface is for (recorded in the domain's metadata). */
  hnic: string;
  /** Host bridge, e.g. br-vlan100. */
  bridge: string;
  /** 52:54:00:xx:xx:xx, stable per headnode and hnic (see macFor). */
  mac: string;
}

export interface DomainSpec {
  /** libvirt domain name (see domainNameFor). */
  name: string;
  /** The Headnode's name and uid, recorded in <title> and <metadata> so a domain can be traced back. */
  headnode: string;
  uid: string;
  baseImage: string;
  interfaces: DomainInterfaceSpec[];
  /** Linux bridge (plain <interface type='bridge'>) or Open vSwitch (adds <virtualport type='openvswitch'/>). */
  bridgeKind: BridgeKind;
}

export type DomainState = 'running' | 'shutoff' | 'paused' | 'other';

export interface DomainInfo {
  name: string;
  uuid: string;
  state: DomainState;
  /** VNC port when running and known (libvirt's autoport), else undefined. */
  vncPort?: number;
  interfaces: { bridge?: string; mac?: string; target?: string }[];
  /** Disk files the driver created for this domain (deleted by remove). */
  disks: string[];
}

export interface HeadnodeDriver {
  readonly kind: string;
  /** Base images (domains) that exist on the hypervisor. */
  listDomains(): Promise<string[]>;
  inspect(name: string): Promise<DomainInfo | undefined>;
  ensure(spec: DomainSpec): Promise<{ info: DomainInfo; action: 'created' | 'updated' | 'none' }>;
  start(name: string): Promise<boolean>;
  stop(name: string): Promise<boolean>;
  remove(name: string): Promise<boolean>;
  close(): Promise<void>;
}

export type HeadnodeErrorReason =
  /** The base image (domain) does not exist on the hypervisor. */
  | 'BaseImageNotFound'
  /** The base image is running (HIL requires it powered off to be cloned). */
  | 'BaseImageRunning'
  /** A value failed validation before anything was sent. */
  | 'InvalidValue'
  /** The libvirt binding or a tool (qemu-img) is missing. */
  | 'Unavailable'
  /** libvirt (or a tool) refused: its message is in the error message. */
  | 'LibvirtError';

export class HeadnodeDriverError extends Error {
  override readonly name = 'HeadnodeDriverError';
  constructor(
    readonly reason: HeadnodeErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// ---- names and validation (every value that reaches libvirt XML, a file name or a command line) ----

/** libvirt domain names we create and accept as base images: letters, digits, `._-`, no leading dot or dash. */
export { DOMAIN_NAME_PATTERN } from '../../api/v1alpha1/names.js';
import { DOMAIN_NAME_PATTERN } from '../../api/v1alpha1/names.js';
/** Linux interface names (IFNAMSIZ 16: at most 15 characters). */
export const BRIDGE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/;
export const MAC_PATTERN = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
export const UID_PATTERN = /^[0-9a-fA-F-]{1,64}$/;
/** hnic names (the CRD's pattern). */
export const HNIC_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

function q(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export function assertPattern(value: unknown, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value))
    throw new HeadnodeDriverError('InvalidValue', `${what} ${q(value)} is not allowed (pattern ${pattern.source})`);
  return value;
}

export function validateSpec(spec: DomainSpec): void {
  assertPattern(spec.name, DOMAIN_NAME_PATTERN, 'domain name');
  assertPattern(spec.baseImage, DOMAIN_NAME_PATTERN, 'base image');
  assertPattern(spec.uid, UID_PATTERN, 'uid');
  assertPattern(spec.headnode, /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'headnode name');
  if (spec.bridgeKind !== 'linux' && spec.bridgeKind !== 'ovs')
    throw new HeadnodeDriverError('InvalidValue', `bridge kind ${q(spec.bridgeKind)}: expected linux or ovs`);
  const macs = new Set<string>();
  for (const i of spec.interfaces) {
    assertPattern(i.hnic, HNIC_PATTERN, 'hnic name');
    assertPattern(i.bridge, BRIDGE_NAME_PATTERN, 'bridge name');
    assertPattern(i.mac, MAC_PATTERN, 'MAC address');
    if (macs.has(i.mac)) throw new HeadnodeDriverError('InvalidValue', `MAC address ${i.mac} is used twice`);
    macs.add(i.mac);
  }
}

/** The libvirt domain of a Headnode: `hil-headnode-<uid>` (HIL used `headnode-<uuid>`; the uid makes it unique across re-creations). */
export function domainNameFor(uid: string): string {
  return `hil-headnode-${assertPattern(uid, UID_PATTERN, 'uid').toLowerCase()}`;
}

/** A locally administered, stable MAC per headnode and hnic: 52:54:00 (QEMU's prefix) + 3 bytes of sha256(uid/hnic). */
export function macFor(uid: string, hnic: string): string {
  const h = createHash('sha256').update(`${uid}/${hnic}`).digest();
  return ['52', '54', '00', ...[h[0], h[1], h[2]].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** Whether a domain's interfaces are exactly the spec's (bridge and MAC, in order). */
export function interfacesMatch(info: Pick<DomainInfo, 'interfaces'>, spec: Pick<DomainSpec, 'interfaces'>): boolean {
  if (info.interfaces.length !== spec.interfaces.length) return false;
  return spec.interfaces.every(
    (want, i) => info.interfaces[i]?.bridge === want.bridge && info.interfaces[i]?.mac?.toLowerCase() === want.mac,
  );
}
