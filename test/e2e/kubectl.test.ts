// kubectl as an outside client of `hil-admin serve` (SQLite): the examples apply, re-apply and apply server-side;
// get (tables, categories, yaml/json, watch), describe, the patch types, delete, invalid input and Secrets behave
// as they do against a real cluster. Tests run in order and build on one another's objects.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import yaml from 'js-yaml';
import { packageRoot } from '../../common/paths.js';
import { Kubectl, kubectlOnPath, startServe, type KubectlResult, type ServeChild } from '../support/kubectl.js';
import { api } from '../support/server.js';

const EXAMPLES = join(packageRoot(), 'manifests', 'examples');
const NODES = '/apis/hil.io/v1alpha1/nodes';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}

function exampleObjects(): Manifest[] {
  const out: Manifest[] = [];
  for (const f of readdirSync(EXAMPLES)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    for (const doc of yaml.loadAll(readFileSync(join(EXAMPLES, f), 'utf8'))) if (doc) out.push(doc as Manifest);
  }
  return out;
}

/** How kubectl names an object in its output: node.hil.io/node-01, secret/x. */
function kubectlRef(o: Manifest): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return `${o.kind.toLowerCase()}${group ? `.${group}` : ''}/${o.metadata.name}`;
}

/** Plural resource names of the custom kinds, from their CRDs. */
const PLURALS = new Map<string, string>(
  readdirSync(join(packageRoot(), 'crds'))
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .map((f) => (yaml.load(readFileSync(join(packageRoot(), 'crds', f), 'utf8')) as any).spec.names)
    .map((n: { kind: string; plural: string }) => [n.kind, n.plural]),
);

/** The REST path of an example object. */
function pathOf(o: Manifest): string {
  if (!o.apiVersion.includes('/'))
    return `/api/${o.apiVersion}/namespaces/${o.metadata.namespace}/${o.kind.toLowerCase()}s/${o.metadata.name}`;
  const plural = PLURALS.get(o.kind);
  assert.ok(plural, `no CRD for kind ${o.kind}`);
  return `/apis/${o.apiVersion}/${plural}/${o.metadata.name}`;
}

function show(r: KubectlResult): string {
  return `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}

function ok(r: KubectlResult): KubectlResult {
  assert.equal(r.code, 0, `kubectl failed:\n${show(r)}`);
  return r;
}

function tempDir(t: TestContext): string {
  const d = mkdtempSync(join(tmpdir(), 'hil-kubectl-files-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

if (!kubectlOnPath()) {
  test('kubectl', { skip: 'kubectl is not installed' }, () => {});
} else {
  describe('kubectl against hil-admin serve (SQLite)', () => {
    let srv: ServeChild;
    const objects = exampleObjects();
    const custom = objects.filter((o) => o.apiVersion.startsWith('hil.io/'));

    /** A kubectl with a fresh discovery cache, removed when the test ends. */
    const kubectl = (t: TestContext): Kubectl => {
      const k = new Kubectl(srv.url);
      t.after(() => k.cleanup());
      return k;
    };

    before(async () => {
      srv = await startServe();
    });
    after(async () => {
      await srv?.close();
    });

    test('apply -f manifests/examples/ creates every object', async (t) => {
      const r = ok(await kubectl(t).run(['apply', '-f', EXAMPLES]));
      assert.ok(objects.length >= 10, 'the examples folder should hold the example objects');
      for (const o of objects) assert.match(r.stdout, new RegExp(`^${kubectlRef(o)} created$`, 'm'), show(r));
      for (const o of objects) {
        const got = await api(srv.url, 'GET', pathOf(o));
        assert.equal(got.status, 200, `${pathOf(o)} after apply: ${JSON.stringify(got.body)}`);
        assert.ok(
          got.body.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'],
          `${kubectlRef(o)} has no last-applied annotation`,
        );
      }
    });

    test('apply again: every custom object is unchanged, and nothing is rewritten', async (t) => {
      const listed = await api(srv.url, 'GET', NODES);
      const r = ok(await kubectl(t).run(['apply', '-f', EXAMPLES]));
      for (const o of custom) assert.match(r.stdout, new RegExp(`^${kubectlRef(o)} unchanged$`, 'm'), show(r));
      const afterList = await api(srv.url, 'GET', NODES);
      assert.deepEqual(
        afterList.body.items.map(
          (i: Manifest & { metadata: { resourceVersion: string } }) => i.metadata.resourceVersion,
        ),
        listed.body.items.map((i: Manifest & { metadata: { resourceVersion: string } }) => i.metadata.resourceVersion),
        'an unchanged apply must not bump resourceVersions',
      );
    });

    test('apply an edited copy of a file: configured, and the change is visible', async (t) => {
      const dir = tempDir(t);
      const file = join(dir, '30-nodes.yaml');
      const text = readFileSync(join(EXAMPLES, '30-nodes.yaml'), 'utf8');
      // node-01 only: its bootDevice pxe → disk and a new metadata key.
      const edited = text.replace(
        /(name: node-01[\s\S]*?bootDevice: )pxe([\s\S]*?rack: r1)/,
        '$1disk$2\n    owner: ops-team',
      );
      assert.notEqual(edited, text, 'the edit must change the file');
      writeFileSync(file, edited);
      const k = kubectl(t);
      const r = ok(await k.run(['apply', '-f', file]));
      assert.match(r.stdout, /^node\.hil\.io\/node-01 configured$/m, show(r));
      assert.match(r.stdout, /^node\.hil\.io\/node-02 unchanged$/m, show(r));
      const got = ok(await k.run(['get', 'hn', 'node-01', '-o', 'jsonpath={.spec.bootDevice} {.spec.metadata.owner}']));
      assert.equal(got.stdout, 'disk ops-team');
      const node = await api(srv.url, 'GET', `${NODES}/node-01`);
      assert.equal(node.body.spec.bootDevice, 'disk');
      assert.equal(node.body.metadata.generation, 2, 'a spec change bumps generation');
    });

    test('apply --server-side -f the folder: applies everything and creates what is missing', async (t) => {
      const gone = await api(srv.url, 'DELETE', '/apis/hil.io/v1alpha1/headnodes/runway-headnode');
      assert.equal(gone.status, 200, JSON.stringify(gone.body));
      assert.equal((await api(srv.url, 'GET', '/apis/hil.io/v1alpha1/headnodes/runway-headnode')).status, 404);
      const r = ok(await kubectl(t).run(['apply', '--server-side', '-f', EXAMPLES]));
      for (const o of objects)
        assert.match(r.stdout, new RegExp(`^${kubectlRef(o)} serverside-applied$`, 'm'), show(r));
      const hn = await api(srv.url, 'GET', '/apis/hil.io/v1alpha1/headnodes/runway-headnode');
      assert.equal(hn.status, 200, 'server-side apply must create the missing Headnode');
      assert.equal(hn.body.spec.project, 'runway');
      assert.deepEqual(hn.body.spec.hnics, [{ name: 'pxe', network: 'runway-pxe' }]);
      assert.ok(
        (hn.body.metadata.managedFields ?? []).some(
          (m: { manager: string; operation: string }) => m.manager === 'kubectl' && m.operation === 'Apply',
        ),
        `managedFields should record kubectl's Apply: ${JSON.stringify(hn.body.metadata.managedFields)}`,
      );
      // The folder says bootDevice: pxe again.
      const node = await api(srv.url, 'GET', `${NODES}/node-01`);
      assert.equal(node.body.spec.bootDevice, 'pxe');
    });

    test('get hn prints a table with the printer columns', async (t) => {
      const r = ok(await kubectl(t).run(['get', 'hn']));
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^NAME\s+PROJECT\s+POWER\s+READY\s+AGE$/, show(r));
      assert.match(r.stdout, /^node-01\s+runway\s+\S+$/m, show(r));
      assert.match(r.stdout, /^node-02\s+runway\s+\S+$/m, show(r));
      assert.equal(lines.length, 3, show(r));
      const wide = ok(await kubectl(t).run(['get', 'hn', '-o', 'wide']));
      assert.match(wide.stdout.split('\n')[0], /DESIRED POWER\s+OBM/, show(wide));
      assert.match(wide.stdout, /^node-01\s+runway\s+.*\bOn\s+mock\b/m, show(wide));
    });

    test('get hil lists every kind of the hil category', async (t) => {
      const r = ok(await kubectl(t).run(['get', 'hil']));
      for (const o of custom) assert.match(r.stdout, new RegExp(`^${kubectlRef(o)}\\s`, 'm'), show(r));
      assert.doesNotMatch(r.stdout, /secret\//, 'Secrets are not in the hil category');
      assert.match(r.stdout, /^NAME\s+PROJECT\s+POWER\s+READY\s+AGE$/m, 'each kind gets its own table header');
    });

    test('get nodes.hil.io node-01 -o yaml and -o json', async (t) => {
      const k = kubectl(t);
      const y = yaml.load(ok(await k.run(['get', 'nodes.hil.io', 'node-01', '-o', 'yaml'])).stdout) as any;
      assert.equal(y.apiVersion, 'hil.io/v1alpha1');
      assert.equal(y.kind, 'Node');
      assert.equal(y.metadata.name, 'node-01');
      assert.equal(y.spec.obm.host, 'bmc-node-01');
      const j = JSON.parse(ok(await k.run(['get', 'nodes.hil.io', 'node-01', '-o', 'json'])).stdout);
      assert.equal(j.kind, 'Node');
      assert.equal(j.metadata.name, 'node-01');
      assert.match(j.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.match(j.metadata.resourceVersion, /^\d+$/);
      assert.match(j.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(j.metadata.namespace, undefined, 'Nodes are cluster-scoped');
      assert.deepEqual(j.spec.nics, [{ name: 'eth0', macAddress: '52:54:00:00:01:01', port: 'switch-01-gi1-0-1' }]);
      assert.equal(j.spec.obm.port, 623, 'the schema default for obm.port is applied');
      assert.equal(j.spec.project, 'runway');
      assert.deepEqual(j, y, '-o json and -o yaml show the same object');
    });

    test('get hn -w prints a line for each change made through the API', async (t) => {
      const w = kubectl(t).stream(['get', 'hn', '-w']);
      await w.waitFor((s) => /^node-02\s/m.test(s), 'the initial rows');
      const created = await api(srv.url, 'POST', NODES, {
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Node',
        metadata: { name: 'node-w1' },
        spec: { project: 'runway', obm: { type: 'mock', host: 'bmc-w1' } },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await w.waitFor((s) => /^node-w1\s+runway\s/m.test(s), 'a row for the new node');
      const patched = await api(
        srv.url,
        'PATCH',
        `${NODES}/node-w1`,
        { spec: { project: '' } },
        'application/merge-patch+json',
      );
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      await w.waitFor(
        (s) => /^node-w1\s+\S+$/m.test(s) && s.match(/^node-w1\s/gm)!.length >= 2,
        'a second row for the modified node, without a project',
      );
      assert.ok(w.running, 'kubectl get -w is still watching');
      await w.stop();
      assert.equal((await api(srv.url, 'DELETE', `${NODES}/node-w1`)).status, 200);
    });

    test('describe hn node-01 prints the spec', async (t) => {
      const r = ok(await kubectl(t).run(['describe', 'hn', 'node-01']));
      assert.match(r.stdout, /^Name:\s+node-01$/m, show(r));
      assert.match(r.stdout, /^Kind:\s+Node$/m, show(r));
      assert.match(r.stdout, /^API Version:\s+hil\.io\/v1alpha1$/m, show(r));
      assert.match(r.stdout, /^Spec:$/m, show(r));
      assert.match(r.stdout, /^\s+Boot Device:\s+pxe$/m, show(r));
      assert.match(r.stdout, /^\s+Mac Address:\s+52:54:00:00:01:01$/m, show(r));
      assert.match(r.stdout, /^\s+Host:\s+bmc-node-01$/m, show(r));
      assert.match(r.stdout, /^\s+Project:\s+runway$/m, show(r));
      assert.match(r.stdout, /^Events:/m, show(r));
    });

    test('patch --type=merge and --type=json take effect', async (t) => {
      const k = kubectl(t);
      const m = ok(
        await k.run([
          'patch',
          'hn',
          'node-01',
          '--type=merge',
          '-p',
          '{"spec":{"power":"Off","metadata":{"rack":"r9"}}}',
        ]),
      );
      assert.match(m.stdout, /^node\.hil\.io\/node-01 patched$/m, show(m));
      assert.equal(
        ok(await k.run(['get', 'hn', 'node-01', '-o', 'jsonpath={.spec.power}/{.spec.metadata.rack}'])).stdout,
        'Off/r9',
      );
      const j = ok(
        await k.run([
          'patch',
          'hn',
          'node-01',
          '--type=json',
          '-p',
          '[{"op":"replace","path":"/spec/bootDevice","value":"disk"},{"op":"remove","path":"/spec/metadata"}]',
        ]),
      );
      assert.match(j.stdout, /^node\.hil\.io\/node-01 patched$/m, show(j));
      const node = await api(srv.url, 'GET', `${NODES}/node-01`);
      assert.equal(node.body.spec.bootDevice, 'disk');
      assert.equal(node.body.spec.metadata, undefined);
      assert.equal(node.body.spec.power, 'Off');
      // A JSON patch whose test fails changes nothing and says why.
      const failed = await k.run([
        'patch',
        'hn',
        'node-01',
        '--type=json',
        '-p',
        '[{"op":"test","path":"/spec/power","value":"On"},{"op":"replace","path":"/spec/power","value":"On"}]',
      ]);
      assert.notEqual(failed.code, 0, show(failed));
      assert.equal((await api(srv.url, 'GET', `${NODES}/node-01`)).body.spec.power, 'Off');
    });

    test('patch without --type (strategic merge) is refused as an unsupported media type', async (t) => {
      const prior = await api(srv.url, 'GET', `${NODES}/node-01`);
      const r = await kubectl(t).run(['patch', 'hn', 'node-01', '-p', '{"spec":{"power":"On"}}']);
      assert.notEqual(r.code, 0, show(r));
      assert.match(
        r.stderr,
        /strategic-merge-patch\+json is not supported|UnsupportedMediaType|415|unsupported media type/i,
        show(r),
      );
      const afterPatch = await api(srv.url, 'GET', `${NODES}/node-01`);
      assert.equal(afterPatch.body.spec.power, 'Off');
      assert.equal(afterPatch.body.metadata.resourceVersion, prior.body.metadata.resourceVersion);
    });

    test("an unknown field is rejected under kubectl's default (Strict) validation, naming the field", async (t) => {
      const dir = tempDir(t);
      const file = join(dir, 'node.yaml');
      writeFileSync(
        file,
        'apiVersion: hil.io/v1alpha1\nkind: Node\nmetadata:\n  name: node-bad\nspec:\n  obm: {type: mock, host: bmc-bad}\n  powerr: "On"\n',
      );
      const r = await kubectl(t).run(['apply', '-f', file]);
      assert.notEqual(r.code, 0, show(r));
      assert.match(r.stderr, /unknown field "spec\.powerr"/, show(r));
      assert.equal((await api(srv.url, 'GET', `${NODES}/node-bad`)).status, 404, 'nothing is created');
      // An unknown field in an update is refused too, and the object stays as it was.
      const n1 = join(dir, 'node-01.yaml');
      writeFileSync(
        n1,
        'apiVersion: hil.io/v1alpha1\nkind: Node\nmetadata:\n  name: node-01\nspec:\n  obm: {type: mock, host: bmc-node-01}\n  colour: blue\n',
      );
      const u = await kubectl(t).run(['apply', '-f', n1]);
      assert.notEqual(u.code, 0, show(u));
      assert.match(u.stderr, /unknown field "spec\.colour"/, show(u));
      assert.equal((await api(srv.url, 'GET', `${NODES}/node-01`)).body.spec.colour, undefined);
    });

    test('an invalid VLAN (5000) is rejected, naming spec.vlan', async (t) => {
      const dir = tempDir(t);
      const file = join(dir, 'net.yaml');
      writeFileSync(
        file,
        'apiVersion: hil.io/v1alpha1\nkind: Network\nmetadata:\n  name: vlan-5000\nspec:\n  owner: ""\n  vlan: 5000\n',
      );
      const r = await kubectl(t).run(['apply', '-f', file]);
      assert.notEqual(r.code, 0, show(r));
      assert.match(r.stderr, /vlan-5000.*is invalid/, show(r));
      assert.match(r.stderr, /spec\.vlan/, show(r));
      assert.match(r.stderr, /4094/, show(r));
      assert.equal(
        (await api(srv.url, 'GET', '/apis/hil.io/v1alpha1/networks/vlan-5000')).status,
        404,
        'nothing is created',
      );
      // The same through server-side apply.
      const s = await kubectl(t).run(['apply', '--server-side', '-f', file]);
      assert.notEqual(s.code, 0, show(s));
      assert.match(s.stderr, /spec\.vlan/, show(s));
      assert.equal(
        (await api(srv.url, 'GET', '/apis/hil.io/v1alpha1/networks/vlan-5000')).status,
        404,
        'nothing is created',
      );
    });

    test('create secret generic, then read it back with jsonpath', async (t) => {
      const k = kubectl(t);
      const c = await k.run(['create', 'secret', 'generic', 'x', '-n', 'hil-system', '--from-literal=a=b']);
      assert.equal(c.code, 0, `kubectl create secret failed:\n${show(c)}`);
      assert.match(c.stdout, /^secret\/x created$/m, show(c));
      const g = ok(await k.run(['get', 'secret', 'x', '-n', 'hil-system', '-o', 'jsonpath={.data.a}']));
      assert.equal(g.stdout, Buffer.from('b').toString('base64'));
    });

    test('the example Secret reads back base64-encoded', async (t) => {
      const g = ok(
        await kubectl(t).run([
          'get',
          'secret',
          'switch-01-credentials',
          '-n',
          'hil-system',
          '-o',
          'jsonpath={.data.username}',
        ]),
      );
      assert.equal(Buffer.from(g.stdout, 'base64').toString('utf8'), 'admin');
    });

    test('get events -A works', async (t) => {
      const r = ok(await kubectl(t).run(['get', 'events', '-A']));
      if (r.stdout.trim())
        assert.match(r.stdout.split('\n')[0], /^NAMESPACE\s+LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/, show(r));
      else assert.match(r.stderr, /No resources found/, show(r));
    });

    test('delete -f a file deletes what it names', async (t) => {
      const dir = tempDir(t);
      const file = join(dir, 'attachments.yaml');
      copyFileSync(join(EXAMPLES, '50-networkattachments.yaml'), file);
      const k = kubectl(t);
      // No controllers run here: attachments keep their port-revert finalizer, so kubectl must not wait for them.
      const d = ok(await k.run(['delete', '-f', file, '--wait=false']));
      const names = ['node-01-eth0-runway-pxe', 'node-02-eth0-runway-provider'];
      for (const n of names) {
        assert.match(d.stdout, new RegExp(`^networkattachment\\.hil\\.io "${n}" deleted$`, 'm'), show(d));
        const path = `/apis/hil.io/v1alpha1/networkattachments/${n}`;
        const terminating = await api(srv.url, 'GET', path);
        assert.ok(terminating.body.metadata.deletionTimestamp, 'deleted, waiting for its port to be reverted');
        // What the switch reconciler does once the port is reverted.
        await api(srv.url, 'PATCH', path, { metadata: { finalizers: null } }, 'application/merge-patch+json');
        assert.equal((await api(srv.url, 'GET', path)).status, 404);
      }
      const again = await k.run(['delete', '-f', file]);
      assert.notEqual(again.code, 0, 'deleting what is gone fails');
      assert.match(again.stderr, /NotFound|not found/, show(again));
    });
    test('delete hn node-02 in a project is refused; released, it is deleted and get says NotFound', async (t) => {
      const k = kubectl(t);
      const refused = await k.run(['delete', 'hn', 'node-02']);
      assert.notEqual(refused.code, 0, show(refused));
      assert.match(
        refused.stderr,
        /Error from server \(Conflict\): Node "node-02": is in project "runway"; release it/,
        show(refused),
      );
      ok(await k.run(['patch', 'hn', 'node-02', '--type', 'merge', '-p', '{"spec":{"project":""}}']));
      const d = ok(await k.run(['delete', 'hn', 'node-02']));
      assert.match(d.stdout, /^node\.hil\.io "node-02" deleted$/m, show(d));
      const g = await k.run(['get', 'hn', 'node-02']);
      assert.equal(g.code, 1, show(g));
      assert.match(g.stderr, /Error from server \(NotFound\): nodes\.hil\.io "node-02" not found/, show(g));
      const list = ok(await k.run(['get', 'hn', '-o', 'name']));
      assert.deepEqual(list.stdout.trim().split('\n'), ['node.hil.io/node-01']);
    });
  });
}
