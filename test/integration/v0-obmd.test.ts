// HIL's v0 OBM calls end to end: a node registered the HIL ≥ 0.4 way (`{"obmd": {"uri", "admin_token"}}`) on an
// obmd (the emulator) in front of ipmi_sim, with the node controller running: OBM disabled until node_enable_obm,
// power on / cycle / off and the boot device through v0 reach the simulated BMC (read back with ipmitool), the power
// status and the console stream come back through v0, disabling ends the console; HIL's errors and codes (404
// NotFoundError, 409 "OBM is not enabled", 401 for a member of another project); the token never leaves its Secret.
// The older `{"obm": {"type": ".../obm/ipmi", …}}` registration makes an ipmi Node with its password in a Secret.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createAdminUser } from '../../apiserver/admin-tasks.js';
import { resourceName } from '../../apiserver/v0/names.js';
import { H, until } from '../support/controllers.js';
import type { SimBmc } from '../support/ipmi-sim.js';
import type { ObmdEmulator } from '../support/obmd-emulator.js';
import { startObmdLab, type ObmdLab } from '../support/obmd-lab.js';
import { callers, type InProcessServer } from '../support/server.js';
import { basicAuth } from '../support/objects.js';

type Caller = 'admin' | 'alice' | 'bob';
const PW: Record<Caller, string> = { admin: 'root-password', alice: 'alice-password', bob: 'bob-password' };
const auth = (c: Caller) => basicAuth(c === 'admin' ? 'root' : c, PW[c]);

describe('v0 OBM calls on an obmd node (obmd emulator, ipmi_sim, node controller)', () => {
  let lab: ObmdLab;
  let srv: InProcessServer;
  let obmd: ObmdEmulator;
  let bmc: SimBmc;
  let uri: string;
  const { as, must } = callers<Caller>(() => srv.url, auth);
  const v0 = async (c: Caller, method: string, path: string, body?: unknown) =>
    (await must(c, method, `/v0${path}`, body)).body;
  const fails = async (c: Caller, method: string, path: string, type: string, code: number, body?: unknown) => {
    const r = await as(c, method, `/v0${path}`, body);
    assert.equal(r.status, code, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body?.type, type, JSON.stringify(r.body));
    return String(r.body.msg);
  };

  before(async () => {
    lab = await startObmdLab('v0obmd', 'node-1');
    ({ srv, obmd, bmc, uri } = lab);
    await createAdminUser(srv.store, 'root', PW.admin);
    await v0('admin', 'PUT', '/project/Lab One');
    await v0('admin', 'PUT', '/project/other');
    await v0('admin', 'PUT', '/auth/basic/user/alice', { password: PW.alice });
    await v0('admin', 'PUT', '/auth/basic/user/bob', { password: PW.bob });
    await v0('admin', 'POST', '/auth/basic/user/alice/add_project', { project: 'Lab One' });
    await v0('admin', 'POST', '/auth/basic/user/bob/add_project', { project: 'other' });
    await lab.startControllers('root');
  });
  after(async () => {
    await lab?.stop();
  });

  test('node_register with obmd: an obmd Node, the admin token only in its Secret, OBM disabled', async () => {
    await fails('admin', 'PUT', '/node/Node_1', 'ValidationError', 400, {
      obmd: { uri: 'ftp://obmd/node/node-1', admin_token: obmd.adminToken },
    });
    await fails('alice', 'PUT', '/node/Node_1', 'AuthorizationError', 401, {
      obmd: { uri, admin_token: obmd.adminToken },
    });
    await v0('admin', 'PUT', '/node/Node_1', { obmd: { uri, admin_token: obmd.adminToken } });
    await fails('admin', 'PUT', '/node/Node_1', 'DuplicateError', 409, { obmd: { uri, admin_token: obmd.adminToken } });
    const name = resourceName('Node_1');
    const node = (await must('admin', 'GET', `${H}/nodes/${name}`)).body;
    assert.equal(node.spec.obm.type, 'obmd');
    assert.equal(node.spec.obm.uri, uri);
    assert.equal(node.spec.obm.enabled, false);
    assert.ok(!JSON.stringify(node).includes(obmd.adminToken), 'the admin token is not in the Node');
    const secret = (
      await must('admin', 'GET', `/api/v1/namespaces/hil-system/secrets/${node.spec.obm.credentialsSecretRef.name}`)
    ).body;
    assert.equal(Buffer.from(secret.data.password, 'base64').toString(), obmd.adminToken);
    assert.deepEqual(await v0('admin', 'GET', '/nodes/all'), ['Node_1']);
  });

  test('OBM calls: 404 for a missing node, 409 while the OBM is disabled, 401 for another project', async () => {
    const msg = await fails('admin', 'POST', '/node/nope/power_cycle', 'NotFoundError', 404);
    assert.equal(msg, 'Node nope does not exist.');
    assert.equal(await fails('admin', 'POST', '/node/Node_1/power_on', 'BlockedError', 409), 'OBM is not enabled');
    await fails('admin', 'GET', '/node/Node_1/power_status', 'BlockedError', 409);
    // A free node's OBM is the administrators'.
    await fails('alice', 'PUT', '/node/Node_1/obm', 'AuthorizationError', 401, { enabled: true });
    await v0('admin', 'POST', '/project/Lab One/connect_node', { node: 'Node_1' });
    await fails('bob', 'PUT', '/node/Node_1/obm', 'AuthorizationError', 401, { enabled: true });
    await fails('bob', 'POST', '/node/Node_1/power_cycle', 'AuthorizationError', 401);
    await fails('alice', 'PUT', '/node/Node_1/obm', 'ValidationError', 400, { enabled: 'yes' });
    await v0('alice', 'PUT', '/node/Node_1/obm', { enabled: true });
    await fails('bob', 'GET', '/node/Node_1/power_status', 'AuthorizationError', 401);
    await fails('bob', 'GET', '/node/Node_1/console', 'AuthorizationError', 401);
  });

  test('the resource API: obmd needs spec.obm.uri (422); a member may change spec.obm.enabled, nothing else of spec.obm', async () => {
    const bad = await as('admin', 'POST', `${H}/nodes`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Node',
      metadata: { name: 'no-uri' },
      spec: { obm: { type: 'obmd' } },
    });
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    assert.equal(bad.body.details.causes[0].field, 'spec.obm.uri');
    const name = resourceName('Node_1');
    const MERGE = 'application/merge-patch+json';
    const moved = await as(
      'alice',
      'PATCH',
      `${H}/nodes/${name}`,
      { spec: { obm: { uri: `${obmd.url}/node/x` } } },
      MERGE,
    );
    assert.equal(moved.status, 403);
    await must('alice', 'PATCH', `${H}/nodes/${name}`, { spec: { obm: { enabled: false } } }, MERGE);
    await fails('alice', 'POST', '/node/Node_1/power_on', 'BlockedError', 409);
    await v0('alice', 'PUT', '/node/Node_1/obm', { enabled: true });
  });

  test('power on, cycle, status and off through v0 change the BMC (read back with ipmitool)', async () => {
    assert.match(await bmc.ipmitool('chassis', 'power', 'status'), /is off/);
    await v0('alice', 'POST', '/node/Node_1/power_on');
    assert.match(await bmc.ipmitool('chassis', 'power', 'status'), /is on/);
    assert.deepEqual(await v0('alice', 'GET', '/node/Node_1/power_status'), { power_status: 'on' });
    const before = bmc.ops().length;
    await v0('alice', 'POST', '/node/Node_1/power_cycle', { force: false });
    await until(
      async () => bmc.ops().slice(before).join(',') === 'power 0,power 1',
      'the BMC to be cycled',
      10_000,
      () => bmc.ops().join(','),
    );
    await v0('alice', 'PUT', '/node/Node_1/boot_device', { bootdev: 'pxe' });
    assert.equal(bmc.boot(), 'pxe');
    await fails('alice', 'PUT', '/node/Node_1/boot_device', 'BadArgumentError', 400, { bootdev: 'floppy' });
    await v0('alice', 'POST', '/node/Node_1/power_off');
    assert.match(await bmc.ipmitool('chassis', 'power', 'status'), /is off/);
    assert.deepEqual(await v0('alice', 'GET', '/node/Node_1/power_status'), { power_status: 'off' });
    assert.ok(obmd.requests.includes('POST /node/node-1/power_cycle'));
  });

  test('show_console streams the SOL output; node_disable_obm ends it and blocks the calls again', async () => {
    let text = '';
    let ended = false;
    let status = 0;
    const req = http.get(`${srv.url}/v0/node/Node_1/console`, { headers: auth('alice') }, (res) => {
      status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('close', () => (ended = true));
    });
    req.on('error', () => (ended = true));
    try {
      await until(async () => obmd.consoleOpen('node-1') && bmc.serialConnected(), 'the console to open');
      await until(
        async () => {
          bmc.serial('login: ');
          return text.includes('login: ');
        },
        'console output through v0',
        10_000,
        () => JSON.stringify(text),
      );
      assert.equal(status, 200);
      await fails('alice', 'POST', '/project/Lab One/detach_node', 'BlockedError', 409, { node: 'Node_1' });
      await v0('alice', 'PUT', '/node/Node_1/obm', { enabled: false });
      await until(async () => ended, 'the console stream to end when the OBM is disabled');
      assert.ok(obmd.requests.includes('DELETE /node/node-1/token'));
      await fails('alice', 'POST', '/node/Node_1/power_on', 'BlockedError', 409);
      await fails('alice', 'GET', '/node/Node_1/console', 'BlockedError', 409);
    } finally {
      req.destroy();
    }
  });

  test('a BMC failure is an OBMError with what obmd said', async () => {
    await v0('alice', 'PUT', '/node/Node_1/obm', { enabled: true });
    await bmc.stop();
    try {
      const msg = await fails('alice', 'POST', '/node/Node_1/power_on', 'OBMError', 500);
      assert.match(msg, /power on failed: .*obmd answered 500/);
      assert.ok(!msg.includes(obmd.adminToken));
    } finally {
      await bmc.start();
    }
  });

  test('the older {"obm": {type ipmi, host, user, password}} makes an ipmi Node, the password in a Secret', async () => {
    await v0('admin', 'PUT', '/node/legacy', {
      obm: {
        type: 'http://schema.massopencloud.org/haas/v0/obm/ipmi',
        host: bmc.host,
        user: bmc.username,
        password: bmc.password,
      },
    });
    const node = (await must('admin', 'GET', `${H}/nodes/legacy`)).body;
    assert.equal(node.spec.obm.type, 'ipmi');
    assert.equal(node.spec.obm.host, bmc.host);
    assert.ok(!JSON.stringify(node).includes(bmc.password));
    await v0('admin', 'DELETE', '/node/legacy');
  });
});
