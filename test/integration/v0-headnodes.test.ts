// HIL's v0 headnode calls and port_revert over HTTP against an in-process server (database auth, base images
// configured): HIL's order of checks, error types and codes, the frozen rule, and the Headnode resource behind them.
// No controllers run: where the headnode or switch controller would act, the test writes what it would.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createAdminUser } from '../../apiserver/admin-tasks.js';
import { resourceName } from '../../apiserver/v0/names.js';
import { callers, startInProcessServer, type InProcessServer } from '../support/server.js';

const G = '/apis/hil.io/v1alpha1';
const MERGE = 'application/merge-patch+json';
type Caller = 'admin' | 'alice' | 'bob';
const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
const CREDS: Record<Caller, Record<string, string>> = {
  admin: basic('root', 'root-password'),
  alice: basic('alice', 'alice-password'),
  bob: basic('bob', 'bob-password'),
};

describe('HIL v0 headnodes and port_revert', () => {
  let srv: InProcessServer;
  const { as, must } = callers<Caller>(
    () => srv.url,
    (c) => CREDS[c],
  );
  const fails = async (c: Caller, method: string, path: string, type: string, code: number, body?: unknown) => {
    const r = await as(c, method, `/v0${path}`, body);
    assert.equal(r.status, code, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body?.type, type, `${method} ${path}: ${JSON.stringify(r.body)}`);
    return r.body.msg as string;
  };
  const v0 = async (c: Caller, method: string, path: string, body?: unknown) =>
    (await must(c, method, `/v0${path}`, body)).body;

  before(async () => {
    srv = await startInProcessServer({ auth: 'database', headnodeBaseImages: ['centos-7', 'ubuntu-22.04'] });
    await createAdminUser(srv.store, 'root', 'root-password');
    for (const p of ['runway', 'Other Lab']) await v0('admin', 'PUT', `/project/${p}`);
    await v0('admin', 'PUT', '/auth/basic/user/alice', { password: 'alice-password', is_admin: false });
    await v0('admin', 'POST', '/auth/basic/user/alice/add_project', { project: 'runway' });
    await v0('admin', 'PUT', '/auth/basic/user/bob', { password: 'bob-password', is_admin: false });
    await v0('admin', 'POST', '/auth/basic/user/bob/add_project', { project: 'Other Lab' });
  });
  after(() => srv.stop());

  test('list_headnode_images: the configured images, sorted, with or without the trailing slash', async () => {
    assert.deepEqual(await v0('alice', 'GET', '/headnode_images/'), ['centos-7', 'ubuntu-22.04']);
    assert.deepEqual(await v0('alice', 'GET', '/headnode_images'), ['centos-7', 'ubuntu-22.04']);
  });

  test('a project member makes, wires, starts and stops a headnode; HIL errors in HIL order', async () => {
    // The image is checked first, before the caller's rights; then duplicates, the project, access.
    await fails('bob', 'PUT', '/headnode/Head One', 'BadArgumentError', 400, { project: 'runway', base_img: 'nope' });
    await fails('alice', 'PUT', '/headnode/Head One', 'NotFoundError', 404, { project: 'nope', base_img: 'centos-7' });
    await fails('bob', 'PUT', '/headnode/Head One', 'AuthorizationError', 401, {
      project: 'runway',
      base_img: 'centos-7',
    });
    await fails('alice', 'PUT', '/headnode/Head One', 'ValidationError', 400, { project: 'runway' });
    await v0('alice', 'PUT', '/headnode/Head One', { project: 'runway', base_img: 'centos-7' });
    assert.equal(
      await fails('bob', 'PUT', '/headnode/Head One', 'DuplicateError', 409, {
        project: 'Other Lab',
        base_img: 'centos-7',
      }),
      'Headnode Head One already exists.',
    );
    // The same object through the resource API: a Headnode, not running yet (HIL's dirty headnode).
    const name = resourceName('Head One');
    const obj = (await must('admin', 'GET', `${G}/headnodes/${name}`)).body;
    assert.deepEqual(obj.spec, { project: 'runway', baseImage: 'centos-7', hnics: [], running: false });
    assert.equal(obj.metadata.annotations['hil.io/hil-name'], 'Head One');

    await v0('alice', 'PUT', '/headnode/Head One/hnic/eth 0');
    await v0('alice', 'PUT', '/headnode/Head One/hnic/eth1');
    assert.equal(
      await fails('alice', 'PUT', '/headnode/Head One/hnic/eth 0', 'DuplicateError', 409),
      'Hnic eth 0 on Headnode Head One already exists.',
    );
    await fails('bob', 'PUT', '/headnode/Head One/hnic/eth2', 'AuthorizationError', 401);
    await fails('alice', 'PUT', '/headnode/nope/hnic/eth2', 'NotFoundError', 404);
    await v0('alice', 'DELETE', '/headnode/Head One/hnic/eth1');
    await fails('alice', 'DELETE', '/headnode/Head One/hnic/eth1', 'NotFoundError', 404);

    // Networks: a project network (pool VLAN) connects; an explicit-VLAN one is not "allocated"; another
    // project's network is a ProjectMismatch.
    await v0('alice', 'PUT', '/network/runway-net', { owner: 'runway', access: 'runway', net_id: '' });
    await v0('admin', 'PUT', '/network/ext', { owner: 'admin', access: 'runway', net_id: '3001' });
    await v0('bob', 'PUT', '/network/other-net', { owner: 'Other Lab', access: 'Other Lab', net_id: '' });
    await fails('alice', 'POST', '/headnode/Head One/hnic/eth 0/connect_network', 'NotFoundError', 404, {
      network: 'nope',
    });
    assert.equal(
      await fails('alice', 'POST', '/headnode/Head One/hnic/eth 0/connect_network', 'BadArgumentError', 400, {
        network: 'ext',
      }),
      'Headnodes may only be connected to networks allocated by the project.',
    );
    await fails('alice', 'POST', '/headnode/Head One/hnic/eth 0/connect_network', 'ProjectMismatchError', 409, {
      network: 'other-net',
    });
    await v0('alice', 'POST', '/headnode/Head One/hnic/eth 0/connect_network', { network: 'runway-net' });
    // Connecting again replaces (HIL: idempotent).
    await v0('alice', 'POST', '/headnode/Head One/hnic/eth 0/connect_network', { network: 'runway-net' });
    const wired = (await must('admin', 'GET', `${G}/headnodes/${name}`)).body;
    assert.equal(wired.spec.hnics.length, 1);
    assert.equal(wired.spec.hnics[0].network, 'runway-net');
    assert.equal(
      wired.metadata.annotations['hil.io/hil-hnic-names'],
      JSON.stringify({ [wired.spec.hnics[0].name]: 'eth 0' }),
    );
    // The network cannot go while the headnode is on it.
    await fails('alice', 'DELETE', '/network/runway-net', 'BlockedError', 409);

    const shown = await v0('alice', 'GET', '/headnode/Head One');
    assert.deepEqual(Object.keys(shown), ['base_img', 'hnics', 'name', 'project', 'uuid', 'vncport']);
    assert.deepEqual(
      [shown.name, shown.project, shown.base_img, shown.hnics, shown.vncport],
      ['Head One', 'runway', 'centos-7', ['eth 0'], null],
    );
    assert.match(shown.uuid, /^[0-9a-f-]{36}$/);
    await fails('bob', 'GET', '/headnode/Head One', 'AuthorizationError', 401);
    assert.deepEqual(await v0('alice', 'GET', '/project/runway/headnodes'), ['Head One']);
    assert.deepEqual(await v0('bob', 'GET', '/project/Other Lab/headnodes'), []);
    await fails('bob', 'GET', '/project/runway/headnodes', 'AuthorizationError', 401);

    // Start: the headnode runs, and is frozen: hnic changes are HIL's IllegalStateError (empty message).
    await v0('alice', 'POST', '/headnode/Head One/start');
    assert.equal((await must('admin', 'GET', `${G}/headnodes/${name}`)).body.spec.running, true);
    assert.equal(await fails('alice', 'PUT', '/headnode/Head One/hnic/eth3', 'IllegalStateError', 409), '');
    await fails('alice', 'POST', '/headnode/Head One/hnic/eth 0/detach_network', 'IllegalStateError', 409);
    // The controller froze it and reports the VM; stop keeps it frozen (HIL), and show has its VNC port.
    await must('admin', 'PATCH', `${G}/headnodes/${name}/status`, { status: { frozen: true, vncPort: 5901 } }, MERGE);
    await v0('alice', 'POST', '/headnode/Head One/stop');
    assert.equal((await must('admin', 'GET', `${G}/headnodes/${name}`)).body.spec.running, false);
    await fails('alice', 'DELETE', '/headnode/Head One/hnic/eth 0', 'IllegalStateError', 409);
    assert.equal((await v0('alice', 'GET', '/headnode/Head One')).vncport, 5901);

    // The project cannot go while it has the headnode; deleting the headnode deletes the Headnode.
    await fails('admin', 'DELETE', '/project/runway', 'BlockedError', 409);
    await fails('bob', 'DELETE', '/headnode/Head One', 'AuthorizationError', 401);
    await v0('alice', 'DELETE', '/headnode/Head One');
    assert.equal((await as('admin', 'GET', `${G}/headnodes/${name}`)).status, 404);
    await fails('alice', 'DELETE', '/headnode/Head One', 'NotFoundError', 404);
  });

  test('a dirty headnode: detach_network clears the hnic, with no error when it has none', async () => {
    await v0('alice', 'PUT', '/headnode/hn2', { project: 'runway', base_img: 'ubuntu-22.04' });
    await v0('alice', 'PUT', '/headnode/hn2/hnic/eth0');
    await v0('alice', 'POST', '/headnode/hn2/hnic/eth0/connect_network', { network: 'runway-net' });
    await v0('alice', 'POST', '/headnode/hn2/hnic/eth0/detach_network');
    await v0('alice', 'POST', '/headnode/hn2/hnic/eth0/detach_network');
    assert.deepEqual((await must('admin', 'GET', `${G}/headnodes/hn2`)).body.spec.hnics, [{ name: 'eth0' }]);
    await fails('alice', 'POST', '/headnode/hn2/hnic/nope/detach_network', 'NotFoundError', 404);
    await v0('alice', 'DELETE', '/headnode/hn2');
  });

  test('port_revert: every attachment of the port goes; the action is PENDING until they are gone, then DONE', async () => {
    await v0('admin', 'PUT', '/switch/sw1', {
      type: 'http://schema.massopencloud.org/haas/v0/switches/mock',
      hostname: 'sw1',
      username: 'u',
      password: 'p',
    });
    await v0('admin', 'PUT', '/switch/sw1/port/gi1/0/7');
    await v0('admin', 'PUT', '/node/n1', {
      obm: { type: 'http://schema.massopencloud.org/haas/v0/obm/ipmi', host: 'bmc', user: 'u', password: 'p' },
    });
    await v0('admin', 'PUT', '/node/n1/nic/eth0', { macaddr: '52:54:00:00:00:07' });
    await v0('admin', 'POST', '/project/runway/connect_node', { node: 'n1' });
    assert.equal(
      await fails('admin', 'POST', '/switch/sw1/port/gi1/0/7/revert', 'NotFoundError', 404),
      'gi1/0/7 not attached',
    );
    await v0('admin', 'POST', '/switch/sw1/port/gi1/0/7/connect_nic', { node: 'n1', nic: 'eth0' });
    await fails('alice', 'POST', '/switch/sw1/port/gi1/0/7/revert', 'AuthorizationError', 401);
    await fails('admin', 'POST', '/switch/sw1/port/nope/revert', 'NotFoundError', 404);

    // Nothing attached: the revert is done at once.
    const empty = await must('admin', 'POST', '/v0/switch/sw1/port/gi1/0/7/revert');
    assert.equal(empty.status, 200);
    const emptyAction = await v0('admin', 'GET', `/networking_action/${empty.body.status_id}`);
    assert.deepEqual(emptyAction, {
      status: 'DONE',
      node: 'n1',
      nic: 'eth0',
      type: 'revert_port',
      channel: '',
      new_network: null,
    });

    const c = await v0('alice', 'POST', '/node/n1/nic/eth0/connect_network', { network: 'runway-net' });
    // While the connect is pending, a revert is refused as HIL's pending action.
    await fails('admin', 'POST', '/switch/sw1/port/gi1/0/7/revert', 'BlockedError', 409);
    const atts = (await must('admin', 'GET', `${G}/networkattachments`)).body.items;
    assert.equal(atts.length, 1);
    await must(
      'admin',
      'PATCH',
      `${G}/networkattachments/${atts[0].metadata.name}/status`,
      { status: { phase: 'Attached', vlan: 1200 } },
      MERGE,
    );
    assert.equal((await v0('alice', 'GET', `/networking_action/${c.status_id}`)).status, 'DONE');

    const r = await must('admin', 'POST', '/v0/switch/sw1/port/gi1/0/7/revert');
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body), ['status_id']);
    const action = await v0('alice', 'GET', `/networking_action/${r.body.status_id}`);
    assert.deepEqual([action.status, action.type, action.new_network], ['PENDING', 'revert_port', null]);
    // The switch controller reverts the port: the attachment goes, and the action is DONE.
    await must(
      'admin',
      'PATCH',
      `${G}/networkattachments/${atts[0].metadata.name}`,
      { metadata: { finalizers: null } },
      MERGE,
    );
    assert.equal((await v0('alice', 'GET', `/networking_action/${r.body.status_id}`)).status, 'DONE');
    assert.deepEqual((await v0('admin', 'GET', '/node/n1')).nics[0].networks, {});
  });
});
