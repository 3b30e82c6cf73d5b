// The authorization matrix: every kind × verb × caller {admin, member of the owning project, member of another
// project, no credentials}, including that list, get and watch never leak another project's objects.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createAdminUser } from '../../apiserver/admin-tasks.js';
import { hilObject, mockNode } from '../support/objects.js';
import { callers, startInProcessServer, type InProcessServer } from '../support/server.js';

const G = '/apis/hil.io/v1alpha1';
type Caller = 'admin' | 'alice' | 'bob' | 'anon';
const CREDS: Record<Caller, Record<string, string>> = {
  admin: { authorization: `Basic ${Buffer.from('root:root-password').toString('base64')}` },
  alice: { authorization: `Basic ${Buffer.from('alice:alice-password').toString('base64')}` }, // member of p1
  bob: { authorization: `Basic ${Buffer.from('bob:bob-password').toString('base64')}` }, // member of p2
  anon: {},
};
const MERGE = 'application/merge-patch+json';

const obj = hilObject;
const node = mockNode;
const event = (name: string, nodeName: string) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name },
  involvedObject: { apiVersion: 'hil.io/v1alpha1', kind: 'Node', name: nodeName },
  reason: 'Test',
  message: `about ${nodeName}`,
  type: 'Normal',
});

describe('authorization matrix', () => {
  let srv: InProcessServer;
  const { as, must } = callers<Caller>(
    () => srv.url,
    (c) => CREDS[c],
  );

  before(async () => {
    srv = await startInProcessServer({ auth: 'database' });
    await createAdminUser(srv.store, 'root', 'root-password');
    for (const [u, p] of [
      ['alice', 'p1'],
      ['bob', 'p2'],
    ] as const) {
      await must('admin', 'POST', `${G}/users`, obj('User', u, { projects: [p] }));
      await must('admin', 'PUT', `${G}/users/${u}/password`, { password: `${u}-password` });
    }
    for (const p of ['p1', 'p2']) await must('admin', 'POST', `${G}/projects`, obj('Project', p, {}));
    await must('admin', 'POST', `${G}/switches`, obj('Switch', 'sw1', { type: 'mock', address: 'mock://sw1' }));
    for (let i = 1; i <= 8; i++)
      await must('admin', 'POST', `${G}/ports`, obj('Port', `port-${i}`, { switch: 'sw1', interface: `gi1/0/${i}` }));
    await must('admin', 'POST', '/api/v1/namespaces/hil-system/secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's1' },
      stringData: { password: 'x' },
    });
    await must('admin', 'POST', `${G}/nodes`, node('n1', 'p1', ['port-1', 'port-2']));
    await must('admin', 'POST', `${G}/nodes`, node('n2', 'p2', ['port-3']));
    await must('admin', 'POST', `${G}/nodes`, node('nfree', '', ['port-4']));
    await must('admin', 'POST', `${G}/networks`, obj('Network', 'net1', { owner: 'p1' }));
    await must('admin', 'POST', `${G}/networks`, obj('Network', 'net2', { owner: 'p2' }));
    await must('admin', 'POST', `${G}/networks`, obj('Network', 'pub', { owner: '', public: true }));
    await must(
      'admin',
      'POST',
      `${G}/networkattachments`,
      obj('NetworkAttachment', 'a1', { node: 'n1', nic: 'eth0', network: 'net1' }),
    );
    await must(
      'admin',
      'POST',
      `${G}/networkattachments`,
      obj('NetworkAttachment', 'a3', { node: 'n2', nic: 'eth0', network: 'net2' }),
    );
    await must('admin', 'POST', `${G}/headnodes`, obj('Headnode', 'hn1', { project: 'p1', baseImage: 'img1' }));
    await must('admin', 'POST', `${G}/headnodes`, obj('Headnode', 'hn2', { project: 'p2', baseImage: 'img1' }));
    await must('admin', 'POST', '/api/v1/namespaces/default/events', event('ev1', 'n1'));
    await must('admin', 'POST', '/api/v1/namespaces/default/events', event('ev2', 'n2'));
  });
  after(() => srv.stop());

  const LISTS: Record<string, string> = {
    nodes: `${G}/nodes`,
    networks: `${G}/networks`,
    networkattachments: `${G}/networkattachments`,
    headnodes: `${G}/headnodes`,
    projects: `${G}/projects`,
    users: `${G}/users`,
    events: '/api/v1/events',
    switches: `${G}/switches`,
    ports: `${G}/ports`,
    secrets: '/api/v1/namespaces/hil-system/secrets',
    leases: '/apis/coordination.k8s.io/v1/namespaces/hil-system/leases',
    namespaces: '/api/v1/namespaces',
  };
  // What each caller's list shows; 403 where the kind is administrator-only.
  const VISIBLE: Record<string, Record<'alice' | 'bob', string[] | 403>> = {
    nodes: { alice: ['n1', 'nfree'], bob: ['n2', 'nfree'] },
    networks: { alice: ['net1', 'pub'], bob: ['net2', 'pub'] },
    networkattachments: { alice: ['a1'], bob: ['a3'] },
    headnodes: { alice: ['hn1'], bob: ['hn2'] },
    projects: { alice: ['p1'], bob: ['p2'] },
    users: { alice: ['alice'], bob: ['bob'] },
    events: { alice: ['ev1'], bob: ['ev2'] },
    switches: { alice: 403, bob: 403 },
    ports: { alice: 403, bob: 403 },
    secrets: { alice: 403, bob: 403 },
    leases: { alice: 403, bob: 403 },
    namespaces: { alice: 403, bob: 403 },
  };

  test('list: each caller sees exactly their share; no credentials is 401', async () => {
    for (const [kind, path] of Object.entries(LISTS)) {
      assert.equal((await as('anon', 'GET', path)).status, 401, `${kind} anon`);
      assert.equal((await as('admin', 'GET', path)).status, 200, `${kind} admin`);
      for (const c of ['alice', 'bob'] as const) {
        const r = await as(c, 'GET', path);
        const want = VISIBLE[kind][c];
        if (want === 403) {
          assert.equal(r.status, 403, `${kind} ${c}`);
          assert.equal(r.body.reason, 'Forbidden');
          assert.match(r.body.message, /administrator-only/);
        } else {
          assert.equal(r.status, 200, `${kind} ${c}`);
          assert.deepEqual(r.body.items.map((i: any) => i.metadata.name).sort(), want, `${kind} ${c}`);
        }
      }
    }
  });

  test('get: visible objects 200, others 403 naming why; the admin gets everything', async () => {
    const all: Record<string, string[]> = {
      nodes: ['n1', 'n2', 'nfree'],
      networks: ['net1', 'net2', 'pub'],
      networkattachments: ['a1', 'a3'],
      headnodes: ['hn1', 'hn2'],
      projects: ['p1', 'p2'],
      users: ['alice', 'bob'],
    };
    for (const [kind, names] of Object.entries(all)) {
      for (const name of names) {
        assert.equal((await as('admin', 'GET', `${LISTS[kind]}/${name}`)).status, 200);
        assert.equal((await as('anon', 'GET', `${LISTS[kind]}/${name}`)).status, 401);
        for (const c of ['alice', 'bob'] as const) {
          const r = await as(c, 'GET', `${LISTS[kind]}/${name}`);
          const ok = (VISIBLE[kind][c] as string[]).includes(name);
          assert.equal(r.status, ok ? 200 : 403, `${c} get ${kind}/${name}`);
          if (!ok) assert.equal(r.body.reason, 'Forbidden');
        }
      }
    }
    assert.equal((await as('alice', 'GET', '/api/v1/namespaces/default/events/ev2')).status, 403);
    assert.equal((await as('alice', 'GET', '/api/v1/namespaces/default/events/ev1')).status, 200);
    assert.equal((await as('alice', 'GET', `${G}/switches/sw1`)).status, 403);
    assert.equal((await as('alice', 'GET', '/api/v1/namespaces/hil-system/secrets/s1')).status, 403);
  });

  test("watch: a member's stream carries only their share of the changes", async () => {
    const kinds = ['nodes', 'networks', 'networkattachments', 'headnodes'] as const;
    for (const kind of kinds) {
      const rv = (await as('admin', 'GET', LISTS[kind])).body.metadata.resourceVersion;
      const ac = new AbortController();
      const res = await fetch(`${srv.url}${LISTS[kind]}?watch=true&resourceVersion=${rv}`, {
        headers: CREDS.alice,
        signal: ac.signal,
      });
      assert.equal(res.status, 200);
      // The admin touches every object of the kind.
      const items = (await as('admin', 'GET', LISTS[kind])).body.items;
      for (const it of items)
        await must(
          'admin',
          'PATCH',
          `${LISTS[kind]}/${it.metadata.name}`,
          { metadata: { labels: { touched: kind } } },
          MERGE,
        );
      const seen = new Set<string>();
      const reader = (res.body as any).getReader();
      const dec = new TextDecoder();
      let buf = '';
      const want = VISIBLE[kind].alice as string[];
      const deadline = Date.now() + 3000;
      while (seen.size < want.length && Date.now() < deadline) {
        const { value, done } = await Promise.race([
          reader.read(),
          new Promise<any>((r) => setTimeout(() => r({ value: undefined, done: false }), 500)),
        ]);
        if (done) break;
        if (value) buf += dec.decode(value, { stream: true });
        for (const line of buf.split('\n').slice(0, -1)) seen.add(JSON.parse(line).object.metadata.name);
        buf = buf.slice(buf.lastIndexOf('\n') + 1);
      }
      // Give a leak a moment to show up.
      await new Promise((r) => setTimeout(r, 200));
      const more = await Promise.race([
        reader.read(),
        new Promise<any>((r) => setTimeout(() => r({ value: undefined }), 300)),
      ]);
      if (more?.value)
        for (const line of dec.decode(more.value).split('\n').filter(Boolean))
          seen.add(JSON.parse(line).object.metadata.name);
      ac.abort();
      assert.deepEqual([...seen].sort(), want, `alice's watch on ${kind}`);
    }
  });

  // Writes: [who, what, request, expected status, expected message].
  type Row = [Caller, string, () => Promise<{ status: number; body: any }>, number, RegExp?];
  const rows = (): Row[] => [
    // Nodes: enrolled by admins; members claim, release, power and boot their own.
    [
      'alice',
      'create a node',
      () => as('alice', 'POST', `${G}/nodes`, node('n9', 'p1', ['port-8'])),
      403,
      /enrolled and removed by administrators/,
    ],
    ['admin', 'create a node', () => as('admin', 'POST', `${G}/nodes`, node('n9', '', ['port-8'])), 201],
    [
      'alice',
      'power off her node',
      () => as('alice', 'PATCH', `${G}/nodes/n1`, { spec: { power: 'Off' } }, MERGE),
      200,
    ],
    [
      'alice',
      'set the boot device (JSON patch)',
      () =>
        as(
          'alice',
          'PATCH',
          `${G}/nodes/n1`,
          [{ op: 'add', path: '/spec/bootDevice', value: 'disk' }],
          'application/json-patch+json',
        ),
      200,
    ],
    [
      'alice',
      'power-cycle her node (annotation)',
      () =>
        as(
          'alice',
          'PATCH',
          `${G}/nodes/n1`,
          { metadata: { annotations: { 'hil.io/power-cycle': '2026-11-25T12:00:00Z' } } },
          MERGE,
        ),
      200,
    ],
    [
      'bob',
      "power off another project's node",
      () => as('bob', 'PATCH', `${G}/nodes/n1`, { spec: { power: 'Off' } }, MERGE),
      403,
      /belongs to a project you are not a member of/,
    ],
    [
      'alice',
      "rewire her node's NICs",
      () => as('alice', 'PATCH', `${G}/nodes/n1`, { spec: { nics: [{ name: 'eth0', port: 'port-7' }] } }, MERGE),
      403,
      /may change only spec.project/,
    ],
    [
      'alice',
      'claim a free node for her project',
      () => as('alice', 'PATCH', `${G}/nodes/nfree`, { spec: { project: 'p1' } }, MERGE),
      200,
    ],
    [
      'bob',
      'take a node claimed by p1',
      () => as('bob', 'PATCH', `${G}/nodes/nfree`, { spec: { project: 'p2' } }, MERGE),
      403,
    ],
    [
      'alice',
      'release her node',
      () => as('alice', 'PATCH', `${G}/nodes/nfree`, { spec: { project: '' } }, MERGE),
      200,
    ],
    [
      'alice',
      'claim a free node for another project',
      () => as('alice', 'PATCH', `${G}/nodes/nfree`, { spec: { project: 'p2' } }, MERGE),
      403,
      /project you are a member of/,
    ],
    ['alice', 'delete her node', () => as('alice', 'DELETE', `${G}/nodes/n1`), 403],
    [
      'alice',
      'write node status',
      () => as('alice', 'PATCH', `${G}/nodes/n1/status`, { status: { power: 'On' } }, MERGE),
      403,
      /status is written by the controllers/,
    ],
    [
      'admin',
      'write node status',
      () => as('admin', 'PATCH', `${G}/nodes/n1/status`, { status: { power: 'On' } }, MERGE),
      200,
    ],
    ['anon', 'power off a node', () => as('anon', 'PATCH', `${G}/nodes/n1`, { spec: { power: 'Off' } }, MERGE), 401],
    // Networks: members create, share and delete their project's; admin-owned ones are for admins.
    [
      'alice',
      'create a network for her project',
      () => as('alice', 'POST', `${G}/networks`, obj('Network', 'net-a', { owner: 'p1' })),
      201,
    ],
    [
      'bob',
      'create a network for another project',
      () => as('bob', 'POST', `${G}/networks`, obj('Network', 'net-b', { owner: 'p1' })),
      403,
      /owned by project "p1"/,
    ],
    [
      'alice',
      'create an admin-owned network',
      () => as('alice', 'POST', `${G}/networks`, obj('Network', 'net-c', { owner: '' })),
      403,
      /admin-owned/,
    ],
    [
      'alice',
      'grant p2 access to her network',
      () => as('alice', 'PATCH', `${G}/networks/net-a`, { spec: { accessProjects: ['p2'] } }, MERGE),
      200,
    ],
    [
      'bob',
      "grant himself access to p1's network",
      () => as('bob', 'PATCH', `${G}/networks/net1`, { spec: { accessProjects: ['p2'] } }, MERGE),
      403,
    ],
    [
      'alice',
      'make her network public',
      () => as('alice', 'PATCH', `${G}/networks/net1`, { spec: { public: true } }, MERGE),
      403,
      /may not change spec.public/,
    ],
    ['bob', "delete p1's network", () => as('bob', 'DELETE', `${G}/networks/net1`), 403],
    ['alice', 'delete her network', () => as('alice', 'DELETE', `${G}/networks/net-a`), 200],
    [
      'alice',
      'write network status',
      () => as('alice', 'PATCH', `${G}/networks/net1/status`, { status: { vlan: 7 } }, MERGE),
      403,
    ],
    [
      'anon',
      'create a network',
      () => as('anon', 'POST', `${G}/networks`, obj('Network', 'net-d', { owner: 'p1' })),
      401,
    ],
    // Attachments: members attach their nodes to networks their project may use.
    [
      'alice',
      'attach her node to a public network',
      () =>
        as(
          'alice',
          'POST',
          `${G}/networkattachments`,
          obj('NetworkAttachment', 'a2', { node: 'n1', nic: 'eth1', network: 'pub', channel: 'tagged' }),
        ),
      201,
    ],
    [
      'alice',
      'attach her node to a network p1 may not use',
      () =>
        as(
          'alice',
          'POST',
          `${G}/networkattachments`,
          obj('NetworkAttachment', 'a4', { node: 'n1', nic: 'eth1', network: 'net2', channel: 'tagged' }),
        ),
      403,
      /has no access/,
    ],
    [
      'bob',
      "attach another project's node",
      () =>
        as(
          'bob',
          'POST',
          `${G}/networkattachments`,
          obj('NetworkAttachment', 'a5', { node: 'n1', nic: 'eth1', network: 'net2', channel: 'tagged' }),
        ),
      403,
      /not in one of your projects/,
    ],
    [
      'alice',
      'label her attachment',
      () => as('alice', 'PATCH', `${G}/networkattachments/a1`, { metadata: { labels: { team: 'x' } } }, MERGE),
      200,
    ],
    [
      'alice',
      'relabel her attachment into another project',
      () =>
        as('alice', 'PATCH', `${G}/networkattachments/a1`, { metadata: { labels: { 'hil.io/project': 'p2' } } }, MERGE),
      403,
      /managed by HIL/,
    ],
    ['bob', "delete another project's attachment", () => as('bob', 'DELETE', `${G}/networkattachments/a1`), 403],
    ['alice', 'delete her attachment', () => as('alice', 'DELETE', `${G}/networkattachments/a2`), 200],
    // Headnodes: members manage their project's.
    [
      'alice',
      'create a headnode for her project',
      () => as('alice', 'POST', `${G}/headnodes`, obj('Headnode', 'hn-a', { project: 'p1', baseImage: 'img1' })),
      201,
    ],
    [
      'bob',
      'create a headnode for another project',
      () => as('bob', 'POST', `${G}/headnodes`, obj('Headnode', 'hn-b', { project: 'p1', baseImage: 'img1' })),
      403,
    ],
    [
      'alice',
      'stop her headnode',
      () => as('alice', 'PATCH', `${G}/headnodes/hn1`, { spec: { running: false } }, MERGE),
      200,
    ],
    [
      'alice',
      'move her headnode to another project',
      () => as('alice', 'PATCH', `${G}/headnodes/hn1`, { spec: { project: 'p2' } }, MERGE),
      403,
    ],
    [
      'bob',
      "stop another project's headnode",
      () => as('bob', 'PATCH', `${G}/headnodes/hn1`, { spec: { running: false } }, MERGE),
      403,
    ],
    ['alice', 'delete her headnode', () => as('alice', 'DELETE', `${G}/headnodes/hn-a`), 200],
    // Administrator-only kinds.
    [
      'alice',
      'create a project',
      () => as('alice', 'POST', `${G}/projects`, obj('Project', 'p3', {})),
      403,
      /projects are managed by administrators/,
    ],
    [
      'alice',
      "rename her project's description",
      () => as('alice', 'PATCH', `${G}/projects/p1`, { spec: { description: 'x' } }, MERGE),
      403,
    ],
    ['admin', 'create a project', () => as('admin', 'POST', `${G}/projects`, obj('Project', 'p3', {})), 201],
    ['alice', 'create a user', () => as('alice', 'POST', `${G}/users`, obj('User', 'eve', {})), 403],
    [
      'alice',
      'make herself admin',
      () => as('alice', 'PATCH', `${G}/users/alice`, { spec: { admin: true } }, MERGE),
      403,
    ],
    [
      'alice',
      'create a switch',
      () => as('alice', 'POST', `${G}/switches`, obj('Switch', 'sw2', { type: 'mock', address: 'x' })),
      403,
      /administrator-only/,
    ],
    [
      'alice',
      "clear a switch's recorded SSH host key (trust a switch in the middle)",
      () => as('alice', 'PATCH', `${G}/switches/sw1/status`, { status: { sshHostKeyFingerprint: null } }, MERGE),
      403,
      /administrator-only/,
    ],
    [
      'alice',
      "pin a switch's SSH host key",
      () => as('alice', 'PATCH', `${G}/switches/sw1`, { spec: { options: { hostKeyFingerprint: 'x' } } }, MERGE),
      403,
      /administrator-only/,
    ],
    [
      'alice',
      'change a port',
      () => as('alice', 'PATCH', `${G}/ports/port-1`, { spec: { interface: 'gi9/9/9' } }, MERGE),
      403,
    ],
    ['alice', 'delete a secret', () => as('alice', 'DELETE', '/api/v1/namespaces/hil-system/secrets/s1'), 403],
    [
      'alice',
      'write an event',
      () => as('alice', 'POST', '/api/v1/namespaces/default/events', event('ev9', 'n1')),
      403,
    ],
    ['alice', 'delete all nodes', () => as('alice', 'DELETE', `${G}/nodes`), 403],
    [
      'admin',
      'change a port',
      () => as('admin', 'PATCH', `${G}/ports/port-8`, { metadata: { labels: { a: 'b' } } }, MERGE),
      200,
    ],
    ['anon', 'read a secret', () => as('anon', 'GET', '/api/v1/namespaces/hil-system/secrets/s1'), 401],
  ];

  test('writes: each caller may do exactly what HIL allows, and every refusal names its rule', async () => {
    const failures: string[] = [];
    for (const [who, what, req, code, msg] of rows()) {
      const r = await req();
      if (r.status !== code)
        failures.push(`${who} ${what}: expected ${code}, got ${r.status} ${r.body?.message ?? ''}`);
      else if (
        code === 403 &&
        (r.body.reason !== 'Forbidden' || !/is forbidden: User "\w+" cannot/.test(r.body.message))
      )
        failures.push(`${who} ${what}: 403 without a rule: ${r.body.message}`);
      else if (msg && !msg.test(r.body.message))
        failures.push(`${who} ${what}: message ${JSON.stringify(r.body.message)} does not match ${msg}`);
    }
    assert.deepEqual(failures, []);
  });

  test('a refused write changed nothing', async () => {
    const n1 = (await as('admin', 'GET', `${G}/nodes/n1`)).body;
    assert.deepEqual(
      n1.spec.nics.map((n: any) => n.port),
      ['port-1', 'port-2'],
    );
    assert.equal((await as('admin', 'GET', `${G}/networks/net1`)).body.spec.accessProjects, undefined);
    assert.equal((await as('admin', 'GET', `${G}/networkattachments/a1`)).body.metadata.labels['hil.io/project'], 'p1');
    assert.equal((await as('admin', 'GET', `${G}/headnodes/hn1`)).body.spec.project, 'p1');
  });
});
