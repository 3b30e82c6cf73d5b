// The security review's findings (issue 12), one regression test each: two projects p1/p2, u1 ∈ p1, u2 ∈ p2, an
// admin and anonymous callers, mock switch and BMCs. Every test here failed before its fix.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createAdminUser } from '../../apiserver/admin-tasks.js';
import { parseLabelSelector } from '../../apiserver/selectors.js';
import { basicAuth, hilObject, mockNode } from '../support/objects.js';
import { callers, startInProcessServer, type InProcessServer } from '../support/server.js';

const G = '/apis/hil.io/v1alpha1';
type Caller = 'admin' | 'u1' | 'u2' | 'anon';
const basic = basicAuth;
const CREDS: Record<Caller, Record<string, string>> = {
  admin: basic('root', 'root-password'),
  u1: basic('u1', 'u1-password'),
  u2: basic('u2', 'u2-password'),
  anon: {},
};
const MERGE = 'application/merge-patch+json';
const JSONPATCH = 'application/json-patch+json';
const APPLY = 'application/apply-patch+yaml';
const STRATEGIC = 'application/strategic-merge-patch+json';

const obj = hilObject;
const node = mockNode;

describe('security review findings', () => {
  let srv: InProcessServer;
  const { as, must } = callers<Caller>(
    () => srv.url,
    (c) => CREDS[c],
  );
  const stored = async (path: string) => (await must('admin', 'GET', path)).body;

  before(async () => {
    srv = await startInProcessServer({ auth: 'database', requireAuthentication: false, watchTimeoutMs: 60_000 });
    await createAdminUser(srv.store, 'root', 'root-password');
    for (const p of ['p1', 'p2']) await must('admin', 'POST', `${G}/projects`, obj('Project', p, {}));
    for (const [u, p] of [
      ['u1', 'p1'],
      ['u2', 'p2'],
    ] as const) {
      await must('admin', 'POST', `${G}/users`, obj('User', u, { projects: [p] }));
      await must('admin', 'PUT', `${G}/users/${u}/password`, { password: `${u}-password` });
    }
    await must('admin', 'POST', `${G}/switches`, obj('Switch', 'sw1', { type: 'mock', address: 'mock://sw1' }));
    for (let i = 1; i <= 6; i++)
      await must('admin', 'POST', `${G}/ports`, obj('Port', `port-${i}`, { switch: 'sw1', interface: `gi1/0/${i}` }));
    await must('admin', 'POST', `${G}/nodes`, node('n1', 'p1', ['port-1']));
    await must('admin', 'POST', `${G}/nodes`, node('n2', 'p2', ['port-2']));
    await must('admin', 'POST', `${G}/nodes`, node('free1', '', ['port-3']));
    await must('admin', 'POST', `${G}/networks`, obj('Network', 'net1', { owner: 'p1' }));
    await must('admin', 'POST', `${G}/networks`, obj('Network', 'net2', { owner: 'p2' }));
    await must(
      'admin',
      'POST',
      `${G}/networkattachments`,
      obj('NetworkAttachment', 'a1', { node: 'n1', nic: 'eth0', network: 'net1' }),
    );
    await must(
      'admin',
      'POST',
      `${G}/networkattachments`,
      obj('NetworkAttachment', 'a2', { node: 'n2', nic: 'eth0', network: 'net2' }),
    );
  });
  after(() => srv.stop());

  describe('1. prototype keys are data, never a prototype', () => {
    const protoBodies: [string, string, unknown][] = [
      ['merge patch', MERGE, { spec: { project: null, __proto__: { project: 'p1' } } }],
      ['merge patch, nested', MERGE, { metadata: { labels: { __proto__: { a: 'b' } } } }],
      ['JSON patch', JSONPATCH, [{ op: 'add', path: '/spec/__proto__', value: { project: 'p1' } }]],
      ['JSON patch value', JSONPATCH, [{ op: 'replace', path: '/spec', value: { __proto__: { project: 'p1' } } }]],
    ];
    for (const [what, ct, body] of protoBodies) {
      test(`${what} with a "__proto__" key: refused, the node stays in p1 and attached`, async () => {
        // An object literal's __proto__ is its prototype, which JSON.stringify drops: rawJson sends it as a key.
        const r = await as('u1', 'PATCH', `${G}/nodes/n1`, Buffer.from(rawJson(body)), ct);
        assert.ok(r.status === 422 || r.status === 400, `${r.status} ${JSON.stringify(r.body)}`);
        assert.equal(r.body.kind, 'Status');
        const n1 = await stored(`${G}/nodes/n1`);
        assert.equal(n1.spec.project, 'p1');
        assert.equal((await stored(`${G}/networkattachments/a1`)).spec.node, 'n1');
      });
    }

    test('a strategic merge patch (built-in kinds) with "__proto__" is refused', async () => {
      await must('admin', 'POST', '/api/v1/namespaces/hil-system/secrets', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'sp' },
        stringData: { a: 'b' },
      });
      const r = await as(
        'admin',
        'PATCH',
        '/api/v1/namespaces/hil-system/secrets/sp',
        Buffer.from('{"metadata":{"__proto__":{"finalizers":["x"]}}}'),
        STRATEGIC,
      );
      assert.equal(r.status, 422, JSON.stringify(r.body));
      assert.equal(r.body.details.causes[0].field, 'metadata.__proto__');
    });

    test('an applied configuration (YAML) with "__proto__" is refused', async () => {
      const yamlText =
        'apiVersion: hil.io/v1alpha1\nkind: Node\nmetadata:\n  name: n1\nspec:\n  __proto__:\n    project: p2\n';
      const r = await as('admin', 'PATCH', `${G}/nodes/n1?fieldManager=t`, Buffer.from(yamlText), APPLY);
      assert.equal(r.status, 422, JSON.stringify(r.body));
      assert.equal(r.body.details.causes[0].field, 'spec.__proto__');
      assert.equal((await stored(`${G}/nodes/n1`)).spec.project, 'p1');
    });

    test('finalizers of a terminating object cannot be dropped through a prototype', async () => {
      await must(
        'admin',
        'POST',
        `${G}/networks`,
        obj('Network', 'fin', { owner: 'p1' }, { metadata: { name: 'fin', finalizers: ['test.hil.io/hold'] } }),
      );
      await must('admin', 'DELETE', `${G}/networks/fin`);
      const r = await as(
        'admin',
        'PATCH',
        `${G}/networks/fin`,
        Buffer.from('{"metadata":{"finalizers":null,"__proto__":{"finalizers":["x"]}}}'),
        MERGE,
      );
      assert.equal(r.status, 422);
      const fin = await stored(`${G}/networks/fin`);
      assert.deepEqual(fin.metadata.finalizers, ['test.hil.io/hold']);
      await must('admin', 'PATCH', `${G}/networks/fin`, { metadata: { finalizers: null } }, MERGE);
    });

    test('a Headnode cannot be created without spec.project through a prototype', async () => {
      const r = await as(
        'u1',
        'POST',
        `${G}/headnodes`,
        Buffer.from(
          '{"apiVersion":"hil.io/v1alpha1","kind":"Headnode","metadata":{"name":"h1"},"spec":{"baseImage":"img","__proto__":{"project":"p1"}}}',
        ),
      );
      assert.equal(r.status, 422, JSON.stringify(r.body));
      assert.equal((await as('admin', 'GET', `${G}/headnodes/h1`)).status, 404);
    });

    test('"constructor" and "prototype" are plain data keys', async () => {
      await must(
        'admin',
        'PATCH',
        `${G}/nodes/free1`,
        { spec: { metadata: { constructor: 'c', prototype: 'p' } } },
        MERGE,
      );
      const n = await stored(`${G}/nodes/free1`);
      assert.deepEqual(n.spec.metadata, { constructor: 'c', prototype: 'p' });
      await must('admin', 'PATCH', `${G}/nodes/free1`, { spec: { metadata: { constructor: null } } }, MERGE);
      assert.deepEqual((await stored(`${G}/nodes/free1`)).spec.metadata, { prototype: 'p' });
      await must('admin', 'PATCH', `${G}/nodes/free1`, { spec: { metadata: null } }, MERGE);
    });

    test('a body nested 10,000 levels deep is a 400, not a 500', async () => {
      const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
      const r = await as(
        'admin',
        'PATCH',
        `${G}/nodes/free1`,
        Buffer.from(`{"metadata":{"annotations":${deep}}}`),
        MERGE,
      );
      assert.equal(r.status, 400, JSON.stringify(r.body).slice(0, 300));
      const r2 = await as(
        'admin',
        'POST',
        `${G}/projects`,
        Buffer.from(`{"apiVersion":"hil.io/v1alpha1","kind":"Project","metadata":{"name":"deep"},"spec":${deep}}`),
      );
      assert.equal(r2.status, 400);
    });
  });

  describe('2. authorization comes before anything drawn from the stored object', () => {
    // What u1 may not read of p2: its project name, its node's BMC (names in the URL are the caller's own words).
    const leaks = (body: unknown) => /bmc-n2|\bp2\b/.test(JSON.stringify(body));
    for (const dry of ['', '?dryRun=All']) {
      test(`a JSON patch copying another project's spec is a 403 that shows none of it${dry && ' (dry run)'}`, async () => {
        const r = await as(
          'u1',
          'PATCH',
          `${G}/nodes/n2${dry}`,
          [{ op: 'copy', from: '/spec', path: '/spec/power' }],
          JSONPATCH,
        );
        assert.equal(r.status, 403, JSON.stringify(r.body));
        assert.ok(!leaks(r.body), JSON.stringify(r.body));
      });
    }

    test('a JSON patch "test" op is no oracle: true and false guesses answer alike', async () => {
      const right = await as(
        'u1',
        'PATCH',
        `${G}/nodes/n2`,
        [{ op: 'test', path: '/spec/project', value: 'p2' }],
        JSONPATCH,
      );
      const wrong = await as(
        'u1',
        'PATCH',
        `${G}/nodes/n2`,
        [{ op: 'test', path: '/spec/project', value: 'zz' }],
        JSONPATCH,
      );
      assert.equal(right.status, 403);
      assert.deepEqual(right.body, wrong.body);
    });

    test("DELETE preconditions on another project's objects reveal no uid or resourceVersion", async () => {
      for (const path of [`${G}/nodes/n2`, `${G}/networkattachments/a2`, `${G}/networks/net2`]) {
        const r = await as('u1', 'DELETE', path, { preconditions: { uid: 'x', resourceVersion: '1' } });
        assert.equal(r.status, 403, `${path}: ${JSON.stringify(r.body)}`);
        const stored2 = await stored(path);
        assert.ok(!JSON.stringify(r.body).includes(stored2.metadata.uid), JSON.stringify(r.body));
        assert.ok(!leaks(r.body), JSON.stringify(r.body));
      }
    });

    test("a PUT of another project's attachment is refused before its status or spec are compared", async () => {
      const a2 = await stored(`${G}/networkattachments/a2`);
      const r = await as('u1', 'PUT', `${G}/networkattachments/a2`, {
        ...a2,
        metadata: { name: 'a2', resourceVersion: '1' },
        spec: { bogus: 1 },
      });
      assert.equal(r.status, 403, JSON.stringify(r.body));
      assert.ok(!leaks(r.body), JSON.stringify(r.body));
    });
  });

  describe('2b. refusals name only what the caller may read', () => {
    const leaks = (body: unknown) => /bmc-n2|\bp2\b|"a2"|\ba2\b/.test(JSON.stringify(body));
    const attach = (name: string, spec: Record<string, unknown>) => obj('NetworkAttachment', name, spec);
    for (const [what, body] of [
      ["another project's node", attach('x1', { node: 'n2', nic: 'eth0', network: 'net1' })],
      ["another project's node, on its own network", attach('x2', { node: 'n2', nic: 'eth0', network: 'net2' })],
      ["another project's network", attach('x3', { node: 'n1', nic: 'eth0', network: 'net2' })],
    ] as const) {
      test(`attaching to ${what} is a 403 naming none of p2's objects`, async () => {
        const r = await as('u1', 'POST', `${G}/networkattachments`, body);
        assert.equal(r.status, 403, JSON.stringify(r.body));
        assert.ok(!leaks(r.body), JSON.stringify(r.body));
        assert.equal((await as('admin', 'GET', `${G}/networkattachments/${body.metadata.name}`)).status, 404);
      });
    }
    test('creating under a name another project uses is a 403, not AlreadyExists (no oracle for names)', async () => {
      for (const [who, path, body] of [
        ['u1', `${G}/networkattachments`, attach('a2', { node: 'n1', nic: 'eth0', network: 'net2' })],
        ['anon', `${G}/nodes`, node('n2', '', [])],
      ] as const) {
        const r = await as(who, 'POST', path, body);
        assert.equal(r.status, 403, `${who} ${path}: ${JSON.stringify(r.body)}`);
      }
    });
    test("claiming, releasing or moving another project's node is a 403 naming none of its attachments", async () => {
      for (const project of ['p1', '', null]) {
        const r = await as('u1', 'PATCH', `${G}/nodes/n2`, { spec: { project } }, MERGE);
        assert.equal(r.status, 403, JSON.stringify(r.body));
        assert.ok(!leaks(r.body), JSON.stringify(r.body));
      }
    });
  });

  describe('4. a free node is acted on by administrators only (members may claim it)', () => {
    test('a member cannot power, cycle, label or annotate a free node', async () => {
      for (const body of [
        { spec: { power: 'Off' } },
        { spec: { bootDevice: 'disk' } },
        { metadata: { annotations: { 'hil.io/power-cycle': 'now' } } },
        { metadata: { labels: { mine: 'yes' } } },
        { metadata: { annotations: { big: 'x'.repeat(250_000) } } },
      ]) {
        for (const who of ['u1', 'anon'] as const) {
          const r = await as(who, 'PATCH', `${G}/nodes/free1`, body, MERGE);
          // An anonymous body beyond 16 KiB is not even read (413); the rest are refused as writes (403).
          const big = JSON.stringify(body).length > 16 * 1024;
          assert.equal(
            r.status,
            who === 'anon' && big ? 413 : 403,
            `${who} ${JSON.stringify(body).slice(0, 80)}: ${r.status}`,
          );
        }
      }
      const n = await stored(`${G}/nodes/free1`);
      assert.equal(n.spec.power, undefined);
      assert.equal(n.metadata.labels?.mine, undefined);
      assert.equal(n.metadata.annotations, undefined);
    });

    test('a member still claims a free node (with power in the same patch) and releases it', async () => {
      await must('u1', 'PATCH', `${G}/nodes/free1`, { spec: { project: 'p1', power: 'On' } }, MERGE);
      assert.equal((await stored(`${G}/nodes/free1`)).spec.project, 'p1');
      await must('u1', 'PATCH', `${G}/nodes/free1`, { spec: { project: '', power: null } }, MERGE);
      assert.equal((await stored(`${G}/nodes/free1`)).spec.project, '');
      const anon = await as('anon', 'PATCH', `${G}/nodes/free1`, { spec: { project: 'p1' } }, MERGE);
      assert.equal(anon.status, 403);
    });
  });

  describe('3. a resourceVersion from the future freezes nothing', () => {
    test('too large: 504 ResourceVersionTooLarge after a short wait; not a number: 400; other watches go on', async () => {
      const huge = await as('admin', 'GET', `${G}/projects?watch=true&resourceVersion=99999999999999999999`);
      assert.equal(huge.status, 400, JSON.stringify(huge.body));
      const started = Date.now();
      const ahead = await as('admin', 'GET', `${G}/projects?watch=true&resourceVersion=999999999`);
      assert.equal(ahead.status, 504, JSON.stringify(ahead.body));
      assert.equal(ahead.body.reason, 'Timeout');
      assert.equal(ahead.body.details.causes[0].reason, 'ResourceVersionTooLarge');
      assert.ok(Date.now() - started >= 2_000, 'waits for the store to catch up first');
      const list = await as('admin', 'GET', `${G}/projects?resourceVersion=999999999`);
      assert.equal(list.status, 504);
      // A watch from now still sees a change made after it started.
      const rv = (await stored(`${G}/projects`)).metadata.resourceVersion;
      const ctl = new AbortController();
      const r = await fetch(`${srv.url}${G}/projects?watch=true&resourceVersion=${rv}`, {
        headers: CREDS.admin,
        signal: ctl.signal,
      });
      await must('admin', 'POST', `${G}/projects`, obj('Project', 'p3', {}));
      const reader = r.body!.getReader();
      let text = '';
      while (!text.includes('"p3"')) text += new TextDecoder().decode((await reader.read()).value);
      ctl.abort();
      assert.match(text, /"type":"ADDED"/);
      assert.equal(srv.server.hub.revision <= Number((await stored(`${G}/projects`)).metadata.resourceVersion), true);
    });
  });

  describe('10. what other Kubernetes clients send', () => {
    test('booleans as Go reads them: watch=True streams, force=True forces an apply, a bad one is a 400', async () => {
      const ctl = new AbortController();
      const r = await fetch(`${srv.url}${G}/projects?watch=True`, { headers: CREDS.admin, signal: ctl.signal });
      assert.equal(r.status, 200);
      const first = new TextDecoder().decode((await r.body!.getReader().read()).value);
      ctl.abort();
      assert.match(first, /"type":"ADDED"/);
      const applied = (d: string) =>
        Buffer.from(
          `apiVersion: hil.io/v1alpha1\nkind: Project\nmetadata:\n  name: forced\nspec:\n  description: ${d}\n`,
        );
      await must('admin', 'PATCH', `${G}/projects/forced?fieldManager=one`, applied('one'), APPLY);
      const conflict = await as('admin', 'PATCH', `${G}/projects/forced?fieldManager=two`, applied('two'), APPLY);
      assert.equal(conflict.status, 409);
      await must('admin', 'PATCH', `${G}/projects/forced?fieldManager=two&force=True`, applied('two'), APPLY);
      assert.equal((await stored(`${G}/projects/forced`)).spec.description, 'two');
      await must('admin', 'DELETE', `${G}/projects/forced`);
      assert.equal((await as('admin', 'GET', `${G}/projects?watch=yes`)).status, 400);
    });

    test('built-in kinds without apiVersion/kind take them from the URL (typed clients, kopf Events)', async () => {
      const ev = await as('admin', 'POST', '/api/v1/namespaces/default/events', {
        metadata: { name: 'kopf-ev' },
        involvedObject: { apiVersion: 'hil.io/v1alpha1', kind: 'Node', name: 'n1' },
        reason: 'Logging',
        message: 'from kopf',
        type: 'Normal',
      });
      assert.equal(ev.status, 201, JSON.stringify(ev.body));
      assert.equal(ev.body.kind, 'Event');
      assert.equal(ev.body.apiVersion, 'v1');
      const sec = await as('admin', 'POST', '/api/v1/namespaces/hil-system/secrets', {
        metadata: { name: 'typed' },
        stringData: { a: 'b' },
      });
      assert.equal(sec.status, 201, JSON.stringify(sec.body));
      const put = await as('admin', 'PUT', '/api/v1/namespaces/hil-system/secrets/typed', {
        metadata: { name: 'typed' },
        stringData: { a: 'c' },
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      // Custom kinds still name themselves, as on a real cluster.
      const custom = await as('admin', 'POST', `${G}/projects`, { metadata: { name: 'nameless' }, spec: {} });
      assert.equal(custom.status, 400);
    });

    test('an unknown field named like an Object.prototype member is pruned like any other', async () => {
      const r = await as('admin', 'POST', `${G}/projects`, {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Project',
        metadata: { name: 'pruned' },
        spec: {},
        constructor: { x: 1 },
        toString: 'y',
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const p = await stored(`${G}/projects/pruned`);
      assert.equal(Object.hasOwn(p, 'constructor'), false);
      assert.equal(Object.hasOwn(p, 'toString'), false);
      await must('admin', 'DELETE', `${G}/projects/pruned`);
    });
  });

  describe('8. label selectors parse in linear time', () => {
    test('an adversarial 400,000-character selector is refused at once (it took a minute before), and selectors still work', async () => {
      const started = Date.now();
      assert.throws(
        () => parseLabelSelector(`${'a='.repeat(200_000)} b`),
        (e: any) => e.code === 400,
      );
      assert.ok(Date.now() - started < 2_000, `${Date.now() - started} ms`);
      const r = await as('admin', 'GET', `${G}/nodes?labelSelector=${'a='.repeat(6_000)}%20b`);
      assert.equal(r.status, 400);
      const m = parseLabelSelector('a=b,c!=d,e in (x, y),f notin (z),g,!h');
      assert.equal(m({ a: 'b', e: 'y', g: '1' }), true);
      assert.equal(m({ a: 'b', e: 'y' }), false);
      assert.equal(m({ a: 'b', e: 'y', g: '', h: '' }), false);
      for (const bad of ['a b', 'a in x', 'a=(b)', '=b', 'a in (b', '!'])
        assert.throws(
          () => parseLabelSelector(bad),
          (e: any) => e.code === 400,
          bad,
        );
    });
  });

  describe('9. the low findings', () => {
    test('a malformed percent-encoding in the path is a 400, not a 500', async () => {
      for (const path of [`${G}/nodes/%zz`, `${G}/nodes/%E0%A4%A`, '/api/v1/namespaces/%/secrets']) {
        const r = await as('admin', 'GET', path);
        assert.equal(r.status, 400, `${path}: ${r.status}`);
        assert.equal(r.body.kind, 'Status');
      }
    });

    test('delete-collection is all or nothing: one blocked item and nothing is deleted', async () => {
      for (const p of ['dc1', 'dc2'])
        await must('admin', 'POST', `${G}/projects`, {
          ...obj('Project', p, {}),
          metadata: { name: p, labels: { batch: 'x' } },
        });
      await must('admin', 'POST', `${G}/projects`, {
        ...obj('Project', 'dc3', {}),
        metadata: { name: 'dc3', labels: { batch: 'x' } },
      });
      await must('admin', 'POST', `${G}/networks`, obj('Network', 'dc3-net', { owner: 'dc3' }));
      const r = await as('admin', 'DELETE', `${G}/projects?labelSelector=batch%3Dx`);
      assert.equal(r.status, 409, JSON.stringify(r.body));
      for (const p of ['dc1', 'dc2', 'dc3'])
        assert.equal((await as('admin', 'GET', `${G}/projects/${p}`)).status, 200, `${p} still there`);
      await must('admin', 'DELETE', `${G}/networks/dc3-net`);
      const ok = await must('admin', 'DELETE', `${G}/projects?labelSelector=batch%3Dx`);
      assert.equal(ok.body.kind, 'ProjectList');
      assert.deepEqual(ok.body.items.map((i: any) => i.metadata.name).sort(), ['dc1', 'dc2', 'dc3']);
      for (const p of ['dc1', 'dc2', 'dc3']) assert.equal((await as('admin', 'GET', `${G}/projects/${p}`)).status, 404);
    });

    test("a node claimed away leaves a watcher with DELETED of what it saw, not the new owner's labels", async () => {
      await must('admin', 'POST', `${G}/nodes`, node('wfree', '', ['port-5']));
      const w = await openWatch(
        srv.url,
        `${G}/nodes?watch=true&resourceVersion=${(await stored(`${G}/nodes`)).metadata.resourceVersion}`,
        CREDS.u1,
      );
      await must(
        'u2',
        'PATCH',
        `${G}/nodes/wfree`,
        { spec: { project: 'p2' }, metadata: { labels: { 'secret-of-p2': 'x' }, annotations: { plan: 'p2-only' } } },
        MERGE,
      );
      const ev = await w.next((e) => e.object.metadata.name === 'wfree');
      w.close();
      assert.equal(ev.type, 'DELETED');
      assert.equal(ev.object.spec.project, '');
      assert.ok(
        !JSON.stringify(ev).includes('secret-of-p2') && !JSON.stringify(ev).includes('p2-only'),
        JSON.stringify(ev),
      );
      await must('u2', 'PATCH', `${G}/nodes/wfree`, { spec: { project: '' } }, MERGE);
    });

    test('an open watch ends when its user leaves the project', async () => {
      await must('admin', 'POST', `${G}/users`, obj('User', 'u3', { projects: ['p1'] }));
      await must('admin', 'PUT', `${G}/users/u3/password`, { password: 'u3-password' });
      const w = await openWatch(srv.url, `${G}/networkattachments?watch=true`, basic('u3', 'u3-password'));
      assert.equal((await w.next((e) => e.object.metadata.name === 'a1')).type, 'ADDED');
      await must('admin', 'PATCH', `${G}/users/u3`, { spec: { projects: [] } }, MERGE);
      await w.ended;
      await must('admin', 'PATCH', `${G}/networkattachments/a1`, { metadata: { labels: { after: 'leaving' } } }, MERGE);
      const again = await as('admin', 'GET', `${G}/networkattachments/a1`);
      assert.equal(again.body.metadata.labels.after, 'leaving');
      assert.ok(!w.seen.some((e) => e.object.metadata.labels?.after), 'nothing streamed after leaving');
    });
  });
});

/** JSON text of a value whose objects may have an own "__proto__" key (object literals make it the prototype). */
function rawJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(rawJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.keys(v).map((k) => `${JSON.stringify(k)}:${rawJson((v as any)[k])}`);
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) entries.push(`"__proto__":${rawJson(proto)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A watch stream read event by event. */
async function openWatch(url: string, path: string, headers: Record<string, string>) {
  const ctl = new AbortController();
  const r = await fetch(`${url}${path}`, { headers, signal: ctl.signal });
  assert.equal(r.status, 200);
  const reader = r.body!.getReader();
  const seen: any[] = [];
  let buf = '';
  let done = false;
  const waiters: (() => void)[] = [];
  const ended = (async () => {
    try {
      for (;;) {
        const { value, done: d } = await reader.read();
        if (d) break;
        buf += new TextDecoder().decode(value);
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          seen.push(JSON.parse(buf.slice(0, i)));
          buf = buf.slice(i + 1);
        }
        waiters.splice(0).forEach((f) => f());
      }
    } catch {
      /* aborted */
    }
    done = true;
    waiters.splice(0).forEach((f) => f());
  })();
  return {
    seen,
    ended,
    async next(pred: (e: any) => boolean): Promise<any> {
      for (;;) {
        const hit = seen.find(pred);
        if (hit) return hit;
        if (done) throw new Error('the watch ended');
        await new Promise<void>((r) => waiters.push(r));
      }
    },
    close: () => ctl.abort(),
  };
}
