// Opt-in: hil-admin import-hil on HIL's own PostgreSQL dumps (tests/unit/migrations/*.sql of CCI-MOC/hil: real
// schemas of HIL's history with their data), each loaded into a throwaway database. HIL's files are never part of
// this repository: set HIL_SOURCE to a checkout of HIL or its git directory to run these.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { ImportReport } from '../../apiserver/import-hil/import.js';
import { importHilDatabase } from '../../apiserver/import-hil/run.js';
import { compositeName } from '../../apiserver/v0/names.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startInProcessServer, type InProcessServer } from '../support/server.js';

const HIL_SOURCE = process.env.HIL_SOURCE;
const skip = HIL_SOURCE
  ? false
  : "HIL's dumps are not in this repository: set HIL_SOURCE=/path/to/hil (a checkout or its .git) to import them";

function dump(name: string): string {
  const rel = `tests/unit/migrations/${name}`;
  const file = join(HIL_SOURCE!, rel);
  if (existsSync(file)) return readFileSync(file, 'utf8');
  return execFileSync('git', ['--git-dir', HIL_SOURCE!, 'show', `HEAD:${rel}`], { encoding: 'utf8' });
}

const created = (r: ImportReport) => {
  const out: Record<string, number> = {};
  for (const e of r.entries) if (e.action === 'create') out[e.kind] = (out[e.kind] ?? 0) + 1;
  return out;
};
const skipped = (r: ImportReport) => r.entries.filter((e) => e.action === 'skip').map((e) => `${e.kind} ${e.hil}`);

const CASES: {
  file: string;
  created: Record<string, number>;
  skipped: string[];
  check: (get: (plural: string, name: string, ns?: string) => Promise<any>) => Promise<void>;
}[] = [
  {
    file: 'flask.sql',
    created: { Project: 3, Switch: 2, Secret: 9, Port: 8, Network: 4, Lease: 4, Node: 7, Headnode: 4 },
    skipped: ['Network stock_ext_pub', 'Network runway_provider', 'Network manhattan_provider'],
    async check(get) {
      const n = await get('nodes', 'runway-node-0--4xmvhxainz');
      assert.equal(n.spec.project, 'runway');
      assert.equal(n.spec.obm.type, 'mock');
      assert.deepEqual(n.spec.nics[1], {
        name: 'nic-with-port',
        port: compositeName(['stock_switch_0', 'runway_node_0_port']),
      });
      const net = await get('networks', 'runway-pxe--votc3au7ms');
      assert.equal(net.spec.owner, 'runway');
      assert.equal(net.status.vlan, 102);
    },
  },
  {
    file: 'after-PK-bigint.sql',
    created: { Project: 1, User: 1, Switch: 5, Secret: 6, Node: 1, Headnode: 1 },
    skipped: [
      'Port sw-dell A fine port',
      'Network hil wireless',
      'NetworkAttachment node-1 pxe → hil wireless (vlan/100)',
      'NetworkingAction node-1 pxe',
    ],
    async check(get) {
      assert.equal((await get('users', 'jim')).spec.admin, true);
      const brocade = await get('switches', 'sw-brocade');
      assert.equal(brocade.spec.type, 'brocade');
      assert.equal(brocade.spec.options.interfaceType, '4');
      assert.equal((await get('switches', 'sw-n3000')).spec.options.dummyVlan, '5');
      const node = await get('nodes', 'node-1');
      assert.equal(node.spec.obm.type, 'ipmi');
      assert.deepEqual(node.spec.metadata, { meta: 'it is a true value' });
    },
  },
  {
    file: 'pending-networking-actions.sql',
    created: { Project: 1, Switch: 1, Secret: 2, Port: 1, Node: 1 },
    skipped: ['Network runway_pxe', 'NetworkingAction node-1 pxe'],
    async check(get) {
      const node = await get('nodes', 'node-1');
      assert.deepEqual(node.spec.nics, [
        { name: 'pxe', macAddress: 'de:ad:be:ef:20:16', port: compositeName(['sw0', 'gi1/0/4']) },
      ]);
      assert.equal((await get('ports', compositeName(['sw0', 'gi1/0/4']))).spec.interface, 'gi1/0/4');
    },
  },
];

describe("import-hil on HIL's own dumps", { skip }, () => {
  let srv: InProcessServer;
  const dbs: TestDatabase[] = [];
  before(async () => {
    srv = await startInProcessServer({ auth: 'database' });
  });
  after(async () => {
    await srv?.stop();
    for (const d of dbs) await d.drop();
  });

  for (const c of CASES) {
    test(`${c.file}: counted and spot-checked; a second import writes nothing`, async () => {
      const db = await createTestDatabase();
      dbs.push(db);
      const client = new pg.Client({ connectionString: db.uri });
      await client.connect();
      try {
        await client.query(dump(c.file));
      } finally {
        await client.end();
      }
      // Each dump into a store of its own: their objects share names (runway, sw0, node-1).
      await srv.stop();
      srv = await startInProcessServer({ auth: 'database' });
      const r = await importHilDatabase(db.uri, { store: srv.store });
      assert.deepEqual(created(r), c.created);
      assert.deepEqual(skipped(r), c.skipped);
      for (const e of r.entries.filter((x) => x.action === 'skip')) assert.ok(e.detail, `${e.kind} ${e.hil} says why`);
      const get = async (plural: string, name: string, ns = '') =>
        (await srv.store.get(plural === 'secrets' ? 'core/secrets' : `hil.io/${plural}`, ns, name))?.object as any;
      await c.check(get);
      const rev = await srv.store.currentRevision();
      const again = await importHilDatabase(db.uri, { store: srv.store });
      assert.equal(await srv.store.currentRevision(), rev);
      assert.deepEqual(created(again), {});
      assert.equal(again.entries.filter((e) => e.action === 'update').length, 0);
    });
  }
});
