// Headnodes for real: a libvirtd + QEMU (TCG) started by this test, in the switch namespace of the OVS netns lab
// (so QEMU's taps are where ovs-vswitchd is), the API server in-process, and the controller daemon as users run it,
// `hil-admin serve-networks --config hil.cfg`, with [headnode] libvirt_endpoint (this libvirtd), base_imgs and
// bridge_driver = ovs (the lab switch as ovs_bridge). The base image is a 64 MiB diskless-in-effect VM (a 1 MiB blank qcow2) that boots
// from the network, so iPXE sends DHCP requests as soon as it starts.
// Shown: the controller makes br-vlan<N> (a fake bridge of the lab switch on the network's VLAN), the VM's tap lands
// on it with that VLAN's tag, a node namespace on the same network sees the VM's DHCP request (tcpdump), a node on
// another network sees nothing from the VM; deleting the headnode removes the domain, its tap and its disk copy.
// Needs root, openvswitch, tcpdump, libvirtd, QEMU, qemu-img and the @unraid/libvirt binding: skipped with the reason
// otherwise, except under CI (which installs them all: hack/install-test-deps.sh), where it runs.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Headnode } from '../../api/v1alpha1/types.js';
import { loadBinding, LibvirtHeadnodeDriver } from '../../drivers/headnode/libvirt/libvirt-driver.js';
import { labUnavailable, startLab, type Lab } from '../../hack/lab/lab.js';
import { applyYaml, H, startDaemon, until, type Daemon } from '../support/controllers.js';
import { libvirtdUnavailable, startLibvirtd, type Libvirtd } from '../support/libvirtd.js';
import { api, startInProcessServer, type InProcessServer } from '../support/server.js';

const bindingMissing = await loadBinding().then(
  () => undefined,
  (e: Error) => e.message,
);
const unavailable = labUnavailable('ovs', ['tcpdump']) ?? libvirtdUnavailable() ?? bindingMissing;
const skip = process.env.CI ? undefined : unavailable;
const BASE = `hil-e2e-base-${process.pid}`;
const MERGE = 'application/merge-patch+json';

/** tcpdump in a namespace, lines as they come. */
function startCapture(netns: string, filter: string[]): Promise<{ lines: string[]; stop(): Promise<void> }> {
  const lines: string[] = [];
  const child: ChildProcess = spawn(
    'ip',
    ['netns', 'exec', netns, 'tcpdump', '-i', 'eth0', '-e', '-n', '-l', '-U', ...filter],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts.filter(Boolean));
  });
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  const stop = async () => {
    child.kill('SIGINT');
    const t = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(t);
  };
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start in ${netns}: ${err}`)), 5000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (/listening on/.test(err)) {
        clearTimeout(timer);
        resolve({ lines, stop });
      }
    });
  });
}

describe('headnode VM on a project VLAN: real libvirtd + QEMU + Open vSwitch', { skip }, () => {
  let lab: Lab;
  let libvirtd: Libvirtd;
  let lv: LibvirtHeadnodeDriver;
  let srv: InProcessServer;
  let daemon: Daemon;
  let dir: string;

  const get = async (name: string): Promise<Headnode | undefined> => {
    const r = await api(srv.url, 'GET', `${H}/headnodes/${name}`);
    return r.status === 200 ? r.body : undefined;
  };
  const vlanOf = async (net: string): Promise<number> =>
    (await api(srv.url, 'GET', `${H}/networks/${net}`)).body.status.vlan;

  before(async () => {
    lab = await startLab({ nodes: 2, switch: 'ovs' });
    dir = mkdtempSync(join(tmpdir(), 'hil-hn-e2e-'));
    chmodSync(dir, 0o755);
    // libvirt adds QEMU's taps to OVS with ovs-vsctl, which finds the lab's database through OVS_RUNDIR.
    libvirtd = await startLibvirtd({
      netns: lab.switchNetns,
      env: { OVS_RUNDIR: lab.dir },
      ownedPrefixes: ['hil-headnode-', BASE],
    });
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'base.qcow2'), '1M']);
    lv = new LibvirtHeadnodeDriver({ uri: libvirtd.uri, imageDir: dir });
    await lv.withConnection((h) =>
      h.domainDefineXML(
        `<domain type='qemu'><name>${BASE}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>` +
          `<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os>` +
          `<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>` +
          `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${join(dir, 'base.qcow2')}'/><target dev='vda' bus='virtio'/></disk>` +
          `<interface type='bridge'><source bridge='none'/><model type='e1000'/></interface>` +
          `<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/></devices></domain>`,
      ),
    );
    srv = await startInProcessServer({ headnodeBaseImages: [BASE] });
    const cfg = join(dir, 'hil.cfg');
    writeFileSync(
      cfg,
      `[extensions]\nhil.ext.network_allocators.vlan_pool =\n\n[hil.ext.network_allocators.vlan_pool]\nvlans = 100-109\n\n` +
        `[headnode]\nlibvirt_endpoint = ${libvirtd.uri}\nbase_imgs = ${BASE}\nbridge_driver = ovs\novs_bridge = sw0\novsdb = ${lab.ovsdb!.unix}\nimage_dir = ${dir}\n`,
    );
    chmodSync(cfg, 0o600);
    daemon = await startDaemon(srv.url, ['--config', cfg, '--resync', '3', '--no-leader-elect']);
    await applyYaml(
      srv.url,
      [
        `apiVersion: hil.io/v1alpha1\nkind: Project\nmetadata: {name: tenant}\nspec: {}`,
        `apiVersion: hil.io/v1alpha1\nkind: Switch\nmetadata: {name: lab}\nspec:\n  type: ovs\n  address: "${lab.ovsdb!.tcp}"\n  options: {bridge: sw0}\n  vlanRange: ["100-199"]`,
        ...lab.nodes.map(
          (n) =>
            `apiVersion: hil.io/v1alpha1\nkind: Port\nmetadata: {name: lab-${n.port}}\nspec: {switch: lab, interface: ${n.port}}`,
        ),
        ...lab.nodes.map(
          (n) =>
            `apiVersion: hil.io/v1alpha1\nkind: Node\nmetadata: {name: ${n.name}}\nspec:\n  project: tenant\n  obm: {type: mock, host: bmc-${n.name}}\n  nics:\n  - {name: eth0, macAddress: "${n.mac}", port: lab-${n.port}}`,
        ),
        ...['red', 'blue'].map(
          (net) => `apiVersion: hil.io/v1alpha1\nkind: Network\nmetadata: {name: ${net}}\nspec: {owner: tenant}`,
        ),
      ].join('\n---\n'),
    );
    await applyYaml(
      srv.url,
      [
        `apiVersion: hil.io/v1alpha1\nkind: NetworkAttachment\nmetadata: {name: n1-red}\nspec: {node: n1, nic: eth0, network: red}`,
        `apiVersion: hil.io/v1alpha1\nkind: NetworkAttachment\nmetadata: {name: n2-blue}\nspec: {node: n2, nic: eth0, network: blue}`,
      ].join('\n---\n'),
    );
    await until(
      async () =>
        ((await api(srv.url, 'GET', `${H}/networkattachments`)).body.items as any[]).filter(
          (a) => a.status?.phase === 'Attached',
        ).length === 2,
      'both attachments Attached',
      30_000,
    );
  });

  after(async () => {
    await daemon?.stop('SIGTERM');
    await lv?.close();
    await libvirtd?.stop(); // destroys and undefines our domains first
    await lab?.stop();
    await srv?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the VM’s DHCP request reaches the node on its network, and not the node on another network', async () => {
    await applyYaml(
      srv.url,
      `apiVersion: hil.io/v1alpha1\nkind: Headnode\nmetadata: {name: hn}\nspec:\n  project: tenant\n  baseImage: ${BASE}\n  running: false\n  hnics:\n  - {name: pxe, network: red}`,
    );
    const stopped = await until(
      async () => ((await get('hn'))?.status?.state === 'Stopped' ? get('hn') : undefined),
      'hn defined (Stopped)',
      30_000,
      async () => `${JSON.stringify((await get('hn'))?.status)}\n${daemon.output().slice(-3000)}\n${libvirtd.log()}`,
    );
    const red = await vlanOf('red');
    const mac = stopped.status!.hnics![0].mac!;
    assert.equal(stopped.status!.hnics![0].bridge, `br-vlan${red}`);
    // The bridge: a fake bridge of the lab switch on red's VLAN, made by the controller.
    assert.equal((await lab.vsctl('br-to-parent', `br-vlan${red}`)).trim(), 'sw0');
    assert.equal(Number((await lab.vsctl('br-to-vlan', `br-vlan${red}`)).trim()), red);

    const [c1, c2] = await Promise.all([
      startCapture(lab.node('n1').netns, ['ether', 'src', mac]),
      startCapture(lab.node('n2').netns, ['ether', 'src', mac]),
    ]);
    try {
      await api(srv.url, 'PATCH', `${H}/headnodes/hn`, { spec: { running: true } }, MERGE);
      const hn = await until(
        async () => ((await get('hn'))?.status?.state === 'Running' ? get('hn') : undefined),
        'hn Running',
        30_000,
        async () => `${JSON.stringify((await get('hn'))?.status)}\n${daemon.output().slice(-3000)}\n${libvirtd.log()}`,
      );
      assert.ok(hn.status!.vncPort! >= 5900, `VNC port ${hn.status!.vncPort}`);
      // The VM's tap is an access port of red's VLAN on the switch.
      const tap = (await lv.inspect(hn.status!.domain!))!.interfaces[0].target!;
      assert.equal((await lab.vsctl('port-to-br', tap)).trim(), `br-vlan${red}`);
      assert.equal(Number((await lab.vsctl('get', 'port', tap, 'tag')).trim()), red);
      await until(
        async () => c1.lines.some((l) => /DHCP|BOOTP/.test(l)),
        `the VM's DHCP request (from ${mac}) in n1 (network red)`,
        60_000,
        () => `n1: ${c1.lines.join('\n')}\nn2: ${c2.lines.join('\n')}`,
      );
      await new Promise((r) => setTimeout(r, 1500)); // more time for anything to leak to n2
    } finally {
      await Promise.all([c1.stop(), c2.stop()]);
    }
    assert.ok(
      c1.lines.some((l) => l.toLowerCase().includes(mac)),
      c1.lines.join('\n'),
    );
    assert.deepEqual(c2.lines, [], 'n2 (network blue) sees nothing from the VM');
  });

  test('delete: the domain, its tap and its disk copy are gone', async () => {
    const hn = (await get('hn'))!;
    const domain = hn.status!.domain!;
    const info = (await lv.inspect(domain))!;
    const tap = info.interfaces[0].target!;
    assert.equal(info.disks.length, 1);
    await api(srv.url, 'DELETE', `${H}/headnodes/hn`);
    await until(async () => (await get('hn')) === undefined, 'hn gone', 30_000);
    assert.equal(await lv.inspect(domain), undefined);
    assert.ok(!existsSync(info.disks[0]), 'disk copy removed');
    const ports = await lab.vsctl('list-ports', 'sw0');
    assert.ok(!ports.split('\n').includes(tap), `tap ${tap} gone from the switch: ${ports}`);
    assert.ok(await lv.inspect(BASE), 'the base image is untouched');
  });
});
