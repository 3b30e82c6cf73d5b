// HIL's admission invariants, each with the exact error a user sees: over HTTP, then the same requests through
// kubectl.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseVlanList } from '../../api/v1alpha1/vlans.js';
import { api, startInProcessServer, type InProcessServer } from '../support/server.js';
import { Kubectl, kubectlOnPath } from '../support/kubectl.js';

/** How the same request is made with kubectl: create from YAML, or a merge patch. */
type Kubectl_ = { create: unknown } | { patch: [string, string, unknown] };

const G = '/apis/hil.io/v1alpha1';
const MERGE = 'application/merge-patch+json';
const obj = (kind: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'hil.io/v1alpha1',
  kind,
  metadata: { name },
  spec,
});
const node = (name: string, project: string, nics: [string, string][]) =>
  obj('Node', name, {
    project,
    obm: { type: 'mock', host: `bmc-${name}` },
    nics: nics.map(([n, port]) => ({ name: n, port })),
  });
const attach = (name: string, nodeName: string, nic: string, network: string, channel = 'native') =>
  obj('NetworkAttachment', name, { node: nodeName, nic, network, channel });

let recorder: ((method: string, path: string, body: unknown) => void) | undefined;

describe('admission invariants', () => {
  let srv: InProcessServer;
  const call = (method: string, path: string, body?: unknown, ct?: string) => {
    recorder?.(method, path, body);
    return api(srv.url, method, path, body, ct);
  };
  /** The kubectl form of a case's request, recorded by running it once against a recorder. */
  const kubectlFormOf = async (req: () => Promise<unknown>): Promise<Kubectl_ | undefined> => {
    let form: Kubectl_ | undefined;
    recorder = (method, path, body) => {
      const m = /\/apis\/hil\.io\/v1alpha1\/(\w+)(?:\/([^/]+))?$/.exec(path);
      if (method === 'POST') form = { create: body };
      else if (method === 'PATCH' && m) form = { patch: [`${m[1]}.hil.io`, m[2], body] };
    };
    await req();
    recorder = undefined;
    return form;
  };
  before(async () => {
    srv = await startInProcessServer({ vlanPool: parseVlanList('100-200') });
    const setup: [string, unknown][] = [
      [`${G}/switches`, { ...obj('Switch', 'sw1', { type: 'mock', address: 'x', vlanRange: ['1000-1099'] }) }],
      [`${G}/ports`, obj('Port', 'p1', { switch: 'sw1', interface: 'gi1/0/1' })],
      [`${G}/ports`, obj('Port', 'p2', { switch: 'sw1', interface: 'gi1/0/2' })],
      [
        `${G}/nodes`,
        node('n1', 'proj', [
          ['eth0', 'p1'],
          ['eth1', 'p2'],
        ]),
      ],
      [`${G}/nodes`, node('free', '', [['eth0', 'p9']])],
      [`${G}/networks`, obj('Network', 'net-a', { owner: 'proj' })],
      [`${G}/networks`, obj('Network', 'net-b', { owner: 'proj' })],
      [`${G}/networks`, obj('Network', 'ext', { owner: '', vlan: 150 })],
      [`${G}/networkattachments`, attach('a1', 'n1', 'eth0', 'net-a')],
    ];
    for (const [path, body] of setup) {
      const r = await call('POST', path, body);
      assert.equal(r.status, 201, `${path}: ${JSON.stringify(r.body)}`);
    }
  });
  after(() => srv.stop());

  const cases: {
    rule: string;
    req: () => Promise<{ status: number; body: any }>;
    code: number;
    message: RegExp;
    field?: string;
  }[] = [
    {
      rule: 'one Port per (switch, interface)',
      req: () => call('POST', `${G}/ports`, obj('Port', 'p1-again', { switch: 'sw1', interface: 'gi1/0/1' })),
      code: 409,
      message:
        /^Port "p1-again": interface "gi1\/0\/1" of switch "sw1" is already declared by Port "p1" \(one Port per switch interface\)$/,
    },
    {
      rule: 'a port belongs to at most one NIC (another node)',
      req: () => call('POST', `${G}/nodes`, node('n2', '', [['eth0', 'p1']])),
      code: 409,
      message:
        /^Node "n2": port "p1" is already the port of NIC "eth0" of node "n1" \(a port belongs to at most one NIC\)$/,
    },
    {
      rule: 'a port belongs to at most one NIC (same node)',
      req: () =>
        call(
          'POST',
          `${G}/nodes`,
          node('n3', '', [
            ['eth0', 'p7'],
            ['eth1', 'p7'],
          ]),
        ),
      code: 422,
      message: /port "p7" is already the port of NIC "eth0"/,
      field: 'spec.nics[1].port',
    },
    {
      rule: 'a NIC has at most one native attachment',
      req: () => call('POST', `${G}/networkattachments`, attach('a2', 'n1', 'eth0', 'net-b')),
      code: 409,
      message:
        /^NetworkAttachment "a2": NIC "eth0" of node "n1" already has a native network, "net-a" \(NetworkAttachment "a1"\)$/,
    },
    {
      rule: 'a NIC has at most one attachment per network',
      req: () => call('POST', `${G}/networkattachments`, attach('a3', 'n1', 'eth0', 'net-a', 'tagged')),
      code: 409,
      message:
        /^NetworkAttachment "a3": NIC "eth0" of node "n1" is already attached to network "net-a" by NetworkAttachment "a1"$/,
    },
    {
      rule: 'an attachment names a NIC the node has',
      req: () => call('POST', `${G}/networkattachments`, attach('a4', 'n1', 'eth7', 'net-b')),
      code: 422,
      message: /node "n1" has no NIC of that name/,
      field: 'spec.nic',
    },
    {
      rule: 'only a node in a project is attached',
      req: () => call('POST', `${G}/networkattachments`, attach('a5', 'free', 'eth0', 'ext')),
      code: 409,
      message: /node "free" is not in a project; claim it for a project before attaching it/,
    },
    {
      rule: 'an attachment cannot be changed',
      req: () => call('PATCH', `${G}/networkattachments/a1`, { spec: { channel: 'tagged' } }, MERGE),
      code: 422,
      message: /cannot be changed; delete it and create another/,
      field: 'spec',
    },
    {
      rule: 'a node leaves its project only with no attachments',
      req: () => call('PATCH', `${G}/nodes/n1`, { spec: { project: '' } }, MERGE),
      code: 409,
      message: /^Node "n1": cannot leave project "proj" while it has network attachments \(a1\); delete them first$/,
    },
    {
      rule: 'an explicit VLAN is unique',
      req: () => call('POST', `${G}/networks`, obj('Network', 'ext2', { owner: '', vlan: 150 })),
      code: 409,
      message: /^Network "ext2": VLAN 150 is already used by network "ext"$/,
    },
    {
      rule: 'an explicit VLAN is in the pool or a switch allow-list',
      req: () => call('POST', `${G}/networks`, obj('Network', 'ext3', { owner: '', vlan: 3000 })),
      code: 422,
      message: /Invalid value: 3000: not in the VLAN pool \(100-200\) nor in switch "sw1" \(1000-1099\)/,
      field: 'spec.vlan',
    },
    {
      rule: 'an explicit VLAN is in 1-4094',
      req: () => call('POST', `${G}/networks`, obj('Network', 'ext4', { owner: '', vlan: 4095 })),
      code: 422,
      message: /4094/,
      field: 'spec.vlan',
    },
    {
      rule: 'a project-owned network cannot pick its VLAN',
      req: () => call('POST', `${G}/networks`, obj('Network', 'net-c', { owner: 'proj', vlan: 120 })),
      code: 422,
      message: /a project-owned network gets its VLAN from the pool/,
      field: 'spec.vlan',
    },
    {
      rule: 'a project-owned network cannot be public',
      req: () => call('POST', `${G}/networks`, obj('Network', 'net-d', { owner: 'proj', public: true })),
      code: 422,
      message: /a project-owned network cannot be public/,
      field: 'spec.public',
    },
    {
      rule: 'a network keeps its VLAN and owner',
      req: () => call('PATCH', `${G}/networks/ext`, { spec: { vlan: 160 } }, MERGE),
      code: 422,
      message: /field is immutable/,
      field: 'spec.vlan',
    },
    {
      rule: 'a switch vlanRange entry is LOW-HIGH with LOW <= HIGH',
      req: () =>
        call('POST', `${G}/switches`, obj('Switch', 'sw2', { type: 'mock', address: 'y', vlanRange: ['300-200'] })),
      code: 422,
      message: /the low end is above the high end/,
      field: 'spec.vlanRange[0]',
    },
  ];

  for (const c of cases) {
    test(`${c.rule} → ${c.code}`, async () => {
      const rev = await srv.store.currentRevision();
      const r = await c.req();
      assert.equal(r.status, c.code, JSON.stringify(r.body));
      assert.equal(r.body.kind, 'Status');
      assert.match(r.body.message, c.message);
      if (c.field) assert.equal(r.body.details.causes[0].field, c.field);
      assert.equal(await srv.store.currentRevision(), rev, 'nothing was written');
    });
  }

  test(
    'the same errors, as kubectl shows them',
    { skip: kubectlOnPath() ? false : 'kubectl is not installed' },
    async () => {
      const kubectl = new Kubectl(srv.url);
      try {
        for (const c of cases) {
          const form = await kubectlFormOf(c.req);
          assert.ok(form, c.rule);
          const r =
            'create' in form
              ? await kubectl.run(['create', '-f', '-'], { input: JSON.stringify(form.create) })
              : await kubectl.run([
                  'patch',
                  form.patch[0],
                  form.patch[1],
                  '--type=merge',
                  '-p',
                  JSON.stringify(form.patch[2]),
                ]);
          assert.notEqual(r.code, 0, c.rule);
          // kubectl prints the server's message (for 422, as "<field>: <message>").
          const shown = c.message.source.replace(/^\^/, '').replace(/\$$/, '');
          assert.match(r.stderr, new RegExp(shown), `${c.rule}: ${r.stderr}`);
        }
      } finally {
        await kubectl.cleanup();
      }
    },
  );

  test('what refers to objects that do not exist yet is accepted (GitOps order)', async () => {
    const r = await call('POST', `${G}/networkattachments`, attach('later', 'node-not-yet', 'eth0', 'net-not-yet'));
    assert.equal(r.status, 201);
    const p = await call(
      'POST',
      `${G}/ports`,
      obj('Port', 'p-later', { switch: 'switch-not-yet', interface: 'Ethernet1/1' }),
    );
    assert.equal(p.status, 201);
  });

  test("a project is deleted only without nodes, owned networks, access to networks or headnodes (HIL's project_delete)", async () => {
    for (const p of ['proj', 'guest', 'empty'])
      assert.equal((await call('POST', `${G}/projects`, obj('Project', p, {}))).status, 201);
    const proj = await call('DELETE', `${G}/projects/proj`);
    assert.equal(proj.status, 409);
    assert.match(
      proj.body.message,
      /^Project "proj": cannot be deleted while it still has nodes n1; networks it owns: net-a, net-b; release, delete or revoke them first$/,
    );
    assert.equal(
      (await call('PATCH', `${G}/networks/ext`, { spec: { accessProjects: ['guest'] } }, MERGE)).status,
      200,
    );
    const guest = await call('DELETE', `${G}/projects/guest`);
    assert.equal(guest.status, 409);
    assert.match(guest.body.message, /access to networks ext/);
    assert.equal((await call('GET', `${G}/projects/guest`)).status, 200, 'nothing deleted');
    assert.equal((await call('PATCH', `${G}/networks/ext`, { spec: { accessProjects: null } }, MERGE)).status, 200);
    assert.equal((await call('DELETE', `${G}/projects/guest`)).status, 200);
    assert.equal((await call('DELETE', `${G}/projects/empty`)).status, 200);
  });

  test('after the attachment goes, the node may leave its project', async () => {
    // Attachments are born with the port-revert finalizer: a deleted one stays (and holds the node) until the
    // switch reconciler has reverted its port and removed the finalizer — done by hand here, there is no controller.
    const created = await call('GET', `${G}/networkattachments/a1`);
    assert.deepEqual(created.body.metadata.finalizers, ['hil.io/port-revert']);
    assert.equal((await call('DELETE', `${G}/networkattachments/a1`)).status, 200);
    const leaving = await call('PATCH', `${G}/nodes/n1`, { spec: { project: '' } }, MERGE);
    assert.equal(leaving.status, 409, 'an attachment whose port is not reverted yet still holds the node');
    assert.match(leaving.body.message, /a1/);
    assert.equal(
      (await call('PATCH', `${G}/networkattachments/a1`, { metadata: { finalizers: null } }, MERGE)).status,
      200,
    );
    assert.equal((await call('GET', `${G}/networkattachments/a1`)).status, 404);
    assert.equal((await call('PATCH', `${G}/nodes/n1`, { spec: { project: '' } }, MERGE)).status, 200);
  });
});
