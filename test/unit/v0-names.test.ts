// The HIL name → resource name mapping (apiserver/v0/names.ts): deterministic, valid, collision-free, reversible.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateName } from '../../apiserver/validation.js';
import {
  compositeName,
  hilNameAnnotations,
  hilNameOf,
  hilNicLabels,
  HIL_NIC_NAMES_ANNOTATION,
  isKeptName,
  nicName,
  resourceName,
} from '../../apiserver/v0/names.js';

const TOKEN = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;

const HIL_NAMES = [
  'runway',
  'node-01',
  'node-01.example.com',
  'Runway',
  'runway ',
  ' runway',
  'RUNWAY',
  'run_way',
  'run way',
  'run/way',
  'run.way.',
  '-runway',
  'runway-',
  'Ünïcödé',
  '😀',
  '',
  ' ',
  '---',
  'a'.repeat(63),
  'a'.repeat(64),
  'a'.repeat(300),
  `${'a'.repeat(300)}b`,
  'x--abcdefghij', // the shape of a mapped name: mapped again, so it cannot shadow one
  resourceName('Runway'),
  "proj$_.+!*'(),-",
];

describe('HIL names → resource names', () => {
  test('valid names that do not look mapped are kept as they are', () => {
    for (const n of ['runway', 'node-01', 'node-01.example.com', 'a'.repeat(63), '0']) {
      assert.equal(resourceName(n), n);
      assert.equal(hilNameAnnotations(n), undefined);
    }
  });

  test('every other name becomes a valid, deterministic name with the HIL name in an annotation', () => {
    for (const n of HIL_NAMES) {
      const r = resourceName(n);
      assert.deepEqual(validateName(r, false), [], `${JSON.stringify(n)} → ${r}`);
      assert.ok(r.length <= 63, 'fits a label value (hil.io/project)');
      assert.equal(resourceName(n), r, 'deterministic');
      if (!isKeptName(n)) {
        assert.notEqual(r, n);
        assert.match(r, /--[a-z2-7]{10}$/);
        assert.deepEqual(hilNameAnnotations(n), { 'hil.io/hil-name': n });
      }
    }
    assert.equal(resourceName('Runway Lab').split('--')[0], 'runway-lab');
  });

  test('no two HIL names map to the same resource name', () => {
    const seen = new Map<string, string>();
    for (const n of HIL_NAMES) {
      const r = resourceName(n);
      assert.ok(
        !seen.has(r) || seen.get(r) === n,
        `${JSON.stringify(n)} and ${JSON.stringify(seen.get(r))} both → ${r}`,
      );
      seen.set(r, n);
    }
    // Names that differ only in what the slug drops still differ.
    assert.notEqual(resourceName('Runway'), resourceName('runway '));
    assert.notEqual(resourceName('run way'), resourceName('run_way'));
    assert.notEqual(resourceName('a'.repeat(300)), resourceName(`${'a'.repeat(300)}b`));
  });

  test('the HIL name round-trips through the stored object', () => {
    for (const n of HIL_NAMES) {
      const o = {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Project',
        metadata: { name: resourceName(n), annotations: hilNameAnnotations(n) },
      };
      assert.equal(hilNameOf(o), n);
    }
  });

  test('NIC labels become tokens, kept when already valid', () => {
    assert.equal(nicName('eth0'), 'eth0');
    assert.equal(nicName('Eth_0.1'), 'Eth_0.1');
    const names = ['eth0', 'eth 0', 'eth/0', 'ETH0', 'eth0 ', '', 'x--abcdefghij'].map(nicName);
    for (const n of names) assert.match(n, TOKEN);
    assert.equal(new Set(names).size, names.length);
    const node = {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Node',
      metadata: {
        name: 'n',
        annotations: { [HIL_NIC_NAMES_ANNOTATION]: JSON.stringify({ [nicName('eth 0')]: 'eth 0' }) },
      },
      spec: { nics: [{ name: 'eth1' }, { name: nicName('eth 0') }] },
    };
    assert.deepEqual(
      [...hilNicLabels(node)],
      [
        ['eth1', 'eth1'],
        [nicName('eth 0'), 'eth 0'],
      ],
    );
  });

  test('composite names (ports, attachments) are valid and tell their parts apart', () => {
    const a = compositeName(['sw1', 'gi1/0/1']);
    assert.deepEqual(validateName(a, true), []);
    assert.match(a, /^sw1-gi1-0-1--[a-z2-7]{10}$/);
    assert.notEqual(compositeName(['sw1', 'gi1/0/1']), compositeName(['sw1-gi1', '0/1']));
    assert.notEqual(compositeName(['sw1', 'gi1/0/1']), compositeName(['SW1', 'gi1/0/1']));
  });
});
