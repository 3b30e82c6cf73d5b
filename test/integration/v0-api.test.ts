// HIL's v0 REST API over HTTP against an in-process server with the database auth backend: an admin and a
// project-user scenario, HIL's error types and codes, and one set of objects seen through both /v0 and /apis.
// No controllers run here: where HIL's network daemon would act, the test plays the switch controller by writing
// the attachment's status (or removing its finalizer), as the controller does.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createAdminUser } from '../../apiserver/admin-tasks.js';
import { resourceName } from '../../apiserver/v0/names.js';
import { api, callers, startInProcessServer, type InProcessServer } from '../support/server.js';
import { basicAuth as basic } from '../support/objects.js';

const G = '/apis/hil.io/v1alpha1';
const MERGE = 'application/merge-patch+json';
type Caller = 'admin' | 'alice' | 'bob' | 'anon';
const CREDS: Record<Caller, Record<string, string>> = {
  admin: basic('root', 'root-password'),
  alice: basic('alice', 'alice-password'),
  bob: basic('bob', 'bob-password'),
  anon: {},
};
/** fetch() refuses a GET with a body; HIL answers one with a ValidationError. */
function rawRequest(
  url: string,
  method: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
const SWITCH_MOCK = 'http://schema.massopencloud.org/haas/v0/switches/mock';
const OBM_IPMI = 'http://schema.massopencloud.org/haas/v0/obm/ipmi';

describe('HIL v0 REST API', () => {
  let srv: InProcessServer;
  const { as, must } = callers<Caller>(
    () => srv.url,
    (c) => CREDS[c],
  );
  /** A v0 call that must fail with this HIL error type and HTTP code. */
  const fails = async (c: Caller, method: string, path: string, type: string, code: number, body?: unknown) => {
    const r = await as(c, method, `/v0${path}`, body);
    assert.equal(r.status, code, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body?.type, type, `${method} ${path}: ${JSON.stringify(r.body)}`);
    assert.equal(typeof r.body.msg, 'string');
    return r.body.msg as string;
  };
  const v0 = async (c: Caller, method: string, path: string, body?: unknown) => {
    const r = await must(c, method, `/v0${path}`, body);
    return r.body;
  };
  /** Plays the switch controller: the attachment now carries its network. */
  const switchApplies = async (node: string, network: string) => {
    const list = await must('admin', 'GET', `${G}/networkattachments`);
    const att = list.body.items.find((a: any) => a.spec.node === node && a.spec.network === network);
    await must(
      'admin',
      'PATCH',
      `${G}/networkattachments/${att.metadata.name}/status`,
      { status: { phase: 'Attached', vlan: 1100 } },
      MERGE,
    );
    return att;
  };
  /** Plays the switch controller: the port is reverted and the attachment goes. */
  const switchReverts = async (name: string) => {
    await must('admin', 'PATCH', `${G}/networkattachments/${name}`, { metadata: { finalizers: null } }, MERGE);
  };

  before(async () => {
    srv = await startInProcessServer({ auth: 'database' });
    await createAdminUser(srv.store, 'root', 'root-password');
  });
  after(() => srv.stop());

  test('authentication is required, and answered the HIL way', async () => {
    const msg = await fails('anon', 'GET', '/projects', 'AuthorizationError', 401);
    assert.match(msg, /Authentication is required/);
    await fails('anon', 'GET', '/projects', 'AuthorizationError', 401);
    const wrong = await api(srv.url, 'GET', '/v0/projects', undefined, undefined, basic('root', 'not-the-password'));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.type, 'AuthorizationError');
    // Argument checks come before authentication, as in HIL.
    await fails('anon', 'PUT', '/project/x', 'ValidationError', 400, { extra: 1 });
  });

  test('admin: projects, switches, ports, nodes, NICs, users, networks', async () => {
    assert.deepEqual(await v0('admin', 'GET', '/projects'), []);
    assert.deepEqual(await v0('admin', 'GET', '/nodes/all'), []);
    const created = await must('admin', 'PUT', '/v0/project/runway');
    assert.equal(created.status, 200);
    assert.equal(created.body, undefined, 'writes answer an empty body');
    await fails('admin', 'PUT', '/project/runway', 'DuplicateError', 409);
    await v0('admin', 'PUT', '/project/Runway%20Lab');
    await v0('admin', 'PUT', '/project/other');
    assert.deepEqual(await v0('admin', 'GET', '/projects'), ['Runway Lab', 'other', 'runway']);

    await v0('admin', 'PUT', '/switch/sw1', {
      type: SWITCH_MOCK,
      hostname: 'sw1.example.com',
      username: 'admin',
      password: 'switch-pw',
    });
    await fails('admin', 'PUT', '/switch/sw1', 'DuplicateError', 409, {
      type: SWITCH_MOCK,
      hostname: 'h',
      username: 'u',
      password: 'p',
    });
    await fails('admin', 'PUT', '/switch/sw2', 'BadArgumentError', 400, {
      type: 'http://schema.massopencloud.org/haas/v0/switches/nope',
      hostname: 'h',
    });
    await fails('admin', 'PUT', '/switch/sw2', 'BadArgumentError', 400, { type: SWITCH_MOCK, hostname: 'h' });
    // Port names keep their raw slashes.
    await v0('admin', 'PUT', '/switch/sw1/port/gi1/0/1');
    await v0('admin', 'PUT', '/switch/sw1/port/gi1/0/2');
    await fails('admin', 'PUT', '/switch/sw1/port/gi1/0/1', 'DuplicateError', 409);
    assert.deepEqual(await v0('admin', 'GET', '/switch/sw1'), {
      name: 'sw1',
      ports: [{ label: 'gi1/0/1' }, { label: 'gi1/0/2' }],
      capabilities: [],
    });

    await v0('admin', 'PUT', '/node/node-01', {
      obm: { type: OBM_IPMI, host: 'bmc-01.example.com', user: 'ADMIN', password: 'bmc-pw' },
      metadata: { rack: 'r1', slot: 3 },
    });
    await v0('admin', 'PUT', '/node/Node_02', {
      obm: { type: OBM_IPMI, host: 'bmc-02.example.com', user: 'ADMIN', password: 'bmc-pw' },
    });
    await fails('admin', 'PUT', '/node/node-01', 'DuplicateError', 409, {
      obm: { type: OBM_IPMI, host: 'h', user: 'u', password: 'p' },
    });
    // A body without a Content-Type is JSON all the same.
    const nic = await fetch(`${srv.url}/v0/node/node-01/nic/eth0`, {
      method: 'PUT',
      headers: CREDS.admin,
      body: JSON.stringify({ macaddr: '52:54:00:00:01:01' }),
    });
    assert.equal(nic.status, 200);
    await v0('admin', 'PUT', '/node/Node_02/nic/eth%200', { macaddr: '52:54:00:00:02:01' });
    await fails('admin', 'PUT', '/node/node-01/nic/eth0', 'DuplicateError', 409, { macaddr: '52:54:00:00:01:01' });
    await v0('admin', 'POST', '/switch/sw1/port/gi1/0/1/connect_nic', { node: 'node-01', nic: 'eth0' });
    await v0('admin', 'POST', '/switch/sw1/port/gi1/0/2/connect_nic', { node: 'Node_02', nic: 'eth 0' });
    await fails('admin', 'POST', '/switch/sw1/port/gi1/0/1/connect_nic', 'DuplicateError', 409, {
      node: 'node-01',
      nic: 'eth0',
    });
    assert.deepEqual(await v0('admin', 'GET', '/nodes/free'), ['Node_02', 'node-01']);
    assert.deepEqual(await v0('admin', 'GET', '/node/node-01'), {
      metadata: { rack: '"r1"', slot: '3' },
      name: 'node-01',
      nics: [{ label: 'eth0', macaddr: '52:54:00:00:01:01', networks: {}, port: 'gi1/0/1', switch: 'sw1' }],
      project: null,
    });
    assert.equal((await v0('admin', 'GET', '/node/Node_02')).nics[0].label, 'eth 0');
    // Metadata: upsert a label (the value is kept as JSON text, as HIL), delete it, 404 for a missing one.
    await v0('admin', 'PUT', '/node/node-01/metadata/EK', { value: { key: 'k1', n: [1, 2] } });
    await v0('admin', 'PUT', '/node/node-01/metadata/slot', { value: 4 });
    assert.deepEqual((await v0('admin', 'GET', '/node/node-01')).metadata, {
      EK: '{"key":"k1","n":[1,2]}',
      rack: '"r1"',
      slot: '4',
    });
    await v0('admin', 'DELETE', '/node/node-01/metadata/EK');
    await fails('admin', 'DELETE', '/node/node-01/metadata/EK', 'NotFoundError', 404);
    await fails('admin', 'PUT', '/node/nope/metadata/EK', 'NotFoundError', 404, { value: 1 });
    await fails('admin', 'PUT', '/node/node-01/metadata/EK', 'ValidationError', 400, {});
    await fails('alice', 'PUT', '/node/node-01/metadata/EK', 'AuthorizationError', 401, { value: 1 });
    await v0('admin', 'PUT', '/node/node-01/metadata/slot', { value: 3 });

    await v0('admin', 'PUT', '/auth/basic/user/alice', { password: 'alice-password' });
    await v0('admin', 'PUT', '/auth/basic/user/bob', { password: 'bob-password', is_admin: false });
    await fails('admin', 'PUT', '/auth/basic/user/alice', 'DuplicateError', 409, { password: 'alice-password' });
    await v0('admin', 'POST', '/auth/basic/user/alice/add_project', { project: 'runway' });
    await v0('admin', 'POST', '/auth/basic/user/bob/add_project', { project: 'other' });
    await fails('admin', 'POST', '/auth/basic/user/alice/add_project', 'DuplicateError', 409, { project: 'runway' });
    await fails('admin', 'POST', '/auth/basic/user/alice/remove_project', 'NotFoundError', 404, { project: 'other' });
    await fails('admin', 'POST', '/auth/basic/user/nobody/add_project', 'NotFoundError', 404, { project: 'runway' });
    // A HIL user name that is not a resource name (a User under its mapped name) logs in with the HIL name, over v0
    // and the resource API; a wrong password and the mapped name's neighbours do not.
    await v0('admin', 'PUT', '/auth/basic/user/Carol_Smith', { password: 'carol-password' });
    await v0('admin', 'POST', '/auth/basic/user/Carol_Smith/add_project', { project: 'runway' });
    const carol = basic('Carol_Smith', 'carol-password');
    const carolNodes = await api(srv.url, 'GET', '/v0/project/runway/nodes', undefined, undefined, carol);
    assert.equal(carolNodes.status, 200, JSON.stringify(carolNodes.body));
    assert.equal((await api(srv.url, 'GET', `${G}/nodes`, undefined, undefined, carol)).status, 200);
    for (const wrong of [basic('Carol_Smith', 'wrong-password'), basic('carol_smith', 'carol-password')])
      assert.equal((await api(srv.url, 'GET', '/v0/project/runway/nodes', undefined, undefined, wrong)).status, 401);
    assert.ok((await v0('admin', 'GET', '/auth/basic/users'))['Carol_Smith'], 'listed under the HIL name');

    await v0('admin', 'PUT', '/network/provider', { owner: 'admin', access: 'runway', net_id: '1100' });
    await v0('admin', 'PUT', '/network/public-net', { owner: 'admin', access: '', net_id: '1101' });
    await fails('admin', 'PUT', '/network/bad', 'BadArgumentError', 400, { owner: 'admin', access: '', net_id: 'x' });
    assert.deepEqual(await v0('admin', 'GET', '/networks'), {
      provider: { network_id: '1100', projects: ['runway'] },
      'public-net': { network_id: '1101', projects: null },
    });
  });

  test('active extensions name the auth backend, the allocator and the switch and OBM types, admins only', async () => {
    const exts = (await v0('admin', 'GET', '/active_extensions')) as string[];
    assert.deepEqual(exts, [...exts].sort(), 'sorted, as HIL answers');
    for (const e of [
      'hil.ext.auth.database',
      'hil.ext.network_allocators.vlan_pool',
      'hil.ext.switches.dell',
      'hil.ext.switches.nexus',
      'hil.ext.obm.ipmi',
    ])
      assert.ok(exts.includes(e), `${e} in ${JSON.stringify(exts)}`);
    assert.ok(!exts.some((e) => e.startsWith('hil.ext.auth.') && e !== 'hil.ext.auth.database'), 'one auth backend');
    await fails('alice', 'GET', '/active_extensions', 'AuthorizationError', 401);
    await fails('anon', 'GET', '/active_extensions', 'AuthorizationError', 401);
  });

  test('the same objects through the resource API', async () => {
    const project = await must('admin', 'GET', `${G}/projects/${resourceName('Runway Lab')}`);
    assert.equal(project.body.metadata.annotations['hil.io/hil-name'], 'Runway Lab');
    const node = (await must('admin', 'GET', `${G}/nodes/node-01`)).body;
    assert.equal(node.spec.obm.type, 'ipmi');
    const port = (await must('admin', 'GET', `${G}/ports/${node.spec.nics[0].port}`)).body;
    assert.deepEqual(port.spec, { switch: 'sw1', interface: 'gi1/0/1' });
    const secret = (
      await must('admin', 'GET', `/api/v1/namespaces/hil-system/secrets/${node.spec.obm.credentialsSecretRef.name}`)
    ).body;
    assert.equal(Buffer.from(secret.data.password, 'base64').toString(), 'bmc-pw');
    const sw = (await must('admin', 'GET', `${G}/switches/sw1`)).body;
    assert.deepEqual([sw.spec.type, sw.spec.address], ['mock', 'sw1.example.com']);
    const net = (await must('admin', 'GET', `${G}/networks/provider`)).body;
    assert.deepEqual(net.spec, { owner: '', accessProjects: ['runway'], public: false, vlan: 1100 });
    const alice = (await must('admin', 'GET', `${G}/users/alice`)).body;
    assert.deepEqual(alice.spec, { admin: false, projects: ['runway'] });
  });

  test('project user: claim a node, make a network, connect and detach, release', async () => {
    const admOnly = await fails('alice', 'GET', '/projects', 'AuthorizationError', 401);
    assert.equal(admOnly, 'This operation is administrator-only.');
    await fails('alice', 'POST', '/project/other/connect_node', 'AuthorizationError', 401, { node: 'node-01' });
    await v0('alice', 'POST', '/project/runway/connect_node', { node: 'node-01' });
    await fails('bob', 'POST', '/project/other/connect_node', 'BlockedError', 409, { node: 'node-01' });
    assert.deepEqual(await v0('alice', 'GET', '/project/runway/nodes'), ['node-01']);
    assert.deepEqual(await v0('alice', 'GET', '/nodes/free'), ['Node_02']);
    // Members do not see where a NIC is cabled.
    assert.deepEqual((await v0('alice', 'GET', '/node/node-01')).nics, [
      { label: 'eth0', macaddr: '52:54:00:00:01:01', networks: {} },
    ]);
    await fails('bob', 'GET', '/node/node-01', 'AuthorizationError', 401);

    await v0('alice', 'PUT', '/network/runway-net', { owner: 'runway', access: 'runway', net_id: '' });
    await fails('alice', 'PUT', '/network/mine', 'AuthorizationError', 401, { owner: 'admin', access: '', net_id: '' });
    await fails('alice', 'PUT', '/network/mine', 'BadArgumentError', 400, {
      owner: 'runway',
      access: 'runway',
      net_id: '1200',
    });
    await fails('alice', 'PUT', '/network/mine', 'BadArgumentError', 400, { owner: 'runway', access: '', net_id: '' });
    await fails('bob', 'PUT', '/network/mine', 'AuthorizationError', 401, {
      owner: 'runway',
      access: 'runway',
      net_id: '',
    });
    await fails('alice', 'PUT', '/network/runway-net', 'DuplicateError', 409, {
      owner: 'runway',
      access: 'runway',
      net_id: '',
    });
    assert.deepEqual(await v0('alice', 'GET', '/project/runway/networks'), ['provider', 'runway-net']);
    assert.deepEqual(await v0('alice', 'GET', '/networks'), { 'public-net': { network_id: '1101', projects: null } });
    await fails('bob', 'GET', '/network/runway-net', 'AuthorizationError', 401);

    await fails('alice', 'POST', '/node/node-01/nic/eth0/connect_network', 'BadArgumentError', 400, {
      network: 'provider',
      channel: 'vlan/9',
    });
    await fails('alice', 'POST', '/node/Node_02/nic/eth%200/connect_network', 'ProjectMismatchError', 409, {
      network: 'provider',
    });
    await fails('alice', 'POST', '/node/node-01/nic/eth0/connect_network', 'NotFoundError', 404, {
      network: 'missing',
    });
    const connect = await must('alice', 'POST', '/v0/node/node-01/nic/eth0/connect_network', {
      network: 'provider',
      channel: 'vlan/native',
    });
    assert.equal(connect.status, 202);
    const id = connect.body.status_id;
    assert.equal(typeof id, 'string');
    const action = await v0('alice', 'GET', `/networking_action/${id}`);
    assert.deepEqual(action, {
      status: 'PENDING',
      node: 'node-01',
      nic: 'eth0',
      type: 'modify_port',
      channel: 'vlan/native',
      new_network: 'provider',
    });
    await fails('alice', 'POST', '/node/node-01/nic/eth0/connect_network', 'BlockedError', 409, {
      network: 'runway-net',
    });
    await fails('bob', 'GET', `/networking_action/${id}`, 'AuthorizationError', 401);

    const att = await switchApplies('node-01', 'provider');
    assert.equal(att.metadata.labels['hil.io/project'], 'runway');
    assert.equal((await v0('alice', 'GET', `/networking_action/${id}`)).status, 'DONE');
    assert.deepEqual((await v0('alice', 'GET', '/node/node-01')).nics[0].networks, { 'vlan/native': 'provider' });
    assert.deepEqual((await v0('admin', 'GET', '/network/provider'))['connected-nodes'], { 'node-01': ['eth0'] });
    const listed = { 'node-01': { nic: 'eth0', channel: 'vlan/native', project: 'runway' } };
    assert.deepEqual(await v0('admin', 'GET', '/network/provider/attachments'), listed);
    assert.deepEqual(await v0('alice', 'GET', '/network/provider/attachments?project=runway'), listed);
    assert.match(
      await fails('alice', 'GET', '/network/provider/attachments', 'AuthorizationError', 401),
      /admin rights or access to network's owning project/,
    );
    await fails('bob', 'GET', '/network/provider/attachments?project=runway', 'AuthorizationError', 401);
    await fails('admin', 'GET', '/network/provider/attachments?project=missing', 'NotFoundError', 404);
    await fails('admin', 'GET', '/network/missing/attachments', 'NotFoundError', 404);
    await fails('alice', 'POST', '/node/node-01/nic/eth0/connect_network', 'BlockedError', 409, {
      network: 'provider',
    });
    await fails('alice', 'POST', '/project/runway/detach_node', 'BlockedError', 409, { node: 'node-01' });
    await fails('admin', 'DELETE', '/network/provider', 'BlockedError', 409);
    await fails('admin', 'DELETE', '/network/provider/access/runway', 'BlockedError', 409);

    const detach = await must('alice', 'POST', '/v0/node/node-01/nic/eth0/detach_network', { network: 'provider' });
    assert.equal(detach.status, 202);
    const detachId = detach.body.status_id;
    assert.notEqual(detachId, id);
    assert.deepEqual(await v0('alice', 'GET', `/networking_action/${detachId}`), {
      status: 'PENDING',
      node: 'node-01',
      nic: 'eth0',
      type: 'modify_port',
      channel: 'vlan/native',
      new_network: null,
    });
    // HIL keeps one action per NIC: the older status_id is gone.
    await fails('alice', 'GET', `/networking_action/${id}`, 'NotFoundError', 404);
    await switchReverts(att.metadata.name);
    assert.equal((await v0('alice', 'GET', `/networking_action/${detachId}`)).status, 'DONE');
    await fails('alice', 'POST', '/node/node-01/nic/eth0/detach_network', 'BadArgumentError', 400, {
      network: 'provider',
    });

    await v0('alice', 'POST', '/project/runway/detach_node', { node: 'node-01' });
    await fails('alice', 'POST', '/project/runway/detach_node', 'NotFoundError', 404, { node: 'node-01' });
    assert.deepEqual(await v0('alice', 'GET', '/project/runway/nodes'), []);
  });

  test('a NetworkAttachment made through the resource API shows in GET /v0/node', async () => {
    await v0('admin', 'POST', '/project/runway/connect_node', { node: 'node-01' });
    await must('alice', 'POST', `${G}/networkattachments`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'NetworkAttachment',
      metadata: { name: 'node-01-eth0-provider' },
      spec: { node: 'node-01', nic: 'eth0', network: 'provider', channel: 'tagged' },
    });
    await switchApplies('node-01', 'provider');
    assert.deepEqual((await v0('alice', 'GET', '/node/node-01')).nics[0].networks, { 'vlan/1100': 'provider' });
    const uid = (await must('admin', 'GET', `${G}/networkattachments/node-01-eth0-provider`)).body.metadata.uid;
    assert.equal((await v0('alice', 'GET', `/networking_action/${uid}`)).status, 'DONE');
  });

  test('HIL error types for the main refusals', async () => {
    assert.equal(await fails('admin', 'GET', '/node/nope', 'NotFoundError', 404), 'Node nope does not exist.');
    await fails('admin', 'DELETE', '/project/nope', 'NotFoundError', 404);
    await fails('admin', 'PUT', '/project/x', 'ValidationError', 400, { unexpected: 'key' });
    const bad = await api(srv.url, 'PUT', '/v0/project/x', '{not json', 'application/json', CREDS.admin);
    assert.deepEqual([bad.status, bad.body.type], [400, 'ValidationError']);
    const getBody = await rawRequest(`${srv.url}/v0/projects`, 'GET', '{}', CREDS.admin);
    assert.deepEqual([getBody.status, JSON.parse(getBody.text).type], [400, 'ValidationError']);
    await fails('admin', 'POST', '/project/runway/connect_node', 'ValidationError', 400, {});
    await fails('admin', 'POST', '/project/runway/connect_node', 'ValidationError', 400, { node: 7 });
    assert.match(await fails('admin', 'DELETE', '/node/node-01', 'BlockedError', 409), /part of project/);
    await fails('admin', 'DELETE', '/project/runway', 'BlockedError', 409);
    await fails('admin', 'DELETE', '/switch/sw1', 'BlockedError', 409);
    await fails('admin', 'DELETE', '/switch/sw1/port/gi1/0/1', 'BlockedError', 409);
    await fails('admin', 'POST', '/switch/sw1/port/gi1/0/1/detach_nic', 'BlockedError', 409);
    await fails('admin', 'DELETE', '/node/node-01/nic/eth0', 'BlockedError', 409);
    await fails('alice', 'PUT', '/node/n9', 'AuthorizationError', 401, {
      obm: { type: OBM_IPMI, host: 'h', user: 'u', password: 'p' },
    });
    await fails('alice', 'PUT', '/switch/sw9', 'AuthorizationError', 401, {
      type: SWITCH_MOCK,
      hostname: 'h',
      username: 'u',
      password: 'p',
    });
    await fails('alice', 'PUT', '/auth/basic/user/carol', 'AuthorizationError', 401, { password: 'carol-password' });
    await fails('admin', 'PATCH', '/auth/basic/user/root', 'IllegalStateError', 409, { is_admin: false });
    const unknown = await api(srv.url, 'GET', '/v0/no/such/call', undefined, undefined, CREDS.admin);
    assert.equal(unknown.status, 404);
  });

  test('free nodes, NICs, ports, switches and projects can be removed again', async () => {
    await must('alice', 'DELETE', `${G}/networkattachments/node-01-eth0-provider`);
    await switchReverts('node-01-eth0-provider');
    await v0('alice', 'POST', '/project/runway/detach_node', { node: 'node-01' });
    await v0('admin', 'POST', '/switch/sw1/port/gi1/0/1/detach_nic');
    await fails('admin', 'POST', '/switch/sw1/port/gi1/0/1/detach_nic', 'NotFoundError', 404);
    await fails('admin', 'DELETE', '/node/node-01', 'BlockedError', 409);
    await v0('admin', 'DELETE', '/node/node-01/nic/eth0');
    await v0('admin', 'DELETE', '/node/node-01');
    await fails('admin', 'GET', '/node/node-01', 'NotFoundError', 404);
    await v0('admin', 'DELETE', '/auth/basic/user/bob');
    const gone = await api(srv.url, 'GET', '/v0/nodes/all', undefined, undefined, CREDS.bob);
    assert.equal(gone.status, 401);
    await v0('admin', 'DELETE', '/project/Runway%20Lab');
    assert.deepEqual(await v0('admin', 'GET', '/projects'), ['other', 'runway']);
  });
});
