// The headnode controller on libvirt's test driver (test:///default, in-process, one long-lived connection through the
// @unraid/libvirt binding): our API server in-process, the controllers in-process with the libvirt headnode driver.
// A base image (a test-driver domain with a real 1 MiB qcow2 disk made by qemu-img) is cloned into a headnode:
// create → Running with its hnic on br-vlan<N> of its network's VLAN, disk copied; a second pass changes nothing;
// stop; hnics frozen after start (409); a domain removed by hand is recreated within one resync; a missing base image
// and a missing network are reported in conditions; delete destroys the domain and removes its disk copy.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Headnode } from '../../api/v1alpha1/types.js';
import { parseVlanList } from '../../api/v1alpha1/vlans.js';
import { kubeConfigFor, startControllers, type RunningControllers } from '../../controllers/daemon.js';
import type { DomainSpec, HeadnodeDriver } from '../../drivers/headnode/headnode-driver.js';
import { loadBinding, LibvirtHeadnodeDriver } from '../../drivers/headnode/libvirt/libvirt-driver.js';
import { H, until } from '../support/controllers.js';
import { api, startInProcessServer, type InProcessServer } from '../support/server.js';

const qemuImg = ['/usr/bin/qemu-img', '/usr/local/bin/qemu-img'].find((p) => existsSync(p));
const bindingMissing = await loadBinding().then(
  () => undefined,
  (e: Error) => e.message,
);
const unavailable = bindingMissing ?? (qemuImg ? undefined : 'qemu-img is missing (apt-get install qemu-utils)');
const skip = process.env.CI ? undefined : unavailable;

/** Counts what the controller changed on the hypervisor (ensure that did something, start, stop, remove). */
class Counting implements HeadnodeDriver {
  readonly kind = 'counting';
  changes: string[] = [];
  constructor(readonly inner: LibvirtHeadnodeDriver) {}
  listDomains = () => this.inner.listDomains();
  inspect = (n: string) => this.inner.inspect(n);
  async ensure(s: DomainSpec) {
    const r = await this.inner.ensure(s);
    if (r.action !== 'none') this.changes.push(`${r.action} ${s.name}`);
    return r;
  }
  async start(n: string) {
    const r = await this.inner.start(n);
    if (r) this.changes.push(`start ${n}`);
    return r;
  }
  async stop(n: string) {
    const r = await this.inner.stop(n);
    if (r) this.changes.push(`stop ${n}`);
    return r;
  }
  async remove(n: string) {
    const r = await this.inner.remove(n);
    if (r) this.changes.push(`remove ${n}`);
    return r;
  }
  close = () => this.inner.close();
}

const RESYNC_MS = 1000;
const MERGE = 'application/merge-patch+json';

describe('headnode controller on libvirt test:///default', { skip }, () => {
  let srv: InProcessServer;
  let ctl: RunningControllers;
  let lv: LibvirtHeadnodeDriver;
  let driver: Counting;
  let dir: string;

  const get = async (name: string): Promise<Headnode | undefined> => {
    const r = await api(srv.url, 'GET', `${H}/headnodes/${name}`);
    return r.status === 200 ? r.body : undefined;
  };
  const ready = (h: Headnode | undefined) => h?.status?.conditions?.find((c) => c.type === 'Ready');
  const post = async (path: string, body: unknown) => {
    const r = await api(srv.url, 'POST', path, body);
    assert.ok(r.status < 300, `POST ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  const events = async (name: string) =>
    ((await api(srv.url, 'GET', '/api/v1/namespaces/default/events')).body.items as any[])
      .filter((e) => e.involvedObject.kind === 'Headnode' && e.involvedObject.name === name)
      .map((e) => e.reason as string);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hil-hn-test-'));
    execFileSync(qemuImg!, ['create', '-q', '-f', 'qcow2', join(dir, 'hn-base.qcow2'), '1M']);
    lv = new LibvirtHeadnodeDriver({ uri: 'test:///default', imageDir: dir });
    await lv.withConnection((h) =>
      h.domainDefineXML(
        `<domain type='test'><name>hn-base</name><memory unit='MiB'>64</memory><os><type>hvm</type><boot dev='network'/></os>` +
          `<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${join(dir, 'hn-base.qcow2')}'/><target dev='vda' bus='virtio'/></disk>` +
          `<interface type='bridge'><source bridge='virbr0'/><model type='e1000'/></interface></devices></domain>`,
      ),
    );
    driver = new Counting(lv);
    srv = await startInProcessServer({ headnodeBaseImages: ['hn-base', 'hn-gone'] });
    ctl = startControllers({
      kubeConfig: kubeConfigFor(srv.url),
      pool: parseVlanList('100-109'),
      resyncMs: RESYNC_MS,
      headnodes: { driver, bridgeKind: 'linux', baseImages: ['hn-base', 'hn-gone'] },
    });
    await post(`${H}/projects`, { apiVersion: 'hil.io/v1alpha1', kind: 'Project', metadata: { name: 'p1' }, spec: {} });
    for (const n of ['net-a', 'net-b'])
      await post(`${H}/networks`, {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Network',
        metadata: { name: n },
        spec: { owner: 'p1' },
      });
  });

  after(async () => {
    await ctl?.stop();
    // Whatever a failed test left: every domain we made, then the connection.
    for (const d of (await lv?.listDomains().catch(() => [] as string[])) ?? [])
      if (d.startsWith('hil-headnode-')) await lv.remove(d).catch(() => undefined);
    await lv?.close();
    await srv?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('create: a clone of the base image, running, its hnic on the bridge of its network’s VLAN, disk copied', async () => {
    await post(`${H}/headnodes`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Headnode',
      metadata: { name: 'hn1' },
      spec: { project: 'p1', baseImage: 'hn-base', hnics: [{ name: 'pxe', network: 'net-a' }, { name: 'spare' }] },
    });
    const hn = await until(
      async () => ((await get('hn1'))?.status?.state === 'Running' ? get('hn1') : undefined),
      'hn1 Running',
      15_000,
      async () => JSON.stringify((await get('hn1'))?.status),
    );
    const vlan = (await api(srv.url, 'GET', `${H}/networks/net-a`)).body.status.vlan as number;
    const domain = `hil-headnode-${hn.metadata.uid}`;
    assert.equal(hn.status!.domain, domain);
    assert.equal(ready(hn)?.status, 'True');
    assert.equal(hn.status!.frozen, true);
    assert.ok(hn.metadata.finalizers?.includes('hil.io/headnode-vm'));
    const info = await lv.inspect(domain);
    assert.ok(info, 'the domain exists in libvirt');
    assert.equal(info.state, 'running');
    assert.equal(hn.status!.uuid, info.uuid);
    // One interface only: the hnic without a network gets none.
    assert.deepEqual(
      info.interfaces.map((i) => i.bridge),
      [`br-vlan${vlan}`],
    );
    assert.deepEqual(hn.status!.hnics, [
      { name: 'pxe', network: 'net-a', vlan, bridge: `br-vlan${vlan}`, mac: info.interfaces[0].mac },
      { name: 'spare' },
    ]);
    assert.deepEqual(info.disks, [join(dir, `${domain}-vda.qcow2`)]);
    assert.ok(existsSync(info.disks[0]), 'the disk copy exists');
    const xml = await lv.withConnection(async (h) => h.domainGetXMLDesc(await h.domainLookupByName(domain)));
    assert.ok(xml.includes(`<source file='${info.disks[0]}'/>`), `the domain uses the copy:\n${xml}`);
    assert.deepEqual(driver.changes, [`created ${domain}`, `start ${domain}`]);
    const ev = await until(async () => {
      const e = await events('hn1');
      return e.includes('Created') && e.includes('Started') ? e : undefined;
    }, 'Created and Started events');
    assert.ok(ev);
  });

  test('idempotent: further passes (events and resyncs) change nothing, in libvirt or in the API', async () => {
    const before = await get('hn1');
    const changes = driver.changes.length;
    ctl.controllers.headnode.enqueue('hn1');
    await new Promise((r) => setTimeout(r, RESYNC_MS * 2.5)); // two resyncs too
    const afterwards = await get('hn1');
    assert.equal(afterwards!.metadata.resourceVersion, before!.metadata.resourceVersion, 'no write to the headnode');
    assert.deepEqual(driver.changes.slice(changes), [], 'no change on the hypervisor');
  });

  test('hnics are frozen once started: changing them is refused (409) with the reason', async () => {
    const r = await api(
      srv.url,
      'PATCH',
      `${H}/headnodes/hn1`,
      { spec: { hnics: [{ name: 'pxe', network: 'net-b' }] } },
      MERGE,
    );
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.match(r.body.message, /spec\.hnics cannot change.*frozen/);
    const base = await api(srv.url, 'PATCH', `${H}/headnodes/hn1`, { spec: { baseImage: 'hn-gone' } }, MERGE);
    assert.equal(base.status, 422);
    assert.match(base.body.message, /spec\.baseImage/);
  });

  test('stop and start follow spec.running', async () => {
    const hn = (await get('hn1'))!;
    const domain = hn.status!.domain!;
    await api(srv.url, 'PATCH', `${H}/headnodes/hn1`, { spec: { running: false } }, MERGE);
    await until(async () => (await get('hn1'))?.status?.state === 'Stopped', 'hn1 Stopped', 10_000);
    assert.equal((await lv.inspect(domain))?.state, 'shutoff');
    assert.equal((await get('hn1'))!.status!.vncPort, undefined);
    await api(srv.url, 'PATCH', `${H}/headnodes/hn1`, { spec: { running: true } }, MERGE);
    await until(async () => (await get('hn1'))?.status?.state === 'Running', 'hn1 Running again', 10_000);
    assert.equal((await lv.inspect(domain))?.state, 'running');
  });

  test('a domain paused by hand is resumed within one resync', async () => {
    const domain = (await get('hn1'))!.status!.domain!;
    await lv.withConnection(async (h) => h.domainSuspend(await h.domainLookupByName(domain)));
    assert.equal((await lv.inspect(domain))?.state, 'paused');
    await until(async () => (await lv.inspect(domain))?.state === 'running', `${domain} running again`, RESYNC_MS * 4);
    assert.equal((await get('hn1'))!.status!.state, 'Running');
  });

  test('before the first start, hnics may change: the shut-off domain is redefined in place (same uuid)', async () => {
    await post(`${H}/headnodes`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Headnode',
      metadata: { name: 'hn-cold' },
      spec: { project: 'p1', baseImage: 'hn-base', running: false, hnics: [{ name: 'pxe', network: 'net-a' }] },
    });
    const cold = await until(
      async () => ((await get('hn-cold'))?.status?.state === 'Stopped' ? get('hn-cold') : undefined),
      'hn-cold Stopped',
      10_000,
    );
    assert.equal(cold.status!.frozen, undefined, 'never started: not frozen');
    const r = await api(
      srv.url,
      'PATCH',
      `${H}/headnodes/hn-cold`,
      {
        spec: {
          hnics: [
            { name: 'pxe', network: 'net-b' },
            { name: 'second', network: 'net-a' },
          ],
        },
      },
      MERGE,
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const [a, b] = [
      (await api(srv.url, 'GET', `${H}/networks/net-a`)).body.status.vlan,
      await until(async () => (await api(srv.url, 'GET', `${H}/networks/net-b`)).body.status?.vlan, 'net-b VLAN'),
    ];
    const moved = await until(
      async () => {
        const h = await get('hn-cold');
        return h?.status?.hnics?.[0]?.network === 'net-b' && h.status.observedGeneration === h.metadata.generation
          ? h
          : undefined;
      },
      'hn-cold re-aligned',
      10_000,
    );
    const info = (await lv.inspect(moved.status!.domain!))!;
    assert.deepEqual(
      info.interfaces.map((i) => i.bridge),
      [`br-vlan${b}`, `br-vlan${a}`],
    );
    assert.equal(info.uuid, cold.status!.uuid, 'the same domain, redefined');
    assert.equal(info.state, 'shutoff');
  });

  test('a domain removed by hand is recreated (and started) within one resync, with an Event', async () => {
    const hn = (await get('hn1'))!;
    const domain = hn.status!.domain!;
    const oldUuid = hn.status!.uuid;
    assert.equal(await lv.remove(domain), true); // as `virsh destroy; virsh undefine` by an operator
    const back = await until(
      async () => {
        const h = await get('hn1');
        return h?.status?.uuid && h.status.uuid !== oldUuid && h.status.state === 'Running' ? h : undefined;
      },
      'hn1 recreated',
      RESYNC_MS * 5,
    );
    assert.equal((await lv.inspect(domain))?.state, 'running');
    assert.equal(back.status!.uuid, (await lv.inspect(domain))!.uuid);
    await until(
      async () => (await events('hn1')).filter((e) => e === 'Created').length >= 2,
      'a second Created event',
      5_000,
    );
  });

  test('errors are conditions: a base image missing in libvirt, a network that does not exist', async () => {
    await post(`${H}/headnodes`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Headnode',
      metadata: { name: 'hn-noimg' },
      spec: { project: 'p1', baseImage: 'hn-gone' },
    });
    const a = await until(
      async () => {
        const h = await get('hn-noimg');
        return h?.status?.state === 'Failed' ? h : undefined;
      },
      'hn-noimg Failed',
      10_000,
    );
    assert.equal(ready(a)?.reason, 'BaseImageNotFound');
    assert.match(ready(a)!.message!, /base image "hn-gone" is not a domain on test:\/\/\/default/);
    await post(`${H}/headnodes`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Headnode',
      metadata: { name: 'hn-nonet' },
      spec: { project: 'p1', baseImage: 'hn-base', hnics: [{ name: 'x', network: 'nowhere' }] },
    });
    const b = await until(
      async () => {
        const h = await get('hn-nonet');
        return ready(h)?.reason === 'NetworkNotFound' ? h : undefined;
      },
      'hn-nonet NetworkNotFound',
      10_000,
    );
    assert.equal(b.status!.state, 'Pending');
    // Not allowed by [headnode] base_imgs: refused at the API (422 naming the field).
    const r = await api(srv.url, 'POST', `${H}/headnodes`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Headnode',
      metadata: { name: 'hn-bad' },
      spec: { project: 'p1', baseImage: 'other' },
    });
    assert.equal(r.status, 422);
    assert.match(r.body.message, /spec\.baseImage.*base_imgs: hn-base, hn-gone/);
    // A network created later: the waiting headnode goes on by itself.
    await post(`${H}/networks`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Network',
      metadata: { name: 'nowhere' },
      spec: { owner: 'p1' },
    });
    await until(
      async () => (await get('hn-nonet'))?.status?.state === 'Running',
      'hn-nonet Running once its network exists',
      10_000,
    );
  });

  test('a network a headnode uses is not freed while the headnode exists (its VLAN still reaches the VM)', async () => {
    assert.equal((await api(srv.url, 'DELETE', `${H}/networks/nowhere`)).status, 200);
    const blocked = await until(
      async () => {
        const n = (await api(srv.url, 'GET', `${H}/networks/nowhere`)).body;
        return n.status?.conditions?.find((c: any) => c.type === 'DeletionBlocked');
      },
      'network nowhere DeletionBlocked',
      10_000,
    );
    assert.equal(blocked.reason, 'HeadnodesExist');
    assert.match(blocked.message, /Headnode\(s\) hn-nonet/);
    assert.ok((await api(srv.url, 'GET', `${H}/networks/nowhere`)).body.status.vlan, 'its VLAN is still held');
  });

  test('delete: the domain is destroyed and undefined, its disk copy removed, then the object goes', async () => {
    const names = ['hn1', 'hn-noimg', 'hn-nonet', 'hn-cold'];
    const domains = await Promise.all(
      names.map(async (n) => (await get(n))!.status?.domain ?? `hil-headnode-${(await get(n))!.metadata.uid}`),
    );
    const disks = (await Promise.all(domains.map((d) => lv.inspect(d)))).flatMap((i) => i?.disks ?? []);
    assert.equal(disks.length, 3);
    for (const n of names) await api(srv.url, 'DELETE', `${H}/headnodes/${n}`);
    await until(
      async () => (await Promise.all(names.map(get))).every((h) => h === undefined),
      'the headnodes to be gone',
      10_000,
    );
    for (const d of domains) assert.equal(await lv.inspect(d), undefined, `${d} undefined`);
    await until(
      async () => (await api(srv.url, 'GET', `${H}/networks/nowhere`)).status === 404,
      'network nowhere deleted once its headnode is gone',
      10_000,
    );
    for (const f of disks) assert.ok(!existsSync(f), `${f} removed`);
    assert.ok(existsSync(join(dir, 'hn-base.qcow2')), 'the base image is untouched');
    assert.ok(await lv.inspect('hn-base'), 'the base domain is untouched');
  });
});
