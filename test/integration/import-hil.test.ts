// hil-admin import-hil on HIL databases built by the tests (test/support/hil-fixture.ts), on PostgreSQL and SQLite:
// the plan of a dry run writes nothing; the import gives the expected objects under v0's names; a second run is a
// no-op; HIL users log in with their HIL passwords (v0 and the resource API) and get our hash; the switch
// controller sends nothing to any switch for what was imported. The import of HIL's own dumps is in
// import-hil-dumps.test.ts (opt-in).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { importHilDatabase, formatReport } from '../../apiserver/import-hil/run.js';
import type { ImportReport } from '../../apiserver/import-hil/import.js';
import { compositeName, nicName, resourceName } from '../../apiserver/v0/names.js';
import { SwitchReconciler } from '../../controllers/switch/switch-reconciler.js';
import { createRegistry, MockSwitchDriver } from '../../drivers/switch/index.js';
import { FakeApi } from '../support/fake-api.js';
import { buildPostgresFixture, buildSqliteFixture, HIL_PASSWORDS } from '../support/hil-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { api, startInProcessServer, TSX_LOADER, type InProcessServer } from '../support/server.js';
import { packageRoot } from '../../common/paths.js';
import { basicAuth as basic } from '../support/objects.js';

const H = '/apis/hil.io/v1alpha1';
const MANHATTAN = resourceName('Manhattan Lab');
const count = (r: ImportReport, action: string, kind?: string) =>
  r.entries.filter((e) => e.action === action && (!kind || e.kind === kind)).length;

async function hilObjects(srv: InProcessServer): Promise<number> {
  let n = 0;
  for (const k of ['projects', 'users', 'switches', 'ports', 'networks', 'nodes', 'networkattachments', 'headnodes'])
    n += (await srv.store.list(`hil.io/${k}`)).items.length;
  return n;
}

for (const sourceKind of ['postgresql', 'sqlite'] as const) {
  describe(`import-hil from ${sourceKind} (HIL 0.3 schema, ipmi nodes)`, () => {
    let source: string;
    let srv: InProcessServer;
    let dir: string;
    const cleanups: (() => Promise<void>)[] = [];
    const get = async (plural: string, name: string, ns = '') =>
      (
        await srv.store.get(
          plural === 'secrets'
            ? 'core/secrets'
            : plural === 'leases'
              ? 'coordination.k8s.io/leases'
              : `hil.io/${plural}`,
          ns,
          name,
        )
      )?.object as any;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hil-import-'));
      if (sourceKind === 'postgresql') {
        const db: TestDatabase = await createTestDatabase();
        cleanups.push(() => db.drop());
        await buildPostgresFixture(db.uri, 'pre-obmd');
        source = db.uri;
        srv = await startInProcessServer({ auth: 'database' });
      } else {
        source = join(dir, 'hil.db');
        buildSqliteFixture(source, 'pre-obmd');
        // The other store dialect for this one, so the import runs on both.
        const store: TestDatabase = await createTestDatabase();
        cleanups.push(() => store.drop());
        srv = await startInProcessServer({ auth: 'database', databaseUri: store.uri });
      }
    });
    after(async () => {
      await srv?.stop();
      for (const c of cleanups.reverse()) await c();
      rmSync(dir, { recursive: true, force: true });
    });

    test('--dry-run prints the plan and writes nothing', async () => {
      const rev = await srv.store.currentRevision();
      const r = await importHilDatabase(source, { store: srv.store, dryRun: true });
      assert.equal(await srv.store.currentRevision(), rev, 'the store did not change');
      assert.equal(await hilObjects(srv), 0);
      // Leases (VLAN claims) need the networks' uids: planned only by a real run.
      assert.equal(count(r, 'create'), 28);
      assert.equal(count(r, 'create', 'Node'), 3);
      const text = formatReport(r, true);
      assert.match(text, /^would create\s+Network\s+shared\s+shared/m);
      assert.match(text, /dry run, nothing written: 28 to create, 0 to update, 0 unchanged, 4 not imported/);
    });

    test('import: every object, under its v0 name, with what cannot be carried listed', async () => {
      const progress: [number, number][] = [];
      const r = await importHilDatabase(source, {
        store: srv.store,
        onEntry: (_e, done, total) => progress.push([done, total]),
      });
      // Progress counts HIL's rows: 3 projects, 3 users, 3 switches, 5 ports, 5 networks, 3 nodes, 3 attachments,
      // 1 headnode, 1 pending action.
      assert.deepEqual(progress.at(-1), [27, 27]);
      const skipped = r.entries.filter((e) => e.action === 'skip').map((e) => `${e.kind} ${e.hil}: ${e.detail}`);
      assert.equal(skipped.length, 4, skipped.join('\n'));
      assert.match(skipped.join('\n'), /Switch juniper1: HIL switch type "juniper" has no driver here/);
      assert.match(skipped.join('\n'), /Port sw0 bad port: .*spec\.interface/);
      assert.match(skipped.join('\n'), /Network null-net: network_id "a1b2c3" is not a VLAN id/);
      assert.match(skipped.join('\n'), /NetworkingAction node-03 eth0: pending in HIL \(modify_port → public net/);
      assert.equal(count(r, 'create'), 30); // + the two VLAN claims
      for (const [kind, n] of Object.entries({
        Project: 3,
        User: 3,
        Switch: 2,
        Port: 4,
        Network: 4,
        Node: 3,
        NetworkAttachment: 3,
        Headnode: 1,
        Secret: 5,
        Lease: 2,
      }))
        assert.equal(count(r, 'create', kind), n, kind);

      // Projects and users.
      assert.equal((await get('projects', MANHATTAN)).metadata.annotations['hil.io/hil-name'], 'Manhattan Lab');
      assert.deepEqual((await get('users', 'bob')).spec, { admin: false, projects: [MANHATTAN, 'runway'].sort() });
      assert.equal((await get('users', 'alice')).spec.admin, true);
      assert.match((await srv.store.getPassword('bob'))!.secretHash, /^\$6\$/);
      assert.equal(await srv.store.getPassword('carol'), undefined, 'no HIL password, none here');

      // Switches (paused), credentials, ports.
      const sw0 = await get('switches', 'sw0');
      assert.equal(sw0.metadata.annotations['hil.io/paused'], 'true');
      assert.equal(sw0.spec.type, 'mock');
      assert.equal(sw0.spec.address, 'sw0.example');
      const nexus = await get('switches', resourceName('Core Nexus'));
      assert.equal(nexus.spec.type, 'cisco-nexus');
      assert.equal(nexus.spec.options.dummyVlan, '2');
      const cred = await get('secrets', `${nexus.metadata.name}-credentials`, 'hil-system');
      assert.equal(Buffer.from(cred.data.password, 'base64').toString(), 'nexus-secret');
      assert.equal((await get('ports', compositeName(['Core Nexus', 'Ethernet1/1']))).spec.interface, 'Ethernet1/1');

      // Networks keep their VLANs: explicit ones in spec.vlan, pool ones through a claim held by the network.
      const shared = await get('networks', 'shared');
      assert.deepEqual(shared.spec, {
        owner: '',
        accessProjects: [MANHATTAN, 'runway'].sort(),
        public: false,
        vlan: 301,
      });
      assert.equal((await get('networks', resourceName('public net'))).spec.public, true);
      const pxe = await get('networks', 'runway-pxe');
      assert.equal(pxe.spec.vlan, undefined);
      assert.equal(pxe.spec.owner, 'runway');
      assert.equal(pxe.status.vlan, 101);
      const claim = await get('leases', 'vlan-101', 'hil-system');
      assert.equal(claim.spec.holderIdentity, pxe.metadata.uid);

      // Nodes: NICs (a MAC that is not one is left out), metadata, OBM credentials in a Secret.
      const n1 = await get('nodes', 'node-01');
      assert.equal(n1.spec.project, 'runway');
      assert.deepEqual(n1.spec.nics, [
        { name: 'eth0', macAddress: 'aa:bb:cc:dd:ee:01', port: compositeName(['sw0', 'gi1/0/1']) },
        { name: nicName('ipmi nic') },
      ]);
      assert.deepEqual(n1.spec.metadata, { rack: '"A3"' });
      assert.equal(n1.spec.obm.type, 'ipmi');
      assert.equal(n1.spec.obm.host, '10.0.0.1');
      const obm = await get('secrets', 'node-01-obm', 'hil-system');
      assert.equal(Buffer.from(obm.data.password, 'base64').toString(), 'ipmi-1');
      const n2 = await get('nodes', resourceName('Node 02'));
      assert.deepEqual(n2.spec.nics, [{ name: 'eth0', port: compositeName(['sw0', 'gi1/0/2']) }]);
      assert.match(r.entries.find((e) => e.kind === 'Node' && e.hil === 'Node 02')!.detail!, /MAC "Unknown"/);

      // Attachments: recorded as in place.
      const att = await get('networkattachments', compositeName(['node-01', 'eth0', 'shared']));
      assert.deepEqual(att.spec, { node: 'node-01', nic: 'eth0', network: 'shared', channel: 'tagged' });
      assert.equal(att.status.phase, 'Attached');
      assert.equal(att.status.vlan, 301);
      assert.equal(att.status.port, compositeName(['sw0', 'gi1/0/1']));

      // Headnode: powered off, the hnic on a network that did not come along left unconnected.
      const hn = await get('headnodes', resourceName('runway hn'));
      assert.deepEqual(hn.spec.hnics, [{ name: 'pxe', network: 'runway-pxe' }, { name: nicName('ext nic') }]);
      assert.deepEqual(JSON.parse(hn.metadata.annotations['hil.io/hil-hnic-names']), {
        [nicName('ext nic')]: 'ext nic',
      });
      assert.equal(hn.spec.running, false);
      assert.match(r.notes.join('\n'), /VLAN pool: 100-104/);
    });

    test('a second run changes nothing', async () => {
      const rev = await srv.store.currentRevision();
      const r = await importHilDatabase(source, { store: srv.store });
      assert.equal(await srv.store.currentRevision(), rev, 'not one write');
      assert.equal(count(r, 'create') + count(r, 'update'), 0, formatReport(r, false));
      assert.equal(count(r, 'skip'), 4);
      assert.match(formatReport(r, false), /0 created, 0 updated, 30 unchanged, 4 not imported/);
    });

    test('v0 shows the imported objects under their HIL names', async () => {
      const alice = basic('alice', HIL_PASSWORDS.alice);
      const node = await api(srv.url, 'GET', '/v0/node/node-01', undefined, 'application/json', alice);
      assert.equal(node.status, 200, JSON.stringify(node.body));
      const eth0 = node.body.nics.find((n: { label: string }) => n.label === 'eth0');
      assert.deepEqual(eth0.networks, { 'vlan/301': 'shared', 'vlan/native': 'runway-pxe' });
      assert.equal(eth0.port, 'gi1/0/1');
      assert.equal(eth0.switch, 'sw0');
      const n2 = await api(
        srv.url,
        'GET',
        `/v0/node/${encodeURIComponent('Node 02')}`,
        undefined,
        'application/json',
        alice,
      );
      assert.equal(n2.body.project, 'Manhattan Lab');
      const projects = await api(srv.url, 'GET', '/v0/projects', undefined, 'application/json', alice);
      assert.deepEqual([...projects.body].sort(), ['Manhattan Lab', 'empty', 'runway']);
    });

    test('HIL users log in with their HIL password (v0 and the resource API); the hash becomes ours', async () => {
      const bob = basic('bob', HIL_PASSWORDS.bob);
      const nodes = await api(srv.url, 'GET', `${H}/nodes`, undefined, 'application/json', bob);
      assert.equal(nodes.status, 200, JSON.stringify(nodes.body));
      // Members see their projects' nodes and the free ones.
      assert.deepEqual(
        nodes.body.items.map((n: any) => n.metadata.name).sort(),
        [resourceName('Node 02'), 'node-01', 'node-03'].sort(),
      );
      // Not an admin in HIL, not one here.
      const switches = await api(srv.url, 'GET', '/v0/switches', undefined, 'application/json', bob);
      assert.equal(switches.status, 401);
      assert.equal(switches.body.type, 'AuthorizationError');
      assert.match((await srv.store.getPassword('bob'))!.secretHash, /^scrypt\$/, 're-hashed at the first login');
      const again = await api(srv.url, 'GET', '/v0/project/runway/nodes', undefined, 'application/json', bob);
      assert.equal(again.status, 200, 'the same password still works against the new hash');
      assert.deepEqual(again.body, ['node-01']);
      const wrong = await api(
        srv.url,
        'GET',
        `${H}/nodes`,
        undefined,
        'application/json',
        basic('bob', 'not-bobs-password'),
      );
      assert.equal(wrong.status, 401);
      // alice logged in over v0 above: upgraded too.
      assert.match((await srv.store.getPassword('alice'))!.secretHash, /^scrypt\$/);
      // A re-import keeps the upgraded hash.
      const r = await importHilDatabase(source, { store: srv.store });
      assert.equal(count(r, 'update'), 0);
      assert.match((await srv.store.getPassword('bob'))!.secretHash, /^scrypt\$/);
    });

    test('the switch controller sends nothing to the switches for the imported state', async () => {
      // The imported objects as the controllers' cache sees them, and mock switches in HIL's port states.
      const fake = new FakeApi();
      for (const plural of ['switches', 'ports', 'nodes', 'networks', 'networkattachments'] as const)
        for (const i of (await srv.store.list(`hil.io/${plural}`)).items) fake.put(plural, i.object);
      for (const i of (await srv.store.list('core/secrets')).items)
        fake.secrets.set(
          `${i.namespace}/${i.name}`,
          Object.fromEntries(
            Object.entries((i.object as any).data ?? {}).map(([k, v]) => [
              k,
              Buffer.from(String(v), 'base64').toString(),
            ]),
          ),
        );
      const driver = new MockSwitchDriver();
      const sw = driver.fabric.switch('sw0.example', { ports: ['gi1/0/1', 'gi1/0/2', 'gi1/0/3'] });
      sw.setPort('gi1/0/1', { native: 101, tagged: [301] });
      sw.setPort('gi1/0/2', { native: 102, tagged: [] });
      const reconciler = new SwitchReconciler({
        client: fake.client(),
        cache: fake,
        driverRegistry: createRegistry({ mock: driver }),
      });
      const run = async () => {
        const r = await reconciler.reconcile({ key: 'sw0' }, new AbortController().signal);
        await reconciler.settled();
        return r;
      };
      const attachments = () => (fake.list('networkattachments') as any[]).map((a) => a.status?.phase);

      await run(); // paused, as imported
      assert.equal(sw.counters.applies, 0);
      assert.equal(sw.counters.saves, 0);
      assert.deepEqual(attachments(), ['Attached', 'Attached', 'Attached']);

      // Resumed (HIL's network daemon stopped): the switch already is as the objects say; still nothing sent.
      const cur = fake.get('switches', 'sw0')!;
      fake.put('switches', { ...cur, metadata: { ...cur.metadata, annotations: {} } });
      await run();
      assert.equal(sw.counters.applies, 0, 'nothing applied');
      assert.equal(sw.counters.portsWritten, 0);
      assert.equal(sw.counters.saves, 0);
      assert.deepEqual(attachments(), ['Attached', 'Attached', 'Attached']);
      await reconciler.close();
    });
  });
}

describe('import-hil: the last release schema (nodes behind obmd)', () => {
  let dir: string;
  let srv: InProcessServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hil-import-'));
    buildSqliteFixture(join(dir, 'hil.db'), 'last');
    srv = await startInProcessServer({ auth: 'database' });
  });
  after(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('obmd nodes: imported with their obmd URI and token when the Node schema has the obmd type, else listed', async () => {
    const r = await importHilDatabase(join(dir, 'hil.db'), { store: srv.store });
    assert.match(r.notes.join('\n'), /nodes with obmd \(HIL 0\.4\+\)/);
    const nodeEntries = r.entries.filter((e) => e.kind === 'Node');
    assert.equal(nodeEntries.length, 3);
    const obmdType = !!(await srv.store.list('hil.io/nodes')).items.length;
    if (obmdType) {
      // As v0's node_register makes an obmd node: the URL, disabled, the admin token as the Secret's password.
      const n1 = (await srv.store.get('hil.io/nodes', '', 'node-01'))!.object as any;
      assert.equal(n1.spec.obm.type, 'obmd');
      assert.equal(n1.spec.obm.uri, 'http://obmd.example:8080/node/node-01');
      assert.equal(n1.spec.obm.enabled, false);
      const s = (await srv.store.get('core/secrets', 'hil-system', 'node-01-obm'))!.object as any;
      assert.equal(Buffer.from(s.data.username, 'base64').toString(), 'admin');
      assert.equal(Buffer.from(s.data.password, 'base64').toString(), 'tok-01');
      assert.equal(count(r, 'create', 'NetworkAttachment'), 3);
      assert.match(nodeEntries.find((e) => e.hil === 'Node 02')!.detail!, /HIL had its OBM enabled/);
    } else {
      for (const e of nodeEntries) assert.equal(e.action, 'skip', `${e.hil}: ${e.detail}`);
      assert.match(nodeEntries[0].detail!, /spec\.obm/, "the server's reason");
      // Their attachments cannot come along either, and say why.
      const atts = r.entries.filter((e) => e.kind === 'NetworkAttachment');
      assert.equal(atts.length, 3);
      for (const a of atts) assert.match(a.detail!, /node .* is not imported/);
    }
    // Everything else comes along as from the older schema.
    assert.equal(count(r, 'create', 'Network'), 4);
    assert.equal(count(r, 'create', 'User'), 3);
    assert.equal(count(r, 'create', 'Port'), 4);
  });
});

describe('import-hil: bad sources fail clearly and write nothing', () => {
  let srv: InProcessServer;
  let dir: string;
  before(async () => {
    srv = await startInProcessServer({ auth: 'database' });
    dir = mkdtempSync(join(tmpdir(), 'hil-import-'));
  });
  after(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('missing file, not a database, not HIL, unreachable server, other URI schemes', async () => {
    const rev = await srv.store.currentRevision();
    writeFileSync(join(dir, 'junk'), 'this is not sqlite');
    const empty = join(dir, 'empty.db');
    buildSqliteFixture(empty, 'last');
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(empty);
    db.exec(
      'DROP TABLE network_attachment; DROP TABLE networking_action; DROP TABLE hnic; DROP TABLE network_projects; DROP TABLE network',
    );
    db.close();
    const cases: [string, RegExp][] = [
      [join(dir, 'nope.db'), /no such file/],
      [join(dir, 'junk'), /is not a SQLite database/],
      [empty, /does not look like a HIL database: table network missing/],
      ['postgresql://postgres@127.0.0.1:1/hil', /cannot connect to postgresql:\/\/postgres@127\.0\.0\.1:1\/hil/],
      ['mysql://u:secret@db/hil', /only postgresql:\/\/ URIs and SQLite files/],
    ];
    for (const [src, msg] of cases) {
      await assert.rejects(importHilDatabase(src, { store: srv.store }), (err: Error) => {
        assert.match(err.message, msg);
        assert.doesNotMatch(err.message, /secret/, 'no password in messages');
        return true;
      });
    }
    assert.equal(await srv.store.currentRevision(), rev);
  });
});

describe('hil-admin import-hil (the command)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-import-cmd-'));
    buildSqliteFixture(join(dir, 'hil.db'), 'pre-obmd');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [
        '--import',
        TSX_LOADER,
        join(packageRoot(), 'cmd', 'hil-admin.ts'),
        'import-hil',
        '--data-dir',
        join(dir, 'data'),
        ...args,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );

  test('prints the plan, then imports; a bad source exits 1 with the reason', () => {
    const plan = run('--dry-run', join(dir, 'hil.db'));
    assert.equal(plan.status, 0, plan.stderr);
    assert.match(plan.stdout, /^ACTION\s+KIND\s+HIL\s+NAME\s+DETAIL$/m);
    assert.match(plan.stdout, /^would create\s+Node\s+Node 02\s+node-02--\S+\s+NIC eth0: MAC "Unknown"/m);
    assert.match(plan.stdout, /^not imported\s+Switch\s+juniper1\s+-\s+HIL switch type "juniper"/m);
    const done = run(join(dir, 'hil.db'));
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stdout, /30 created, 0 updated, 0 unchanged, 4 not imported/);
    const bad = run(join(dir, 'missing.db'));
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^hil-admin: .*missing\.db: no such file/m);
  });
});
