// The API server's REST semantics, over HTTP against an in-process server, on both stores.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startInProcessServer, type InProcessServer } from '../support/server.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const G = '/apis/hil.io/v1alpha1';
const network = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'hil.io/v1alpha1',
  kind: 'Network',
  metadata: { name },
  spec: { owner: '', ...spec },
});
const node = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'hil.io/v1alpha1',
  kind: 'Node',
  metadata: { name },
  spec: {
    project: '',
    obm: { type: 'mock', host: `bmc-${name}` },
    nics: [{ name: 'eth0', macAddress: '52:54:00:00:00:01', port: `port-${name}` }],
    ...spec,
  },
});

for (const storeName of ['sqlite', 'postgres'] as const) {
  describe(`API server (${storeName})`, () => {
    let srv: InProcessServer;
    let db: TestDatabase | undefined;
    let url: string;
    before(async () => {
      if (storeName === 'postgres') db = await createTestDatabase();
      srv = await startInProcessServer({ databaseUri: db?.uri });
      url = srv.url;
    });
    after(async () => {
      await srv.stop();
      await db?.drop();
    });

    test('create returns 201 with server-set metadata; get returns the same object', async () => {
      const r = await api(url, 'POST', `${G}/networks`, network('net-1'));
      assert.equal(r.status, 201);
      const m = r.body.metadata;
      assert.match(m.uid, /^[0-9a-f-]{36}$/);
      assert.equal(m.generation, 1);
      assert.match(m.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.ok(Number(m.resourceVersion) > 0);
      // Schema defaults are applied.
      assert.equal(r.body.spec.public, false);
      const g = await api(url, 'GET', `${G}/networks/net-1`);
      assert.equal(g.status, 200);
      assert.deepEqual(g.body, r.body);
    });

    test('creating an existing name is 409 AlreadyExists', async () => {
      const r = await api(url, 'POST', `${G}/networks`, network('net-1'));
      assert.equal(r.status, 409);
      assert.equal(r.body.kind, 'Status');
      assert.equal(r.body.reason, 'AlreadyExists');
    });

    test('a missing object is 404 NotFound, an unknown resource path is 404 too', async () => {
      const r = await api(url, 'GET', `${G}/networks/nope`);
      assert.equal(r.status, 404);
      assert.equal(r.body.reason, 'NotFound');
      assert.equal(r.body.details.name, 'nope');
      assert.equal((await api(url, 'GET', `${G}/widgets`)).status, 404);
    });

    test('generateName makes a unique name', async () => {
      const body = { ...network(''), metadata: { generateName: 'gen-' } };
      const a = await api(url, 'POST', `${G}/networks`, body);
      const b = await api(url, 'POST', `${G}/networks`, body);
      assert.equal(a.status, 201);
      assert.match(a.body.metadata.name, /^gen-[a-z0-9]{5}$/);
      assert.notEqual(a.body.metadata.name, b.body.metadata.name);
    });

    test('update with a stale resourceVersion is 409 Conflict; with the current one it succeeds', async () => {
      const cur = (await api(url, 'GET', `${G}/networks/net-1`)).body;
      const ok = await api(url, 'PUT', `${G}/networks/net-1`, { ...cur, spec: { ...cur.spec, public: true } });
      assert.equal(ok.status, 200);
      assert.ok(Number(ok.body.metadata.resourceVersion) > Number(cur.metadata.resourceVersion));
      const stale = await api(url, 'PUT', `${G}/networks/net-1`, { ...cur, spec: { ...cur.spec, public: false } });
      assert.equal(stale.status, 409);
      assert.equal(stale.body.reason, 'Conflict');
      assert.equal((await api(url, 'GET', `${G}/networks/net-1`)).body.spec.public, true);
    });

    test('spec changes bump generation; status is ignored on the main resource and only written via /status', async () => {
      const cur = (await api(url, 'GET', `${G}/networks/net-1`)).body;
      const gen = cur.metadata.generation;
      const withStatus = await api(url, 'PUT', `${G}/networks/net-1`, {
        ...cur,
        metadata: { ...cur.metadata, resourceVersion: undefined },
        status: { vlan: 101 },
      });
      assert.equal(withStatus.status, 200);
      assert.equal(withStatus.body.status, undefined, 'status must be ignored on the main resource');
      assert.equal(withStatus.body.metadata.generation, gen, 'no spec change, no new generation');
      const st = await api(
        url,
        'PATCH',
        `${G}/networks/net-1/status`,
        { status: { vlan: 101 } },
        'application/merge-patch+json',
      );
      assert.equal(st.status, 200);
      assert.equal(st.body.status.vlan, 101);
      assert.equal(st.body.metadata.generation, gen, 'status writes do not bump generation');
      const spec = await api(
        url,
        'PATCH',
        `${G}/networks/net-1/status`,
        { spec: { public: false } },
        'application/merge-patch+json',
      );
      assert.equal(spec.body.spec.public, true, 'spec is ignored on /status');
      const bump = await api(
        url,
        'PATCH',
        `${G}/networks/net-1`,
        { spec: { public: false } },
        'application/merge-patch+json',
      );
      assert.equal(bump.body.metadata.generation, gen + 1);
      assert.equal(bump.body.status.vlan, 101, 'status survives spec writes');
    });

    test('a no-op update keeps the resourceVersion', async () => {
      const cur = (await api(url, 'GET', `${G}/networks/net-1`)).body;
      const same = await api(
        url,
        'PATCH',
        `${G}/networks/net-1`,
        { spec: { public: cur.spec.public } },
        'application/merge-patch+json',
      );
      assert.equal(same.status, 200);
      assert.equal(same.body.metadata.resourceVersion, cur.metadata.resourceVersion);
    });

    test('JSON patch applies, and a failed test op is 422 with nothing written', async () => {
      const ok = await api(
        url,
        'PATCH',
        `${G}/networks/net-1`,
        [{ op: 'add', path: '/spec/accessProjects', value: ['p2'] }],
        'application/json-patch+json',
      );
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.body.spec.accessProjects, ['p2']);
      const bad = await api(
        url,
        'PATCH',
        `${G}/networks/net-1`,
        [
          { op: 'test', path: '/spec/owner', value: 'someone-else' },
          { op: 'replace', path: '/spec/public', value: true },
        ],
        'application/json-patch+json',
      );
      assert.equal(bad.status, 422);
      assert.equal((await api(url, 'GET', `${G}/networks/net-1`)).body.spec.public, false);
    });

    test('strategic merge patch is 415 for custom kinds, accepted for core kinds', async () => {
      const r = await api(
        url,
        'PATCH',
        `${G}/networks/net-1`,
        { spec: { public: true } },
        'application/strategic-merge-patch+json',
      );
      assert.equal(r.status, 415);
      assert.equal(r.body.reason, 'UnsupportedMediaType');
      const s = await api(url, 'POST', '/api/v1/namespaces/hil-system/secrets', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'creds' },
        stringData: { password: 'hunter2' },
      });
      assert.equal(s.status, 201);
      assert.equal(s.body.data.password, Buffer.from('hunter2').toString('base64'));
      assert.equal(s.body.stringData, undefined);
      const p = await api(
        url,
        'PATCH',
        '/api/v1/namespaces/hil-system/secrets/creds',
        { metadata: { labels: { a: 'b' } } },
        'application/strategic-merge-patch+json',
      );
      assert.equal(p.status, 200);
      assert.deepEqual(p.body.metadata.labels, { a: 'b' });
    });

    test('server-side apply creates when absent, updates, and removes fields it no longer applies', async () => {
      const applied = {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Network',
        metadata: { name: 'ssa-1', labels: { team: 'a' } },
        spec: { owner: '', public: true },
      };
      const path = `${G}/networks/ssa-1?fieldManager=gitops`;
      const c = await api(url, 'PATCH', path, applied, 'application/apply-patch+yaml');
      assert.equal(c.status, 201);
      assert.equal(c.body.spec.public, true);
      assert.ok(c.body.metadata.managedFields.some((e: any) => e.manager === 'gitops' && e.operation === 'Apply'));
      const yaml = 'apiVersion: hil.io/v1alpha1\nkind: Network\nmetadata:\n  name: ssa-1\nspec:\n  owner: ""\n';
      const u = await api(url, 'PATCH', path, yaml, 'application/apply-patch+yaml');
      assert.equal(u.status, 200);
      assert.equal(u.body.metadata.labels, undefined, 'the label the manager stopped applying is removed');
      assert.equal(u.body.spec.public, false, 'the field it stopped applying falls back to its default');
      const noManager = await api(
        url.replace('', ''),
        'PATCH',
        `${G}/networks/ssa-1`,
        yaml,
        'application/apply-patch+yaml',
      );
      assert.equal(noManager.status, 400);
    });

    test('server-side apply: another applier changing a field it owns is a 409 unless forced', async () => {
      const mk = (pub: boolean) => ({
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Network',
        metadata: { name: 'ssa-2' },
        spec: { owner: '', public: pub },
      });
      assert.equal(
        (await api(url, 'PATCH', `${G}/networks/ssa-2?fieldManager=one`, mk(true), 'application/apply-patch+yaml'))
          .status,
        201,
      );
      const clash = await api(
        url,
        'PATCH',
        `${G}/networks/ssa-2?fieldManager=two`,
        mk(false),
        'application/apply-patch+yaml',
      );
      assert.equal(clash.status, 409);
      assert.match(clash.body.message, /conflict with "one"/);
      const forced = await api(
        url,
        'PATCH',
        `${G}/networks/ssa-2?fieldManager=two&force=true`,
        mk(false),
        'application/apply-patch+yaml',
      );
      assert.equal(forced.status, 200);
      assert.equal(forced.body.spec.public, false);
    });

    test('finalizers: delete sets deletionTimestamp; the object goes when the last finalizer is removed', async () => {
      const c = await api(url, 'POST', `${G}/networks`, {
        ...network('fin-1'),
        metadata: { name: 'fin-1', finalizers: ['hil.io/attachments'] },
      });
      assert.equal(c.status, 201);
      const d = await api(url, 'DELETE', `${G}/networks/fin-1`);
      assert.equal(d.status, 200);
      assert.ok(d.body.metadata.deletionTimestamp);
      const still = await api(url, 'GET', `${G}/networks/fin-1`);
      assert.equal(still.status, 200);
      const add = await api(
        url,
        'PATCH',
        `${G}/networks/fin-1`,
        { metadata: { finalizers: ['hil.io/attachments', 'x.io/new'] } },
        'application/merge-patch+json',
      );
      assert.equal(add.status, 422, 'no new finalizers on an object being deleted');
      const rm = await api(
        url,
        'PATCH',
        `${G}/networks/fin-1`,
        { metadata: { finalizers: null } },
        'application/merge-patch+json',
      );
      assert.equal(rm.status, 200);
      assert.equal((await api(url, 'GET', `${G}/networks/fin-1`)).status, 404);
    });

    test('delete preconditions: a wrong uid is 409 and the object stays', async () => {
      await api(url, 'POST', `${G}/networks`, network('pre-1'));
      const r = await api(url, 'DELETE', `${G}/networks/pre-1`, {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        preconditions: { uid: 'not-it' },
      });
      assert.equal(r.status, 409);
      assert.equal((await api(url, 'GET', `${G}/networks/pre-1`)).status, 200);
    });

    test('dryRun=All validates and answers but writes nothing', async () => {
      const rev = await srv.store.currentRevision();
      const c = await api(url, 'POST', `${G}/networks?dryRun=All`, network('dry-1'));
      assert.equal(c.status, 201);
      assert.equal(c.body.metadata.name, 'dry-1');
      assert.equal((await api(url, 'GET', `${G}/networks/dry-1`)).status, 404);
      const bad = await api(url, 'POST', `${G}/networks?dryRun=All`, network('dry-2', { vlan: 99999 }));
      assert.equal(bad.status, 422);
      const d = await api(url, 'DELETE', `${G}/networks/net-1?dryRun=All`);
      assert.equal(d.status, 200);
      assert.equal((await api(url, 'GET', `${G}/networks/net-1`)).status, 200);
      assert.equal(await srv.store.currentRevision(), rev);
    });

    test('list: label and field selectors, limit and continue', async () => {
      for (let i = 0; i < 5; i++) {
        await api(url, 'POST', `${G}/nodes`, {
          ...node(`ln-${i}`),
          metadata: { name: `ln-${i}`, labels: { rack: i % 2 ? 'odd' : 'even' } },
        });
      }
      const even = await api(url, 'GET', `${G}/nodes?labelSelector=rack%3Deven`);
      assert.deepEqual(
        even.body.items.map((i: any) => i.metadata.name),
        ['ln-0', 'ln-2', 'ln-4'],
      );
      const notin = await api(url, 'GET', `${G}/nodes?labelSelector=${encodeURIComponent('rack notin (even),rack')}`);
      assert.deepEqual(
        notin.body.items.map((i: any) => i.metadata.name),
        ['ln-1', 'ln-3'],
      );
      const byName = await api(url, 'GET', `${G}/nodes?fieldSelector=metadata.name%3Dln-3`);
      assert.deepEqual(
        byName.body.items.map((i: any) => i.metadata.name),
        ['ln-3'],
      );
      assert.equal(byName.body.kind, 'NodeList');
      assert.ok(Number(byName.body.metadata.resourceVersion) > 0);
      const names: string[] = [];
      const remaining: unknown[] = [];
      let cont = '';
      let pages = 0;
      do {
        const page = await api(url, 'GET', `${G}/nodes?limit=2${cont ? `&continue=${cont}` : ''}`);
        assert.ok(page.body.items.length <= 2);
        names.push(...page.body.items.map((i: any) => i.metadata.name));
        remaining.push(page.body.metadata.remainingItemCount);
        cont = page.body.metadata.continue ?? '';
        pages++;
      } while (cont);
      assert.equal(pages, 3);
      assert.deepEqual(names, ['ln-0', 'ln-1', 'ln-2', 'ln-3', 'ln-4']);
      assert.deepEqual(remaining, [3, 1, undefined]);
      // Pages of a selection: the same, counted among the matching objects only.
      const evenPage = await api(url, 'GET', `${G}/nodes?labelSelector=rack%3Deven&limit=2`);
      assert.deepEqual(
        evenPage.body.items.map((i: any) => i.metadata.name),
        ['ln-0', 'ln-2'],
      );
      assert.equal(evenPage.body.metadata.remainingItemCount, 1);
      const evenRest = await api(
        url,
        'GET',
        `${G}/nodes?labelSelector=rack%3Deven&limit=2&continue=${evenPage.body.metadata.continue}`,
      );
      assert.deepEqual(
        evenRest.body.items.map((i: any) => i.metadata.name),
        ['ln-4'],
      );
      assert.equal(evenRest.body.metadata.continue, undefined);
      assert.equal((await api(url, 'GET', `${G}/nodes?labelSelector=${encodeURIComponent('a in (b')}`)).status, 400);
      assert.equal((await api(url, 'GET', `${G}/nodes?continue=garbage`)).status, 400);
    });

    test('Table responses carry the printer columns', async () => {
      const r = await api(url, 'GET', `${G}/nodes?labelSelector=rack%3Dodd`, undefined, undefined, {
        accept: 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json',
      });
      assert.equal(r.body.kind, 'Table');
      const cols = r.body.columnDefinitions.map((c: any) => c.name);
      assert.equal(cols[0], 'Name');
      assert.ok(cols.includes('Project'));
      assert.ok(cols.includes('Age'));
      assert.deepEqual(
        r.body.rows.map((row: any) => row.cells[0]),
        ['ln-1', 'ln-3'],
      );
      assert.match(r.body.rows[0].cells[cols.indexOf('Age')], /^\d+s$/);
    });

    test('namespaced kinds: per-namespace and all-namespace lists; cluster kinds refuse a namespace', async () => {
      for (const ns of ['default', 'hil-system']) {
        const r = await api(url, 'POST', `/api/v1/namespaces/${ns}/events`, {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: `ev-${ns}` },
          involvedObject: { kind: 'Node', name: 'ln-1', apiVersion: 'hil.io/v1alpha1' },
          reason: 'Test',
          message: 'hello',
          type: 'Normal',
        });
        assert.equal(r.status, 201);
        assert.equal(r.body.metadata.namespace, ns);
      }
      assert.equal((await api(url, 'GET', '/api/v1/namespaces/default/events')).body.items.length, 1);
      const all = await api(
        url,
        'GET',
        '/api/v1/events?fieldSelector=involvedObject.name%3Dln-1,involvedObject.kind%3DNode',
      );
      assert.equal(all.body.items.length, 2);
      const wrongNs = await api(url, 'POST', '/api/v1/namespaces/default/events', {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'x', namespace: 'other' },
      });
      assert.equal(wrongNs.status, 400);
      assert.equal((await api(url, 'GET', `${G}/namespaces/default/nodes`)).status, 404);
      const nss = await api(url, 'GET', '/api/v1/namespaces');
      assert.deepEqual(nss.body.items.map((n: any) => n.metadata.name).sort(), ['default', 'hil-system']);
    });

    test('leases: create and optimistic renew, as leader election does', async () => {
      const lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'hil-controllers' },
        spec: { holderIdentity: 'a', leaseDurationSeconds: 15 },
      };
      const c = await api(url, 'POST', '/apis/coordination.k8s.io/v1/namespaces/hil-system/leases', lease);
      assert.equal(c.status, 201);
      const renew = { ...c.body, spec: { ...c.body.spec, renewTime: new Date().toISOString() } };
      assert.equal(
        (await api(url, 'PUT', '/apis/coordination.k8s.io/v1/namespaces/hil-system/leases/hil-controllers', renew))
          .status,
        200,
      );
      assert.equal(
        (await api(url, 'PUT', '/apis/coordination.k8s.io/v1/namespaces/hil-system/leases/hil-controllers', renew))
          .status,
        409,
      );
    });
  });
}
