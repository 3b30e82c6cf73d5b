// The OVS driver's pure parts: HIL port state <-> OVS Port rows, OVSDB remotes, and JSON-RPC stream framing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodePortRow,
  desiredColumns,
  encodeVlanColumns,
  observeRow,
} from '../../drivers/switch/ovs/ovs-port-mapping.js';
import { JsonStreamSplitter, parseRemote, type Json } from '../../drivers/switch/ovs/ovsdb-client.js';
import { SwitchError } from '../../drivers/switch/errors.js';
import { portInSync } from '../../drivers/switch/port-state.js';

const P = 4095;

function row(cols: { tag?: Json; trunks?: Json; vlan_mode?: Json; protected?: boolean }) {
  return decodePortRow({
    _uuid: ['uuid', '11111111-2222-3333-4444-555555555555'],
    name: 'p1',
    tag: cols.tag ?? ['set', []],
    trunks: cols.trunks ?? ['set', []],
    vlan_mode: cols.vlan_mode ?? ['set', []],
    protected: cols.protected ?? false,
  });
}

describe('OVS port mapping', () => {
  test('what we write for each state: never an empty trunks list on a trunk or native port', () => {
    const c = (native: number | undefined, tagged: number[]) => desiredColumns({ interface: 'p1', native, tagged }, P);
    assert.deepEqual(c(undefined, []), { tag: P, trunks: [], vlanMode: 'access', protected: true });
    assert.deepEqual(c(10, []), { tag: 10, trunks: [], vlanMode: 'access', protected: false });
    assert.deepEqual(c(10, [20, 30]), { tag: 10, trunks: [10, 20, 30], vlanMode: 'native-untagged', protected: false });
    assert.deepEqual(c(undefined, [20, 30]), { tag: undefined, trunks: [20, 30], vlanMode: 'trunk', protected: false });
    assert.deepEqual(encodeVlanColumns(c(undefined, [20])), {
      tag: ['set', []],
      trunks: ['set', [20]],
      vlan_mode: 'trunk',
      protected: false,
    });
  });

  test('what we write reads back as what we wanted (round trip through the OVSDB encoding)', () => {
    const states: [number | undefined, number[]][] = [
      [undefined, []],
      [10, []],
      [10, [20]],
      [10, [5, 20, 30]],
      [undefined, [20]],
      [undefined, [20, 4094]],
    ];
    for (const [native, tagged] of states) {
      const enc = encodeVlanColumns(desiredColumns({ interface: 'p1', native, tagged }, P));
      const obs = observeRow(row(enc), P);
      assert.equal(obs.anomaly, undefined, JSON.stringify(obs));
      assert.ok(portInSync({ native, tagged }, obs), `${native}/${tagged}: ${JSON.stringify(obs)}`);
    }
  });

  test('single-element sets arrive as bare atoms and decode the same', () => {
    const r = row({ tag: 10, trunks: 20, vlan_mode: 'native-untagged' });
    assert.deepEqual([r.tag, r.trunks, r.vlanMode], [10, [20], 'native-untagged']);
    assert.deepEqual(observeRow(r, P), { interface: 'p1', native: 10, tagged: [20], parked: false, shutdown: false });
  });

  test('states we never write are anomalies (never in sync), described in words', () => {
    const cases: [Parameters<typeof row>[0], RegExp][] = [
      [{}, /every VLAN/], // HIL's own revert: no tag, no trunks
      [{ vlan_mode: 'trunk' }, /every VLAN/],
      [{ tag: 10, vlan_mode: 'native-untagged' }, /every VLAN/],
      [{ tag: P }, /not protected/], // parked but parked ports would reach each other
      [{ tag: 10, protected: true }, /protected/],
      [{ tag: 10, trunks: ['set', [20]], vlan_mode: 'native-tagged' }, /native-tagged/],
      [{ tag: 10, vlan_mode: 'dot1q-tunnel', trunks: 20 }, /dot1q-tunnel/],
      [{ tag: 10, trunks: 20, vlan_mode: 'access' }, /trunks 20 set on an access port/],
      [{ trunks: ['set', [0, 20]], vlan_mode: 'trunk' }, /VLAN 0/],
      [{ trunks: ['set', [20, P]], vlan_mode: 'trunk' }, /parking VLAN/],
      [{ tag: 7, trunks: 20, vlan_mode: 'trunk' }, /tag 7 set on a trunk port/],
      [{ vlan_mode: 'access' }, /without a tag/],
    ];
    for (const [cols, re] of cases) {
      const o = observeRow(row(cols), P);
      assert.match(o.anomaly ?? '', re, JSON.stringify(cols));
      assert.ok(!portInSync({ native: null, tagged: [] }, o) || !o.parked);
      assert.ok(!portInSync({ native: o.native ?? null, tagged: o.tagged }, o));
    }
  });

  test('a parked row (tag P, access, protected) reads as parked with no VLAN', () => {
    assert.deepEqual(observeRow(row({ tag: P, vlan_mode: 'access', protected: true }), P), {
      interface: 'p1',
      tagged: [],
      parked: true,
      shutdown: false,
    });
    // With the default vlan_mode (empty) and a tag, OVS treats the port as access: same reading.
    assert.equal(observeRow(row({ tag: P, protected: true }), P).parked, true);
    // Parked on another switch's parking VLAN is just a VLAN here (plus protected: an anomaly to fix).
    assert.equal(observeRow(row({ tag: P, protected: true }), 3999).parked, false);
  });
});

describe('OVSDB remotes', () => {
  test('unix: and tcp: parse; anything else is invalid', () => {
    assert.deepEqual(parseRemote('unix:/run/openvswitch/db.sock'), { kind: 'unix', path: '/run/openvswitch/db.sock' });
    assert.deepEqual(parseRemote('tcp:127.0.0.1:6640'), { kind: 'tcp', host: '127.0.0.1', port: 6640 });
    assert.deepEqual(parseRemote('tcp:[::1]:6640'), { kind: 'tcp', host: '::1', port: 6640 });
    for (const bad of [
      'ssl:127.0.0.1:6640',
      'tcp:127.0.0.1',
      'tcp:127.0.0.1:0',
      'tcp:127.0.0.1:70000',
      'unix:relative.sock',
      'unix:/a/../b',
      'unix:/a b',
      'tcp:h;x:1',
      '127.0.0.1:6640',
    ]) {
      assert.throws(
        () => parseRemote(bad),
        (e: unknown) => e instanceof SwitchError && e.code === 'invalid',
        bad,
      );
    }
  });
});

describe('JSON-RPC stream framing', () => {
  test('splits concatenated messages, across chunk boundaries, with braces and quotes inside strings', () => {
    const msgs = [
      { id: 1, result: [{ rows: [] }], error: null },
      { method: 'echo', params: ['a"}{', '\\'], id: 'e' },
      { id: 2, result: { s: 'x]}' } },
    ];
    const text = msgs.map((m) => JSON.stringify(m)).join('');
    for (const step of [1, 2, 3, 7, text.length]) {
      const s = new JsonStreamSplitter();
      const out: string[] = [];
      for (let i = 0; i < text.length; i += step) out.push(...s.push(text.slice(i, i + step)));
      assert.deepEqual(
        out.map((t) => JSON.parse(t)),
        msgs,
        `step ${step}`,
      );
    }
  });
  test('whitespace between messages is fine; garbage is not', () => {
    const s = new JsonStreamSplitter();
    assert.deepEqual(s.push(' {"a":1}\n {"b":2}'), ['{"a":1}', '{"b":2}']);
    assert.throws(() => new JsonStreamSplitter().push('x{}'));
  });
});
