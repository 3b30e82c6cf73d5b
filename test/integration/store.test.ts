// The store suite, run on every dialect: SQLite (a file in a temp folder) and a real PostgreSQL.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../../apiserver/store/open.js';
import { CompactedError, objectJson, type ListOptions } from '../../apiserver/store/store.js';
import type { SqlStore } from '../../apiserver/store/sql-store.js';
import type { KObject } from '../../apiserver/object.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { fieldExpressionText, fieldIndexName, INDEXED_FIELDS } from '../../apiserver/store/field-index.js';
import Database from 'better-sqlite3';
import pg from 'pg';

const R = 'hil.io/networks';
const obj = (name: string, extra: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'hil.io/v1alpha1',
  kind: 'Network',
  metadata: { name, uid: `uid-${name}` },
  spec: { owner: 'p1', ...extra },
});

interface Dialect {
  name: 'sqlite' | 'postgres';
  /** The store, its schema migrated to the latest (or up to `upTo`). */
  open(upTo?: string): Promise<SqlStore>;
  cleanup(): Promise<void>;
  /** The database's plan for a query, as text (its own connection). */
  plan(query: string, params: unknown[]): Promise<string>;
  /** Runs a statement on its own connection (to write what an older server would have). */
  exec(statement: string): Promise<void>;
}

function sqliteDialect(): Dialect {
  const dir = mkdtempSync(join(tmpdir(), 'hil-store-'));
  return {
    name: 'sqlite',
    open: async (upTo) => {
      const s = await openStore({ dataDir: dir });
      await s.migrate(upTo);
      return s;
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    exec: async (statement) => {
      const db = new Database(join(dir, 'hil.db'));
      try {
        db.exec(statement);
      } finally {
        db.close();
      }
    },
    plan: async (query, params) => {
      const db = new Database(join(dir, 'hil.db'), { readonly: true });
      try {
        return JSON.stringify(db.prepare(`explain query plan ${query}`).all(...params));
      } finally {
        db.close();
      }
    },
  };
}

function postgresDialect(): Dialect {
  let db: TestDatabase | undefined;
  return {
    name: 'postgres',
    open: async (upTo) => {
      db ??= await createTestDatabase();
      const s = await openStore({ uri: db.uri });
      await s.migrate(upTo);
      return s;
    },
    cleanup: async () => db?.drop(),
    exec: async (statement) => {
      const c = new pg.Client({ connectionString: db!.uri });
      await c.connect();
      try {
        await c.query(statement);
      } finally {
        await c.end();
      }
    },
    plan: async (query, params) => {
      const c = new pg.Client({ connectionString: db!.uri });
      await c.connect();
      try {
        // Tiny tables favour a sequential scan; what matters is that the index can serve the query.
        await c.query('set enable_seqscan = off');
        let i = 0;
        const r = await c.query(`explain ${query.replace(/\?/g, () => `$${++i}`)}`, params);
        return r.rows.map((row) => row['QUERY PLAN']).join('\n');
      } finally {
        await c.end();
      }
    },
  };
}

for (const make of [sqliteDialect, postgresDialect]) {
  const dialect = make();
  describe(`store (${dialect.name})`, () => {
    let store: SqlStore;
    before(async () => {
      store = await dialect.open();
    });
    after(async () => {
      await store.close();
      await dialect.cleanup();
    });

    test('migrations are idempotent and none are pending afterwards', async () => {
      assert.deepEqual((await store.migrate()).applied, []);
      assert.deepEqual(await store.pendingMigrations(), []);
    });

    test('a write gets a new revision, and get/list return it as resourceVersion', async () => {
      const before = await store.currentRevision();
      const created = await store.transact((tx) => tx.put(R, '', 'net-a', obj('net-a')));
      assert.ok(created.revision > before);
      assert.equal(created.object.metadata.resourceVersion, String(created.revision));
      const got = await store.get(R, '', 'net-a');
      assert.equal(got?.revision, created.revision);
      assert.deepEqual(got?.object.spec, { owner: 'p1' });
      const listed = await store.list(R);
      assert.ok(listed.items.some((i) => i.name === 'net-a'));
      assert.ok(listed.revision >= created.revision);
    });

    test('an update replaces the object and records the previous version in history', async () => {
      const cur = (await store.get(R, '', 'net-a'))!;
      const upd = await store.transact((tx) => tx.put(R, '', 'net-a', obj('net-a', { public: true }), cur));
      assert.ok(upd.revision > cur.revision);
      const evs = await store.changesSince(cur.revision, 100);
      assert.equal(evs[0]?.type, 'MODIFIED');
      assert.equal(evs[0]?.prev?.spec && (evs[0].prev.spec as any).public, undefined);
      assert.equal((evs[0]?.object.spec as any).public, true);
    });

    test('a failed transaction writes nothing', async () => {
      const rev = await store.currentRevision();
      await assert.rejects(
        store.transact(async (tx) => {
          await tx.put(R, '', 'net-rollback', obj('net-rollback'));
          throw new Error('admission said no');
        }),
        /admission said no/,
      );
      assert.equal(await store.get(R, '', 'net-rollback'), undefined);
      assert.deepEqual(await store.changesSince(rev, 10), []);
    });

    test('writes sent together commit together, in order; one that fails is rolled back alone', async () => {
      const rev = await store.currentRevision();
      // Issued in one turn of the event loop, so they share a group (and its transaction).
      const results = await Promise.allSettled([
        store.transact(async (tx) => {
          await tx.put(R, '', 'grp-0', obj('grp-0'));
          throw new Error('first refused');
        }),
        store.transact((tx) => tx.put(R, '', 'grp-1', obj('grp-1'))),
        store.transact(async (tx) => {
          await tx.put(R, '', 'grp-2', obj('grp-2'));
          throw new Error('middle refused');
        }),
        // Sees the write before it in the same group, and not the one rolled back.
        store.transact(async (tx) => {
          assert.ok(await tx.get(R, '', 'grp-1'));
          assert.equal(await tx.get(R, '', 'grp-2'), undefined);
          return tx.put(R, '', 'grp-3', obj('grp-3'));
        }),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['rejected', 'fulfilled', 'rejected', 'fulfilled'],
      );
      assert.match(String((results[0] as PromiseRejectedResult).reason), /first refused/);
      assert.match(String((results[2] as PromiseRejectedResult).reason), /middle refused/);
      const evs = await store.changesSince(rev, 10);
      assert.deepEqual(
        evs.map((e) => e.name),
        ['grp-1', 'grp-3'],
      );
      assert.ok(evs[0].revision < evs[1].revision);
      assert.equal(await store.get(R, '', 'grp-0'), undefined);
      assert.equal(await store.get(R, '', 'grp-2'), undefined);
    });

    test('only a write that fails after writing makes the writes before it run again; a dry run has a savepoint', async () => {
      const rev = await store.currentRevision();
      const runs = { a: 0, c: 0, e: 0 };
      const results = await Promise.allSettled([
        store.transact(async (tx) => (runs.a++, tx.put(R, '', 'rr-a', obj('rr-a')))),
        // Refused before writing (admission's 409/422): nothing to undo, nothing runs again.
        store.transact(async (tx) => {
          await tx.get(R, '', 'rr-a');
          throw new Error('refused before writing');
        }),
        store.transact(async (tx) => (runs.c++, tx.put(R, '', 'rr-c', obj('rr-c')))),
        // Refused after writing, without a savepoint: the transaction goes, and rr-a and rr-c run once more.
        store.transact(async (tx) => {
          await tx.put(R, '', 'rr-d', obj('rr-d'));
          throw new Error('refused after writing');
        }),
        store.transact(async (tx) => (runs.e++, tx.put(R, '', 'rr-e', obj('rr-e')))),
        // A dry run: rolled back to its own savepoint; nothing else runs again.
        store.transact(
          async (tx) => {
            await tx.put(R, '', 'rr-f', obj('rr-f'));
            throw new Error('dry run');
          },
          { rollsBack: true },
        ),
        store.transact((tx) => tx.put(R, '', 'rr-g', obj('rr-g'))),
      ]);
      assert.deepEqual(
        results.map((r) => (r.status === 'fulfilled' ? 'ok' : String(r.reason.message))),
        ['ok', 'refused before writing', 'ok', 'refused after writing', 'ok', 'dry run', 'ok'],
      );
      assert.deepEqual(runs, { a: 2, c: 2, e: 1 });
      const evs = await store.changesSince(rev, 20);
      assert.deepEqual(
        evs.map((e) => e.name),
        ['rr-a', 'rr-c', 'rr-e', 'rr-g'],
        'each committed once, in the order sent',
      );
      for (const gone of ['rr-d', 'rr-f']) assert.equal(await store.get(R, '', gone), undefined, gone);
    });

    test('a database error in one write of a group fails only that write', async () => {
      const rev = await store.currentRevision();
      const results = await Promise.allSettled([
        store.transact((tx) => tx.put(R, '', 'dup-a', obj('dup-a'))),
        store.transact(async (tx) => {
          await tx.put(R, '', 'dup-b', obj('dup-b'));
          // PostgreSQL refuses a NUL in text: a real SQL error, which aborts a PostgreSQL transaction unless rolled
          // back to a savepoint. SQLite takes it, so the write is refused here instead.
          await tx.put(R, '', 'dup\u0000b', obj('dup-b'));
          throw new Error('refused');
        }),
        store.transact((tx) => tx.put(R, '', 'dup-c', obj('dup-c'))),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.deepEqual(
        (await store.changesSince(rev, 10)).map((e) => e.name),
        ['dup-a', 'dup-c'],
      );
    });

    test('stored text is served as the object with its resourceVersion (get, list, change log)', async () => {
      const created = await store.transact((tx) =>
        tx.put(R, '', 'net-text', obj('net-text', { note: 'a "quoted" \\ value' })),
      );
      const got = (await store.get(R, '', 'net-text'))!;
      const listed = (await store.list(R)).items.find((i) => i.name === 'net-text')!;
      const [ev] = (await store.changesSince(created.revision - 1, 1)).filter((e) => e.name === 'net-text');
      for (const item of [created, got, listed, ev]) {
        assert.deepEqual(JSON.parse(objectJson(item)), created.object);
        assert.equal(JSON.parse(objectJson(item)).metadata.resourceVersion, String(created.revision));
      }
      // Text written before metadata went first is served by parsing it.
      const old = { raw: JSON.stringify({ apiVersion: 'v1', metadata: { name: 'x' } }), revision: 7 };
      const parsed = { apiVersion: 'v1', metadata: { name: 'x', resourceVersion: '7' } } as KObject;
      assert.deepEqual(JSON.parse(objectJson({ ...old, object: parsed })), parsed);
    });

    test('a list can be narrowed to the nodes holding a value in an array field (spec.nics[].port)', async () => {
      const N = 'hil.io/nodes';
      const node = (name: string, ports: string[]): KObject => ({
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Node',
        metadata: { name },
        spec: { nics: ports.map((port, k) => ({ name: `eth${k}`, port })) },
      });
      const cabled = async (port: string) =>
        (await store.list(N, { refersTo: { field: 'spec.nics.port', value: port } })).items.map((i) => i.name);
      await store.transact(async (tx) => {
        await tx.put(N, '', 'r-1', node('r-1', ['sw0-p"1', 'sw0-p3']));
        await tx.put(N, '', 'r-2', node('r-2', ['sw0-p2']));
        await tx.put(N, '', 'r-0', node('r-0', ['sw0-p3']));
      });
      assert.deepEqual(await cabled('sw0-p"1'), ['r-1']);
      assert.deepEqual(await cabled('sw0-p3'), ['r-0', 'r-1'], 'in name order');
      assert.deepEqual(await cabled('sw0-p'), []); // the whole value, not a part of one
      // Recabled: the old port is free, the new one held; deleted: nothing held.
      const r1 = (await store.get(N, '', 'r-1'))!;
      await store.transact((tx) => tx.put(N, '', 'r-1', node('r-1', ['sw0-p4']), r1));
      assert.deepEqual(await cabled('sw0-p"1'), []);
      assert.deepEqual(await cabled('sw0-p4'), ['r-1']);
      await store.transact(async (tx) => tx.remove((await tx.get(N, '', 'r-2'))!));
      assert.deepEqual(await cabled('sw0-p2'), []);
      // A write rolled back leaves the references as they were.
      await assert.rejects(
        store.transact(async (tx) => {
          await tx.put(N, '', 'r-9', node('r-9', ['sw0-p9']));
          throw new Error('refused');
        }),
      );
      assert.deepEqual(await cabled('sw0-p9'), []);
      const inTx = await store.transact((tx) => tx.list(N, { refersTo: { field: 'spec.nics.port', value: 'sw0-p4' } }));
      assert.deepEqual(
        inTx.map((i) => i.name),
        ['r-1'],
      );
    });

    test('an installation upgraded to the reference table finds the nodes it already had', async () => {
      const older = make();
      let s = await older.open('0003_field_indexes');
      await s.close();
      // A node written by the server before: its row only (this server would also write its references).
      const node = {
        metadata: { name: 'old-1' },
        apiVersion: 'hil.io/v1alpha1',
        kind: 'Node',
        spec: { nics: [{ name: 'eth0', port: 'sw9-p1' }, { name: 'ipmi' }] },
      };
      await older.exec(
        `insert into hil_objects (resource, namespace, name, revision, object) values ('hil.io/nodes', '', 'old-1', 1, '${JSON.stringify(node)}')`,
      );
      try {
        s = await older.open();
        assert.deepEqual(
          (await s.list('hil.io/nodes', { refersTo: { field: 'spec.nics.port', value: 'sw9-p1' } })).items.map(
            (i) => i.name,
          ),
          ['old-1'],
        );
      } finally {
        await s.close();
        await older.cleanup();
      }
    });

    test('lookups by a field or a reference read only what they find, not every object of the kind', async () => {
      const sqlStore = store;
      for (const [resource, options] of [
        ['hil.io/ports', { fieldEquals: { path: ['spec', 'switch'], value: 'sw0' } }],
        ['hil.io/networkattachments', { fieldEquals: { path: ['spec', 'node'], value: 'n0' } }],
        ['hil.io/nodes', { refersTo: { field: 'spec.nics.port', value: 'sw0-p1' } }],
      ] as [string, ListOptions][]) {
        const q = sqlStore.compiledList(resource, options);
        const plan = await dialect.plan(q.sql, [...q.parameters]);
        const uses = options.fieldEquals
          ? fieldIndexName(options.fieldEquals.path)
          : dialect.name === 'sqlite'
            ? 'hil_refs'
            : 'hil_refs_pk';
        assert.match(plan, new RegExp(uses), `${resource}: ${plan}`);
        if (dialect.name === 'sqlite')
          assert.doesNotMatch(plan, /SCAN hil_objects|\(resource=\?\)"/, `${resource}: ${plan}`);
      }
    });

    test('delete removes the object and logs a DELETED event with its last state', async () => {
      await store.transact((tx) => tx.put(R, '', 'net-del', obj('net-del')));
      const cur = (await store.get(R, '', 'net-del'))!;
      const gone = await store.transact((tx) => tx.remove(cur));
      assert.equal(await store.get(R, '', 'net-del'), undefined);
      const evs = await store.changesSince(cur.revision, 10);
      assert.deepEqual(
        evs.map((e) => [e.type, e.name, e.revision]),
        [['DELETED', 'net-del', gone.revision]],
      );
    });

    test('namespaces are separate, and list pages resume after a position', async () => {
      for (const ns of ['a', 'b']) {
        for (const n of ['s1', 's2', 's3']) {
          await store.transact((tx) =>
            tx.put('core/secrets', ns, n, { apiVersion: 'v1', kind: 'Secret', metadata: { name: n, namespace: ns } }),
          );
        }
      }
      assert.equal((await store.list('core/secrets', { namespace: 'a' })).items.length, 3);
      assert.equal((await store.list('core/secrets')).items.length, 6);
      const rest = await store.list('core/secrets', { after: { namespace: 'a', name: 's2' } });
      assert.deepEqual(
        rest.items.map((i) => `${i.namespace}/${i.name}`),
        ['a/s3', 'b/s1', 'b/s2', 'b/s3'],
      );
      // A page: at most `limit` objects, and how many matching ones it left out.
      const page = await store.list('core/secrets', { after: { namespace: 'a', name: 's1' }, limit: 2 });
      assert.deepEqual(
        page.items.map((i) => `${i.namespace}/${i.name}`),
        ['a/s2', 'a/s3'],
      );
      assert.equal(page.remaining, 3);
      const inA = await store.list('core/secrets', { namespace: 'a', limit: 5 });
      assert.deepEqual([inA.items.length, inA.remaining], [3, 0]);
    });

    test('a whole list as one text (joined by SQLite, by the server on PostgreSQL) is the list served item by item', async () => {
      for (const [ns, n] of [
        ['b', 'j2'],
        ['a', 'j1'],
        ['a', 'j\u00e9 "3"'],
        ['b', 'j0'],
      ])
        await store.transact((tx) =>
          tx.put('core/configmaps', ns, n, {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: n, namespace: ns },
            data: { text: 'é, \\ and "quotes"' },
          }),
        );
      // An object with nothing in metadata but what the store adds.
      await store.transact((tx) => tx.put('core/configmaps', 'c', '', { apiVersion: 'v1', metadata: {} } as KObject));
      for (const options of [
        {},
        { namespace: 'a' },
        { after: { namespace: 'a', name: 'j1' } },
        { namespace: 'none' },
      ]) {
        const joined = (await store.listText('core/configmaps', options))!;
        const listed = await store.list('core/configmaps', options);
        assert.equal(joined.items, listed.items.map(objectJson).join(','), JSON.stringify(options));
        assert.equal(joined.count, listed.items.length);
        assert.equal(joined.revision, listed.revision);
        assert.deepEqual(
          JSON.parse(`[${joined.items}]`).map((o: KObject) => o.metadata.resourceVersion),
          listed.items.map((i) => String(i.revision)),
        );
      }
    });

    test('text stored in the older format is listed item by item, and served as the object', async () => {
      await store.transact((tx) =>
        tx.put('core/oldformat', '', 'new', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'new' } }),
      );
      assert.equal((await store.listText('core/oldformat'))!.count, 1);
      // Text as stored before metadata went first (an older server's row).
      const old = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'old' } });
      await dialect.exec(
        `insert into hil_objects (resource, namespace, name, revision, object) values ('core/oldformat', '', 'old', 1, '${old}')`,
      );
      assert.equal(await store.listText('core/oldformat'), undefined);
      assert.deepEqual(
        (await store.list('core/oldformat')).items.map((i) => objectJson(i)),
        [
          objectJson((await store.get('core/oldformat', '', 'new'))!),
          `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"old","resourceVersion":"1"}}`,
        ],
      );
    });

    test('a list filtered on a spec field returns exactly the matching objects, inside and outside a transaction', async () => {
      const A = 'hil.io/networkattachments';
      const att = (name: string, node: string): KObject => ({
        apiVersion: 'hil.io/v1alpha1',
        kind: 'NetworkAttachment',
        metadata: { name },
        spec: { node, nic: 'eth0', network: 'n' },
      });
      await store.transact(async (tx) => {
        await tx.put(A, '', 'fa-1', att('fa-1', 'node-x'));
        await tx.put(A, '', 'fa-2', att('fa-2', 'node-y'));
        await tx.put(A, '', 'fa-3', att('fa-3', 'node-x'));
        // A name that looks like a JSON path or SQL is just a value.
        await tx.put(A, '', 'fa-4', att('fa-4', "x' or '1'='1"));
      });
      const names = (items: { name: string }[]) => items.map((i) => i.name).sort();
      assert.deepEqual(
        names((await store.list(A, { fieldEquals: { path: ['spec', 'node'], value: 'node-x' } })).items),
        ['fa-1', 'fa-3'],
      );
      assert.deepEqual(
        names((await store.list(A, { fieldEquals: { path: ['spec', 'node'], value: "x' or '1'='1" } })).items),
        ['fa-4'],
      );
      assert.deepEqual((await store.list(A, { fieldEquals: { path: ['spec', 'node'], value: 'nobody' } })).items, []);
      const inTx = await store.transact((tx) =>
        tx.list(A, { fieldEquals: { path: ['spec', 'node'], value: 'node-y' } }),
      );
      assert.deepEqual(names(inTx), ['fa-2']);
      await assert.rejects(
        store.list(A, { fieldEquals: { path: ['spec', "node') or 1=1 --"], value: 'x' } }),
        /invalid field path/,
      );
    });

    test('lookups by an indexed field use its index (the query and the migration say the same expression)', async () => {
      for (const path of INDEXED_FIELDS) {
        const where = `select name from hil_objects where resource = ? and ${fieldExpressionText(dialect.name, path)} = ?`;
        const plan = await dialect.plan(where, ['hil.io/networkattachments', 'x']);
        assert.match(plan, new RegExp(fieldIndexName(path)), `${path.join('.')}: ${plan}`);
      }
    });

    test('concurrent transactions get distinct revisions, all visible in order', async () => {
      const start = await store.currentRevision();
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => store.transact((tx) => tx.put(R, '', `par-${i}`, obj(`par-${i}`)))),
      );
      const revs = results.map((r) => r.revision).sort((a, b) => a - b);
      assert.equal(new Set(revs).size, 40);
      const evs = await store.changesSince(start, 1000);
      assert.deepEqual(
        evs.map((e) => e.revision),
        revs,
      );
    });

    test('compaction drops old history: reading from before it is an error, after it works', async () => {
      const mid = await store.currentRevision();
      await store.transact((tx) => tx.put(R, '', 'net-late', obj('net-late')));
      const compacted = await store.compact(mid);
      assert.equal(compacted, mid);
      await assert.rejects(store.changesSince(mid - 1, 10), CompactedError);
      const evs = await store.changesSince(mid, 10);
      assert.equal(evs[0]?.name, 'net-late');
      // The newest entry always stays, so the store's revision survives compaction.
      const newest = await store.currentRevision();
      await store.compact(newest + 100);
      assert.equal(await store.currentRevision(), newest);
    });

    test('a second store on the same database hears of writes and reads them', async () => {
      const other = await dialect.open();
      try {
        // SQLite hears of another process's writes by polling (an unref'd timer): keep the loop alive meanwhile.
        const keepAlive = setTimeout(() => {}, 10_000);
        const heard = new Promise<void>((resolve) => {
          const off = other.onChange(() => {
            off();
            clearTimeout(keepAlive);
            resolve();
          });
        });
        const start = await other.currentRevision();
        await store.transact((tx) => tx.put(R, '', 'net-x', obj('net-x')));
        await heard;
        const evs = await other.changesSince(start, 10);
        assert.equal(evs.at(-1)?.name, 'net-x');
      } finally {
        await other.close();
      }
    });
  });
}

describe('sqlite file modes: the database holds password hashes and BMC passwords', () => {
  const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'hil-modes-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('a new data folder is 0700 and the database, its WAL and shared-memory files are 0600', async () => {
    const dir = join(root, 'fresh', 'data');
    const s = await openStore({ dataDir: dir });
    try {
      await s.migrate();
      await s.transact((tx) => tx.put(R, '', 'net-m', obj('net-m')));
      assert.equal(mode(dir), '700');
      for (const f of ['hil.db', 'hil.db-wal', 'hil.db-shm']) assert.equal(mode(join(dir, f)), '600', f);
    } finally {
      await s.close();
    }
  });

  test('an existing data folder and database readable by others are tightened on open', async () => {
    const dir = join(root, 'old');
    const first = await openStore({ dataDir: dir });
    await first.migrate();
    await first.close();
    // As an earlier version left them: 0755 and 0644.
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'hil.db'), 0o644);
    const s = await openStore({ dataDir: dir });
    try {
      assert.equal(mode(dir), '700');
      assert.equal(mode(join(dir, 'hil.db')), '600');
    } finally {
      await s.close();
    }
  });

  test('a sqlite:/// URI in an existing shared folder: the file is 0600, the folder is left alone', async () => {
    const dir = join(root, 'shared');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const s = await openStore({ uri: `sqlite:///${join(dir, 'hil.db')}` });
    try {
      await s.migrate();
      assert.equal(mode(join(dir, 'hil.db')), '600');
      assert.equal(mode(dir), '755');
    } finally {
      await s.close();
    }
  });
});
