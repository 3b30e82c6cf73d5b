// Watch semantics against an in-process server: replay, live events, selectors, 410 Gone, bookmarks, timeouts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startInProcessServer, type InProcessServer } from '../support/server.js';

const G = '/apis/hil.io/v1alpha1';
const net = (name: string, labels?: Record<string, string>) => ({
  apiVersion: 'hil.io/v1alpha1',
  kind: 'Network',
  metadata: { name, ...(labels ? { labels } : {}) },
  spec: { owner: '' },
});

interface WatchStream {
  status: number;
  headersAt: number;
  /** Resolves with the next n events (waits up to timeoutMs). */
  next(n?: number, timeoutMs?: number): Promise<any[]>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

async function watch(url: string, query: string, headers: Record<string, string> = {}): Promise<WatchStream> {
  const ac = new AbortController();
  const r = await fetch(`${url}${G}/networks?watch=true&${query}`, { signal: ac.signal, headers });
  const headersAt = Date.now();
  const events: any[] = [];
  let wake: (() => void) | undefined;
  let buf = '';
  const ended = (async () => {
    if (!r.body) return;
    const dec = new TextDecoder();
    try {
      for await (const chunk of r.body as any) {
        buf += dec.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) events.push(JSON.parse(line));
          wake?.();
        }
      }
    } catch {
      /* aborted */
    }
    wake?.();
  })();
  let done = false;
  void ended.then(() => (done = true));
  return {
    status: r.status,
    headersAt,
    ended,
    close: () => ac.abort(),
    async next(n = 1, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < n && !done && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return events.splice(0, n);
    },
  };
}

describe('watch', () => {
  let srv: InProcessServer;
  before(async () => {
    srv = await startInProcessServer({ watchTimeoutMs: 60_000, bookmarkIntervalMs: 200 });
  });
  after(() => srv.stop());

  test('headers arrive at once, then live ADDED / MODIFIED / DELETED in order', async () => {
    const list = await api(srv.url, 'GET', `${G}/networks`);
    const t0 = Date.now();
    const w = await watch(srv.url, `resourceVersion=${list.body.metadata.resourceVersion}`);
    assert.equal(w.status, 200);
    assert.ok(w.headersAt - t0 < 1000, 'headers must be flushed before any event');
    await api(srv.url, 'POST', `${G}/networks`, net('w-1'));
    await api(srv.url, 'PATCH', `${G}/networks/w-1`, { spec: { public: true } }, 'application/merge-patch+json');
    await api(srv.url, 'DELETE', `${G}/networks/w-1`);
    const evs = await w.next(3);
    w.close();
    assert.deepEqual(
      evs.map((e) => [e.type, e.object.metadata.name]),
      [
        ['ADDED', 'w-1'],
        ['MODIFIED', 'w-1'],
        ['DELETED', 'w-1'],
      ],
    );
    assert.equal(evs[1].object.spec.public, true);
    const rvs = evs.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual(
      [...rvs].sort((a, b) => a - b),
      rvs,
    );
  });

  test('a watch from an older resourceVersion replays what happened since, then goes live', async () => {
    const start = (await api(srv.url, 'GET', `${G}/networks`)).body.metadata.resourceVersion;
    await api(srv.url, 'POST', `${G}/networks`, net('r-1'));
    await api(srv.url, 'POST', `${G}/networks`, net('r-2'));
    const w = await watch(srv.url, `resourceVersion=${start}`);
    const replay = await w.next(2);
    assert.deepEqual(
      replay.map((e) => e.object.metadata.name),
      ['r-1', 'r-2'],
    );
    await api(srv.url, 'POST', `${G}/networks`, net('r-3'));
    const live = await w.next(1);
    w.close();
    assert.equal(live[0]?.object.metadata.name, 'r-3');
  });

  test('without a resourceVersion the current state comes first as ADDED events', async () => {
    const w = await watch(srv.url, '');
    const initial = await w.next(3);
    w.close();
    assert.deepEqual(
      initial.map((e) => [e.type, e.object.metadata.name]),
      [
        ['ADDED', 'r-1'],
        ['ADDED', 'r-2'],
        ['ADDED', 'r-3'],
      ],
    );
  });

  test('label selectors: an object that starts or stops matching is ADDED or DELETED for that watcher', async () => {
    const rv = (await api(srv.url, 'GET', `${G}/networks`)).body.metadata.resourceVersion;
    const w = await watch(srv.url, `resourceVersion=${rv}&labelSelector=team%3Dblue`);
    await api(srv.url, 'POST', `${G}/networks`, net('s-1'));
    await api(
      srv.url,
      'PATCH',
      `${G}/networks/s-1`,
      { metadata: { labels: { team: 'blue' } } },
      'application/merge-patch+json',
    );
    await api(srv.url, 'PATCH', `${G}/networks/s-1`, { spec: { public: true } }, 'application/merge-patch+json');
    await api(
      srv.url,
      'PATCH',
      `${G}/networks/s-1`,
      { metadata: { labels: { team: 'red' } } },
      'application/merge-patch+json',
    );
    await api(srv.url, 'DELETE', `${G}/networks/s-1`);
    const evs = await w.next(4, 1500);
    w.close();
    assert.deepEqual(
      evs.map((e) => e.type),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
  });

  test('a resourceVersion older than the kept history is 410 Gone', async () => {
    const old = (await api(srv.url, 'GET', `${G}/networks`)).body.metadata.resourceVersion;
    await api(srv.url, 'POST', `${G}/networks`, net('g-1'));
    await api(srv.url, 'POST', `${G}/networks`, net('g-2'));
    await srv.store.compact(Number(old) + 1);
    const r = await api(srv.url, 'GET', `${G}/networks?watch=true&resourceVersion=${old}`);
    assert.equal(r.status, 410);
    assert.equal(r.body.kind, 'Status');
    assert.equal(r.body.code, 410);
    assert.equal(r.body.reason, 'Expired');
    // …and once, not as a stream of instant closes: a fresh list gives a resourceVersion that works.
    const rv = (await api(srv.url, 'GET', `${G}/networks`)).body.metadata.resourceVersion;
    const w = await watch(srv.url, `resourceVersion=${rv}`);
    assert.equal(w.status, 200);
    w.close();
  });

  test("bookmarks come only when asked for, with the watcher's resourceVersion", async () => {
    const rv = (await api(srv.url, 'GET', `${G}/networks`)).body.metadata.resourceVersion;
    const plain = await watch(srv.url, `resourceVersion=${rv}`);
    const w = await watch(srv.url, `resourceVersion=${rv}&allowWatchBookmarks=true`);
    await api(srv.url, 'POST', `${G}/networks`, net('b-1'));
    const evs = await w.next(3, 2000);
    const plainEvs = await plain.next(2, 600);
    w.close();
    plain.close();
    assert.equal(evs[0].type, 'ADDED');
    const bm = evs.find((e) => e.type === 'BOOKMARK');
    assert.ok(bm, 'a bookmark arrives');
    assert.ok(Number(bm.object.metadata.resourceVersion) >= Number(evs[0].object.metadata.resourceVersion));
    assert.deepEqual(
      plainEvs.map((e) => e.type),
      ['ADDED'],
    );
  });

  test('timeoutSeconds ends the stream cleanly', async () => {
    const rv = (await api(srv.url, 'GET', `${G}/networks`)).body.metadata.resourceVersion;
    const t0 = Date.now();
    const w = await watch(srv.url, `resourceVersion=${rv}&timeoutSeconds=1`);
    assert.equal(w.status, 200);
    await w.ended;
    const took = Date.now() - t0;
    assert.ok(took >= 900 && took < 4000, `ended after ${took} ms`);
  });

  test('the server ends every watch by itself after its watch timeout', async () => {
    const short = await startInProcessServer({ watchTimeoutMs: 500 });
    try {
      const t0 = Date.now();
      const w = await watch(short.url, 'resourceVersion=1');
      await w.ended;
      const took = Date.now() - t0;
      assert.ok(took >= 450 && took < 3000, `ended after ${took} ms`);
    } finally {
      await short.stop();
    }
  });

  test('kubectl get -w style: Table events with the column definitions first', async () => {
    const rv = (await api(srv.url, 'GET', `${G}/networks`)).body.metadata.resourceVersion;
    const w = await watch(srv.url, `resourceVersion=${rv}`, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    await api(srv.url, 'POST', `${G}/networks`, net('t-1'));
    await api(srv.url, 'POST', `${G}/networks`, net('t-2'));
    const evs = await w.next(2);
    w.close();
    assert.equal(evs[0].object.kind, 'Table');
    assert.ok(evs[0].object.columnDefinitions.length > 1);
    assert.equal(evs[1].object.columnDefinitions.length, 0);
    assert.equal(evs[1].object.rows[0].cells[0], 't-2');
  });

  test('many watchers all get every event', async () => {
    const rv = (await api(srv.url, 'GET', `${G}/networks`)).body.metadata.resourceVersion;
    const ws = await Promise.all(Array.from({ length: 20 }, () => watch(srv.url, `resourceVersion=${rv}`)));
    for (let i = 0; i < 10; i++) await api(srv.url, 'POST', `${G}/networks`, net(`m-${i}`));
    const got = await Promise.all(ws.map((w) => w.next(10)));
    ws.forEach((w) => w.close());
    for (const evs of got)
      assert.deepEqual(
        evs.map((e) => e.object.metadata.name),
        Array.from({ length: 10 }, (_, i) => `m-${i}`),
      );
  });
});
