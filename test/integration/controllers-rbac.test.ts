// The controllers, in-process against our API server, through a whole life: leader election, VLAN allocation, a
// mock switch with credentials, attachments, a refused Node deletion, detach, a Port deletion, Network deletion
// freeing its VLAN. Every API call they make is recorded and compared with
// controllers/rbac.ts, both ways: nothing outside the rules, and no rule never used.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApiCall } from '../../controllers/client.js';
import { kubeConfigFor, startControllers, type RunningControllers } from '../../controllers/daemon.js';
import { allowedBy, CONTROLLER_RULES, grantedCalls } from '../../controllers/rbac.js';
import { createLogger } from '../../common/logging.js';
import { parseVlanList } from '../../api/v1alpha1/vlans.js';
import { createRegistry, MockSwitchDriver } from '../../drivers/switch/index.js';
import { FakeHeadnodeDriver } from '../../drivers/headnode/fake/fake-driver.js';
import { H, until } from '../support/controllers.js';
import { api, startInProcessServer, type InProcessServer } from '../support/server.js';

describe('controllers in-process: a whole life, and the API calls they make', () => {
  let srv: InProcessServer;
  let running: RunningControllers;
  const calls: ApiCall[] = [];
  const mock = new MockSwitchDriver();

  const post = async (path: string, body: object) => {
    const r = await api(srv.url, 'POST', path, body);
    assert.ok(r.status < 300, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  const get = async (path: string) => (await api(srv.url, 'GET', path)).body;

  before(async () => {
    srv = await startInProcessServer();
    await post('/api/v1/namespaces/hil-system/secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sw-creds', namespace: 'hil-system' },
      stringData: { username: 'admin', password: 'pw-123456' },
    });
    mock.fabric.switch('mock-sw', { password: 'pw-123456', ports: ['gi1/0/1', 'gi1/0/2'] });
    await post(`${H}/projects`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Project',
      metadata: { name: 'proj' },
      spec: {},
    });
    await post(`${H}/switches`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Switch',
      metadata: { name: 'sw' },
      spec: { type: 'mock', address: 'mock-sw', credentialsSecretRef: { name: 'sw-creds' } },
    });
    for (const i of [1, 2]) {
      await post(`${H}/ports`, {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Port',
        metadata: { name: `sw-gi1-0-${i}` },
        spec: { switch: 'sw', interface: `gi1/0/${i}` },
      });
      await post(`${H}/nodes`, {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Node',
        metadata: { name: `node-${i}` },
        spec: {
          project: 'proj',
          obm: { type: 'mock', host: `bmc-${i}` },
          nics: [{ name: 'eth0', port: `sw-gi1-0-${i}` }],
        },
      });
    }
    await post(`${H}/networks`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Network',
      metadata: { name: 'net' },
      spec: { owner: 'proj' },
    });
    running = startControllers({
      kubeConfig: kubeConfigFor(srv.url),
      pool: parseVlanList('200-210'),
      driverRegistry: createRegistry({ mock }),
      leaderElection: true,
      identity: 'rbac-test',
      leaseDurationMs: 3_000,
      renewDeadlineMs: 2_000,
      retryPeriodMs: 500,
      resyncMs: 2_000,
      onCall: (c) => calls.push(c),
      headnodes: { driver: new FakeHeadnodeDriver(['base']) },
      logger: createLogger(process.env.HIL_TEST_LOG_LEVEL ?? 'error', 'controllers'),
    });
  });
  after(async () => {
    await running?.stop();
    await srv?.stop();
  });

  test('attach, refuse a node deletion, detach, delete the network: every step converges', async () => {
    await post(`${H}/networkattachments`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'NetworkAttachment',
      metadata: { name: 'a1' },
      spec: { node: 'node-1', nic: 'eth0', network: 'net' },
    });
    const a1 = await until(async () => {
      const a = await get(`${H}/networkattachments/a1`);
      return a.status?.phase === 'Attached' ? a : undefined;
    }, 'a1 Attached');
    const vlan = (await get(`${H}/networks/net`)).status.vlan;
    assert.ok(vlan >= 200 && vlan <= 210);
    assert.equal(a1.status.vlan, vlan);
    assert.deepEqual(a1.metadata.finalizers, ['hil.io/port-revert']);
    assert.equal(mock.fabric.switch('mock-sw').port('gi1/0/1').native, vlan);

    // The project's counts (kubectl get projects: NODES, NETWORKS, HEADNODES).
    await until(async () => {
      const st = (await get(`${H}/projects/proj`)).status;
      return st?.nodes === 2 && st?.networks === 1 && st?.headnodes === 0 ? st : undefined;
    }, 'proj counts 2 nodes, 1 network, 0 headnodes');

    // A node in a project cannot be deleted (HIL's node_delete): the 409 says what to do.
    const refused = await api(srv.url, 'DELETE', `${H}/nodes/node-1`);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.match(refused.body.message, /is in project "proj"; release it/);

    // Detach: the port is reverted, then the attachment goes; then release and delete the node.
    assert.equal((await api(srv.url, 'DELETE', `${H}/networkattachments/a1`)).status, 200);
    await until(
      async () => (await api(srv.url, 'GET', `${H}/networkattachments/a1`)).status === 404,
      'a1 to be deleted once its port is reverted',
    );
    assert.equal(mock.fabric.switch('mock-sw').port('gi1/0/1').parked, true);
    assert.equal(
      (await api(srv.url, 'PATCH', `${H}/nodes/node-1`, { spec: { project: '' } }, 'application/merge-patch+json'))
        .status,
      200,
    );
    assert.equal((await api(srv.url, 'DELETE', `${H}/nodes/node-1`)).status, 200);
    await until(async () => (await api(srv.url, 'GET', `${H}/nodes/node-1`)).status === 404, 'node-1 to be deleted');
    await until(
      async () => ((await get(`${H}/projects/proj`)).status?.nodes === 1 ? true : undefined),
      'proj to count 1 node once node-1 left',
    );

    // A headnode on the network: cloned, started (finalizer, status), then deleted (finalizer removed).
    await post(`${H}/headnodes`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Headnode',
      metadata: { name: 'hn' },
      spec: { project: 'proj', baseImage: 'base', hnics: [{ name: 'pxe', network: 'net' }] },
    });
    await until(async () => (await get(`${H}/headnodes/hn`)).status?.state === 'Running', 'hn Running');
    assert.equal((await api(srv.url, 'DELETE', `${H}/headnodes/hn`)).status, 200);
    await until(async () => (await api(srv.url, 'GET', `${H}/headnodes/hn`)).status === 404, 'hn to be deleted');

    // The network goes and frees its claim.
    assert.equal((await api(srv.url, 'DELETE', `${H}/networks/net`)).status, 200);
    await until(async () => (await api(srv.url, 'GET', `${H}/networks/net`)).status === 404, 'net to be deleted');
    const claims = (await get('/apis/coordination.k8s.io/v1/namespaces/hil-system/leases')).items.map(
      (l: any) => l.metadata.name,
    );
    assert.deepEqual(claims, ['hil-controllers'], 'only the leader lease is left');
    const events = (await get('/api/v1/namespaces/default/events')).items.map(
      (e: any) => `${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason}`,
    );
    assert.ok(events.includes('Network/net VlanAllocated'), events.join('\n'));
    assert.ok(events.includes('Port/sw-gi1-0-1 PortConfigured'), events.join('\n'));
    // A Port uncabled and deleted: it goes once its switch port is read back reverted (its finalizer, patched).
    assert.equal(
      (await api(srv.url, 'PATCH', `${H}/nodes/node-2`, { spec: { project: '' } }, 'application/merge-patch+json'))
        .status,
      200,
    );
    assert.equal(
      (await api(srv.url, 'PATCH', `${H}/nodes/node-2`, { spec: { nics: [] } }, 'application/merge-patch+json')).status,
      200,
    );
    assert.equal((await api(srv.url, 'DELETE', `${H}/ports/sw-gi1-0-2`)).status, 200);
    await until(
      async () => (await api(srv.url, 'GET', `${H}/ports/sw-gi1-0-2`)).status === 404,
      'sw-gi1-0-2 to be deleted',
    );
    // Let a resync and a lease renewal happen, so their calls are recorded too.
    await new Promise((r) => setTimeout(r, 2_500));
  });

  test('every API call is allowed by controllers/rbac.ts, and every rule there is used', () => {
    const outside = calls.filter((c) => !allowedBy(CONTROLLER_RULES, c));
    assert.deepEqual(outside, [], 'calls the RBAC rules do not grant');
    const used = new Set(
      calls.map((c) => `${c.verb} ${c.group || 'core'}/${c.resource}${c.subresource ? `/${c.subresource}` : ''}`),
    );
    const unused = grantedCalls().filter((g) => !used.has(g));
    assert.deepEqual(unused, [], `rules never exercised (used: ${[...used].sort().join(', ')})`);
  });
});
