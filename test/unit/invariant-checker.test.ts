// The isolation invariant checker's decision (test/support/invariants/decide.ts), table-driven on fake objects and
// fake OVS rows: which ports carrying which VLANs are violations at one instant.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  carriedVlans,
  findViolations,
  type ApiObjects,
  type OvsRow,
  type ViolationKind,
} from '../support/invariants/decide.js';

const P = 4095;

const access = (name: string, tag: number, prot = false): OvsRow => ({
  name,
  tag,
  trunks: [],
  vlanMode: 'access',
  protected: prot,
});
const parked = (name: string): OvsRow => access(name, P, true);
const trunk = (name: string, trunks: number[]): OvsRow => ({ name, trunks, vlanMode: 'trunk', protected: false });
const native = (name: string, tag: number, trunks: number[]): OvsRow => ({
  name,
  tag,
  trunks,
  vlanMode: 'native-untagged',
  protected: false,
});

/** Port p<i> for every node n<i>; n1, n2 in alpha, n3 in beta, n4 free. */
function world(over: Partial<ApiObjects> = {}): ApiObjects {
  return {
    ports: ['p1', 'p2', 'p3', 'p4'].map((i) => ({
      metadata: { name: `lab-${i}` },
      spec: { switch: 'lab', interface: i },
    })),
    nodes: [
      { metadata: { name: 'n1' }, spec: { project: 'alpha', nics: [{ name: 'eth0', port: 'lab-p1' }] } },
      { metadata: { name: 'n2' }, spec: { project: 'alpha', nics: [{ name: 'eth0', port: 'lab-p2' }] } },
      { metadata: { name: 'n3' }, spec: { project: 'beta', nics: [{ name: 'eth0', port: 'lab-p3' }] } },
      { metadata: { name: 'n4' }, spec: { project: '', nics: [{ name: 'eth0', port: 'lab-p4' }] } },
    ],
    networks: [
      { metadata: { name: 'a-net' }, spec: { owner: 'alpha' }, status: { vlan: 100 } },
      { metadata: { name: 'b-net' }, spec: { owner: 'beta' }, status: { vlan: 200 } },
      { metadata: { name: 'shared' }, spec: { owner: 'alpha', accessProjects: ['beta'] }, status: { vlan: 300 } },
      { metadata: { name: 'pub' }, spec: { owner: '', public: true }, status: { vlan: 400 } },
      { metadata: { name: 'admin-only' }, spec: { owner: '' }, status: { vlan: 500 } },
      { metadata: { name: 'unallocated' }, spec: { owner: 'beta' }, status: {} },
    ],
    ...over,
  };
}

const cases: {
  name: string;
  rows: OvsRow[];
  objects?: ApiObjects;
  excused?: [string, number][];
  now?: number;
  expect: [string, ViolationKind, number?][];
}[] = [
  { name: 'parked ports carry nothing', rows: ['p1', 'p2', 'p3', 'p4'].map(parked), expect: [] },
  { name: 'own network, native', rows: [access('p1', 100)], expect: [] },
  { name: 'a network shared with the project (accessProjects)', rows: [access('p3', 300)], expect: [] },
  { name: 'a public network', rows: [access('p3', 400), trunk('p1', [400])], expect: [] },
  { name: "another project's network is foreign", rows: [access('p3', 100)], expect: [['p3', 'foreign-vlan', 100]] },
  {
    name: 'an admin-owned network that is not public is usable by no project',
    rows: [access('p1', 500)],
    expect: [['p1', 'foreign-vlan', 500]],
  },
  { name: 'a VLAN of no network', rows: [access('p1', 777)], expect: [['p1', 'foreign-vlan', 777]] },
  {
    name: 'native plus tagged: each VLAN on its own',
    rows: [native('p3', 200, [100, 200, 300])],
    expect: [['p3', 'foreign-vlan', 100]],
  },
  {
    name: 'a trunk with an empty trunks list carries every VLAN',
    rows: [trunk('p1', [])],
    expect: [['p1', 'every-vlan']],
  },
  {
    name: 'native-untagged with an empty trunks list carries every VLAN',
    rows: [native('p1', 100, [])],
    expect: [['p1', 'every-vlan']],
  },
  {
    name: 'no vlan_mode and no tag is a trunk: every VLAN',
    rows: [{ name: 'p1', trunks: [], protected: false }],
    expect: [['p1', 'every-vlan']],
  },
  {
    name: 'the parking VLAN unprotected carries VLAN 4095 (parked ports would reach each other)',
    rows: [access('p1', P, false)],
    expect: [['p1', 'foreign-vlan', P]],
  },
  { name: 'a free node carries nothing', rows: [access('p4', 100)], expect: [['p4', 'no-project']] },
  {
    name: 'a port with no Port object carries nothing',
    rows: [access('p1', 100), parked('p9')],
    objects: world({ ports: world().ports.filter((p) => p.spec.interface !== 'p1') }),
    expect: [['p1', 'no-port-object']],
  },
  {
    name: 'a Port no NIC is cabled to carries nothing',
    rows: [access('p2', 100)],
    objects: world({
      nodes: world().nodes.map((n) =>
        n.metadata.name === 'n2' ? { ...n, spec: { ...n.spec, nics: [{ name: 'eth0' }] } } : n,
      ),
    }),
    expect: [['p2', 'no-nic']],
  },
  {
    name: 'a Port of another switch does not describe this one',
    rows: [access('p1', 100)],
    objects: world({
      ports: world().ports.map((p) => (p.spec.interface === 'p1' ? { ...p, spec: { ...p.spec, switch: 'other' } } : p)),
    }),
    expect: [['p1', 'no-port-object']],
  },
  {
    name: 'access revoked while the port still carries the VLAN: foreign at once',
    rows: [access('p3', 300)],
    objects: world({
      networks: world().networks.map((n) =>
        n.metadata.name === 'shared' ? { ...n, spec: { owner: 'alpha', accessProjects: [] } } : n,
      ),
    }),
    expect: [['p3', 'foreign-vlan', 300]],
  },
  {
    name: 'a node moved to another project while its port still carries the old VLAN',
    rows: [access('p1', 100)],
    objects: world({
      nodes: world().nodes.map((n) => (n.metadata.name === 'n1' ? { ...n, spec: { ...n.spec, project: 'beta' } } : n)),
    }),
    expect: [['p1', 'foreign-vlan', 100]],
  },
  {
    name: "converging within the project: the old VLAN of another of the project's networks is fine",
    rows: [access('p1', 300)],
    expect: [],
  },
  {
    name: 'only the confirmed status.vlan counts (a network whose VLAN is not allocated yet gives none)',
    rows: [access('p3', 600)],
    objects: world({
      networks: [
        ...world().networks.filter((n) => n.metadata.name !== 'unallocated'),
        { metadata: { name: 'unallocated' }, spec: { owner: 'beta' }, status: { vlan: null } },
      ],
    }),
    expect: [['p3', 'foreign-vlan', 600]],
  },
  {
    name: 'a hand edit is excused on its port until the deadline',
    rows: [access('p3', 100), access('p1', 200)],
    excused: [['p3', 2000]],
    now: 1000,
    expect: [['p1', 'foreign-vlan', 200]],
  },
  {
    name: '… and flagged after it',
    rows: [access('p3', 100)],
    excused: [['p3', 2000]],
    now: 2001,
    expect: [['p3', 'foreign-vlan', 100]],
  },
  { name: 'the bridge internal port is ignored', rows: [{ name: 'sw0', trunks: [], protected: false }], expect: [] },
];

describe('invariant checker: the decision at one instant', () => {
  for (const c of cases) {
    test(c.name, () => {
      const got = findViolations(
        { switch: 'lab', rows: c.rows, parkingVlan: P, ignore: ['sw0'] },
        c.objects ?? world(),
        {
          now: c.now ?? 0,
          excused: new Map(c.excused ?? []),
        },
      );
      assert.deepEqual(
        got.map((v) => [v.interface, v.kind, v.vlan].filter((x) => x !== undefined)),
        c.expect.map((e) => e.filter((x) => x !== undefined)),
        got.map((v) => v.message).join('\n'),
      );
      for (const v of got) assert.match(v.message, new RegExp(`port ${v.interface}\\b`));
    });
  }

  test('messages name the network and its owner', () => {
    const [v] = findViolations({ switch: 'lab', rows: [access('p3', 100)], parkingVlan: P }, world());
    assert.match(
      v.message,
      /port p3 \(node n3, NIC eth0, project "beta"\) carries VLAN 100 of network "a-net" \(owner "alpha"\), which project "beta" may not use/,
    );
  });

  test('what OVS forwards on a port', () => {
    assert.deepEqual(carriedVlans(access('p', 10), P), { all: false, vlans: [10] });
    assert.deepEqual(carriedVlans(parked('p'), P), { all: false, vlans: [] });
    assert.deepEqual(
      carriedVlans({ name: 'p', tag: 7, trunks: [], protected: false }, P),
      { all: false, vlans: [7] },
      'no vlan_mode with a tag: access',
    );
    assert.deepEqual(carriedVlans(native('p', 10, [10, 20]), P), { all: false, vlans: [10, 20] });
    assert.deepEqual(
      carriedVlans({ name: 'p', trunks: [], vlanMode: 'access', protected: false }, P),
      { all: false, vlans: [0] },
      'access without a tag: untagged VLAN 0',
    );
    assert.deepEqual(carriedVlans({ name: 'p', tag: 5, trunks: [5], vlanMode: 'dot1q-tunnel', protected: false }, P), {
      all: true,
    });
  });
});
