// One set of objects, two views (issue 16): what a HIL v0 call makes, kubectl gets — under the documented name
// mapping, with the HIL name kept — and what kubectl applies, the v0 API shows, down to a NetworkAttachment in a
// node's NIC networks. kubectl is the outside client here (its own discovery cache, no kubeconfig).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../common/paths.js';
import { parseVlanList } from '../../api/v1alpha1/vlans.js';
import { resourceName } from '../../apiserver/v0/names.js';
import { Kubectl, kubectlOnPath } from '../support/kubectl.js';
import { api, startInProcessServer, type InProcessServer } from '../support/server.js';

const EXAMPLES = join(packageRoot(), 'manifests', 'examples');
const G = '/apis/hil.io/v1alpha1';

describe('v0 and kubectl: the same objects', { skip: kubectlOnPath() ? false : 'kubectl is not installed' }, () => {
  let srv: InProcessServer;
  let kubectl: Kubectl;
  const v0 = async (method: string, path: string, body?: unknown) => {
    const r = await api(srv.url, method, `/v0${path}`, body);
    assert.ok(r.status >= 200 && r.status < 300, `${method} /v0${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const kget = async (resource: string) => {
    const r = await kubectl.run(['get', resource, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).items as any[];
  };

  before(async () => {
    srv = await startInProcessServer({ vlanPool: parseVlanList('1000-1099') });
    kubectl = new Kubectl(srv.url);
  });
  after(async () => {
    await kubectl?.cleanup();
    await srv?.stop();
  });

  test('a project, a node and a network made over v0 are what kubectl gets (HIL names kept)', async () => {
    await v0('PUT', '/project/Runway%20Lab');
    await v0('PUT', '/node/Node_07', {
      obm: { type: 'http://schema.massopencloud.org/haas/v0/obm/mock', host: 'bmc-7', user: 'u', password: 'pw-07-x' },
    });
    await v0('PUT', '/node/Node_07/nic/eth0', { macaddr: '52:54:00:00:07:01' });
    await v0('PUT', '/network/lab-net', { owner: 'admin', access: '', net_id: '1050' });

    const projects = await kget('projects.hil.io');
    const lab = projects.find((p) => p.metadata.name === resourceName('Runway Lab'));
    assert.ok(lab, `kubectl lists the v0 project: ${projects.map((p) => p.metadata.name).join(', ')}`);
    assert.equal(lab.metadata.annotations['hil.io/hil-name'], 'Runway Lab');

    const node = (await kget('nodes.hil.io')).find((n) => n.metadata.name === resourceName('Node_07'));
    assert.ok(node, 'kubectl lists the v0 node');
    assert.equal(node.metadata.annotations['hil.io/hil-name'], 'Node_07');
    assert.deepEqual(
      node.spec.nics.map((n: any) => [n.name, n.macAddress]),
      [['eth0', '52:54:00:00:07:01']],
    );
    assert.equal(node.spec.obm.host, 'bmc-7');
    assert.ok(!JSON.stringify(node).includes('pw-07-x'), 'the BMC password is in a Secret, not on the Node');

    const net = (await kget('networks.hil.io')).find((n) => n.metadata.name === 'lab-net');
    assert.equal(net?.spec.vlan, 1050);
  });

  test('the example manifests applied with kubectl are what v0 shows, attachments included', async () => {
    const r = await kubectl.run(['apply', '-f', EXAMPLES]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await v0('GET', '/projects')).includes('runway'));
    assert.deepEqual((await v0('GET', '/project/runway/nodes')).sort(), ['node-01', 'node-02']);
    // Play the switch controller (none runs here): the attachment is in place.
    const att = await api(
      srv.url,
      'PATCH',
      `${G}/networkattachments/node-01-eth0-runway-pxe/status`,
      { status: { phase: 'Attached', vlan: 1001 } },
      'application/merge-patch+json',
    );
    assert.equal(att.status, 200, JSON.stringify(att.body));
    const node = await v0('GET', '/node/node-01');
    assert.equal(node.project, 'runway');
    assert.deepEqual(node.nics[0].networks, { 'vlan/native': 'runway-pxe' });
    const attached = await v0('GET', '/network/runway-pxe/attachments');
    assert.deepEqual(attached, { 'node-01': { nic: 'eth0', channel: 'vlan/native', project: 'runway' } });
  });
});
