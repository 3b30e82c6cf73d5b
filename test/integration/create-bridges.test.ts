// `hil-admin create-bridges` (HIL's create_bridges): br-vlan<N> per pool VLAN, idempotent, deleting nothing.
//   - ovs: for real, against a private Open vSwitch (the netns lab's daemons): run twice as a child process, the same
//     bridges, each a fake bridge of the trunk bridge on its VLAN; bridges it did not make are still there.
//   - linux: the iproute2 commands against a simulated `ip` (this kernel has no 802.1Q sub-interfaces, so the
//     commands cannot run for real here): what is created first, that a second run only looks, that nothing is deleted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { labUnavailable, startLab, type Lab } from '../../hack/lab/lab.js';
import { packageRoot } from '../../common/paths.js';
import { LinuxBridgeDriver, OvsBridgeDriver, type CommandRunner } from '../../drivers/headnode-bridge/bridge-driver.js';
import { createBridges } from '../../drivers/headnode-bridge/create-bridges.js';
import { headnodeSection, vlanPoolSection } from '../../config/sections.js';
import { parseHilConfig } from '../../config/hilcfg.js';
import { TSX_LOADER } from '../support/server.js';

/** A simulated `ip`: links in a set; records every command. */
function fakeIp(links: Set<string>): { run: CommandRunner; log: string[] } {
  const log: string[] = [];
  const run: CommandRunner = async (_cmd, args) => {
    log.push(args.join(' '));
    const a = [...args];
    if (a[0] === '-o' && a[1] === 'link' && a[2] === 'show')
      return links.has(a[4])
        ? { code: 0, stdout: `1: ${a[4]}: <UP>`, stderr: '' }
        : { code: 1, stdout: '', stderr: `Device "${a[4]}" does not exist.` };
    if (a[0] === 'link' && a[1] === 'add') {
      const name = a[a.indexOf('name') + 1];
      links.add(name);
      return { code: 0, stdout: '', stderr: '' };
    }
    if (a[0] === 'link' && a[1] === 'set')
      return links.has(a[3]) ? { code: 0, stdout: '', stderr: '' } : { code: 1, stdout: '', stderr: 'no such device' };
    return { code: 1, stdout: '', stderr: `unexpected: ip ${a.join(' ')}` };
  };
  return { run, log };
}

test('linux: creates <trunk>.<N> in br-vlan<N> for each VLAN, once; a second run only looks; nothing is ever deleted', async () => {
  const links = new Set(['eth1', 'br-vlan101', 'eth1.101', 'br-other']);
  const { run, log } = fakeIp(links);
  const driver = new LinuxBridgeDriver({ trunkNic: 'eth1', run, ip: 'ip' });
  const cfg = parseHilConfig('[hil.ext.network_allocators.vlan_pool]\nvlans = 100-102\n[headnode]\ntrunk_nic = eth1\n');
  const settings = { vlans: vlanPoolSection(cfg), headnode: headnodeSection(cfg), driver };
  const first = await createBridges(settings);
  assert.deepEqual(
    first.map((r) => `${r.bridge} ${r.outcome}`),
    ['br-vlan100 created', 'br-vlan101 exists', 'br-vlan102 created'],
  );
  assert.ok(log.includes('link add link eth1 name eth1.100 type vlan id 100'));
  assert.ok(log.includes('link add name br-vlan100 type bridge'));
  assert.ok(log.includes('link set dev eth1.100 master br-vlan100'));
  assert.ok(!log.some((l) => /eth1\.101 master|add name br-vlan101/.test(l)), 'an existing bridge is left as it is');
  log.length = 0;
  const second = await createBridges(settings);
  assert.deepEqual(
    second.map((r) => r.outcome),
    ['exists', 'exists', 'exists'],
  );
  assert.ok(
    log.every((l) => l.startsWith('-o link show')),
    `a second run only looks: ${log.join('; ')}`,
  );
  assert.ok(links.has('br-other'));
});

test('linux: bad names and VLANs are refused before any command runs', async () => {
  const { run, log } = fakeIp(new Set(['eth1']));
  assert.throws(
    () => new LinuxBridgeDriver({ trunkNic: 'eth1; reboot', run }),
    /trunk_nic "eth1; reboot" is not allowed/,
  );
  assert.throws(() => new LinuxBridgeDriver({ trunkNic: 'averyveryverylongnic', run }), /not allowed/);
  const d = new LinuxBridgeDriver({ trunkNic: 'eth1', run, ip: 'ip' });
  await assert.rejects(d.ensure([4095]), /VLAN 4095 is not allowed/);
  const noPool = parseHilConfig('[headnode]\ntrunk_nic = eth1\n');
  await assert.rejects(
    createBridges({ vlans: vlanPoolSection(noPool), headnode: headnodeSection(noPool), driver: d }),
    /no VLANs/,
  );
  assert.ok(!log.some((l) => l.includes('add')));
  assert.throws(() => new OvsBridgeDriver({ parent: 'br-trunk', db: 'unix:/x y', run }), /OVSDB remote/);
});

const unavailable = labUnavailable('ovs');
describe(
  'ovs: hil-admin create-bridges against a real Open vSwitch',
  { skip: process.env.CI ? undefined : unavailable },
  () => {
    let lab: Lab;
    let dir: string;
    let cfgPath: string;
    before(async () => {
      lab = await startLab({ nodes: 0, switch: 'ovs' });
      dir = mkdtempSync(join(tmpdir(), 'hil-bridges-'));
      cfgPath = join(dir, 'hil.cfg');
      writeFileSync(
        cfgPath,
        `[hil.ext.network_allocators.vlan_pool]\nvlans = 100-103\n\n[headnode]\nbridge_driver = ovs\novs_bridge = sw0\novsdb = ${lab.ovsdb!.unix}\n`,
      );
      chmodSync(cfgPath, 0o600);
      // Made by someone else: an unrelated bridge, a fake bridge for a VLAN outside the pool, and one of ours already.
      await lab.vsctl('add-br', 'keepme', '--', 'set', 'bridge', 'keepme', 'datapath_type=netdev');
      await lab.vsctl('add-br', 'br-vlan50', 'sw0', '50');
      await lab.vsctl('add-br', 'br-vlan101', 'sw0', '101');
    });
    after(async () => {
      await lab?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const runCmd = () => {
      const r = spawnSync(
        process.execPath,
        ['--import', TSX_LOADER, join(packageRoot(), 'cmd', 'hil-admin.ts'), 'create-bridges', '--config', cfgPath],
        { encoding: 'utf8', timeout: 60_000 },
      );
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const state = async () => {
      const brs = (await lab.vsctl('list-br')).split('\n').filter(Boolean).sort();
      return Promise.all(
        brs.map(
          async (b) =>
            `${b}:${(await lab.vsctl('br-to-parent', b)).trim()}:${(await lab.vsctl('br-to-vlan', b)).trim()}`,
        ),
      );
    };

    test('run twice: the same bridges, each VLAN N of the trunk bridge; nothing else touched', async () => {
      const out1 = runCmd();
      assert.match(out1, /br-vlan100\tVLAN 100\tcreated/);
      assert.match(out1, /br-vlan101\tVLAN 101\texists/);
      const s1 = await state();
      assert.deepEqual(s1, [
        'br-vlan100:sw0:100',
        'br-vlan101:sw0:101',
        'br-vlan102:sw0:102',
        'br-vlan103:sw0:103',
        'br-vlan50:sw0:50',
        'keepme:keepme:0',
        'sw0:sw0:0',
      ]);
      const out2 = runCmd();
      assert.equal(out2, ['100', '101', '102', '103'].map((v) => `br-vlan${v}\tVLAN ${v}\texists\n`).join(''));
      assert.deepEqual(await state(), s1, 'a second run changes nothing');
    });
  },
);
