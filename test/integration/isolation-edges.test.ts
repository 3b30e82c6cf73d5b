// Issue 13: the edges of isolation — revoking access, deleting Ports and Switches, removing or recabling NICs,
// deleting or moving nodes in a project. Each is HIL's rule (409 naming what blocks it) or waits on a finalizer
// until the switch port is reverted and read back; the switch port never keeps a VLAN no object describes.
// In-process server and controllers, mock switch (its port state is what a real switch would hold).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { kubeConfigFor, startControllers, type RunningControllers } from '../../controllers/daemon.js';
import { createLogger } from '../../common/logging.js';
import { parseVlanList } from '../../api/v1alpha1/vlans.js';
import { createRegistry, MockSwitchDriver } from '../../drivers/switch/index.js';
import { H, until } from '../support/controllers.js';
import { api, startInProcessServer, type InProcessServer } from '../support/server.js';

const MERGE = 'application/merge-patch+json';
const obj = (kind: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'hil.io/v1alpha1',
  kind,
  metadata: { name },
  spec,
});

describe('isolation edges: deletes, revokes and recabling', () => {
  let srv: InProcessServer;
  let running: RunningControllers;
  const mock = new MockSwitchDriver();
  const port = (iface: string) => mock.fabric.switch('edge-sw').port(iface);

  const must = async (method: string, path: string, body?: unknown, ct?: string) => {
    const r = await api(srv.url, method, path, body, ct);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const refused = async (method: string, path: string, body: unknown, message: RegExp, ct?: string) => {
    const r = await api(srv.url, method, path, body, ct);
    assert.equal(r.status, 409, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.reason, 'Conflict');
    assert.match(r.body.message, message);
  };
  const get = async (path: string) => (await api(srv.url, 'GET', path)).body;
  const attached = (name: string) =>
    until(
      async () => ((await get(`${H}/networkattachments/${name}`)).status?.phase === 'Attached' ? true : undefined),
      `${name} Attached`,
    );
  const gone = (path: string) =>
    until(async () => ((await api(srv.url, 'GET', path)).status === 404 ? true : undefined), `${path} to be gone`);
  const vlanOf = async (net: string) =>
    until(async () => (await get(`${H}/networks/${net}`)).status?.vlan as number | undefined, `${net} VLAN`);

  before(async () => {
    srv = await startInProcessServer();
    mock.fabric.switch('edge-sw', { ports: ['e1', 'e2', 'e3', 'e4', 'e5'] });
    for (const p of ['p1', 'p2', 'p3']) await must('POST', `${H}/projects`, obj('Project', p, {}));
    await must('POST', `${H}/switches`, obj('Switch', 'sw', { type: 'mock', address: 'edge-sw' }));
    for (const i of [1, 2, 3, 4, 5])
      await must('POST', `${H}/ports`, obj('Port', `sw-e${i}`, { switch: 'sw', interface: `e${i}` }));
    await must(
      'POST',
      `${H}/nodes`,
      obj('Node', 'n1', {
        project: 'p1',
        obm: { type: 'mock', host: 'b1' },
        nics: [{ name: 'eth0', port: 'sw-e1' }, { name: 'eth1' }],
      }),
    );
    await must(
      'POST',
      `${H}/nodes`,
      obj('Node', 'n2', { project: 'p2', obm: { type: 'mock', host: 'b2' }, nics: [{ name: 'eth0', port: 'sw-e2' }] }),
    );
    await must('POST', `${H}/networks`, obj('Network', 'shared', { owner: 'p1', accessProjects: ['p2'] }));
    await must('POST', `${H}/networks`, obj('Network', 'open', { owner: '', public: true }));
    await must('POST', `${H}/networks`, obj('Network', 'own1', { owner: 'p1' }));
    running = startControllers({
      kubeConfig: kubeConfigFor(srv.url),
      pool: parseVlanList('300-320'),
      driverRegistry: createRegistry({ mock }),
      leaderElection: false,
      resyncMs: 2_000,
      logger: createLogger(process.env.HIL_TEST_LOG_LEVEL ?? 'error', 'controllers'),
    });
  });
  after(async () => {
    await running?.stop();
    await srv?.stop();
  });

  test("revoking a project's access while its node is attached is a 409 naming it; the port keeps nothing foreign", async () => {
    await must(
      'POST',
      `${H}/networkattachments`,
      obj('NetworkAttachment', 'n2-shared', { node: 'n2', nic: 'eth0', network: 'shared' }),
    );
    await attached('n2-shared');
    const vlan = await vlanOf('shared');
    assert.equal(port('e2').native, vlan);
    await refused(
      'PATCH',
      `${H}/networks/shared`,
      { spec: { accessProjects: [] } },
      /cannot revoke access while the project still uses the network \(project "p2": NetworkAttachment "n2-shared" \(node "n2"\)\)/,
      MERGE,
    );
    assert.deepEqual((await get(`${H}/networks/shared`)).spec.accessProjects, ['p2'], 'nothing written');
    // Granting more is fine; revoking a project with nothing attached is fine.
    await must('PATCH', `${H}/networks/shared`, { spec: { accessProjects: ['p2', 'p3'] } }, MERGE);
    await must('PATCH', `${H}/networks/shared`, { spec: { accessProjects: ['p2'] } }, MERGE);
    // Detach first, then revoke.
    await must('DELETE', `${H}/networkattachments/n2-shared`);
    await gone(`${H}/networkattachments/n2-shared`);
    assert.equal(port('e2').parked, true);
    await must('PATCH', `${H}/networks/shared`, { spec: { accessProjects: [] } }, MERGE);
  });

  test('making a public network private while others use it is a 409; headnodes on it hold access too', async () => {
    await must(
      'POST',
      `${H}/networkattachments`,
      obj('NetworkAttachment', 'n2-open', { node: 'n2', nic: 'eth0', network: 'open' }),
    );
    await attached('n2-open');
    await refused(
      'PATCH',
      `${H}/networks/open`,
      { spec: { public: false } },
      /project "p2": NetworkAttachment "n2-open"/,
      MERGE,
    );
    await must('DELETE', `${H}/networkattachments/n2-open`);
    await gone(`${H}/networkattachments/n2-open`);
    await must('PATCH', `${H}/networks/shared`, { spec: { accessProjects: ['p3'] } }, MERGE);
    await must(
      'POST',
      `${H}/headnodes`,
      obj('Headnode', 'hn3', { project: 'p3', baseImage: 'base', hnics: [{ name: 'pxe', network: 'shared' }] }),
    );
    await refused(
      'PATCH',
      `${H}/networks/shared`,
      { spec: { accessProjects: [] } },
      /project "p3": Headnode "hn3"/,
      MERGE,
    );
    await must('DELETE', `${H}/headnodes/hn3`);
  });

  test('a network being deleted takes no new attachment (its VLAN is about to be freed)', async () => {
    await must('POST', `${H}/networks`, obj('Network', 'dying', { owner: 'p2' }));
    await must(
      'POST',
      `${H}/networkattachments`,
      obj('NetworkAttachment', 'n2-dying', { node: 'n2', nic: 'eth0', network: 'dying' }),
    );
    await attached('n2-dying');
    await must('DELETE', `${H}/networks/dying`);
    assert.ok((await get(`${H}/networks/dying`)).metadata.deletionTimestamp, 'held by its attachment');
    await refused(
      'POST',
      `${H}/networkattachments`,
      obj('NetworkAttachment', 'n2-dying-2', { node: 'n2', nic: 'eth0', network: 'dying', channel: 'tagged' }),
      /network "dying" is being deleted; it takes no new attachments/,
    );
    await must('DELETE', `${H}/networkattachments/n2-dying`);
    await gone(`${H}/networks/dying`);
    assert.equal(port('e2').parked, true);
  });

  test('a NIC of a node in a project keeps its cable: removing or recabling it is a 409; cabling a free NIC is fine', async () => {
    await must(
      'POST',
      `${H}/networkattachments`,
      obj('NetworkAttachment', 'n1-own', { node: 'n1', nic: 'eth0', network: 'own1' }),
    );
    await attached('n1-own');
    const vlan = await vlanOf('own1');
    await refused(
      'PATCH',
      `${H}/nodes/n1`,
      [{ op: 'replace', path: '/spec/nics/0/port', value: 'sw-e3' }],
      /NIC "eth0" cannot be moved off port "sw-e1" while the node is in project "p1"/,
      'application/json-patch+json',
    );
    await refused(
      'PATCH',
      `${H}/nodes/n1`,
      [{ op: 'remove', path: '/spec/nics/0' }],
      /NIC "eth0" cannot be removed while the node is in project "p1"/,
      'application/json-patch+json',
    );
    await refused(
      'PATCH',
      `${H}/nodes/n1`,
      [{ op: 'remove', path: '/spec/nics/0/port' }],
      /cannot be moved off port "sw-e1"/,
      'application/json-patch+json',
    );
    await must(
      'PATCH',
      `${H}/nodes/n1`,
      [{ op: 'add', path: '/spec/nics/1/port', value: 'sw-e4' }],
      'application/json-patch+json',
    );
    await must(
      'PATCH',
      `${H}/nodes/n1`,
      [{ op: 'add', path: '/spec/nics/-', value: { name: 'eth2' } }],
      'application/json-patch+json',
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(port('e1').native, vlan, 'the VLAN stayed where it was');
    assert.equal(port('e3').parked, true, 'and went nowhere else');
  });

  test('a node in a project can be neither deleted nor moved to another project; released, it can', async () => {
    await refused(
      'DELETE',
      `${H}/nodes/n1`,
      undefined,
      /Node "n1": is in project "p1"; release it \(spec.project ""\) before deleting it/,
    );
    await refused('PATCH', `${H}/nodes/n1`, { spec: { project: 'p2' } }, /is in project "p1"; release it first/, MERGE);
    assert.equal((await get(`${H}/nodes/n1`)).spec.project, 'p1');
    await must('DELETE', `${H}/networkattachments/n1-own`);
    await gone(`${H}/networkattachments/n1-own`);
    await must('PATCH', `${H}/nodes/n1`, { spec: { project: '' } }, MERGE);
    await must('PATCH', `${H}/nodes/n1`, { spec: { project: 'p2' } }, MERGE);
    await must('PATCH', `${H}/nodes/n1`, { spec: { project: '' } }, MERGE);
  });

  test('a Port cabled to a NIC cannot be deleted; uncabled, it goes only once its switch port is read back reverted', async () => {
    await refused(
      'DELETE',
      `${H}/ports/sw-e1`,
      undefined,
      /Port "sw-e1": is cabled to NIC "eth0" of node "n1"; remove the port from the node's spec.nics first/,
    );
    // A VLAN left on an uncabled port by hand (or by a crash): deleting the Port clears it before the Port goes.
    mock.fabric.switch('edge-sw').setPort('e5', { native: 999, tagged: [] });
    assert.deepEqual((await get(`${H}/ports/sw-e5`)).metadata.finalizers, ['hil.io/port-revert']);
    await must('DELETE', `${H}/ports/sw-e5`);
    await gone(`${H}/ports/sw-e5`);
    assert.equal(port('e5').parked, true, 'reverted before the Port went');
    // A Port being deleted cannot be cabled.
    mock.fabric.switch('edge-sw').setPort('e3', { native: 998, tagged: [] });
    await running.stop(); // hold the deletion (nobody reverts) to try cabling meanwhile
    await must('DELETE', `${H}/ports/sw-e3`);
    await refused(
      'PATCH',
      `${H}/nodes/n2`,
      {
        spec: {
          nics: [
            { name: 'eth0', port: 'sw-e2' },
            { name: 'eth9', port: 'sw-e3' },
          ],
        },
      },
      /port "sw-e3" is being deleted/,
      MERGE,
    );
    running = startControllers({
      kubeConfig: kubeConfigFor(srv.url),
      pool: parseVlanList('300-320'),
      driverRegistry: createRegistry({ mock }),
      leaderElection: false,
      resyncMs: 2_000,
      logger: createLogger('error', 'controllers'),
    });
    await gone(`${H}/ports/sw-e3`);
    assert.equal(port('e3').parked, true);
  });

  test('a Switch with Ports cannot be deleted; with none left it can', async () => {
    await refused(
      'DELETE',
      `${H}/switches/sw`,
      undefined,
      /Switch "sw": has 3 Port\(s\) still \(sw-e1, sw-e2, sw-e4\); delete them first/,
    );
    await must('PATCH', `${H}/nodes/n1`, { spec: { nics: [] } }, MERGE);
    await must('PATCH', `${H}/nodes/n2`, { spec: { project: '' } }, MERGE);
    await must('PATCH', `${H}/nodes/n2`, { spec: { nics: [] } }, MERGE);
    for (const p of ['sw-e1', 'sw-e2', 'sw-e4']) await must('DELETE', `${H}/ports/${p}`);
    for (const p of ['sw-e1', 'sw-e2', 'sw-e4']) await gone(`${H}/ports/${p}`);
    await must('DELETE', `${H}/switches/sw`);
    await gone(`${H}/switches/sw`);
  });
});
