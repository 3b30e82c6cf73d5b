// Table-driven tests of the server's small parts: selectors, JSONPath, patches, config parsing, URIs.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { evalJsonPath } from '../../apiserver/jsonpath.js';
import { mergePatch, serverSideApply, strategicMergePatch } from '../../apiserver/patch.js';
import { parseFieldSelector, parseLabelSelector } from '../../apiserver/selectors.js';
import { parseDatabaseUri, redactUri } from '../../apiserver/store/open.js';
import { parseListen, resolveSettings } from '../../apiserver/serve.js';
import { humanAge as humanDuration } from '../../api/meta/age.js';
import { authBackendOf, ConfigError, loadHilConfig, parseHilConfig, reviewHilConfig } from '../../config/hilcfg.js';
import { ApiError } from '../../apiserver/errors.js';

describe('label selectors', () => {
  const labels = { env: 'prod', tier: 'web', rack: 'r1' };
  const cases: [string, boolean][] = [
    ['', true],
    ['env=prod', true],
    ['env==prod', true],
    ['env=dev', false],
    ['env!=dev', true],
    ['missing!=x', true],
    ['env in (prod, dev)', true],
    ['env notin (prod)', false],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['env=prod,tier=web,rack in (r1,r2)', true],
    ['env=prod,tier=db', false],
  ];
  for (const [sel, want] of cases)
    test(`"${sel}" → ${want}`, () => assert.equal(parseLabelSelector(sel)(labels), want));
  for (const bad of ['env in (a', '=x', 'a b c']) {
    test(`"${bad}" is a 400`, () =>
      assert.throws(
        () => parseLabelSelector(bad),
        (e: ApiError) => e.code === 400,
      ));
  }
});

describe('field selectors', () => {
  const obj = { metadata: { name: 'n1', namespace: '' }, spec: { project: 'p1' }, involvedObject: { kind: 'Node' } };
  const cases: [string, boolean][] = [
    ['metadata.name=n1', true],
    ['metadata.name!=n1', false],
    ['metadata.namespace=', true],
    ['spec.project=p1,involvedObject.kind=Node', true],
    ['spec.missing=', true],
    ['spec.project==p2', false],
  ];
  for (const [sel, want] of cases) test(`"${sel}" → ${want}`, () => assert.equal(parseFieldSelector(sel)(obj), want));
  test('a malformed selector is a 400', () =>
    assert.throws(
      () => parseFieldSelector('metadata.name'),
      (e: ApiError) => e.code === 400,
    ));
});

describe('printer column JSONPath', () => {
  const obj = {
    metadata: { name: 'x' },
    spec: { nics: [{ name: 'eth0' }, { name: 'eth1' }] },
    status: {
      conditions: [
        { type: 'Synced', status: 'False' },
        { type: 'Ready', status: 'True' },
      ],
    },
  };
  const cases: [string, unknown[]][] = [
    ['.metadata.name', ['x']],
    ['.spec.nics[1].name', ['eth1']],
    ['.spec.nics[*].name', ['eth0', 'eth1']],
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    ['.status.missing', []],
    ['{.metadata.name}', ['x']],
  ];
  for (const [p, want] of cases) test(p, () => assert.deepEqual(evalJsonPath(obj, p), want));
  test('recursive descent works, as in kubectl; broken syntax throws', () => {
    assert.deepEqual(evalJsonPath({ a: { x: { b: 1 } } }, '.a..b'), [1]);
    assert.throws(() => evalJsonPath(obj, '.a[?('));
  });
});

describe('patches', () => {
  test('merge patch (RFC 7386): nested merge, null deletes, arrays replace', () => {
    assert.deepEqual(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] }), {
      a: { c: 2, d: 3 },
      l: [3],
    });
  });
  test('strategic merge: directives are dropped, finalizers merge as a set', () => {
    const cur = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', finalizers: ['a'] }, data: { k: 'dg==' } };
    const out = strategicMergePatch(cur, {
      metadata: {
        finalizers: ['b'],
        '$deleteFromPrimitiveList/finalizers': ['a'],
        '$setElementOrder/finalizers': ['b'],
      },
      data: { k2: 'eA==' },
    });
    assert.deepEqual(out.metadata.finalizers, ['b']);
    assert.deepEqual(out.data, { k: 'dg==', k2: 'eA==' });
  });
  test('server-side apply keeps fields owned by other managers when one manager drops them', () => {
    const now = '2026-01-01T00:00:00Z';
    const a = serverSideApply(
      undefined,
      { apiVersion: 'v', kind: 'K', metadata: { name: 'x' }, spec: { a: 1, b: 2 } },
      'm1',
      false,
      'v',
      now,
    );
    const withB = { ...a.object, metadata: { ...a.object.metadata, managedFields: a.managedFields } };
    const b = serverSideApply(
      withB,
      { apiVersion: 'v', kind: 'K', metadata: { name: 'x' }, spec: { b: 2 } },
      'm2',
      false,
      'v',
      now,
    );
    const withBoth = { ...b.object, metadata: { ...b.object.metadata, managedFields: b.managedFields } };
    const c = serverSideApply(
      withBoth,
      { apiVersion: 'v', kind: 'K', metadata: { name: 'x' }, spec: { a: 1 } },
      'm1',
      false,
      'v',
      now,
    );
    assert.deepEqual(c.object.spec, { a: 1, b: 2 }, 'b is still owned by m2');
    const d = serverSideApply(
      withBoth,
      { apiVersion: 'v', kind: 'K', metadata: { name: 'x' }, spec: { b: 2 } },
      'm1',
      false,
      'v',
      now,
    );
    assert.deepEqual(d.object.spec, { b: 2 }, "a was only m1's: gone");
  });
});

describe('hil.cfg', () => {
  test('parses sections, both separators, comments and continuation lines', () => {
    const cfg = parseHilConfig(
      '# HIL config\n[general]\nlog_level = debug\n\n[database]\nuri: postgresql://hil:secret@db/hil\n[extensions]\nhil.ext.auth.null =\nhil.ext.network_allocators.vlan_pool =\n[hil.ext.network_allocators.vlan_pool]\nvlans = 100-200,\n  300\n',
    );
    assert.equal(cfg.get('general')?.get('log_level'), 'debug');
    assert.equal(cfg.get('database')?.get('uri'), 'postgresql://hil:secret@db/hil');
    assert.equal(cfg.get('hil.ext.network_allocators.vlan_pool')?.get('vlans'), '100-200,\n300');
    assert.equal(authBackendOf(cfg), 'null');
  });
  test('two auth backends are refused', () => {
    assert.throws(
      () => authBackendOf(parseHilConfig('[extensions]\nhil.ext.auth.null =\nhil.ext.auth.database =\n')),
      ConfigError,
    );
  });
  test('a file readable by others is refused, with the fix in the message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hilcfg-'));
    try {
      const f = join(dir, 'hil.cfg');
      writeFileSync(f, '[database]\nuri = sqlite:///x.db\n');
      chmodSync(f, 0o644);
      assert.throws(() => loadHilConfig(f), /chmod 600/);
      chmodSync(f, 0o600);
      assert.equal(loadHilConfig(f).get('database')?.get('uri'), 'sqlite:///x.db');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test('flags override the environment, which overrides the file, which overrides the defaults', () => {
    const cfg = parseHilConfig(
      '[database]\nuri = postgresql://a@h/db\n[server]\nlisten = 0.0.0.0:7000\n[extensions]\nhil.ext.auth.database =\n',
    );
    const noEnv = {};
    const s = resolveSettings({ listen: '127.0.0.1:9000' }, cfg, noEnv);
    assert.equal(s.port, 9000);
    assert.equal(s.databaseUri, 'postgresql://a@h/db');
    assert.equal(s.auth, 'database');
    assert.equal(resolveSettings({}, cfg, noEnv).host, '0.0.0.0');
    assert.equal(resolveSettings({}, undefined, noEnv).port, 6443);
    const env = { HIL_LISTEN: '127.0.0.2:7100', HIL_DATABASE_URI: 'sqlite:///env.db', HIL_AUTH: 'null' };
    const e = resolveSettings({}, cfg, env);
    assert.deepEqual([e.host, e.port, e.databaseUri, e.auth], ['127.0.0.2', 7100, 'sqlite:///env.db', 'null']);
    assert.equal(resolveSettings({ auth: 'database' }, cfg, env).auth, 'database');
  });
  test('[auth] require_authentication and the VLAN pool are read; bad values fail with the key named', () => {
    const cfg = parseHilConfig(
      '[auth]\nrequire_authentication = False\n[hil.ext.network_allocators.vlan_pool]\nvlans = 300-310, 100\n',
    );
    const s = resolveSettings({}, cfg, {});
    assert.equal(s.requireAuthentication, false);
    assert.equal(s.vlanPool?.toString(), '100,300-310');
    assert.throws(
      () => resolveSettings({}, parseHilConfig('[auth]\nrequire_authentication = maybe\n'), {}),
      /require_authentication/,
    );
    assert.throws(
      () => resolveSettings({}, parseHilConfig('[hil.ext.network_allocators.vlan_pool]\nvlans = 5000\n'), {}),
      /vlans: "5000" is outside/,
    );
    assert.throws(
      () => resolveSettings({}, parseHilConfig('[extensions]\nhil.ext.auth.keystone =\n'), {}),
      /needs \[hil.ext.auth.keystone\] auth_url/,
    );
  });
  test('watch limits come from flags or [server]; nonsense is refused with the flag named', () => {
    const cfg = parseHilConfig('[server]\nmax_watches = 50\nmax_watches_per_user = 5\n');
    assert.deepEqual(resolveSettings({}, cfg, {}).limits, { maxWatches: 50, maxWatchesPerUser: 5 });
    assert.deepEqual(resolveSettings({ maxWatchesPerUser: '7' }, cfg, {}).limits, {
      maxWatches: 50,
      maxWatchesPerUser: 7,
    });
    assert.deepEqual(resolveSettings({}, undefined, {}).limits, {});
    assert.throws(
      () => resolveSettings({ maxWatches: '0' }, undefined, {}),
      /--max-watches "0": expected a whole number/,
    );
    assert.throws(() => resolveSettings({ maxWatchesPerUser: '1e3' }, undefined, {}), /--max-watches-per-user/);
  });
  test('HIL extensions and sections we do not use are named, not silently dropped', () => {
    const cfg = parseHilConfig(
      '[extensions]\nhil.ext.network_allocators.null =\nhil.ext.fancy =\nhil.ext.switches.dell =\n[weird]\nx = 1\n[devel]\ndry_run =\n',
    );
    const { warnings } = reviewHilConfig(cfg);
    assert.equal(warnings.length, 4, warnings.join('\n'));
    assert.ok(warnings.some((w) => /network_allocators.null is not supported/.test(w)));
    assert.ok(warnings.some((w) => /hil.ext.fancy is unknown/.test(w)));
    assert.ok(warnings.some((w) => /\[weird\]/.test(w)));
    assert.ok(warnings.some((w) => /dry_run/.test(w)));
  });
});

describe('addresses and URIs', () => {
  test('listen addresses', () => {
    assert.deepEqual(parseListen('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseListen('[::1]:8080'), { host: '::1', port: 8080 });
    assert.deepEqual(
      parseListen('8080'),
      { host: '127.0.0.1', port: 8080 },
      'a port alone is on the loopback, not every interface',
    );
    assert.throws(() => parseListen('localhost'), ConfigError);
    assert.throws(() => parseListen('h:99999'), ConfigError);
  });
  test("database URIs, in HIL's SQLAlchemy spelling too", () => {
    assert.deepEqual(parseDatabaseUri('postgresql+psycopg2://u:p@h:5432/db'), {
      dialect: 'postgres',
      uri: 'postgresql://u:p@h:5432/db',
    });
    assert.deepEqual(parseDatabaseUri('sqlite:////var/lib/hil/hil.db'), {
      dialect: 'sqlite',
      file: '/var/lib/hil/hil.db',
    });
    assert.throws(() => parseDatabaseUri('mysql://h/db'), /unsupported scheme/);
    assert.equal(redactUri('postgresql://hil:secret@db/hil'), 'postgresql://hil:***@db/hil');
  });
  test('ages print the way kubectl prints them', () => {
    assert.equal(humanDuration(5_000), '5s');
    assert.equal(humanDuration(5 * 60_000 + 3000), '5m3s');
    assert.equal(humanDuration(3 * 3600_000), '3h');
    assert.equal(humanDuration(3 * 86400_000), '3d');
  });
});
