// HIL names ("labels") are free text: capitals, underscores, spaces, dots, port names with slashes. Resource names
// are DNS-1123 subdomains and NIC names are tokens. This is the one mapping between the two, used by every v0 call:
//
//   * A HIL name that already is a valid resource name, and does not end like a mapped name (`--` and ten
//     base32 characters), is used as it is: `runway` is Project `runway`.
//   * Any other HIL name becomes a slug of it (lower case, every run of other characters one `-`, cut to fit)
//     followed by `--` and the first ten base32 characters of the SHA-256 of the HIL name:
//     `Runway Lab` → `runway-lab--<hash>`. The HIL name is kept in the object's `hil.io/hil-name` annotation.
//
// So the mapping is deterministic (a v0 call finds its object without a search), the two forms never meet (kept
// names never end like a mapped one), and two mapped names differ whenever their HIL names do, barring a 50-bit
// hash collision — which the v0 layer detects (the object found carries another HIL name) and refuses rather
// than merges. Ports are named from (switch, port) and attachments from (node, nic, network) the same way; the
// port's HIL name is its `spec.interface`.
import { createHash } from 'node:crypto';
import { HIL_HNIC_NAMES_ANNOTATION } from '../../api/v1alpha1/annotations.js';
import type { KObject } from '../object.js';

export const HIL_NAME_ANNOTATION = 'hil.io/hil-name';
/** On a Node: JSON map of NIC name → HIL NIC label, for NICs whose HIL label is not a valid NIC name. */
export const HIL_NIC_NAMES_ANNOTATION = 'hil.io/hil-nic-names';
/** The same on a Headnode, for its hnics (spec.hnics[].name, the same token rule as NIC names). */
export { HIL_HNIC_NAMES_ANNOTATION };

/** Where an object keeps its NICs: a Node's spec.nics, a Headnode's spec.hnics, each with its label annotation. */
export type NicList = 'nics' | 'hnics';
const NIC_ANNOTATION: Record<NicList, string> = { nics: HIL_NIC_NAMES_ANNOTATION, hnics: HIL_HNIC_NAMES_ANNOTATION };

const MAX = 63;
const HASH_CHARS = 10;
const MAPPED = new RegExp(`--[a-z2-7]{${HASH_CHARS}}$`);
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const TOKEN = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;

function base32(buf: Buffer): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

function hashOf(text: string): string {
  return base32(createHash('sha256').update(text, 'utf8').digest()).slice(0, HASH_CHARS);
}

function mapped(slug: string, hashInput: string): string {
  const room = MAX - 2 - HASH_CHARS;
  let s = slug.slice(0, room).replace(/[^A-Za-z0-9]+$/, '');
  if (s === '') s = 'x';
  return `${s}--${hashOf(hashInput)}`;
}

/** Whether a name has the shape of a mapped name (and so is never used as a HIL name unchanged). */
export function looksMapped(name: string): boolean {
  return MAPPED.test(name);
}

/** Whether a HIL name is used unchanged as a resource name. */
export function isKeptName(hilName: string): boolean {
  return hilName.length <= MAX && SUBDOMAIN.test(hilName) && !looksMapped(hilName);
}

/** The resource name of the object a HIL name names (Project, Node, Network, Switch, User). */
export function resourceName(hilName: string): string {
  if (isKeptName(hilName)) return hilName;
  const slug = hilName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '');
  return mapped(slug, hilName);
}

/** The NIC name (spec.nics[].name, a token) for a HIL NIC label. */
export function nicName(hilLabel: string): string {
  if (hilLabel.length <= MAX && TOKEN.test(hilLabel) && !looksMapped(hilLabel)) return hilLabel;
  const slug = hilLabel.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return mapped(slug, hilLabel);
}

/** The name of an object identified by several HIL names (a Port by switch and port; an attachment by node, nic, network). Always hashed. */
export function compositeName(parts: string[]): string {
  const slug = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '');
  return mapped(slug, JSON.stringify(parts));
}

/** The HIL name of an object: the annotation when the v0 layer made it under a mapped name, else its name. */
export function hilNameOf(o: KObject): string {
  return o.metadata.annotations?.[HIL_NAME_ANNOTATION] ?? o.metadata.name!;
}

/** Annotations to store on an object made from a HIL name (none when the name is kept as it is). */
export function hilNameAnnotations(hilName: string): Record<string, string> | undefined {
  return isKeptName(hilName) ? undefined : { [HIL_NAME_ANNOTATION]: hilName };
}

function nicLabelMap(o: KObject, list: NicList): Record<string, string> {
  try {
    const m = JSON.parse(o.metadata.annotations?.[NIC_ANNOTATION[list]] ?? '{}');
    return m && typeof m === 'object' ? m : {};
  } catch {
    return {}; // a hand-edited annotation that is not JSON: NIC names stand for themselves
  }
}

/** The HIL label of each NIC of a node (or hnic of a headnode), by NIC name. */
export function hilNicLabels(node: KObject, list: NicList = 'nics'): Map<string, string> {
  const extra = nicLabelMap(node, list);
  const out = new Map<string, string>();
  for (const nic of ((node.spec as any)?.[list] ?? []) as { name: string }[])
    out.set(nic.name, Object.hasOwn(extra, nic.name) ? extra[nic.name] : nic.name);
  return out;
}

/**
 * The patch of an object's NIC-label annotation after a NIC is added (`label`) or removed (`label` undefined):
 * `{annotation: value}`, the value null once no NIC needs it.
 */
export function nicLabelsPatch(o: KObject, list: NicList, name: string, label?: string): Record<string, string | null> {
  const m = nicLabelMap(o, list);
  if (label !== undefined && label !== name) m[name] = label;
  else delete m[name];
  return { [NIC_ANNOTATION[list]]: Object.keys(m).length ? JSON.stringify(m) : null };
}
