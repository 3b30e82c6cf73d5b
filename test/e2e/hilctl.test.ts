// hilctl as users run it (compiled, through bin/hilctl.js) against `hil-admin serve` (SQLite, auth null):
// apply a folder in shuffled order, re-apply, change, dry-run, errors that name file/document/field, prune,
// diff exit codes, get in every output format, watch, describe, wait, delete --wait, edit, the HIL-style node /
// network / project commands, and shell completion. Tests run in order and build on one another's objects.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import yaml from 'js-yaml';
import { packageRoot } from '../../common/paths.js';
import { startServe, type ServeChild } from '../support/kubectl.js';
import { api } from '../support/server.js';
import { buildHilctl, Hilctl, isolatedEnv, show, type HilctlBuild, type HilctlResult } from './hilctl-support.js';

const EXAMPLES = join(packageRoot(), 'manifests', 'examples');
const HIL = '/apis/hil.io/v1alpha1';

function ok(r: HilctlResult): HilctlResult {
  assert.equal(r.code, 0, `hilctl failed:\n${show(r)}`);
  return r;
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** The example objects in the order their files list them. */
function exampleRefs(): { ref: string; kind: string }[] {
  const out: { ref: string; kind: string }[] = [];
  for (const f of readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    for (const d of yaml.loadAll(readFileSync(join(EXAMPLES, f), 'utf8')) as any[]) {
      if (!d) continue;
      const group = d.apiVersion.includes('/') ? `.${d.apiVersion.split('/')[0]}` : '';
      out.push({ ref: `${d.kind.toLowerCase()}${group}/${d.metadata.name}`, kind: d.kind });
    }
  }
  return out;
}

const ORDER = [
  'Namespace',
  'Secret',
  'Project',
  'User',
  'Switch',
  'Port',
  'Node',
  'Network',
  'NetworkAttachment',
  'Headnode',
];

describe('hilctl against hil-admin serve (SQLite)', () => {
  let build: HilctlBuild;
  let srv: ServeChild;
  let h: Hilctl;
  let work: string;
  let revertPorts: NodeJS.Timeout | undefined;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'hilctl-e2e-'));
    mkdirSync(join(work, 'home'));
    [build, srv] = await Promise.all([buildHilctl(), startServe()]);
    h = new Hilctl(build.bin, isolatedEnv(join(work, 'home'), { HIL_ENDPOINT: srv.url }));
    // No controllers run in this suite. Attachments are born with the hil.io/port-revert finalizer, so a stand-in
    // for the switch reconciler lets deleted ones go, as it would once their port is reverted.
    revertPorts = setInterval(() => {
      void (async () => {
        const list = await api(srv.url, 'GET', `${HIL}/networkattachments`);
        for (const a of list.body?.items ?? []) {
          if (a.metadata.deletionTimestamp && a.metadata.finalizers?.length) {
            await api(
              srv.url,
              'PATCH',
              `${HIL}/networkattachments/${a.metadata.name}`,
              { metadata: { finalizers: null } },
              'application/merge-patch+json',
            );
          }
        }
      })().catch(() => {});
    }, 100);
  });

  after(async () => {
    clearInterval(revertPorts);
    await h?.cleanup();
    await srv?.close();
    build?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  test('apply a folder in shuffled order: every object created, dependencies first', async () => {
    // File names that sort in reverse, one file in a subfolder (only read with -R), and one multi-document file
    // whose documents are reversed.
    const dir = join(work, 'lab');
    mkdirSync(join(dir, 'more'), { recursive: true });
    const files = readdirSync(EXAMPLES)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    files.forEach((f, i) => {
      const target = f === '21-ports.yaml' ? join(dir, 'more', f) : join(dir, `${String.fromCharCode(122 - i)}-${f}`);
      if (f === '30-nodes.yaml') {
        const docs = (yaml.loadAll(readFileSync(join(EXAMPLES, f), 'utf8')) as any[]).filter(Boolean).reverse();
        writeFileSync(target, docs.map((d) => yaml.dump(d)).join('---\n'));
      } else copyFileSync(join(EXAMPLES, f), target);
    });
    const expected = exampleRefs();

    const flat = ok(await h.run(['apply', '-f', dir]));
    assert.ok(!/port\.hil\.io/.test(flat.stdout), `without -R the subfolder is not read:\n${flat.stdout}`);
    const r = ok(await h.run(['apply', '-f', dir, '-R']));
    const out = lines(r.stdout);
    assert.equal(out.length, expected.length, show(r));
    const kinds = out.map((l) => expected.find((e) => l.startsWith(`${e.ref} `))?.kind);
    assert.ok(kinds.every(Boolean), `every line names an example object:\n${r.stdout}`);
    const ranks = kinds.map((k) => ORDER.indexOf(k!));
    assert.deepEqual(
      ranks,
      [...ranks].sort((a, b) => a - b),
      `applied in dependency order:\n${r.stdout}`,
    );
    for (const l of out) {
      const ref = l.split(' ')[0];
      const wasFlat = flat.stdout.includes(`${ref} `);
      assert.match(l, wasFlat ? / unchanged$/ : / created$/, l);
    }
    assert.match(r.stdout, /^port\.hil\.io\/switch-01-gi1-0-1 created$/m);
  });

  test('re-apply: all unchanged; change one field: one configured; dry run changes nothing', async () => {
    const again = ok(await h.run(['apply', '-f', EXAMPLES]));
    const out = lines(again.stdout);
    assert.equal(out.length, exampleRefs().length);
    assert.ok(
      out.every((l) => l.endsWith(' unchanged')),
      again.stdout,
    );

    const dir = join(work, 'changed');
    mkdirSync(dir);
    for (const f of readdirSync(EXAMPLES)) copyFileSync(join(EXAMPLES, f), join(dir, f));
    writeFileSync(
      join(dir, '10-project.yaml'),
      readFileSync(join(EXAMPLES, '10-project.yaml'), 'utf8').replace(
        /description: .*/,
        'description: changed by the e2e test',
      ),
    );

    const dry = ok(await h.run(['apply', '-f', dir, '--dry-run=server']));
    assert.match(dry.stdout, /^project\.hil\.io\/runway configured \(server dry run\)$/m);
    assert.equal(
      (await api(srv.url, 'GET', `${HIL}/projects/runway`)).body.spec.description,
      'Example project from the HIL test fixtures.',
    );

    const changed = ok(await h.run(['apply', '-f', dir]));
    const configured = lines(changed.stdout).filter((l) => l.endsWith(' configured'));
    assert.deepEqual(configured, ['project.hil.io/runway configured'], changed.stdout);
    assert.equal(
      (await api(srv.url, 'GET', `${HIL}/projects/runway`)).body.spec.description,
      'changed by the e2e test',
    );
    ok(await h.run(['apply', '-f', join(EXAMPLES, '10-project.yaml')]));
  });

  test('stdin, JSON and Lists; a failing document names file, document and field while the rest applies', async () => {
    const viaStdin = ok(
      await h.run(['apply', '-f', '-'], {
        input: JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [{ apiVersion: 'hil.io/v1alpha1', kind: 'Project', metadata: { name: 'stdin-proj' } }],
        }),
      }),
    );
    assert.equal(viaStdin.stdout.trim(), 'project.hil.io/stdin-proj created');

    const file = join(work, 'mixed.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: hil.io/v1alpha1\nkind: Project\nmetadata:\n  name: good-proj\n',
        '# an invalid node\napiVersion: hil.io/v1alpha1\nkind: Node\nmetadata:\n  name: bad-node\nspec:\n  obm: {type: ipmi, host: "bmc;reboot"}\n',
        'apiVersion: hil.io/v1alpha1\nkind: Network\nmetadata:\n  name: typo-net\nspec:\n  ownr: runway\n',
        'apiVersion: hil.io/v1alpha1\nkind: Nodde\nmetadata:\n  name: x\n',
      ].join('---\n'),
    );
    const r = await h.run(['apply', '-f', file]);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stdout, /^project\.hil\.io\/good-proj created$/m);
    assert.match(
      r.stderr,
      /mixed\.yaml \(document 2, line 6\): node\.hil\.io\/bad-node: Error from server \(Invalid\): .*spec\.obm\.host/,
    );
    assert.match(
      r.stderr,
      /mixed\.yaml \(document 3, line 14\): network\.hil\.io\/typo-net: Error from server \(BadRequest\): .*spec\.ownr/,
    );
    assert.match(r.stderr, /mixed\.yaml \(document 4, line 21\): the server has no kind "Nodde"/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack traces');
    assert.equal((await api(srv.url, 'GET', `${HIL}/nodes/bad-node`)).status, 404);
    ok(await h.run(['delete', 'hproj', 'good-proj', 'stdin-proj']));
  });

  test('diff: exit 0 when in sync, 1 with a unified diff of the changes, 2 when the server refuses', async () => {
    const same = await h.run(['diff', '-f', EXAMPLES]);
    assert.equal(same.code, 0, show(same));
    assert.equal(same.stdout, '');

    const file = join(work, 'nodes-r2.yaml');
    writeFileSync(file, readFileSync(join(EXAMPLES, '30-nodes.yaml'), 'utf8').replace(/rack: r1/g, 'rack: r2'));
    const changed = await h.run(['diff', '-f', file]);
    assert.equal(changed.code, 1, show(changed));
    assert.match(changed.stdout, /^--- live\/hil\.io\.v1alpha1\.Node\.\.node-01$/m);
    assert.match(changed.stdout, /^\+\+\+ merged\/hil\.io\.v1alpha1\.Node\.\.node-01$/m);
    assert.match(changed.stdout, /^@@ -\d+,\d+ \+\d+,\d+ @@$/m);
    assert.match(changed.stdout, /^- {4}rack: r1$/m);
    assert.match(changed.stdout, /^\+ {4}rack: r2$/m);
    assert.equal(
      (await api(srv.url, 'GET', `${HIL}/nodes/node-01`)).body.spec.metadata.rack,
      'r1',
      'diff changes nothing',
    );

    const bad = join(work, 'bad-node.yaml');
    writeFileSync(
      bad,
      'apiVersion: hil.io/v1alpha1\nkind: Node\nmetadata: {name: node-01}\nspec: {obm: {type: nope, host: x}}\n',
    );
    const refused = await h.run(['diff', '-f', bad]);
    assert.equal(refused.code, 2, show(refused));
    assert.match(refused.stderr, /spec\.obm\.type/);
  });

  test('apply --prune -l: labelled objects no longer in the files are deleted, nothing else', async () => {
    const dir = join(work, 'gitops');
    mkdirSync(dir);
    const obj = (kind: string, name: string, spec: object) => ({
      apiVersion: 'hil.io/v1alpha1',
      kind,
      metadata: { name, labels: { set: 'e2e' } },
      spec,
    });
    const write = (objs: object[]) => writeFileSync(join(dir, 'set.yaml'), objs.map((o) => yaml.dump(o)).join('---\n'));
    const all = [
      obj('Project', 'gitops', {}),
      obj('Network', 'gitops-a', { owner: 'gitops' }),
      obj('Network', 'gitops-b', { owner: 'gitops' }),
    ];
    write(all);
    const first = ok(await h.run(['apply', '-f', dir, '--prune', '-l', 'set=e2e']));
    assert.equal(lines(first.stdout).filter((l) => l.endsWith(' created')).length, 3, first.stdout);
    assert.equal(
      ok(await h.run(['get', 'hnet', '-l', 'set=e2e', '-o', 'name'])).stdout,
      'network.hil.io/gitops-a\nnetwork.hil.io/gitops-b\n',
    );
    // Same label, made outside the files: pruned. No label: kept.
    ok(await h.run(['apply', '-f', '-'], { input: yaml.dump(obj('Network', 'stray', { owner: 'gitops' })) }));
    ok(
      await h.run(['apply', '-f', '-'], {
        input: yaml.dump({ ...obj('Network', 'unlabelled', { owner: 'gitops' }), metadata: { name: 'unlabelled' } }),
      }),
    );

    write(all.slice(0, 2));
    const dry = ok(await h.run(['apply', '-f', dir, '--prune', '-l', 'set=e2e', '--dry-run=server']));
    assert.match(dry.stdout, /^network\.hil\.io\/gitops-b pruned \(server dry run\)$/m);
    assert.equal((await api(srv.url, 'GET', `${HIL}/networks/gitops-b`)).status, 200);
    const diff = await h.run(['diff', '-f', dir, '--prune', '-l', 'set=e2e']);
    assert.equal(diff.code, 1, show(diff));
    assert.match(diff.stdout, /^- {2}name: gitops-b$/m);

    const pruned = ok(await h.run(['apply', '-f', dir, '--prune', '-l', 'set=e2e']));
    assert.match(pruned.stdout, /^network\.hil\.io\/gitops-b pruned$/m);
    assert.match(pruned.stdout, /^network\.hil\.io\/stray pruned$/m);
    assert.match(pruned.stdout, /^project\.hil\.io\/gitops unchanged$/m);
    assert.equal((await api(srv.url, 'GET', `${HIL}/networks/gitops-b`)).status, 404);
    assert.equal((await api(srv.url, 'GET', `${HIL}/networks/unlabelled`)).status, 200);
    assert.equal(
      (await api(srv.url, 'GET', `${HIL}/nodes/node-01`)).status,
      200,
      'the example lab has no label and stays',
    );

    const noSelector = await h.run(['apply', '-f', dir, '--prune']);
    assert.equal(noSelector.code, 1);
    assert.match(noSelector.stderr, /--prune needs -l SELECTOR/);
    // The project still owns "unlabelled" (not in the files): HIL refuses to delete a project with networks.
    const held = await h.run(['delete', 'hproj', 'gitops']);
    assert.equal(held.code, 1);
    assert.match(held.stderr, /Project "gitops": cannot be deleted while it still has networks it owns: .*unlabelled/);
    ok(await h.run(['delete', 'hnet', 'unlabelled']));
    ok(await h.run(['delete', '-f', dir]));
  });

  test('get: short names, plurals, Kinds and nodes.hil.io; tables aligned; every output format', async () => {
    const [byShort, byFull, byKind, wide, yml, json, names, jp, cc, multi, all, secrets, notFound, fields] =
      await Promise.all([
        h.run(['get', 'hn']),
        h.run(['get', 'nodes.hil.io']),
        h.run(['get', 'Node']),
        h.run(['get', 'hn', '-o', 'wide']),
        h.run(['get', 'hn', 'node-01', '-o', 'yaml']),
        h.run(['get', 'hn', '-o', 'json']),
        h.run(['get', 'hn', '-o', 'name']),
        h.run(['get', 'hn', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.nics[0].port}{"\\n"}{end}']),
        h.run(['get', 'hna', '-o', 'custom-columns=NAME:.metadata.name,NET:.spec.network,CH:.spec.channel']),
        h.run(['get', 'hn,hnet']),
        h.run(['get', '--all']),
        h.run(['get', 'secrets', '-A']),
        h.run(['get', 'hn', 'node-01', 'nope']),
        h.run(['get', 'hn', '--field-selector', 'metadata.name=node-02', '--no-headers']),
      ]);
    for (const r of [byShort, byFull, byKind, wide, yml, json, names, jp, cc, multi, all, secrets, fields]) ok(r);
    const noAge = (t: string) => t.replace(/ +\S+$/gm, '');
    assert.equal(noAge(byShort.stdout), noAge(byFull.stdout));
    assert.equal(noAge(byShort.stdout), noAge(byKind.stdout));
    const [header, row1] = lines(byShort.stdout);
    assert.match(
      header,
      /^NAME {6}PROJECT {3}POWER {3}READY {3}AGE$/,
      'kubectl alignment: 3 spaces after the widest cell',
    );
    assert.equal(row1.indexOf('runway'), header.indexOf('PROJECT'));
    assert.match(wide.stdout.split('\n')[0], /DESIRED POWER +OBM/);
    assert.match(wide.stdout, /node-01 .* On +mock /);

    const obj = yaml.load(yml.stdout) as any;
    assert.equal(obj.kind, 'Node');
    assert.equal(obj.metadata.name, 'node-01');
    assert.equal(obj.metadata.managedFields, undefined, 'managedFields hidden as kubectl does');
    const list = JSON.parse(json.stdout);
    assert.equal(list.kind, 'List');
    assert.deepEqual(
      list.items.map((i: any) => i.metadata.name),
      ['node-01', 'node-02'],
    );
    assert.equal(names.stdout, 'node.hil.io/node-01\nnode.hil.io/node-02\n');
    assert.equal(jp.stdout, 'node-01=switch-01-gi1-0-1\nnode-02=switch-01-gi1-0-2\n');
    assert.match(cc.stdout, /^NAME +NET +CH$/m);
    assert.match(cc.stdout, /^node-02-eth0-runway-provider +runway-provider +tagged$/m);
    assert.match(multi.stdout, /^node\.hil\.io\/node-01 /m);
    assert.match(multi.stdout, /^network\.hil\.io\/runway-pxe /m);
    for (const k of ['project', 'user', 'switch', 'port', 'node', 'network', 'networkattachment', 'headnode'])
      assert.match(all.stdout, new RegExp(`^${k}\\.hil\\.io/`, 'm'), k);
    assert.match(secrets.stdout, /^NAMESPACE +NAME +TYPE +DATA +AGE$/m);
    assert.match(secrets.stdout, /^hil-system +switch-01-credentials +Opaque +2 /m);
    assert.equal(notFound.code, 1);
    assert.match(notFound.stdout, /^node-01 /m);
    assert.match(notFound.stderr, /^Error from server \(NotFound\): nodes\.hil\.io "nope" not found$/m);
    assert.equal(lines(fields.stdout).length, 1);
    assert.match(fields.stdout, /^node-02 /);

    const unknown = await h.run(['get', 'gadgets']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /the server doesn't have a resource type "gadgets"/);
  });

  test('get -w prints a row per change; -o name --output-watch-events names the event', async () => {
    const table = h.stream(['get', 'hn', '-w']);
    const events = h.stream(['get', 'hna', '-w', '-o', 'name', '--output-watch-events']);
    await table.waitFor((o) => /^node-02 /m.test(o), 'the initial rows');
    await events.waitFor(
      (o) => /ADDED networkattachment\.hil\.io\/node-02-eth0-runway-provider/.test(o),
      'the initial attachments',
    );
    ok(await h.run(['node', 'power', 'off', 'node-01']));
    await table.waitFor((o) => (o.match(/^node-01 /gm) ?? []).length >= 2, 'a row for the change');
    ok(await h.run(['attach', 'node-01', 'eth0', 'runway-provider', '--tagged']));
    await events.waitFor(
      (o) => /^ADDED networkattachment\.hil\.io\/node-01-eth0-runway-provider$/m.test(o),
      'the new attachment',
    );
    ok(await h.run(['detach', 'node-01', 'eth0', 'runway-provider']));
    await events.waitFor(
      (o) => /^DELETED networkattachment\.hil\.io\/node-01-eth0-runway-provider$/m.test(o),
      'the deletion',
    );
    assert.match(table.stdout.split('\n')[0], /^NAME +PROJECT/);
    await table.stop();
    await events.stop();
  });

  test('describe: spec, status, conditions, events, and what the object is wired to', async () => {
    const node = (await api(srv.url, 'GET', `${HIL}/nodes/node-01`)).body;
    const ev = await api(srv.url, 'POST', '/api/v1/namespaces/default/events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'node-01.power' },
      involvedObject: { apiVersion: 'hil.io/v1alpha1', kind: 'Node', name: 'node-01', uid: node.metadata.uid },
      reason: 'PoweredOff',
      message: 'the BMC says the node is off',
      type: 'Normal',
      count: 1,
      lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      source: { component: 'node-controller' },
    });
    assert.equal(ev.status, 201, JSON.stringify(ev.body));
    await api(
      srv.url,
      'PATCH',
      `${HIL}/nodes/node-01/status`,
      {
        status: {
          power: 'Off',
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'PowerMismatch',
              message: 'waiting for the BMC',
              lastTransitionTime: '2026-01-01T00:00:00Z',
            },
          ],
        },
      },
      'application/merge-patch+json',
    );
    const [n, net, sw, proj] = await Promise.all([
      h.run(['describe', 'hn', 'node-01']),
      h.run(['describe', 'hnet/runway-provider']),
      h.run(['describe', 'hsw', 'switch-01']),
      h.run(['describe', 'hproj', 'runway']),
    ]);
    for (const r of [n, net, sw, proj]) ok(r);
    assert.match(n.stdout, /^Name: +node-01$/m);
    assert.match(n.stdout, /^Spec:\n( {2}.*\n)* {2}Project: +runway$/m);
    assert.match(n.stdout, /^Status:\n {2}Power: +Off$/m);
    assert.match(
      n.stdout,
      /^Conditions:\n {2}TYPE +STATUS +REASON +AGE +MESSAGE\n {2}Ready +False +PowerMismatch +\S+ +waiting for the BMC$/m,
    );
    assert.match(
      n.stdout,
      /^NICs:\n {2}NAME +MAC +PORT +SWITCH +INTERFACE +IN SYNC +NETWORKS\n {2}eth0 +52:54:00:00:01:01 +switch-01-gi1-0-1 +switch-01 +gi1\/0\/1 /m,
    );
    assert.match(n.stdout, /^Attachments:\n {2}NAME .*\n {2}node-01-eth0-runway-pxe +eth0 +runway-pxe +native /m);
    assert.match(
      n.stdout,
      /^Events:\n {2}TYPE +REASON +AGE +FROM +MESSAGE\n {2}Normal +PoweredOff +\S+ +node-controller +the BMC says the node is off$/m,
    );
    assert.match(net.stdout, /^VLAN: +1100 \(explicit/m);
    assert.match(net.stdout, /^Attached NICs:\n {2}NODE .*\n {2}node-02 +eth0 +tagged /m);
    assert.match(sw.stdout, /^Sync:\n {2}Paused: +no$/m);
    assert.match(sw.stdout, /^ {2}Last Sync: +<never>$/m);
    assert.match(sw.stdout, /^ {2}switch-01-gi1-0-2 +gi1\/0\/2 +node-02\/eth0 /m);
    assert.match(proj.stdout, /^Nodes: +node-01, node-02$/m);
  });

  test('wait: a condition that becomes true, a jsonpath value, and a timeout', async () => {
    const waiting = h.stream(['wait', 'hna/node-01-eth0-runway-pxe', '--for=condition=Ready', '--timeout=30s']);
    await new Promise((r) => setTimeout(r, 800));
    assert.ok(waiting.running, 'still waiting');
    const patched = await api(
      srv.url,
      'PATCH',
      `${HIL}/networkattachments/node-01-eth0-runway-pxe/status`,
      {
        status: {
          phase: 'Attached',
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'PortProgrammed',
              message: 'on the switch',
              lastTransitionTime: '2026-01-01T00:00:00Z',
            },
          ],
        },
      },
      'application/merge-patch+json',
    );
    assert.equal(patched.status, 200);
    assert.equal(await waiting.exited, 0, waiting.stderr);
    assert.equal(waiting.stdout, 'networkattachment.hil.io/node-01-eth0-runway-pxe condition met\n');

    ok(await h.run(['wait', 'hn', 'node-01', '--for=jsonpath={.spec.project}=runway', '--timeout=5s']));
    const late = await h.run(['wait', 'hn/node-02', '--for=condition=Ready', '--timeout=1s']);
    assert.equal(late.code, 1, show(late));
    assert.match(late.stderr, /timed out waiting for condition Ready=True on nodes\.hil\.io\/node-02/);
  });

  test('delete waits while finalizers hold the object, and returns when it is gone', async () => {
    await api(
      srv.url,
      'PATCH',
      `${HIL}/headnodes/runway-headnode`,
      { metadata: { finalizers: ['hil.io/vm'] } },
      'application/merge-patch+json',
    );
    const del = h.stream(['delete', 'hhn', 'runway-headnode']);
    await del.waitFor((o) => o.includes('headnodes.hil.io "runway-headnode" deleted'), 'the delete request');
    await new Promise((r) => setTimeout(r, 2500));
    assert.ok(del.running, `delete waits for the finalizer:\n${del.stderr}`);
    assert.match(del.stderr, /finalizers hil\.io\/vm remain/);
    await api(
      srv.url,
      'PATCH',
      `${HIL}/headnodes/runway-headnode`,
      { metadata: { finalizers: null } },
      'application/merge-patch+json',
    );
    assert.equal(await del.exited, 0, del.stderr);
    assert.equal((await api(srv.url, 'GET', `${HIL}/headnodes/runway-headnode`)).status, 404);

    const missing = await h.run(['delete', 'hhn', 'runway-headnode']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NotFound/);
    ok(await h.run(['delete', 'hhn', 'runway-headnode', '--ignore-not-found']));
    const dry = ok(await h.run(['delete', '-f', join(EXAMPLES, '40-networks.yaml'), '--dry-run=server']));
    assert.match(dry.stdout, /networks\.hil\.io "runway-provider" deleted \(server dry run\)/);
    assert.equal((await api(srv.url, 'GET', `${HIL}/networks/runway-provider`)).status, 200);
    ok(await h.run(['apply', '-f', join(EXAMPLES, '60-headnode.yaml')]));
  });

  test('node power, attach/detach and project claim/release write the resources', async () => {
    ok(await h.run(['node', 'power', 'on', 'node-01']));
    assert.equal((await api(srv.url, 'GET', `${HIL}/nodes/node-01`)).body.spec.power, 'On');
    const cycle = ok(await h.run(['power', 'cycle', 'node-02']));
    assert.match(cycle.stdout, /power cycle requested/);
    const stamp = (await api(srv.url, 'GET', `${HIL}/nodes/node-02`)).body.metadata.annotations['hil.io/power-cycle'];
    assert.match(stamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.ok(Math.abs(Date.parse(stamp) - Date.now()) < 60_000);
    assert.match(ok(await h.run(['node', 'power', 'status', 'node-01'])).stdout, /^node-01: Off \(desired: On\)$/m);

    const att = ok(await h.run(['attach', 'node-02', 'eth0', 'runway-pxe', '--tagged']));
    assert.equal(att.stdout, 'networkattachment.hil.io/node-02-eth0-runway-pxe created\n');
    const a = (await api(srv.url, 'GET', `${HIL}/networkattachments/node-02-eth0-runway-pxe`)).body;
    assert.deepEqual(a.spec, { node: 'node-02', nic: 'eth0', network: 'runway-pxe', channel: 'tagged' });
    const twice = await h.run(['attach', 'node-02', 'eth0', 'runway-pxe']);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /already attached/);
    const noNic = await h.run(['attach', 'node-02', 'eth9', 'runway-pxe']);
    assert.match(noNic.stderr, /node "node-02" has no NIC "eth9" \(it has: eth0\)/);

    const busy = await h.run(['project', 'release', 'node-02']);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /still attached to 2 networks; detach first:\n {2}hilctl detach node-02 eth0 /);
    ok(await h.run(['detach', 'node-02', 'eth0', 'runway-pxe', '--wait']));
    ok(await h.run(['detach', 'node-02', 'eth0', 'runway-provider']));
    const notAttached = await h.run(['detach', 'node-02', 'eth0', 'runway-pxe']);
    assert.match(notAttached.stderr, /node-02\/eth0 is not attached to runway-pxe/);
    assert.match(
      ok(await h.run(['project', 'release', 'node-02'])).stdout,
      /node\.hil\.io\/node-02 released from project runway/,
    );
    assert.equal((await api(srv.url, 'GET', `${HIL}/nodes/node-02`)).body.spec.project, '');

    ok(
      await h.run(['apply', '-f', '-'], {
        input: 'apiVersion: hil.io/v1alpha1\nkind: Project\nmetadata: {name: other}\n',
      }),
    );
    const which = await h.run(['claim', 'node-02']);
    assert.equal(which.code, 1);
    assert.match(which.stderr, /several projects \(other, runway\); say which with --project P/);
    assert.match(
      ok(await h.run(['project', 'claim', 'node-02', '--project', 'runway'])).stdout,
      /claimed by project runway/,
    );
    const taken = await h.run(['claim', 'node-02', '-p', 'other']);
    assert.match(taken.stderr, /belongs to project "runway"; it must be released first/);
    ok(await h.run(['delete', 'hproj', 'other']));
    ok(await h.run(['apply', '-f', EXAMPLES]));
  });

  test('edit: $EDITOR changes the object; an invalid edit is refused and kept', async () => {
    const script = join(work, 'editor.sh');
    writeFileSync(script, '#!/bin/sh\nsed -i "s/rack: r1/rack: r7/" "$1"\n');
    chmodSync(script, 0o755);
    const r = ok(await h.run(['edit', 'hn', 'node-01'], { env: { EDITOR: script } }));
    assert.equal(r.stdout, 'node.hil.io/node-01 edited\n');
    assert.equal((await api(srv.url, 'GET', `${HIL}/nodes/node-01`)).body.spec.metadata.rack, 'r7');
    const none = ok(await h.run(['edit', 'hn/node-02'], { env: { EDITOR: 'true' } }));
    assert.match(none.stdout, /Edit cancelled, no changes made/);
    const breaker = join(work, 'breaker.sh');
    writeFileSync(breaker, '#!/bin/sh\nsed -i "s/type: mock/type: bogus/" "$1"\n');
    chmodSync(breaker, 0o755);
    const bad = await h.run(['edit', 'hn', 'node-02'], { env: { EDITOR: breaker } });
    assert.equal(bad.code, 1, show(bad));
    assert.match(bad.stderr, /spec\.obm\.type: Unsupported value: "bogus"/);
    const kept = bad.stderr.match(/stored to (\S+)/)?.[1];
    assert.ok(kept, bad.stderr);
    assert.match(readFileSync(kept, 'utf8'), /type: bogus/);
    rmSync(join(kept, '..'), { recursive: true, force: true });
    ok(await h.run(['apply', '-f', EXAMPLES]));
  });

  test(
    'completion: the bash script loads, and completes commands, kinds and names from the server',
    { skip: spawnSync('bash', ['--version']).status !== 0 ? 'no bash' : false },
    async () => {
      const shims = join(work, 'shims');
      mkdirSync(shims);
      writeFileSync(join(shims, 'hilctl'), `#!/bin/sh\nexec "${process.execPath}" "${build.bin}" "$@"\n`);
      chmodSync(join(shims, 'hilctl'), 0o755);
      const env = { ...h.env, PATH: `${shims}:${process.env.PATH}` };
      const loaded = spawnSync('bash', ['-c', 'source <(hilctl completion bash) && complete -p hilctl'], {
        env,
        encoding: 'utf8',
      });
      assert.equal(loaded.status, 0, loaded.stderr);
      assert.match(loaded.stdout, /^complete -o default -F _hilctl_complete hilctl$/m);
      // One bash for every case: source the script once, then complete each line as bash would (COMP_LINE/COMP_POINT).
      const cases = [
        'hilctl ap',
        'hilctl get ',
        'hilctl describe hn node-',
        'hilctl attach node-01 ',
        'hilctl attach node-01 eth0 runway-p',
        'hilctl node power ',
        'hilctl get hn -o js',
        'hilctl wait hna/',
      ];
      const script = [
        'source <(hilctl completion bash)',
        'for line in "$@"; do COMP_LINE="$line"; COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _hilctl_complete; echo "=== $line"; printf "%s\\n" "${COMPREPLY[@]}"; done',
      ].join('\n');
      const r = spawnSync('bash', ['-c', script, 'bash', ...cases], { env, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const got = new Map<string, string[]>();
      for (const block of r.stdout.split('=== ').slice(1)) {
        const [line, ...rest] = block.split('\n');
        got.set(line, rest.filter(Boolean));
      }
      const completeLine = (line: string) => got.get(line) ?? assert.fail(`no completion for ${line}:\n${r.stdout}`);
      assert.deepEqual(completeLine('hilctl ap').sort(), ['api-resources', 'apply']);
      assert.ok(completeLine('hilctl get ').includes('hn'));
      assert.ok(completeLine('hilctl get ').includes('nodes.hil.io'));
      assert.deepEqual(completeLine('hilctl describe hn node-'), ['node-01', 'node-02']);
      assert.deepEqual(completeLine('hilctl attach node-01 '), ['eth0']);
      assert.deepEqual(completeLine('hilctl attach node-01 eth0 runway-p'), ['runway-provider', 'runway-pxe']);
      assert.deepEqual(completeLine('hilctl node power '), ['on', 'off', 'cycle', 'status']);
      assert.deepEqual(completeLine('hilctl get hn -o js'), ['json', 'jsonpath=']);
      assert.ok(completeLine('hilctl wait hna/').includes('hna/node-01-eth0-runway-pxe'));
      const zsh = ok(await h.run(['completion', 'zsh']));
      assert.match(zsh.stdout, /^#compdef hilctl$/m);
      assert.match(zsh.stdout, /compdef _hilctl hilctl/);
    },
  );
});
