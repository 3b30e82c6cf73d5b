// The headnode reconciler on fakes (FakeApi + the fake headnode driver), table-style: the cases a user would notice
// that the libvirt tests cannot easily provoke — libvirt refusing to start a domain (its message in Ready, a Warning
// Event, a retry), no hypervisor configured, the freeze racing a spec change, a network without a VLAN yet, the
// clone's XML. And the validation that stands before every libvirt call.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeadnodeReconciler } from '../../controllers/headnode/headnode-reconciler.js';
import { EventRecorder } from '../../controllers/events.js';
import { domainNameFor, HeadnodeDriverError, macFor, validateSpec } from '../../drivers/headnode/headnode-driver.js';
import { FakeHeadnodeDriver } from '../../drivers/headnode/fake/fake-driver.js';
import {
  cloneXml,
  parseFileDisks,
  parseInterfaces,
  parseOwnedDisks,
  parseVncPort,
} from '../../drivers/headnode/libvirt/domain-xml.js';
import { FakeApi } from '../support/fake-api.js';

const signal = new AbortController().signal;

function setup(
  opts: { driver?: FakeHeadnodeDriver | null; running?: boolean; hnics?: { name: string; network?: string }[] } = {},
) {
  const api = new FakeApi();
  api.put('networks', {
    apiVersion: 'hil.io/v1alpha1',
    kind: 'Network',
    metadata: { name: 'net' },
    spec: { owner: 'p' },
    status: { vlan: 120 },
  });
  api.put('headnodes', {
    apiVersion: 'hil.io/v1alpha1',
    kind: 'Headnode',
    metadata: { name: 'hn', uid: '0b9a2c1e-0000-4000-8000-000000000001' },
    spec: {
      project: 'p',
      baseImage: 'base',
      hnics: opts.hnics ?? [{ name: 'pxe', network: 'net' }],
      running: opts.running ?? true,
    },
  });
  const driver = opts.driver === null ? undefined : (opts.driver ?? new FakeHeadnodeDriver(['base']));
  const client = api.client();
  const r = new HeadnodeReconciler({ client, cache: api, driver, events: new EventRecorder(client) });
  return { api, driver, r, hn: () => api.get('headnodes', 'hn')! };
}
const ready = (h: any) => h.status?.conditions?.find((c: any) => c.type === 'Ready');

test('create and start: one domain, its interface on br-vlan<N> with a stable MAC; a second pass writes nothing', async () => {
  const { api, driver, r, hn } = setup();
  await r.reconcile({ key: 'hn' }, signal);
  const name = domainNameFor('0b9a2c1e-0000-4000-8000-000000000001');
  assert.deepEqual(driver!.calls, [`create ${name}`, `start ${name}`]);
  assert.equal(hn().status!.state, 'Running');
  assert.equal(hn().status!.frozen, true);
  assert.deepEqual(driver!.domains.get(name)!.info.interfaces, [
    { bridge: 'br-vlan120', mac: macFor('0b9a2c1e-0000-4000-8000-000000000001', 'pxe') },
  ]);
  const writes = api.totalWrites();
  await r.reconcile({ key: 'hn' }, signal);
  assert.equal(api.totalWrites(), writes, 'no API write on the second pass');
  assert.equal(driver!.calls.length, 2, 'no hypervisor change on the second pass');
});

test('libvirt refuses to start: Failed, its message in Ready, a Warning Event, and the reconcile throws (retried with backoff)', async () => {
  const driver = new FakeHeadnodeDriver(['base']);
  driver.failNext.start = new HeadnodeDriverError(
    'LibvirtError',
    'start domain x: internal error: process exited while connecting to monitor: could not open /dev/kvm',
  );
  const { api, r, hn } = setup({ driver });
  await assert.rejects(r.reconcile({ key: 'hn' }, signal), /could not open \/dev\/kvm/);
  assert.equal(hn().status!.state, 'Failed');
  assert.equal(ready(hn()).reason, 'LibvirtError');
  assert.match(ready(hn()).message, /could not open \/dev\/kvm/);
  assert.ok(api.events.some((e) => e.type === 'Warning' && e.reason === 'LibvirtError'));
  // The retry succeeds: Running, Ready True.
  await r.reconcile({ key: 'hn' }, signal);
  assert.equal(hn().status!.state, 'Running');
  assert.equal(ready(hn()).status, 'True');
});

test('no hypervisor configured: NoHypervisor, and no finalizer (deleting such a headnode is not held up)', async () => {
  const { r, hn } = setup({ driver: null });
  await r.reconcile({ key: 'hn' }, signal);
  assert.equal(ready(hn()).reason, 'NoHypervisor');
  assert.equal(hn().metadata.finalizers, undefined);
});

test('the freeze is conditional: a spec change between read and freeze is a 409, retried with the new spec', async () => {
  const { api, driver, r } = setup();
  const client = api.client();
  const orig = client.patchStatus.bind(client);
  let raced = false;
  // Simulate a user's hnic change landing just before the freeze (the reconciler read the older object).
  (r as any).o.client = Object.assign(Object.create(client), {
    patchStatus: async (p: any, n: string, s: any, rv?: string) => {
      if (s.frozen && !raced) {
        raced = true;
        const cur = api.get('headnodes', 'hn')!;
        api.put('headnodes', { ...cur, spec: { ...cur.spec, hnics: [] } });
      }
      return orig(p, n, s, rv);
    },
  });
  await assert.rejects(r.reconcile({ key: 'hn' }, signal), (e: any) => e.code === 409);
  assert.ok(!driver!.calls.some((c) => c.startsWith('start')), 'not started with hnics that were about to change');
  await r.reconcile({ key: 'hn' }, signal);
  const name = [...driver!.domains.keys()].find((k) => k.startsWith('hil-headnode-'))!;
  assert.deepEqual(driver!.domains.get(name)!.info.interfaces, [], 'started with the new hnics');
  assert.equal(driver!.domains.get(name)!.info.state, 'running');
});

test('a network without a VLAN yet: Pending with the reason, nothing created', async () => {
  const { api, driver, r, hn } = setup();
  api.put('networks', { ...api.get('networks', 'net')!, status: {} });
  await r.reconcile({ key: 'hn' }, signal);
  assert.equal(hn().status!.state, 'Pending');
  assert.equal(ready(hn()).reason, 'NetworkNotReady');
  assert.deepEqual(driver!.calls, []);
});

test('values are validated before anything reaches libvirt', () => {
  const ok = {
    name: 'hil-headnode-1',
    headnode: 'hn',
    uid: '1',
    baseImage: 'base',
    bridgeKind: 'linux' as const,
    interfaces: [{ hnic: 'a', bridge: 'br-vlan100', mac: '52:54:00:00:00:01' }],
  };
  validateSpec(ok);
  for (const [bad, re] of [
    [{ ...ok, baseImage: "base'/><x" }, /base image/],
    [{ ...ok, interfaces: [{ hnic: 'a', bridge: 'br-vlan100; rm', mac: '52:54:00:00:00:01' }] }, /bridge name/],
    [{ ...ok, interfaces: [{ hnic: 'a', bridge: 'br-a-very-long-name', mac: '52:54:00:00:00:01' }] }, /bridge name/],
    [{ ...ok, interfaces: [{ hnic: 'a', bridge: 'br0', mac: 'zz' }] }, /MAC/],
    [{ ...ok, name: '-x' }, /domain name/],
  ] as const) {
    assert.throws(
      () => validateSpec(bad as any),
      (e: any) => e instanceof HeadnodeDriverError && e.reason === 'InvalidValue' && re.test(e.message),
    );
  }
});

test('clone XML: new name, no uuid, our metadata and interfaces, disks pointed at the copies, VNC on autoport', () => {
  const base = `<domain type='kvm' id='3'>
  <name>base</name>
  <uuid>11111111-2222-3333-4444-555555555555</uuid>
  <memory unit='KiB'>65536</memory>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/img/base.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <source file='/img/tools.iso'/>
      <target dev='hdc' bus='ide'/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:aa:bb:cc'/>
      <source network='default'/>
      <model type='e1000'/>
    </interface>
    <graphics type='vnc' port='5901' autoport='no' listen='0.0.0.0'/>
  </devices>
</domain>`;
  const x = cloneXml(base, {
    name: 'hil-headnode-u1',
    title: 'HIL headnode hn',
    headnode: 'hn',
    uid: 'u1',
    interfaces: [{ hnic: 'pxe', bridge: 'br-vlan7', mac: '52:54:00:01:02:03' }],
    bridgeKind: 'ovs',
    nicModel: 'e1000',
    disks: new Map([['/img/base.img', '/img/hil-headnode-u1-vda.qcow2']]),
    vncListen: '127.0.0.1',
  });
  assert.match(x, /<name>hil-headnode-u1<\/name>/);
  assert.doesNotMatch(x, /<uuid>|id='3'|52:54:00:aa:bb:cc|source network/);
  assert.deepEqual(parseInterfaces(x), [
    { type: 'bridge', bridge: 'br-vlan7', mac: '52:54:00:01:02:03', target: undefined },
  ]);
  assert.match(x, /<virtualport type='openvswitch'\/>/);
  assert.deepEqual(
    parseFileDisks(x).map((d) => [d.target, d.file, d.format]),
    [['vda', '/img/hil-headnode-u1-vda.qcow2', 'qcow2']],
    'the cdrom is shared, not copied',
  );
  assert.match(x, /<source file='\/img\/tools.iso'\/>/);
  assert.deepEqual(parseOwnedDisks(x), ['/img/hil-headnode-u1-vda.qcow2']);
  assert.match(x, /<graphics port='-1' autoport='yes' type='vnc'/);
  assert.equal(parseVncPort(x), undefined);
  const noDriver = cloneXml(
    `<domain><name>b</name><devices><disk type='file' device='disk'><source file='/i/b.qcow2'/><target dev='sda'/></disk></devices></domain>`,
    {
      name: 'n',
      title: 't',
      headnode: 'h',
      uid: 'u',
      interfaces: [],
      bridgeKind: 'linux',
      nicModel: 'virtio',
      disks: new Map([['/i/b.qcow2', '/i/n-sda.qcow2']]),
      vncListen: '127.0.0.1',
    },
  );
  assert.deepEqual(
    parseFileDisks(noDriver).map((d) => [d.file, d.format]),
    [['/i/n-sda.qcow2', 'qcow2']],
    'a disk without <driver> gets type qcow2',
  );
  assert.equal(parseVncPort(`<graphics type='vnc' port='5907' autoport='yes'/>`), 5907);
});
