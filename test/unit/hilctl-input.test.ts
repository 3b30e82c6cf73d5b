// hilctl's input, without a server: manifests (documents, lines, Lists, errors), apply order, label selectors,
// kubectl-style boolean flags, durations, --for, attachment names and shell completion of the command tree.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Command } from 'commander';
import { normalizeBooleanFlags } from '../../hilctl/argv.js';
import { attachmentName } from '../../hilctl/attach.js';
import { complete } from '../../hilctl/completion.js';
import { parseDuration } from '../../hilctl/duration.js';
import { matchesSelector, parseSelector } from '../../hilctl/labels.js';
import { documentStartLines, expandPath, parseManifestText, readManifests } from '../../hilctl/manifests.js';
import { kindRank, sortForApply, sortForDelete } from '../../hilctl/order.js';
import { parseFor, satisfied } from '../../hilctl/wait.js';

describe('manifests', () => {
  test('multi-document YAML: objects with their document number and first line; empty documents skipped', () => {
    const text =
      '# lab\napiVersion: v1\nkind: Secret\nmetadata: {name: a}\n---\n---\napiVersion: hil.io/v1alpha1\nkind: Project\nmetadata:\n  name: b\n--- {apiVersion: v1, kind: Namespace, metadata: {name: c}}\n';
    const r = parseManifestText(text, 'lab.yaml');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.docs.map((d) => [d.object.metadata.name, d.document, d.line]),
      [
        ['a', 1, 1],
        ['b', 3, 7],
        ['c', 4, 11],
      ],
    );
    assert.deepEqual(documentStartLines('---\na: 1\n'), [2]);
  });
  test('JSON, Lists, and YAML that stays as written (On, timestamps)', () => {
    const list = parseManifestText(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }, { kind: 'Secret' }],
      }),
      'x.json',
    );
    assert.equal(list.docs.length, 1);
    assert.equal(list.docs[0].item, 1);
    assert.deepEqual(list.errors, ['x.json (document 1, item 2): apiVersion is missing']);
    const y = parseManifestText(
      'apiVersion: hil.io/v1alpha1\nkind: Node\nmetadata: {name: n, annotations: {t: 2026-01-01T00:00:00Z}}\nspec: {power: On}\n',
      'n.yaml',
    );
    assert.equal(y.docs[0].object.spec.power, 'On');
    assert.equal((y.docs[0].object.metadata as any).annotations.t, '2026-01-01T00:00:00Z');
  });
  test('problems are messages that say where', () => {
    assert.match(parseManifestText('a: [\n', 'bad.yaml').errors[0], /^bad\.yaml: cannot parse: /);
    assert.deepEqual(parseManifestText('- 1\n', 'l.yaml').errors, [
      'l.yaml (document 1, line 1): not an object (a manifest is a mapping with apiVersion, kind and metadata)',
    ]);
    assert.deepEqual(parseManifestText('apiVersion: v1\nkind: Secret\n', 's.yaml').errors, [
      's.yaml (document 1, line 1): Secret: metadata.name is missing',
    ]);
  });
  test('folders: manifests only, sorted, subfolders with -R; missing paths are errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hilctl-manifests-'));
    try {
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'b.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata: {name: b}\n');
      writeFileSync(join(dir, 'a.json'), '{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a"}}');
      writeFileSync(join(dir, 'README.md'), '# not a manifest');
      writeFileSync(join(dir, 'sub', 'c.yml'), 'apiVersion: v1\nkind: Secret\nmetadata: {name: c}\n');
      assert.deepEqual(
        expandPath(dir, false).map((f) => f.slice(dir.length + 1)),
        ['a.json', 'b.yaml'],
      );
      assert.deepEqual(
        expandPath(dir, true).map((f) => f.slice(dir.length + 1)),
        ['a.json', 'b.yaml', 'sub/c.yml'],
      );
      const r = await readManifests(
        [dir, join(dir, 'nope'), '-'],
        true,
        async () => 'apiVersion: v1\nkind: Secret\nmetadata: {name: d}\n',
      );
      assert.deepEqual(
        r.docs.map((d) => d.object.metadata.name),
        ['a', 'b', 'c', 'd'],
      );
      assert.equal(r.docs[3].source, 'STDIN');
      assert.deepEqual(r.errors, [`${join(dir, 'nope')}: no such file or folder`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('order', () => {
  test('dependencies first on apply, last on delete; unknown kinds after HIL kinds; stable within a kind', () => {
    const kinds = [
      'NetworkAttachment',
      'Headnode',
      'Lease',
      'Node',
      'Port',
      'Network',
      'Switch',
      'User',
      'Project',
      'Secret',
      'Namespace',
      'Node',
    ];
    const items = kinds.map((k, i) => ({ k, i }));
    assert.deepEqual(
      sortForApply(items, (x) => x.k).map((x) => `${x.k}${x.k === 'Node' ? x.i : ''}`),
      [
        'Namespace',
        'Secret',
        'Project',
        'User',
        'Switch',
        'Port',
        'Node3',
        'Node11',
        'Network',
        'NetworkAttachment',
        'Headnode',
        'Lease',
      ],
    );
    assert.deepEqual(
      sortForDelete(items, (x) => x.k)
        .map((x) => x.k)
        .slice(0, 3),
      ['Lease', 'Headnode', 'NetworkAttachment'],
    );
    assert.ok(kindRank('Port') < kindRank('Node'));
  });
});

describe('label selectors', () => {
  const cases: [string, Record<string, string>, boolean][] = [
    ['set=e2e', { set: 'e2e' }, true],
    ['set==e2e', { set: 'x' }, false],
    ['set!=e2e', {}, true],
    ['env in (a, b),tier', { env: 'b', tier: '1' }, true],
    ['env notin (a)', { env: 'a' }, false],
    ['!legacy', { legacy: '' }, false],
    ['app', { app: 'x' }, true],
  ];
  for (const [sel, labels, want] of cases)
    test(`${sel} on ${JSON.stringify(labels)}`, () => assert.equal(matchesSelector(parseSelector(sel), labels), want));
  test('nonsense is an error', () => assert.throws(() => parseSelector('a b c'), /cannot parse the label selector/));
});

describe('small parsers', () => {
  test('kubectl boolean flags: --wait=false and friends', () => {
    const p = new Command('x');
    p.command('delete').option('--wait').option('--no-wait').option('--ignore-not-found').option('--timeout <d>');
    assert.deepEqual(
      normalizeBooleanFlags(p, [
        'delete',
        '--wait=false',
        '--ignore-not-found=true',
        '--timeout=1s',
        'hn',
        '--',
        '--wait=false',
      ]),
      ['delete', '--no-wait', '--ignore-not-found', '--timeout=1s', 'hn', '--', '--wait=false'],
    );
    assert.deepEqual(normalizeBooleanFlags(p, ['delete', '--ignore-not-found=false', '--wait=true']), [
      'delete',
      '--wait',
    ]);
  });
  test('durations', () => {
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('2'), 2000);
    assert.throws(() => parseDuration('5 minutes'), /invalid duration/);
  });
  test('--for', () => {
    assert.deepEqual(parseFor('condition=Ready'), { t: 'condition', type: 'Ready', status: 'True' });
    assert.deepEqual(parseFor('condition=Ready=false'), { t: 'condition', type: 'Ready', status: 'false' });
    assert.deepEqual(parseFor('jsonpath={.status.phase}=Attached'), {
      t: 'jsonpath',
      template: '{.status.phase}',
      value: 'Attached',
    });
    assert.throws(() => parseFor('ready'), /expected condition=TYPE/);
    const o = {
      metadata: { generation: 2 },
      status: { phase: 'Attached', conditions: [{ type: 'Ready', status: 'True', observedGeneration: 1 }] },
    };
    assert.equal(
      satisfied(parseFor('condition=Ready'), o),
      false,
      'a condition about an older generation does not count',
    );
    o.status.conditions[0].observedGeneration = 2;
    assert.equal(satisfied(parseFor('condition=ready'), o), true);
    assert.equal(satisfied(parseFor('jsonpath={.status.phase}=Attached'), o), true);
    assert.equal(satisfied(parseFor('delete'), undefined), true);
  });
  test('attachment names: <node>-<nic>-<network>, made valid and kept unique', () => {
    assert.equal(attachmentName('node-01', 'eth0', 'runway-pxe'), 'node-01-eth0-runway-pxe');
    const a = attachmentName('node-01', 'Eth_0', 'net');
    const b = attachmentName('node-01', 'eth-0', 'net');
    assert.match(a, /^node-01-eth-0-net-[0-9a-f]{6}$/);
    assert.equal(b, 'node-01-eth-0-net');
    assert.notEqual(a, b);
    assert.ok(attachmentName('n'.repeat(200), 'eth0', 'x'.repeat(200)).length <= 253);
  });
});

describe('completion of the command tree (no server)', () => {
  const io = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: { HIL_ENDPOINT: 'http://127.0.0.1:1', HOME: tmpdir() },
  };
  const program = new Command('hilctl').option('-s, --server <url>');
  program.command('get').argument('[args...]').option('-o, --output <f>').option('-w, --watch');
  program.command('completion').argument('<shell>');
  program.command('node').command('power').argument('<action>').argument('<nodes...>');
  test('commands, flags, flag values, subcommands and fixed arguments', async () => {
    assert.deepEqual(await complete(program, ['g'], io), ['get']);
    assert.deepEqual(await complete(program, ['get', '--w'], io), ['--watch']);
    assert.deepEqual(await complete(program, ['get', '-o', 'y'], io), ['yaml']);
    assert.deepEqual(await complete(program, ['get', '--output=j'], io), ['--output=json', '--output=jsonpath=']);
    assert.deepEqual(await complete(program, ['completion', ''], io), ['bash', 'zsh']);
    assert.deepEqual(await complete(program, ['node', 'power', 'c'], io), ['cycle']);
  });
  test('without a server, kinds come from a built-in list', async () => {
    assert.deepEqual(await complete(program, ['get', 'hn'], io), ['hn', 'hnet', 'hna']);
  });
});
