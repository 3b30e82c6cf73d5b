// Edits of libvirt domain XML for cloning a base image into a headnode. libvirt writes its XML in one regular form
// (its own formatter), and we change only whole elements we know (name, uuid, title, metadata, interface, disk
// source, graphics), so targeted edits are enough and keep everything else of the base image untouched. Every value
// inserted here was validated (drivers/headnode/headnode-driver.ts) and is XML-escaped anyway.
import type { BridgeKind, DomainInterfaceSpec } from '../headnode-driver.js';

export const HIL_XMLNS = 'https://hil.io/xmlns/headnode/v1';

export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}=(?:'([^']*)'|"([^"]*)")`).exec(tag);
  const v = m ? (m[1] ?? m[2]) : undefined;
  return v
    ?.replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The <devices> body's elements of one tag name (whole elements, `<x .../>` or `<x ...>…</x>`; not nested in themselves). */
function elements(xml: string, tag: string): { text: string; index: number }[] {
  const re = new RegExp(`<${tag}(\\s[^>]*)?(/>|>[\\s\\S]*?</${tag}>)`, 'g');
  return [...xml.matchAll(re)].map((m) => ({ text: m[0], index: m.index }));
}

export interface ParsedInterface {
  type?: string;
  bridge?: string;
  mac?: string;
  target?: string;
}

export function parseInterfaces(xml: string): ParsedInterface[] {
  return elements(xml, 'interface').map(({ text }) => {
    const open = /^<interface[^>]*>/.exec(text)?.[0] ?? '';
    const src = /<source\s[^>]*>/.exec(text)?.[0];
    const mac = /<mac\s[^>]*>/.exec(text)?.[0];
    const target = /<target\s[^>]*>/.exec(text)?.[0];
    return {
      type: attr(open, 'type'),
      bridge: src ? attr(src, 'bridge') : undefined,
      mac: mac ? attr(mac, 'address')?.toLowerCase() : undefined,
      target: target ? attr(target, 'dev') : undefined,
    };
  });
}

/** The VNC port of a running domain (libvirt fills `port` when autoport assigns one; -1 before). */
export function parseVncPort(xml: string): number | undefined {
  for (const { text } of elements(xml, 'graphics')) {
    const open = /^<graphics[^>]*>/.exec(text)![0];
    if (attr(open, 'type') !== 'vnc') continue;
    const port = Number(attr(open, 'port'));
    if (Number.isInteger(port) && port > 0 && port <= 65535) return port;
  }
  return undefined;
}

export interface ParsedDisk {
  /** `<target dev>`, e.g. vda. */
  target: string;
  file: string;
  /** `<driver type>`, e.g. qcow2 or raw. */
  format?: string;
  text: string;
}

/** File-backed disks (device='disk'; cdroms and floppies are shared, not copied). */
export function parseFileDisks(xml: string): ParsedDisk[] {
  const out: ParsedDisk[] = [];
  for (const { text } of elements(xml, 'disk')) {
    const open = /^<disk[^>]*>/.exec(text)![0];
    if (attr(open, 'type') !== 'file' || (attr(open, 'device') ?? 'disk') !== 'disk') continue;
    const src = /<source\s[^>]*>/.exec(text)?.[0];
    const tgt = /<target\s[^>]*>/.exec(text)?.[0];
    const drv = /<driver\s[^>]*>/.exec(text)?.[0];
    const file = src ? attr(src, 'file') : undefined;
    const target = tgt ? attr(tgt, 'dev') : undefined;
    if (file && target) out.push({ target, file, format: drv ? attr(drv, 'type') : undefined, text });
  }
  return out;
}

/** Disk files recorded in our metadata (the ones we created, and so may delete). */
export function parseOwnedDisks(xml: string): string[] {
  const meta = /<hil:headnode\b[\s\S]*?<\/hil:headnode>/.exec(xml)?.[0] ?? '';
  return [...meta.matchAll(/<hil:disk>([^<]*)<\/hil:disk>/g)].map((m) =>
    m[1]
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&apos;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&'),
  );
}

export function interfaceXml(i: DomainInterfaceSpec, bridgeKind: BridgeKind, model: string): string {
  return [
    `    <interface type='bridge'>`,
    `      <mac address='${xmlEscape(i.mac)}'/>`,
    `      <source bridge='${xmlEscape(i.bridge)}'/>`,
    ...(bridgeKind === 'ovs' ? [`      <virtualport type='openvswitch'/>`] : []),
    `      <model type='${xmlEscape(model)}'/>`,
    `    </interface>`,
  ].join('\n');
}

/** Replaces every <interface> of a domain with these (inserted before </devices>). */
export function replaceInterfaces(
  xml: string,
  interfaces: readonly DomainInterfaceSpec[],
  bridgeKind: BridgeKind,
  model: string,
): string {
  let out = xml.replace(/[ \t]*<interface(\s[^>]*)?(\/>|>[\s\S]*?<\/interface>)\n?/g, '');
  const body = interfaces.map((i) => interfaceXml(i, bridgeKind, model)).join('\n');
  if (!/<\/devices>/.test(out)) out = out.replace(/<\/domain>/, '  <devices>\n  </devices>\n</domain>');
  return body ? out.replace(/([ \t]*)<\/devices>/, `${body}\n$1</devices>`) : out;
}

/** The NIC model of the base image's first interface (so the guest's drivers match), else `fallback`. */
export function baseNicModel(xml: string, fallback: string): string {
  const first = elements(xml, 'interface')[0]?.text;
  const m = first ? /<model\s[^>]*>/.exec(first)?.[0] : undefined;
  const t = m ? attr(m, 'type') : undefined;
  return t && /^[a-z0-9_-]{1,32}$/.test(t) ? t : fallback;
}

export interface CloneEdits {
  name: string;
  title: string;
  headnode: string;
  uid: string;
  interfaces: readonly DomainInterfaceSpec[];
  bridgeKind: BridgeKind;
  nicModel: string;
  /** base disk file → the clone's file */
  disks: ReadonlyMap<string, string>;
  vncListen: string;
}

/** The base image's inactive XML → the headnode's XML. */
export function cloneXml(baseXml: string, e: CloneEdits): string {
  let x = baseXml;
  x = x.replace(/^(\s*<domain\b[^>]*?)\s+id=(?:'[^']*'|"[^"]*")/, '$1');
  x = x.replace(/<name>[^<]*<\/name>/, `<name>${xmlEscape(e.name)}</name>`);
  x = x.replace(/[ \t]*<uuid>[^<]*<\/uuid>\n?/, '');
  x = x.replace(/[ \t]*<title>[^<]*<\/title>\n?/, '');
  x = x.replace(/[ \t]*<metadata>[\s\S]*?<\/metadata>\n?/, '');
  x = x.replace(/[ \t]*<metadata\/>\n?/, '');
  const meta = [
    `  <title>${xmlEscape(e.title)}</title>`,
    `  <metadata>`,
    `    <hil:headnode xmlns:hil="${HIL_XMLNS}">`,
    `      <hil:name>${xmlEscape(e.headnode)}</hil:name>`,
    `      <hil:uid>${xmlEscape(e.uid)}</hil:uid>`,
    ...[...e.disks.values()].map((d) => `      <hil:disk>${xmlEscape(d)}</hil:disk>`),
    ...e.interfaces.map((i) => `      <hil:hnic name="${xmlEscape(i.hnic)}" mac="${xmlEscape(i.mac)}"/>`),
    `    </hil:headnode>`,
    `  </metadata>`,
  ].join('\n');
  x = x.replace(/(<name>[^<]*<\/name>\n?)/, `$1${meta}\n`);
  // Disks: point each copied file disk at its copy.
  for (const d of parseFileDisks(baseXml)) {
    const to = e.disks.get(d.file);
    if (!to) continue;
    const edited = d.text
      .replace(/(<source\b[^>]*?\sfile=)(?:'[^']*'|"[^"]*")/, `$1'${xmlEscape(to)}'`)
      .replace(/(<driver\b[^>]*?\stype=)(?:'[^']*'|"[^"]*")/, `$1'qcow2'`);
    // The copy is qcow2: say so (without a <driver type>, QEMU would read it as raw).
    x = x.replace(
      d.text,
      /<driver\b/.test(edited) ? edited : edited.replace(/^(<disk[^>]*>)/, `$1<driver name='qemu' type='qcow2'/>`),
    );
  }
  // VNC: autoport (a fixed port would collide between clones); add one if the base has no console.
  const vnc = elements(x, 'graphics').find((g) => attr(/^<graphics[^>]*>/.exec(g.text)![0], 'type') === 'vnc');
  if (vnc) {
    const open = /^<graphics[^>]*>/.exec(vnc.text)![0];
    const fixed = open
      .replace(/\sport=(?:'[^']*'|"[^"]*")/, '')
      .replace(/\sautoport=(?:'[^']*'|"[^"]*")/, '')
      .replace(/^<graphics/, `<graphics port='-1' autoport='yes'`);
    x = x.replace(open, fixed);
  } else {
    x = x.replace(
      /([ \t]*)<\/devices>/,
      `    <graphics type='vnc' port='-1' autoport='yes' listen='${xmlEscape(e.vncListen)}'/>\n$1</devices>`,
    );
  }
  return replaceInterfaces(x, e.interfaces, e.bridgeKind, e.nicModel);
}
