// Node NIC status (controllers/nic-status): each NIC says which networks its port carries and whether the port is
// in sync — table-driven on the fake API, and the reconciler writes only when something changed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nicStatuses, NicStatusReconciler } from '../../controllers/nic-status/nic-status-reconciler.js';
import { FakeApi } from '../support/fake-api.js';

function world(portStatus?: { inSync: 'True' | 'False'; message?: string }): FakeApi {
  const api = new FakeApi();
  api.put('nodes', {
    kind: 'Node',
    metadata: { name: 'n1' },
    spec: {
      project: 'p',
      obm: { type: 'mock', host: 'b' },
      nics: [{ name: 'eth0', port: 'sw1-p1' }, { name: 'eth1', port: 'sw1-gone' }, { name: 'ipmi' }],
    },
  });
  api.put('ports', {
    kind: 'Port',
    metadata: { name: 'sw1-p1' },
    spec: { switch: 'sw1', interface: 'gi1/0/1' },
    ...(portStatus
      ? {
          status: {
            conditions: [
              {
                type: 'InSync',
                status: portStatus.inSync,
                reason: portStatus.inSync === 'True' ? 'InSync' : 'OutOfSync',
                message: portStatus.message ?? '',
              },
            ],
          },
        }
      : {}),
  });
  const att = (name: string, network: string, channel: string, status?: object, extra: object = {}) =>
    api.put('networkattachments', {
      kind: 'NetworkAttachment',
      metadata: { name, ...extra },
      spec: { node: 'n1', nic: 'eth0', network, channel },
      ...(status ? { status } : {}),
    });
  att('a-pxe', 'pxe', 'native', { phase: 'Attached', vlan: 101 });
  att('a-prov', 'prov', 'tagged', { phase: 'Attached', vlan: 102 });
  att('a-new', 'new', 'tagged', { phase: 'Pending', vlan: 103 });
  att(
    'a-going',
    'old',
    'tagged',
    { phase: 'Attached', vlan: 104 },
    { deletionTimestamp: '2026-11-25T00:00:00Z', finalizers: ['hil.io/port-revert'] },
  );
  api.put('networkattachments', {
    kind: 'NetworkAttachment',
    metadata: { name: 'other-node' },
    spec: { node: 'n2', nic: 'eth0', network: 'x', channel: 'native' },
    status: { phase: 'Attached', vlan: 9 },
  });
  return api;
}

describe('node NIC status', () => {
  const cases = [
    {
      name: 'port in sync: the Attached networks (not the pending or the deleting ones), sorted, with channel and VLAN',
      port: { inSync: 'True' as const },
      eth0: {
        name: 'eth0',
        networks: [
          { network: 'prov', channel: 'tagged', vlan: 102 },
          { network: 'pxe', channel: 'native', vlan: 101 },
        ],
        inSync: true,
      },
    },
    {
      name: "port out of sync: the Port's message",
      port: { inSync: 'False' as const, message: 'wanted native 101, has native 7' },
      eth0: {
        name: 'eth0',
        networks: [
          { network: 'prov', channel: 'tagged', vlan: 102 },
          { network: 'pxe', channel: 'native', vlan: 101 },
        ],
        inSync: false,
        message: 'wanted native 101, has native 7',
      },
    },
    {
      name: 'port not synced yet: no verdict, and why',
      port: undefined,
      eth0: {
        name: 'eth0',
        networks: [
          { network: 'prov', channel: 'tagged', vlan: 102 },
          { network: 'pxe', channel: 'native', vlan: 101 },
        ],
        message: 'switch port gi1/0/1 of "sw1" not synced yet',
      },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const api = world(c.port);
      const nics = nicStatuses(api.get('nodes', 'n1')!, api);
      assert.deepEqual(nics[0], c.eth0);
      assert.deepEqual(nics[1], {
        name: 'eth1',
        networks: [],
        inSync: false,
        message: 'Port "sw1-gone" does not exist',
      });
      assert.deepEqual(nics[2], { name: 'ipmi', networks: [], message: 'not cabled to a Port' });
    });
  }

  test('the reconciler writes status.nics once, and nothing when it already says so', async () => {
    const api = world({ inSync: 'True' });
    const r = new NicStatusReconciler({ client: api.client(), cache: api });
    const signal = new AbortController().signal;
    await r.reconcile({ key: 'n1' }, signal);
    assert.equal(api.get('nodes', 'n1')!.status?.nics?.[0]?.inSync, true);
    assert.equal(api.writeCount('nodes/status'), 1);
    await r.reconcile({ key: 'n1' }, signal);
    assert.equal(api.writeCount('nodes/status'), 1, 'no second write');
    await r.reconcile({ key: 'no-such-node' }, signal);
  });
});
