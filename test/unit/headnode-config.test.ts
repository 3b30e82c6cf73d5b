// hil.cfg [headnode] as the controller daemon and the API server read it: HIL's keys, ours, and clear errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseHilConfig } from '../../config/hilcfg.js';
import { LinuxBridgeDriver, OvsBridgeDriver } from '../../drivers/headnode-bridge/bridge-driver.js';
import { headnodeSection as headnodeSettings } from '../../config/sections.js';
import { bridgeDriverFrom } from '../../drivers/headnode/config.js';
import { HeadnodeDriverError } from '../../drivers/headnode/headnode-driver.js';
import { LibvirtHeadnodeDriver } from '../../drivers/headnode/libvirt/libvirt-driver.js';

test('HIL keys and ours; defaults', () => {
  const s = headnodeSettings(
    parseHilConfig(
      '[headnode]\nlibvirt_endpoint = qemu:///system?socket=/run/x/libvirt-sock\nbase_imgs = img-a, img-b,img-c\ntrunk_nic = eth1\n',
    ),
  );
  assert.equal(s.libvirtEndpoint, 'qemu:///system?socket=/run/x/libvirt-sock');
  assert.deepEqual(s.baseImages, ['img-a', 'img-b', 'img-c']);
  assert.equal(s.bridgeDriver, 'linux');
  assert.ok(bridgeDriverFrom(s) instanceof LinuxBridgeDriver);
  assert.deepEqual(headnodeSettings(undefined).baseImages, []);
  const ovs = headnodeSettings(
    parseHilConfig('[headnode]\nbridge_driver = ovs\novs_bridge = br-trunk\novsdb = unix:/run/openvswitch/db.sock\n'),
  );
  assert.ok(bridgeDriverFrom(ovs) instanceof OvsBridgeDriver);
  assert.equal(bridgeDriverFrom(headnodeSettings(parseHilConfig('[headnode]\nbridge_driver = none\n'))), undefined);
});

test('bad values are refused with the key named', () => {
  const bad = (text: string, re: RegExp) =>
    assert.throws(
      () => bridgeDriverFrom(headnodeSettings(parseHilConfig(text)), { forCreateBridges: true }),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
    );
  bad('[headnode]\nbase_imgs = good, "bad image"\n', /base_imgs: ""bad" is not a valid image name/);
  bad('[headnode]\nbridge_driver = vxlan\n', /bridge_driver "vxlan": expected linux, ovs or none/);
  bad('[headnode]\nimage_dir = relative/dir\n', /image_dir/);
  bad('[headnode]\nbridge_driver = linux\n', /trunk_nic is required/);
  bad('[headnode]\ntrunk_nic = eth1;reboot\n', /trunk_nic "eth1;reboot" is not allowed/);
  bad('[headnode]\nbridge_driver = ovs\novsdb = tcp:host\n', /OVSDB remote/);
  assert.throws(
    () => new LibvirtHeadnodeDriver({ uri: 'qemu:///system; rm -rf /' }),
    (e: unknown) => e instanceof HeadnodeDriverError && e.reason === 'InvalidValue',
  );
});
