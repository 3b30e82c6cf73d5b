// Two `hil-admin serve` replicas on one PostgreSQL database, as in a highly available installation: a watch on
// one replica sees writes made through the other promptly, optimistic concurrency holds across replicas, and
// both serve the same state with one ordered history.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServe, type ServeChild } from '../support/kubectl.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { api } from '../support/server.js';

const PATH = '/apis/hil.io/v1alpha1/networks';
const MERGE = 'application/merge-patch+json';

function network(name: string, spec: Record<string, unknown> = {}) {
  return { apiVersion: 'hil.io/v1alpha1', kind: 'Network', metadata: { name }, spec: { owner: '', ...spec } };
}

interface WatchEvent {
  type: string;
  object: any;
  /** performance.now() when the line arrived. */
  at: number;
}

/** A raw watch: fetch with a streaming body, one JSON event per line. */
class RawWatch {
  readonly events: WatchEvent[] = [];
  private readonly ctl = new AbortController();
  private done = false;
  private failure?: unknown;

  static async open(base: string, query: string): Promise<RawWatch> {
    const w = new RawWatch();
    const res = await fetch(`${base}${PATH}?${query}`, { signal: w.ctl.signal });
    if (res.status !== 200) assert.fail(`watch ${query}: ${res.status} ${await res.text()}`);
    void w.read(res.body!);
    return w;
  }

  private async read(body: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        const at = performance.now();
        buf += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) {
            const ev = JSON.parse(line);
            this.events.push({ type: ev.type, object: ev.object, at });
          }
        }
      }
    } catch (err) {
      if (!this.ctl.signal.aborted) this.failure = err;
    } finally {
      this.done = true;
    }
  }

  /** The first event (at or after index `from`) matching the predicate; fails after timeoutMs. */
  async next(pred: (e: WatchEvent) => boolean, what: string, timeoutMs = 5_000, from = 0): Promise<WatchEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(pred);
      if (found) return found;
      if (this.done)
        assert.fail(
          `the watch ended (${String(this.failure ?? 'closed by the server')}) before ${what}; events: ${this.summary()}`,
        );
      if (Date.now() > deadline)
        assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}; events: ${this.summary()}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  summary(): string {
    return JSON.stringify(
      this.events.map((e) => `${e.type} ${e.object?.metadata?.name}@${e.object?.metadata?.resourceVersion}`),
    );
  }

  close() {
    this.ctl.abort();
  }
}

describe('two hil-admin serve replicas on one PostgreSQL database', () => {
  let db: TestDatabase;
  let a: ServeChild;
  let b: ServeChild;
  const watches: RawWatch[] = [];
  const watch = async (srv: ServeChild, query: string) => {
    const w = await RawWatch.open(srv.url, query);
    watches.push(w);
    return w;
  };

  before(async () => {
    db = await createTestDatabase();
    a = await startServe({ databaseUri: db.uri });
    b = await startServe({ databaseUri: db.uri });
  });
  after(async () => {
    for (const w of watches) w.close();
    await b?.close();
    await a?.close();
    await db?.drop();
  });

  for (const [from, to] of [
    ['B', 'A'],
    ['A', 'B'],
  ] as const) {
    test(`a watch on ${to} sees ADDED, MODIFIED and DELETED for writes through ${from} within 2 s`, async (t) => {
      const writer = from === 'B' ? b : a;
      const reader = from === 'B' ? a : b;
      const name = `rep-${from.toLowerCase()}`;
      const rv = (await api(reader.url, 'GET', PATH)).body.metadata.resourceVersion;
      const w = await watch(reader, `watch=true&resourceVersion=${rv}`);

      const latencies: number[] = [];
      const step = async (
        type: string,
        write: () => Promise<{ status: number; body: any }>,
        check: (o: any) => boolean = () => true,
      ) => {
        const started = performance.now();
        const res = await write();
        assert.ok(
          res.status === 200 || res.status === 201,
          `${type} write through ${from}: ${res.status} ${JSON.stringify(res.body)}`,
        );
        const ev = await w.next(
          (e) => e.type === type && e.object.metadata.name === name && check(e.object),
          `${type} ${name} on ${to}`,
          5_000,
        );
        const ms = ev.at - started;
        latencies.push(ms);
        assert.ok(ms < 2_000, `${type} reached the watch on ${to} after ${Math.round(ms)} ms (limit 2000 ms)`);
        return { res, ev };
      };
      const add = await step('ADDED', () => api(writer.url, 'POST', PATH, network(name)));
      assert.equal(add.ev.object.metadata.resourceVersion, add.res.body.metadata.resourceVersion);
      assert.equal(add.ev.object.metadata.uid, add.res.body.metadata.uid);
      const mod = await step(
        'MODIFIED',
        () => api(writer.url, 'PATCH', `${PATH}/${name}`, { spec: { public: true } }, MERGE),
        (o) => o.spec.public === true,
      );
      assert.equal(mod.ev.object.metadata.resourceVersion, mod.res.body.metadata.resourceVersion);
      await step('DELETED', () => api(writer.url, 'DELETE', `${PATH}/${name}`));
      t.diagnostic(`${from} → ${to} watch latency (ms): ${latencies.map((l) => Math.round(l)).join(', ')}`);

      // Exactly those three, in order, and nothing else.
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(
        w.events.map((e) => `${e.type} ${e.object.metadata.name}`),
        [`ADDED ${name}`, `MODIFIED ${name}`, `DELETED ${name}`],
      );
      w.close();
    });
  }

  test('optimistic concurrency across replicas: a stale resourceVersion through B after an update through A is a 409', async () => {
    const created = await api(a.url, 'POST', PATH, network('occ-1', { accessProjects: ['p1'] }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const stale = (await api(b.url, 'GET', `${PATH}/occ-1`)).body;
    assert.equal(stale.metadata.resourceVersion, created.body.metadata.resourceVersion, 'B reads what A wrote');

    const fresh = (await api(a.url, 'GET', `${PATH}/occ-1`)).body;
    fresh.spec.public = true;
    const updated = await api(a.url, 'PUT', `${PATH}/occ-1`, fresh);
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.notEqual(updated.body.metadata.resourceVersion, stale.metadata.resourceVersion);

    // PUT with the stale copy through B.
    stale.spec.accessProjects = ['p2'];
    const put = await api(b.url, 'PUT', `${PATH}/occ-1`, stale);
    assert.equal(put.status, 409, JSON.stringify(put.body));
    assert.equal(put.body.kind, 'Status');
    assert.equal(put.body.reason, 'Conflict');
    assert.match(put.body.message, /the object has been modified/);
    // A merge patch and a delete that carry the stale version fail the same way.
    const patch = await api(
      b.url,
      'PATCH',
      `${PATH}/occ-1`,
      { metadata: { resourceVersion: stale.metadata.resourceVersion }, spec: { accessProjects: ['p3'] } },
      MERGE,
    );
    assert.equal(patch.status, 409, JSON.stringify(patch.body));
    const del = await api(b.url, 'DELETE', `${PATH}/occ-1`, {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      preconditions: { resourceVersion: stale.metadata.resourceVersion },
    });
    assert.equal(del.status, 409, JSON.stringify(del.body));

    // Nothing of the stale writes landed; A's update did, as both replicas show.
    for (const srv of [a, b]) {
      const now = (await api(srv.url, 'GET', `${PATH}/occ-1`)).body;
      assert.deepEqual(now.spec.accessProjects, ['p1']);
      assert.equal(now.spec.public, true);
      assert.equal(now.metadata.resourceVersion, updated.body.metadata.resourceVersion);
    }
    // With the current version, B's write goes through.
    const current = (await api(b.url, 'GET', `${PATH}/occ-1`)).body;
    current.spec.accessProjects = ['p2'];
    const retried = await api(b.url, 'PUT', `${PATH}/occ-1`, current);
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.deepEqual((await api(a.url, 'GET', `${PATH}/occ-1`)).body.spec.accessProjects, ['p2']);
  });

  test('concurrent creates through both replicas: one ordered history, seen once each, and both lists agree', async () => {
    const rv0 = (await api(b.url, 'GET', PATH)).body.metadata.resourceVersion;
    const wa = await watch(a, `watch=true&resourceVersion=${rv0}`);
    const wb = await watch(b, `watch=true&resourceVersion=${rv0}`);
    const N = 20;
    const posts = await Promise.all(
      [...Array(N).keys()].flatMap((i) => [
        api(a.url, 'POST', PATH, network(`par-a-${i}`)),
        api(b.url, 'POST', PATH, network(`par-b-${i}`)),
      ]),
    );
    for (const p of posts) assert.equal(p.status, 201, JSON.stringify(p.body));
    const rvOf = new Map<string, string>(posts.map((p) => [p.body.metadata.name, p.body.metadata.resourceVersion]));
    assert.equal(new Set(rvOf.values()).size, 2 * N, 'every write gets its own resourceVersion');

    for (const [label, w] of [
      ['A', wa],
      ['B', wb],
    ] as const) {
      await w.next(() => w.events.length >= 2 * N, `${2 * N} events on ${label}`, 5_000);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(w.events.length, 2 * N, `exactly one event per create on ${label}: ${w.summary()}`);
      const seen = w.events.map((e) => Number(e.object.metadata.resourceVersion));
      for (let i = 1; i < seen.length; i++)
        assert.ok(seen[i] > seen[i - 1], `events on ${label} must come in resourceVersion order: ${seen}`);
      for (const e of w.events) {
        assert.equal(e.type, 'ADDED');
        assert.equal(
          e.object.metadata.resourceVersion,
          rvOf.get(e.object.metadata.name),
          `${e.object.metadata.name} on ${label}`,
        );
      }
      w.close();
    }

    const [la, lb] = [await api(a.url, 'GET', PATH), await api(b.url, 'GET', PATH)];
    assert.equal(la.status, 200);
    assert.deepEqual(la.body, lb.body, 'both replicas list the same objects at the same resourceVersion');
    const names = la.body.items.map((i: any) => i.metadata.name);
    for (const n of rvOf.keys()) assert.ok(names.includes(n), `${n} is listed`);
    assert.equal(
      Number(la.body.metadata.resourceVersion),
      Math.max(...[...rvOf.values()].map(Number)),
      'the list is at the newest write',
    );
  });
});
