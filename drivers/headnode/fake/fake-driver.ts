// An in-memory headnode driver for fast unit tests of the controller: domains in a Map, base images given at
// construction, failures injectable per operation. Same contract as the libvirt driver (headnode-driver.ts).
import { randomUUID } from 'node:crypto';
import {
  HeadnodeDriverError,
  interfacesMatch,
  validateSpec,
  type DomainInfo,
  type DomainSpec,
  type HeadnodeDriver,
} from '../headnode-driver.js';

interface FakeDomain {
  info: DomainInfo;
  base: boolean;
}

export class FakeHeadnodeDriver implements HeadnodeDriver {
  readonly kind = 'fake';
  readonly domains = new Map<string, FakeDomain>();
  /** Every mutating call, e.g. "create hil-headnode-…", "start …". */
  readonly calls: string[] = [];
  /** Make the next call of this operation fail with this error. */
  failNext: Partial<Record<'ensure' | 'start' | 'stop' | 'remove' | 'inspect', HeadnodeDriverError>> = {};
  private nextVnc = 5900;

  constructor(baseImages: string[] = ['base']) {
    for (const b of baseImages)
      this.domains.set(b, {
        base: true,
        info: { name: b, uuid: randomUUID(), state: 'shutoff', interfaces: [], disks: [] },
      });
  }

  private fail(op: keyof FakeHeadnodeDriver['failNext']): void {
    const e = this.failNext[op];
    if (e) {
      delete this.failNext[op];
      throw e;
    }
  }

  async listDomains(): Promise<string[]> {
    return [...this.domains.keys()];
  }

  async inspect(name: string): Promise<DomainInfo | undefined> {
    this.fail('inspect');
    const d = this.domains.get(name);
    return d ? structuredClone(d.info) : undefined;
  }

  async ensure(spec: DomainSpec): Promise<{ info: DomainInfo; action: 'created' | 'updated' | 'none' }> {
    validateSpec(spec);
    this.fail('ensure');
    const d = this.domains.get(spec.name);
    const ifaces = spec.interfaces.map((i) => ({ bridge: i.bridge, mac: i.mac }));
    if (d) {
      if (interfacesMatch(d.info, spec) || d.info.state !== 'shutoff')
        return { info: structuredClone(d.info), action: 'none' };
      d.info.interfaces = ifaces;
      this.calls.push(`update ${spec.name}`);
      return { info: structuredClone(d.info), action: 'updated' };
    }
    const base = this.domains.get(spec.baseImage);
    if (!base?.base)
      throw new HeadnodeDriverError('BaseImageNotFound', `base image "${spec.baseImage}" is not a domain on fake://`);
    const info: DomainInfo = {
      name: spec.name,
      uuid: randomUUID(),
      state: 'shutoff',
      interfaces: ifaces,
      disks: [`/fake/${spec.name}-vda.qcow2`],
    };
    this.domains.set(spec.name, { base: false, info });
    this.calls.push(`create ${spec.name}`);
    return { info: structuredClone(info), action: 'created' };
  }

  async start(name: string): Promise<boolean> {
    this.fail('start');
    const d = this.domains.get(name);
    if (!d) throw new HeadnodeDriverError('LibvirtError', `domain ${name} does not exist`);
    if (d.info.state === 'running') return false;
    d.info.state = 'running';
    d.info.vncPort = this.nextVnc++;
    this.calls.push(`start ${name}`);
    return true;
  }

  async stop(name: string): Promise<boolean> {
    this.fail('stop');
    const d = this.domains.get(name);
    if (!d || d.info.state === 'shutoff') return false;
    d.info.state = 'shutoff';
    delete d.info.vncPort;
    this.calls.push(`stop ${name}`);
    return true;
  }

  async remove(name: string): Promise<boolean> {
    this.fail('remove');
    if (!this.domains.delete(name)) return false;
    this.calls.push(`remove ${name}`);
    return true;
  }

  async close(): Promise<void> {}
}
