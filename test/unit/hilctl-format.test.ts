// hilctl's output, without a server: JSONPath templates, table alignment, the other output formats, describe's
// layout, and the unified diff (checked against GNU diff where it is installed).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import yaml from 'js-yaml';
import { DescribeWriter, renderValue, title } from '../../hilctl/describe.js';
import type { ResourceInfo } from '../../hilctl/discovery.js';
import { executeTemplate, findAll } from '../../api/meta/jsonpath.js';
import {
  ColumnWriter,
  formatCustomColumns,
  formatObjects,
  parseOutput,
  tableRows,
  toYaml,
} from '../../hilctl/printers.js';
import { diffLines, unifiedHunks } from '../../hilctl/unified-diff.js';

const NODE: ResourceInfo = {
  group: 'hil.io',
  version: 'v1alpha1',
  name: 'nodes',
  singularName: 'node',
  kind: 'Node',
  namespaced: false,
  shortNames: ['hn'],
  categories: ['hil'],
  verbs: ['list'],
};

const obj = {
  apiVersion: 'hil.io/v1alpha1',
  kind: 'Node',
  metadata: { name: 'node-01', labels: { rack: 'r1', 'hil.io/role': 'compute' } },
  spec: { project: 'runway', nics: [{ name: 'eth0', port: 'p1' }, { name: 'eth1' }] },
  status: {
    conditions: [
      { type: 'PowerSynced', status: 'True' },
      { type: 'Ready', status: 'False', reason: 'Syncing' },
    ],
  },
};

describe('jsonpath', () => {
  const cases: [string, unknown, string][] = [
    ['{.metadata.name}', obj, 'node-01'],
    ['.metadata.name', obj, 'node-01'],
    ['{.spec.nics[*].name}', obj, 'eth0 eth1'],
    ['{.spec.nics[-1].name}', obj, 'eth1'],
    ['{.spec.nics[0:1].name}', obj, 'eth0'],
    ['{.status.conditions[?(@.type=="Ready")].status}', obj, 'False'],
    ['{.status.conditions[?(@.reason)].type}', obj, 'Ready'],
    ["{.metadata.labels['hil.io/role']}", obj, 'compute'],
    ['{.metadata.labels.hil\\.io/role}', obj, 'compute'],
    ['{..port}', obj, 'p1'],
    ['{.spec.missing}', obj, ''],
    ['{.spec.nics[0]}', obj, '{"name":"eth0","port":"p1"}'],
    ['{range .spec.nics[*]}{.name}{"\\t"}{.port}{"\\n"}{end}', obj, 'eth0\tp1\neth1\t\n'],
    ['name={.metadata.name}, project={.spec.project}', obj, 'name=node-01, project=runway'],
    ['{.metadata.name}{","}{.spec.project}', obj, 'node-01,runway'],
    ['{range .items[*]}{.n}{" "}{end}', { items: [{ n: 1 }, { n: 2 }] }, '1 2 '],
    ['{$.items[?(@.n>1)].n}', { items: [{ n: 1 }, { n: 2 }, { n: 3 }] }, '2 3'],
  ];
  for (const [template, data, want] of cases) {
    test(template, () => assert.equal(executeTemplate(template, data), want));
  }
  test('findAll relative to the current item', () => {
    assert.deepEqual(findAll('@.name', obj, obj.spec.nics[1]), ['eth1']);
  });
  test('bad templates are errors', () => {
    for (const t of ['{.a', '{range .x}', '{end}', '{.a[}']) assert.throws(() => executeTemplate(t, {}), t);
  });
});

describe('tables', () => {
  const table = {
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', priority: 0 },
      { name: 'Project', type: 'string', priority: 0 },
      { name: 'OBM', type: 'string', priority: 1 },
      { name: 'Age', type: 'date', priority: 0 },
    ],
    rows: [
      { cells: ['node-01', 'runway', 'mock', '5m'], object: { metadata: { name: 'node-01', labels: { rack: 'r1' } } } },
      { cells: ['a-much-longer-name', null, 'ipmi', '10d'], object: { metadata: { name: 'a-much-longer-name' } } },
    ],
  };
  test('columns padded to the widest cell plus three spaces; nothing trails the last column', () => {
    const { header, rows } = tableRows(NODE, table, {});
    assert.equal(
      new ColumnWriter().format([header, ...rows]),
      'NAME                 PROJECT   AGE\nnode-01              runway    5m\na-much-longer-name             10d\n',
    );
  });
  test('wide shows priority columns; several kinds prefix names; labels and events add columns', () => {
    const wide = tableRows(NODE, table, { wide: true });
    assert.deepEqual(wide.header, ['NAME', 'PROJECT', 'OBM', 'AGE']);
    const kinds = tableRows(NODE, table, { withKind: true, showLabels: true, eventColumn: true }, [
      'ADDED',
      'MODIFIED',
    ]);
    assert.deepEqual(kinds.header, ['EVENT', 'NAME', 'PROJECT', 'AGE', 'LABELS']);
    assert.deepEqual(kinds.rows[0], ['ADDED', 'node.hil.io/node-01', 'runway', '5m', 'rack=r1']);
    assert.deepEqual(kinds.rows[1], ['MODIFIED', 'node.hil.io/a-much-longer-name', '', '10d', '<none>']);
  });
  test('a ColumnWriter keeps its widths for later rows (watch output)', () => {
    const w = new ColumnWriter();
    w.format([
      ['NAME', 'X'],
      ['longer-name', 'y'],
    ]);
    assert.equal(w.format([['a', 'b']]), `${'a'.padEnd('longer-name'.length + 3)}b\n`);
  });
});

describe('output formats', () => {
  test('-o parsing', () => {
    assert.deepEqual(parseOutput(undefined), { kind: 'table' });
    assert.deepEqual(parseOutput('jsonpath={.a}'), { kind: 'jsonpath', template: '{.a}' });
    assert.throws(() => parseOutput('xml'), /unknown output format "xml"/);
    assert.throws(() => parseOutput('jsonpath='), /needs a template/);
    assert.throws(() => parseOutput('jsonpath={.a'), /bad jsonpath template/);
    assert.throws(() => parseOutput('custom-columns=NAME'), /HEADER:PATH/);
  });
  test('yaml/json: one object alone, several as a v1 List; managedFields hidden', () => {
    const withMf = { ...obj, metadata: { ...obj.metadata, managedFields: [{ manager: 'x' }] } };
    const one = yaml.load(
      formatObjects({ kind: 'yaml' }, [{ resource: NODE, object: withMf }], { single: true }),
    ) as any;
    assert.equal(one.kind, 'Node');
    assert.equal(one.metadata.managedFields, undefined);
    const kept = yaml.load(
      formatObjects({ kind: 'yaml' }, [{ resource: NODE, object: withMf }], { single: true, showManagedFields: true }),
    ) as any;
    assert.equal(kept.metadata.managedFields.length, 1);
    const list = JSON.parse(formatObjects({ kind: 'json' }, [{ resource: NODE, object: obj }], { single: false }));
    assert.equal(list.kind, 'List');
    assert.equal(list.items.length, 1);
    assert.equal(
      formatObjects({ kind: 'name' }, [{ resource: NODE, object: obj }], { single: false }),
      'node.hil.io/node-01\n',
    );
    assert.equal(
      formatObjects({ kind: 'jsonpath', template: '{.items[0].spec.project}' }, [{ resource: NODE, object: obj }], {
        single: false,
      }),
      'runway',
    );
  });
  test('yaml as kubectl writes it: sorted keys, list items not indented, YAML 1.1 words quoted', () => {
    assert.equal(
      toYaml({ spec: { power: 'On', nics: [{ name: 'eth0' }] }, apiVersion: 'v1' }),
      "apiVersion: v1\nspec:\n  nics:\n  - name: eth0\n  power: 'On'\n",
    );
  });
  test('custom columns', () => {
    assert.equal(
      formatCustomColumns('NAME:.metadata.name,NIC:.spec.nics[*].name,X:.nope', [obj]),
      'NAME      NIC         X\nnode-01   eth0,eth1   <none>\n',
    );
  });
});

describe('describe layout', () => {
  test('values line up within a block; nested maps indent; flat lists of objects become tables', () => {
    const w = new DescribeWriter();
    w.kv(0, 'Name', 'node-01');
    w.kv(0, 'API Version', 'hil.io/v1alpha1');
    renderValue(w, 0, 'spec', {
      bootDevice: 'pxe',
      nics: [{ name: 'eth0', macAddress: 'aa' }, { name: 'eth1' }],
      obm: { type: 'mock' },
      tags: ['a', 'b'],
      empty: [],
    });
    assert.equal(
      w.render(),
      [
        'Name:         node-01',
        'API Version:  hil.io/v1alpha1',
        'Spec:',
        '  Boot Device:  pxe',
        '  Empty:        <none>',
        '  Nics:',
        '    NAME   MAC ADDRESS',
        '    eth0   aa',
        '    eth1',
        '  Obm:',
        '    Type:  mock',
        '  Tags:  a, b',
        '',
      ].join('\n'),
    );
    assert.equal(title('credentialsSecretRef'), 'Credentials Secret Ref');
  });
});

describe('unified diff', () => {
  const check = (a: string[], b: string[]) => {
    const ops = diffLines(a, b);
    assert.deepEqual(
      ops.filter((o) => o.t !== '+').map((o) => o.line),
      a,
      'the old side',
    );
    assert.deepEqual(
      ops.filter((o) => o.t !== '-').map((o) => o.line),
      b,
      'the new side',
    );
  };
  test('edit scripts reproduce both sides (random cases)', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 200; i++) {
      const a = Array.from({ length: Math.floor(rnd() * 12) }, () => 'abcde'[Math.floor(rnd() * 5)]);
      const b = Array.from({ length: Math.floor(rnd() * 12) }, () => 'abcde'[Math.floor(rnd() * 5)]);
      check(a, b);
    }
  });
  test('equal texts give nothing; hunks carry three lines of context', () => {
    assert.equal(unifiedHunks('a\nb\n', 'a\nb\n'), '');
    const a = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const b = [...a];
    b[9] = 'changed';
    assert.equal(
      unifiedHunks(`${a.join('\n')}\n`, `${b.join('\n')}\n`),
      '@@ -7,7 +7,7 @@\n line 7\n line 8\n line 9\n-line 10\n+changed\n line 11\n line 12\n line 13\n',
    );
    assert.equal(unifiedHunks('', 'x\n'), '@@ -0,0 +1 @@\n+x\n');
  });
  test(
    'the same hunks as GNU diff -u',
    { skip: spawnSync('diff', ['--version']).status !== 0 ? 'no diff' : false },
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'hilctl-diff-'));
      try {
        const pairs: [string, string][] = [
          ['a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n', 'a\nb\nX\nd\ne\nf\ng\nh\ni\nj\nk\nY\nm\n'],
          ['a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\no\np\n', 'a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\nO\np\n'],
          ['one\ntwo\n', 'one\ntwo\nthree\n'],
          ['x\ny\nz\n', 'y\n'],
        ];
        for (const [a, b] of pairs) {
          writeFileSync(join(dir, 'a'), a);
          writeFileSync(join(dir, 'b'), b);
          const gnu = spawnSync('diff', ['-u', join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8' })
            .stdout.split('\n')
            .slice(2)
            .join('\n');
          assert.equal(unifiedHunks(a, b), gnu);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
