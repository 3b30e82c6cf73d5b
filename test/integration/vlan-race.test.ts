// Issue 12 finding 5: a pool network and an admin network naming the same VLAN, created moments apart, must never
// both end up on that VLAN. The network controller claims pool VLANs with Leases (vlan-<N> in hil-system);
// admission refuses an explicit VLAN that is claimed; the allocator yields a VLAN an explicit network was
// admitted for in the moment between its list and its claim; and an explicit network whose claim is held by
// another is VlanConflict with no status.vlan, so no switch port ever gets it. Real server, real client.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HilClient } from '../../controllers/client.js';
import { kubeConfigFor } from '../../controllers/daemon.js';
import { NetworkReconciler } from '../../controllers/network/network-reconciler.js';
import { parseVlanList } from '../../api/v1alpha1/vlans.js';
import { api, startInProcessServer, type InProcessServer } from '../support/server.js';

const G = '/apis/hil.io/v1alpha1';
const network = (name: string, vlan?: number) => ({
  apiVersion: 'hil.io/v1alpha1',
  kind: 'Network',
  metadata: { name },
  spec: { owner: '', ...(vlan ? { vlan } : {}) },
});
const pool = parseVlanList(['1008-1010']);
const never = new AbortController().signal;

describe('VLAN claims: a pool network and an explicit VLAN never share a VLAN', () => {
  let srv: InProcessServer;
  let client: HilClient;
  before(async () => {
    srv = await startInProcessServer({ vlanPool: pool });
    client = new HilClient(kubeConfigFor(srv.url));
    const ns = await api(srv.url, 'POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'hil-system' },
    });
    assert.ok(ns.status < 300 || ns.status === 409, JSON.stringify(ns.body));
  });
  after(() => srv.stop());

  const statusOf = async (name: string) => (await api(srv.url, 'GET', `${G}/networks/${name}`)).body.status;
  const cleanup = async (...names: string[]) => {
    const ctl = new NetworkReconciler({ client, pool });
    for (const n of names) await api(srv.url, 'DELETE', `${G}/networks/${n}`);
    for (const n of names) await ctl.reconcile({ key: n }, never);
    for (const l of await client.listLeases('hil-system', 'hil.io/vlan-claim=true'))
      await client.deleteLease('hil-system', l.metadata.name, l.metadata.resourceVersion);
  };

  test('claimed but not yet in status: an explicit network asking for the VLAN is 409', async () => {
    await api(srv.url, 'POST', `${G}/networks`, network('pooled'));
    const ctl = new NetworkReconciler({ client, pool });
    // The claim as the controller makes it, before it writes status.vlan.
    const pooled = (await api(srv.url, 'GET', `${G}/networks/pooled`)).body;
    await client.createLease({
      metadata: {
        name: 'vlan-1008',
        namespace: 'hil-system',
        labels: { 'hil.io/vlan-claim': 'true', 'hil.io/network': 'pooled' },
      },
      spec: { holderIdentity: pooled.metadata.uid },
    });
    const r = await api(srv.url, 'POST', `${G}/networks`, network('explicit', 1008));
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.match(r.body.message, /VLAN 1008 is already allocated from the pool to network "pooled"/);
    await ctl.reconcile({ key: 'pooled' }, never);
    assert.equal((await statusOf('pooled')).vlan, 1008);
    await cleanup('pooled');
  });

  test("an explicit network admitted between the allocator's list and its claim keeps its VLAN; the pool network takes the next", async () => {
    await api(srv.url, 'POST', `${G}/networks`, network('pooled'));
    // A client whose first list of networks is taken just before the admin's explicit network is created.
    let raced = false;
    const racing = new Proxy(client, {
      get(target, prop, recv) {
        if (prop !== 'list') return Reflect.get(target, prop, recv);
        return async (plural: string, ...rest: unknown[]) => {
          const out = await (target.list as any).call(target, plural, ...rest);
          if (plural === 'networks' && !raced) {
            raced = true;
            const r = await api(srv.url, 'POST', `${G}/networks`, network('explicit', 1008));
            assert.equal(r.status, 201, JSON.stringify(r.body));
          }
          return out;
        };
      },
    });
    await new NetworkReconciler({ client: racing, pool }).reconcile({ key: 'pooled' }, never);
    assert.ok(raced);
    const ctl = new NetworkReconciler({ client, pool });
    await ctl.reconcile({ key: 'explicit' }, never);
    const [p, e] = [await statusOf('pooled'), await statusOf('explicit')];
    assert.equal(e.vlan, 1008);
    assert.equal(e.conditions[0].reason, 'ExplicitVlan');
    assert.equal(p.vlan, 1009, 'the pool network yielded 1008');
    const holders = Object.fromEntries(
      (await client.listLeases('hil-system', 'hil.io/vlan-claim=true')).map((l) => [
        l.metadata.name,
        l.metadata.labels?.['hil.io/network'],
      ]),
    );
    assert.deepEqual(holders, { 'vlan-1008': 'explicit', 'vlan-1009': 'pooled' });
    await cleanup('pooled', 'explicit');
  });

  test('an explicit network whose VLAN another network holds is VlanConflict, with no VLAN in status, until it is released', async () => {
    await api(srv.url, 'POST', `${G}/networks`, network('explicit', 1008));
    await api(srv.url, 'POST', `${G}/networks`, network('pooled'));
    const pooled = (await api(srv.url, 'GET', `${G}/networks/pooled`)).body;
    // The pool network won the claim (its check of the networks ran before the explicit one was committed).
    await client.createLease({
      metadata: {
        name: 'vlan-1008',
        namespace: 'hil-system',
        labels: { 'hil.io/vlan-claim': 'true', 'hil.io/network': 'pooled' },
      },
      spec: { holderIdentity: pooled.metadata.uid },
    });
    const ctl = new NetworkReconciler({ client, pool });
    const res = await ctl.reconcile({ key: 'explicit' }, never);
    const e = await statusOf('explicit');
    assert.equal(e.vlan ?? null, null, 'no VLAN reaches a port');
    assert.equal(e.conditions[0].status, 'False');
    assert.equal(e.conditions[0].reason, 'VlanConflict');
    assert.match(e.conditions[0].message, /claimed by network "pooled"/);
    assert.ok(res.requeueAfterMs, 'retried');
    // Once released, the explicit network gets it.
    const claim = (await client.listLeases('hil-system', 'hil.io/vlan-claim=true')).find(
      (l) => l.metadata.name === 'vlan-1008',
    )!;
    await client.deleteLease('hil-system', 'vlan-1008', claim.metadata.resourceVersion);
    await ctl.reconcile({ key: 'explicit' }, never);
    assert.equal((await statusOf('explicit')).vlan, 1008);
    await cleanup('pooled', 'explicit');
  });
});
