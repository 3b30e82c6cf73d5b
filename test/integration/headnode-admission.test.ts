// Who may do what with headnodes, and HIL's headnode rules at the API: members manage their own project's headnodes
// only, and only on networks their project may access (403 naming the network); base images come from hil.cfg
// [headnode] base_imgs (422 naming spec.baseImage); baseImage and project cannot change (422); hnics are frozen once
// the headnode has been started (409); networks with an explicit VLAN cannot carry hnics (422, as HIL); members
// cannot remove the controller's finalizer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createAdminUser } from '../../apiserver/admin-tasks.js';
import { callers, startInProcessServer, type InProcessServer } from '../support/server.js';

const G = '/apis/hil.io/v1alpha1';
const MERGE = 'application/merge-patch+json';
const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
const CREDS = {
  admin: basic('root', 'root-password'),
  alice: basic('alice', 'alice-password'),
  bob: basic('bob', 'bob-password'),
};
type Caller = keyof typeof CREDS;
const obj = (kind: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'hil.io/v1alpha1',
  kind,
  metadata: { name },
  spec,
});
const hn = (name: string, project: string, hnics: { name: string; network?: string }[], baseImage = 'img-a') =>
  obj('Headnode', name, { project, baseImage, hnics });

describe('headnode authorization and admission', () => {
  let srv: InProcessServer;
  const { as, must } = callers<Caller>(
    () => srv.url,
    (c) => CREDS[c],
  );

  before(async () => {
    srv = await startInProcessServer({ auth: 'database', headnodeBaseImages: ['img-a', 'img-b'] });
    await createAdminUser(srv.store, 'root', 'root-password');
    for (const p of ['p1', 'p2']) await must('admin', 'POST', `${G}/projects`, obj('Project', p, {}));
    for (const [u, p] of [
      ['alice', 'p1'],
      ['bob', 'p2'],
    ] as const) {
      await must('admin', 'POST', `${G}/users`, obj('User', u, { projects: [p] }));
      await must('admin', 'PUT', `${G}/users/${u}/password`, { password: `${u}-password` });
    }
    await must('admin', 'POST', `${G}/networks`, obj('Network', 'net1', { owner: 'p1' }));
    await must('admin', 'POST', `${G}/networks`, obj('Network', 'net2', { owner: 'p2' }));
    await must('admin', 'POST', `${G}/networks`, obj('Network', 'shared', { owner: 'p2', accessProjects: ['p1'] }));
  });
  after(async () => srv?.stop());

  test('members: their own project, networks their project may access', async () => {
    await must(
      'alice',
      'POST',
      `${G}/headnodes`,
      hn('hn1', 'p1', [{ name: 'a', network: 'net1' }, { name: 'b', network: 'shared' }, { name: 'c' }]),
    );
    const other = await as('alice', 'POST', `${G}/headnodes`, hn('hn2', 'p1', [{ name: 'a', network: 'net2' }]));
    assert.equal(other.status, 403, JSON.stringify(other.body));
    assert.match(other.body.message, /network "net2" of hnic "a" does not exist or project "p1" has no access to it/);
    const missing = await as('alice', 'POST', `${G}/headnodes`, hn('hn2', 'p1', [{ name: 'a', network: 'nope' }]));
    assert.equal(missing.status, 403);
    const foreign = await as('alice', 'POST', `${G}/headnodes`, hn('hn3', 'p2', []));
    assert.equal(foreign.status, 403);
    // Connecting an existing hnic to a network the project cannot use: refused too.
    const patch = await as(
      'alice',
      'PATCH',
      `${G}/headnodes/hn1`,
      { spec: { hnics: [{ name: 'a', network: 'net2' }] } },
      MERGE,
    );
    assert.equal(patch.status, 403);
    // Bob does not see, change or delete alice's headnode.
    for (const m of ['GET', 'DELETE'])
      assert.ok([403, 404].includes((await as('bob', m, `${G}/headnodes/hn1`)).status), m);
    assert.equal((await as('alice', 'GET', `${G}/headnodes/hn1`)).status, 200);
    // Members cannot take the controller's finalizer off.
    await must('admin', 'PATCH', `${G}/headnodes/hn1`, { metadata: { finalizers: ['hil.io/headnode-vm'] } }, MERGE);
    const fin = await as('alice', 'PATCH', `${G}/headnodes/hn1`, { metadata: { finalizers: null } }, MERGE);
    assert.equal(fin.status, 403);
    assert.match(fin.body.message, /finalizers are managed by the controllers/);
    await must('admin', 'PATCH', `${G}/headnodes/hn1`, { metadata: { finalizers: null } }, MERGE);
  });

  test('base image from [headnode] base_imgs; baseImage and project fixed', async () => {
    const bad = await as('alice', 'POST', `${G}/headnodes`, hn('hn4', 'p1', [], 'img-z'));
    assert.equal(bad.status, 422);
    assert.equal(bad.body.details.causes[0].field, 'spec.baseImage');
    assert.match(bad.body.message, /not a base image of this HIL \(\[headnode\] base_imgs: img-a, img-b\)/);
    const change = await as('alice', 'PATCH', `${G}/headnodes/hn1`, { spec: { baseImage: 'img-b' } }, MERGE);
    assert.equal(change.status, 422);
    assert.match(change.body.message, /spec\.baseImage.*cannot be changed/);
    const move = await as('admin', 'PATCH', `${G}/headnodes/hn1`, { spec: { project: 'p2' } }, MERGE);
    assert.equal(move.status, 422);
  });

  test('hnics may change before the first start, not after (409); nothing is written when refused', async () => {
    await must('alice', 'PATCH', `${G}/headnodes/hn1`, { spec: { hnics: [{ name: 'a', network: 'net1' }] } }, MERGE);
    // The controller's freeze is conditional on the resourceVersion it read: a stale one is refused.
    const read = (await must('admin', 'GET', `${G}/headnodes/hn1`)).body;
    await must('alice', 'PATCH', `${G}/headnodes/hn1`, { metadata: { labels: { x: 'y' } } }, MERGE);
    const stale = await as(
      'admin',
      'PATCH',
      `${G}/headnodes/hn1/status`,
      { metadata: { resourceVersion: read.metadata.resourceVersion }, status: { frozen: true } },
      MERGE,
    );
    assert.equal(stale.status, 409, JSON.stringify(stale.body));
    await must('admin', 'PATCH', `${G}/headnodes/hn1/status`, { status: { frozen: true } }, MERGE);
    const before = (await must('alice', 'GET', `${G}/headnodes/hn1`)).body;
    for (const hnics of [[{ name: 'a' }], [{ name: 'a', network: 'net1' }, { name: 'z' }], []]) {
      const r = await as('admin', 'PATCH', `${G}/headnodes/hn1`, { spec: { hnics } }, MERGE);
      assert.equal(r.status, 409, JSON.stringify(hnics));
      assert.match(r.body.message, /spec\.hnics cannot change: the headnode has been started/);
    }
    // Other fields still change (running), and the same hnics in another order are no change.
    await must('alice', 'PATCH', `${G}/headnodes/hn1`, { spec: { running: false } }, MERGE);
    const after = (await must('alice', 'GET', `${G}/headnodes/hn1`)).body;
    assert.deepEqual(after.spec.hnics, before.spec.hnics);
  });

  test('a network with an explicit VLAN cannot carry hnics (HIL: allocated networks only)', async () => {
    await must('admin', 'POST', `${G}/networks`, obj('Network', 'fixed', { owner: '', public: true, vlan: 3000 }));
    const r = await as('alice', 'POST', `${G}/headnodes`, hn('hn5', 'p1', [{ name: 'a', network: 'fixed' }]));
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.details.causes[0].field, 'spec.hnics[0].network');
  });
});
