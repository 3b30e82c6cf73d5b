// The libvirt headnode driver, through the @unraid/libvirt binding (a native addon, an optional dependency: imported
// on first use, with a clear error when it is missing). One long-lived connection per driver (libvirt's test:///default
// keeps its state only as long as its connection), reopened after a failure.
//
// Clone = the base domain's inactive XML with a new name, no uuid, our <title>/<metadata>, our interfaces, a VNC
// console on autoport, and each file-backed disk copied with `qemu-img convert` next to the base disk (or into
// `imageDir`) as `<domain>-<target>.qcow2` — what virt-clone does, without its Python. The copies are listed in the
// domain's metadata; remove() deletes exactly those.
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  assertPattern,
  DOMAIN_NAME_PATTERN,
  HeadnodeDriverError,
  interfacesMatch,
  validateSpec,
  type DomainInfo,
  type DomainSpec,
  type DomainState,
  type HeadnodeDriver,
} from '../headnode-driver.js';
import {
  baseNicModel,
  cloneXml,
  parseFileDisks,
  parseInterfaces,
  parseOwnedDisks,
  parseVncPort,
  replaceInterfaces,
} from './domain-xml.js';

export interface LibvirtDriverOptions {
  /** libvirt connection URI (hil.cfg [headnode] libvirt_endpoint), e.g. qemu:///system or test:///default. */
  uri: string;
  /** Where disk copies go; default: beside each base disk. */
  imageDir?: string;
  /** NIC model when the base image has no interface to copy it from (default virtio). */
  nicModel?: string;
  /** VNC listen address of consoles we add (default 127.0.0.1). */
  vncListen?: string;
  /** Per-call timeout (ms) for qemu-img. Default 120 000. */
  toolTimeoutMs?: number;
}

// The binding's types, reduced to what we use (it is optional: no static import).
type Dom = object;
export interface Hv {
  connectOpen(): Promise<void>;
  connectClose(): Promise<void>;
  connectListAllDomains(flags?: number): Promise<Dom[]>;
  domainDefineXML(xml: string): Promise<Dom>;
  domainLookupByName(name: string): Promise<Dom>;
  domainCreate(d: Dom): Promise<void>;
  domainDestroy(d: Dom): Promise<void>;
  domainResume(d: Dom): Promise<void>;
  domainSuspend(d: Dom): Promise<void>;
  domainUndefine(d: Dom): Promise<void>;
  domainGetInfo(d: Dom): Promise<{ state: number }>;
  domainGetName(d: Dom): Promise<string>;
  domainGetUUIDString(d: Dom): Promise<string>;
  domainGetXMLDesc(d: Dom, flags?: number): Promise<string>;
}

const XML_INACTIVE = 2;
const STATES: Record<number, DomainState> = {
  1: 'running',
  2: 'running',
  3: 'paused',
  4: 'running',
  5: 'shutoff',
  6: 'shutoff',
  7: 'paused',
};

let bindingLoad: Promise<{ Hypervisor: new (o: { uri: string }) => Hv }> | undefined;
/**
 * Named through a variable so that TypeScript does not resolve it: the binding is an optional dependency that does not
 * build without libvirt-dev, and `npm run build` (the quick start) must work without it. Its shape is `Hv` above.
 */
const BINDING: string = '@unraid/libvirt';

/** The binding, or Unavailable with what to install. */
export async function loadBinding(): Promise<{ Hypervisor: new (o: { uri: string }) => Hv }> {
  bindingLoad ??= (import(BINDING) as Promise<{ Hypervisor: new (o: { uri: string }) => Hv }>).catch((err: Error) => {
    bindingLoad = undefined;
    throw new HeadnodeDriverError(
      'Unavailable',
      `the libvirt binding @unraid/libvirt is not installed or did not load (${err.message.split('\n')[0]}); install libvirt-dev and pkg-config, then npm install (see docs/headnodes.md)`,
      { cause: err },
    );
  });
  return bindingLoad;
}

function isNoDomain(err: unknown): boolean {
  return /domain not found|no domain with matching/i.test((err as Error)?.message ?? '');
}

function qemuImg(): string {
  return ['/usr/bin/qemu-img', '/usr/local/bin/qemu-img'].find((p) => existsSync(p)) ?? 'qemu-img';
}

/** Disk target names (vda, sdb, hdc, xvda…). */
const DISK_TARGET = /^[a-z]{2,4}[a-z0-9]{0,4}$/;

export class LibvirtHeadnodeDriver implements HeadnodeDriver {
  readonly kind = 'libvirt';
  private conn?: Promise<Hv>;
  /** One libvirt operation at a time per domain name (the controller already serialises per headnode; this guards the rest). */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly o: LibvirtDriverOptions) {
    if (!/^[a-z][a-z0-9+]*:\/\/[A-Za-z0-9._:@[\]%~/-]*(\?[A-Za-z0-9._=&%/-]*)?$/.test(o.uri)) {
      throw new HeadnodeDriverError(
        'InvalidValue',
        `libvirt URI ${JSON.stringify(o.uri)} is not allowed (expected e.g. qemu:///system)`,
      );
    }
  }

  get uri(): string {
    return this.o.uri;
  }

  private hv(): Promise<Hv> {
    this.conn ??= (async () => {
      const { Hypervisor } = await loadBinding();
      const h = new Hypervisor({ uri: this.o.uri });
      try {
        await h.connectOpen();
      } catch (err) {
        throw new HeadnodeDriverError('LibvirtError', `cannot connect to ${this.o.uri}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      return h;
    })().catch((err) => {
      this.conn = undefined;
      throw err;
    });
    return this.conn;
  }

  /** Runs a libvirt call; a failure that is not about the domain drops the connection so the next call reconnects. */
  private async call<T>(what: string, fn: (h: Hv) => Promise<T>): Promise<T> {
    const h = await this.hv();
    try {
      return await fn(h);
    } catch (err) {
      if (err instanceof HeadnodeDriverError) throw err;
      const msg = (err as Error)?.message ?? String(err);
      if (/connection|closed|broken pipe|end of file|not connected/i.test(msg)) {
        this.conn = undefined;
        h.connectClose().catch(() => undefined);
      }
      if (isNoDomain(err)) throw err;
      throw new HeadnodeDriverError('LibvirtError', `${what}: ${msg}`, { cause: err });
    }
  }

  private async lookup(name: string): Promise<Dom | undefined> {
    try {
      return await this.call(`look up domain ${name}`, (h) => h.domainLookupByName(name));
    } catch (err) {
      if (isNoDomain(err)) return undefined;
      throw err;
    }
  }

  private async serial<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(name) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    this.locks.set(name, next);
    try {
      return await next;
    } finally {
      if (this.locks.get(name) === next) this.locks.delete(name);
    }
  }

  /**
   * Runs `fn` with this driver's open connection (the binding's Hypervisor). For tools and tests: on test:///default
   * the state lives in this connection, so a test defines its base image through it.
   */
  async withConnection<T>(fn: (h: Hv) => Promise<T>): Promise<T> {
    return fn(await this.hv());
  }

  async listDomains(): Promise<string[]> {
    return this.call('list domains', async (h) =>
      Promise.all((await h.connectListAllDomains()).map((d) => h.domainGetName(d))),
    );
  }

  async inspect(name: string): Promise<DomainInfo | undefined> {
    assertPattern(name, DOMAIN_NAME_PATTERN, 'domain name');
    const d = await this.lookup(name);
    if (!d) return undefined;
    return this.describe(name, d);
  }

  private async describe(name: string, d: Dom): Promise<DomainInfo> {
    return this.call(`inspect domain ${name}`, async (h) => {
      const [info, uuid, xml] = await Promise.all([
        h.domainGetInfo(d),
        h.domainGetUUIDString(d),
        h.domainGetXMLDesc(d),
      ]);
      const state = STATES[info.state] ?? 'other';
      return {
        name,
        uuid,
        state,
        vncPort: state === 'running' ? parseVncPort(xml) : undefined,
        interfaces: parseInterfaces(xml).map(({ bridge, mac, target }) => ({ bridge, mac, target })),
        disks: parseOwnedDisks(xml),
      };
    });
  }

  async ensure(spec: DomainSpec): Promise<{ info: DomainInfo; action: 'created' | 'updated' | 'none' }> {
    validateSpec(spec);
    return this.serial(spec.name, async () => {
      const existing = await this.lookup(spec.name);
      if (existing) {
        const info = await this.describe(spec.name, existing);
        if (interfacesMatch(info, spec) || info.state !== 'shutoff') return { info, action: 'none' as const };
        // Shut off and its NICs differ: redefine with the same uuid and the spec's interfaces.
        const xml = await this.call(`read domain ${spec.name}`, (h) => h.domainGetXMLDesc(existing, XML_INACTIVE));
        const next = replaceInterfaces(
          xml,
          spec.interfaces,
          spec.bridgeKind,
          baseNicModel(xml, this.o.nicModel ?? 'virtio'),
        );
        const d = await this.call(`redefine domain ${spec.name}`, (h) => h.domainDefineXML(next));
        return { info: await this.describe(spec.name, d), action: 'updated' as const };
      }
      return { info: await this.clone(spec), action: 'created' as const };
    });
  }

  private async clone(spec: DomainSpec): Promise<DomainInfo> {
    const base = await this.lookup(spec.baseImage);
    if (!base)
      throw new HeadnodeDriverError(
        'BaseImageNotFound',
        `base image "${spec.baseImage}" is not a domain on ${this.o.uri}`,
      );
    const baseInfo = await this.call(`inspect base image ${spec.baseImage}`, (h) => h.domainGetInfo(base));
    if (STATES[baseInfo.state] !== 'shutoff') {
      throw new HeadnodeDriverError(
        'BaseImageRunning',
        `base image "${spec.baseImage}" is running; a base image must be shut off to be cloned`,
      );
    }
    const baseXml = await this.call(`read base image ${spec.baseImage}`, (h) => h.domainGetXMLDesc(base, XML_INACTIVE));
    const disks = new Map<string, string>();
    const made: string[] = [];
    try {
      for (const disk of parseFileDisks(baseXml)) {
        assertPattern(disk.target, DISK_TARGET, 'disk target');
        if (!existsSync(disk.file))
          throw new HeadnodeDriverError(
            'LibvirtError',
            `disk ${disk.file} of base image "${spec.baseImage}" does not exist`,
          );
        const dir = this.o.imageDir ?? dirname(disk.file);
        const to = join(dir, `${spec.name}-${disk.target}.qcow2`);
        if (basename(to) !== `${spec.name}-${disk.target}.qcow2`)
          throw new HeadnodeDriverError('InvalidValue', `bad disk path ${to}`);
        rmSync(to, { force: true }); // a copy left by a clone that failed half-way (its name is ours alone)
        await this.run(qemuImg(), [
          'convert',
          '-q',
          ...(disk.format && /^[a-z0-9]{1,16}$/.test(disk.format) ? ['-f', disk.format] : []),
          '-O',
          'qcow2',
          disk.file,
          to,
        ]);
        made.push(to);
        disks.set(disk.file, to);
      }
      const xml = cloneXml(baseXml, {
        name: spec.name,
        title: `HIL headnode ${spec.headnode}`,
        headnode: spec.headnode,
        uid: spec.uid,
        interfaces: spec.interfaces,
        bridgeKind: spec.bridgeKind,
        nicModel: baseNicModel(baseXml, this.o.nicModel ?? 'virtio'),
        disks,
        vncListen: this.o.vncListen ?? '127.0.0.1',
      });
      const d = await this.call(`define domain ${spec.name}`, (h) => h.domainDefineXML(xml));
      return await this.describe(spec.name, d);
    } catch (err) {
      for (const f of made) rmSync(f, { force: true });
      throw err;
    }
  }

  async start(name: string): Promise<boolean> {
    assertPattern(name, DOMAIN_NAME_PATTERN, 'domain name');
    return this.serial(name, async () => {
      const d = await this.lookup(name);
      if (!d) throw new HeadnodeDriverError('LibvirtError', `domain ${name} does not exist`);
      const st = STATES[(await this.call(`inspect domain ${name}`, (h) => h.domainGetInfo(d))).state];
      if (st === 'running') return false;
      if (st === 'paused') await this.call(`resume domain ${name}`, (h) => h.domainResume(d));
      else await this.call(`start domain ${name}`, (h) => h.domainCreate(d));
      return true;
    });
  }

  async stop(name: string): Promise<boolean> {
    assertPattern(name, DOMAIN_NAME_PATTERN, 'domain name');
    return this.serial(name, async () => {
      const d = await this.lookup(name);
      if (!d) return false;
      const st = STATES[(await this.call(`inspect domain ${name}`, (h) => h.domainGetInfo(d))).state];
      if (st === 'shutoff') return false;
      await this.call(`stop domain ${name}`, (h) => h.domainDestroy(d));
      return true;
    });
  }

  async remove(name: string): Promise<boolean> {
    assertPattern(name, DOMAIN_NAME_PATTERN, 'domain name');
    return this.serial(name, async () => {
      const d = await this.lookup(name);
      if (!d) return false;
      const xml = await this.call(`read domain ${name}`, (h) => h.domainGetXMLDesc(d, XML_INACTIVE));
      const st = STATES[(await this.call(`inspect domain ${name}`, (h) => h.domainGetInfo(d))).state];
      if (st !== 'shutoff') await this.call(`stop domain ${name}`, (h) => h.domainDestroy(d));
      await this.call(`undefine domain ${name}`, (h) => h.domainUndefine(d));
      // Only the files we made for this domain: named after it, and listed in its metadata.
      for (const f of parseOwnedDisks(xml)) if (basename(f).startsWith(`${name}-`)) rmSync(f, { force: true });
      return true;
    });
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = undefined;
    if (c) await (await c.catch(() => undefined))?.connectClose().catch(() => undefined);
  }

  private run(cmd: string, args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(cmd, args, { timeout: this.o.toolTimeoutMs ?? 120_000 }, (err, stdout, stderr) => {
        if (err) {
          const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
          reject(
            new HeadnodeDriverError(
              missing ? 'Unavailable' : 'LibvirtError',
              missing
                ? `${cmd} not found (apt-get install qemu-utils)`
                : `${basename(cmd)} ${args[0]} failed: ${String(stderr).trim() || err.message}`,
            ),
          );
        } else resolve(stdout);
      });
    });
  }
}
