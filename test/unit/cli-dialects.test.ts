// The dialects' data on their own: what the N3000 sends for each kind of port state, and how the read-back parsers
// take the forms real switches print beyond what our emulators print (HIL's examples of `show interfaces
// switchport`: `3 (Inactive)`, ` 10, 2000`, ` 23 - 25`, the older key names; Catalyst's `dynamic auto` default; EOS's
// indentation), so a model that words it a little differently still reads right or reads as an anomaly.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aristaEos } from '../../drivers/switch/cli/dialects/arista-eos.js';
import { ciscoCatalyst } from '../../drivers/switch/cli/dialects/cisco-catalyst.js';
import { dellN3000 } from '../../drivers/switch/cli/dialects/dell-n3000.js';
import type { ObservedPort } from '../../drivers/switch/switch-driver.js';

const parked: ObservedPort = { interface: 'gi1/0/1', tagged: [], parked: true, shutdown: false };
const n3000Block = (mode: string, native: string, enabled: string) =>
  [
    '',
    'Port: Gi1/0/1',
    `VLAN Membership Mode: ${mode}`,
    'Access Mode VLAN: 1 (default)',
    'General Mode PVID: 1 (default)',
    `Trunking Mode Native VLAN: ${native}`,
    'Trunking Mode Native VLAN Tagging: Disable',
    `Trunking Mode VLANs Enabled: ${enabled}`,
    'Protected Port: False',
  ].join('\r\n');

describe('dell-n3000 lines', () => {
  const set = dellN3000.commands.setPort;

  test("parking is HIL's: add the dummy VLAN, make it native, remove every VLAN", () => {
    assert.deepEqual(set({ native: undefined, tagged: [] }, parked, 4000), [
      'switchport mode trunk',
      'switchport trunk allowed vlan add 4000',
      'switchport trunk native vlan 4000',
      'switchport trunk allowed vlan remove 1-4093',
    ]);
  });

  test('a native and tagged port: remove the complement first, add, then the native VLAN', () => {
    assert.deepEqual(set({ native: 101, tagged: [103, 102] }, parked, 4000), [
      'switchport mode trunk',
      'switchport trunk allowed vlan remove 1-100,104-4093',
      'switchport trunk allowed vlan add 101-103',
      'switchport trunk native vlan 101',
    ]);
  });

  test('tagged only: the dummy VLAN is the native one and is not carried', () => {
    assert.deepEqual(set({ native: undefined, tagged: [1, 4093] }, parked, 4000), [
      'switchport mode trunk',
      'switchport trunk allowed vlan remove 2-3999,4001-4092',
      'switchport trunk allowed vlan add 1,4000,4093',
      'switchport trunk native vlan 4000',
      'switchport trunk allowed vlan remove 4000',
    ]);
  });
});

describe('dell-n3000 read-back', () => {
  const parse = (text: string) => dellN3000.parsePort('gi1/0/1', text, 4000);

  test('the forms HIL met: (Inactive) marks, spaces in lists, ranges with spaces, wrapped lines', () => {
    const o = parse(n3000Block('Trunk Mode', '3 (Inactive)', ' 3, 10, 2000,\r\n        23 - 25'));
    assert.deepEqual([o.native, o.tagged, o.parked, o.anomaly], [3, [10, 23, 24, 25, 2000], false, undefined]);
    // HIL's own example of a native VLAN the trunk does not carry: its untagged frames go nowhere, so not in sync.
    assert.match(parse(n3000Block('Trunk Mode', '3 (Inactive)', 'none')).anomaly ?? '', /native VLAN 3 is not/);
  });

  test('the older key names (Trunking Native Mode VLAN, Trunking VLANs Enabled) read the same', () => {
    const text = n3000Block('Trunk Mode', '', '')
      .replace('Trunking Mode Native VLAN: ', 'Trunking Native Mode VLAN: 7')
      .replace('Trunking Mode VLANs Enabled: ', 'Trunking VLANs Enabled: 7-8');
    const o = parse(text);
    assert.deepEqual([o.native, o.tagged, o.anomaly], [7, [8], undefined]);
  });

  test('parked, and what is not: the dummy VLAN carried, every VLAN, the native VLAN not carried, access mode', () => {
    assert.deepEqual(
      [
        parse(n3000Block('Trunk Mode', '4000 (Inactive)', '')).parked,
        parse(n3000Block('Trunk Mode', '4000', 'none')).parked,
      ],
      [true, true],
    );
    assert.match(parse(n3000Block('Trunk Mode', '4000', '4000')).anomaly ?? '', /dummy VLAN 4000 is allowed/);
    assert.match(parse(n3000Block('Trunk Mode', '1 (default)', 'All')).anomaly ?? '', /every VLAN/);
    assert.match(parse(n3000Block('Trunk Mode', '5', '6')).anomaly ?? '', /native VLAN 5 is not in the allowed list/);
    const access = parse(n3000Block('Access Mode', '1', 'All'));
    assert.deepEqual([access.native, access.parked], [1, false]);
    assert.match(access.anomaly ?? '', /access mode/);
    assert.match(parse(n3000Block('General Mode', '1', 'All')).anomaly ?? '', /General Mode/);
    assert.match(parse(n3000Block('Trunk Mode', '4000', '1-x')).anomaly ?? '', /unreadable/);
  });
});

describe('IOS-style read-back (Catalyst, EOS)', () => {
  test('a Catalyst port with no mode line is dynamic auto: an anomaly, rewritten by the driver', () => {
    const text =
      'Building configuration...\n\nCurrent configuration : 40 bytes\n!\ninterface GigabitEthernet1/0/1\nend';
    const o = ciscoCatalyst.parsePort('GigabitEthernet1/0/1', text, 4000);
    assert.match(o.anomaly ?? '', /dynamic auto/);
  });

  test('a Catalyst trunk with a long list continued with `add` reads whole', () => {
    const text = [
      'interface GigabitEthernet1/0/2',
      ' switchport trunk native vlan 10',
      ' switchport trunk allowed vlan 10,20,30-32',
      ' switchport trunk allowed vlan add 40',
      ' switchport mode trunk',
      'end',
    ].join('\n');
    const o = ciscoCatalyst.parsePort('GigabitEthernet1/0/2', text, 4000);
    assert.deepEqual([o.native, o.tagged, o.anomaly], [10, [20, 30, 31, 32, 40], undefined]);
  });

  test('EOS: three-space indentation, parked on the dummy VLAN, shut down seen', () => {
    const text = [
      'interface Ethernet1',
      '   switchport trunk native vlan 4000',
      '   switchport trunk allowed vlan none',
      '   switchport mode trunk',
      '   shutdown',
    ].join('\n');
    const o = aristaEos.parsePort('Ethernet1', text, 4000);
    assert.deepEqual([o.parked, o.shutdown, o.anomaly], [true, true, undefined]);
  });
});
