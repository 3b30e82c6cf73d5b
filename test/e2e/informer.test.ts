// @kubernetes/client-node 1.4.0 as a controller would use it: an informer on Networks against `hil-admin serve
// --watch-timeout 2` (the server ends every watch after 2–4 s) sees every add, update and delete, resumes after
// each server-side close without losing or repeating events, and its cache equals the server's list. A plain
// Watch from an old resourceVersion replays the history in order; from a compacted one it gets 410 Gone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startServe, type ServeChild } from '../support/kubectl.js';
import { api, startInProcessServer } from '../support/server.js';

const GROUP = { group: 'hil.io', version: 'v1alpha1', plural: 'networks' };
const PATH = '/apis/hil.io/v1alpha1/networks';

type Net = k8s.KubernetesObject & {
  spec?: { owner?: string; public?: boolean; accessProjects?: string[]; vlan?: number };
};

function network(name: string, spec: Net['spec'] = {}): Net {
  return { apiVersion: 'hil.io/v1alpha1', kind: 'Network', metadata: { name }, spec: { owner: '', ...spec } };
}

function kubeConfig(url: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until fn() is truthy; fails with `what` (and the detail) after timeoutMs. */
async function until(
  fn: () => boolean,
  what: string,
  timeoutMs = 5_000,
  detail: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}\n${detail()}`);
    await sleep(20);
  }
}

/** name → resourceVersion of a set of objects. */
function versions(items: readonly Net[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of items) out[o.metadata!.name!] = o.metadata!.resourceVersion!;
  return out;
}

/** A middleware that records the Content-Type each request is sent with (and changes nothing). */
function recordContentType(seen: string[]): k8s.ConfigurationOptions<any> {
  const passthrough = k8s.setHeaderMiddleware('X-HIL-Test', 'e2e');
  return {
    middleware: [
      {
        pre: (ctx: any) => {
          seen.push(ctx.getHeaders()['Content-Type']);
          return passthrough.pre(ctx);
        },
        post: (res: any) => passthrough.post(res),
      },
    ],
    middlewareMergeStrategy: 'append',
  } as k8s.ConfigurationOptions<any>;
}

describe('client-node against hil-admin serve --watch-timeout 2', () => {
  let srv: ServeChild;
  let kc: k8s.KubeConfig;
  let co: k8s.CustomObjectsApi;

  before(async () => {
    srv = await startServe({ extraArgs: ['--watch-timeout', '2'] });
    kc = kubeConfig(srv.url);
    co = kc.makeApiClient(k8s.CustomObjectsApi);
  });
  after(async () => {
    await srv?.close();
  });

  test('an informer sees add, update and delete, survives server-closed watches, and its cache matches the server', async () => {
    await co.createClusterCustomObject({ ...GROUP, body: network('pre-1', { owner: 'p1' }) });
    const events: { verb: string; name: string; rv: string; obj: Net }[] = [];
    const errors: unknown[] = [];
    let connects = 0;
    const informer = k8s.makeInformer<Net>(
      kc,
      PATH,
      () => co.listClusterCustomObject(GROUP) as Promise<k8s.KubernetesListObject<Net>>,
    );
    for (const verb of [k8s.ADD, k8s.UPDATE, k8s.DELETE] as const) {
      informer.on(verb, (obj: Net) =>
        events.push({ verb, name: obj.metadata!.name!, rv: obj.metadata!.resourceVersion!, obj }),
      );
    }
    informer.on(k8s.ERROR, (err?: unknown) => errors.push(err));
    informer.on(k8s.CONNECT, () => connects++);
    const seen = (verb: string, name: string, check: (o: Net) => boolean = () => true) =>
      events.some((e) => e.verb === verb && e.name === name && check(e.obj));
    const log = () =>
      `events: ${JSON.stringify(events.map((e) => `${e.verb} ${e.name}@${e.rv}`))}\nerrors: ${errors.map(String).join('; ')}`;
    try {
      await informer.start();
      await until(() => seen('add', 'pre-1'), 'the listed object to be added', 5_000, log);

      // add
      const a = (await co.createClusterCustomObject({ ...GROUP, body: network('inf-a') })) as Net;
      await until(
        () => seen('add', 'inf-a', (o) => o.metadata!.resourceVersion === a.metadata!.resourceVersion),
        'add inf-a',
        3_000,
        log,
      );

      // update: patchClusterCustomObject sends application/json-patch+json by default, so a JSON patch array works…
      const types: string[] = [];
      const p1 = (await co.patchClusterCustomObject(
        { ...GROUP, name: 'inf-a', body: [{ op: 'replace', path: '/spec/public', value: true }] },
        recordContentType(types),
      )) as Net;
      assert.equal(types[0], 'application/json-patch+json');
      assert.equal(p1.spec!.public, true);
      await until(
        () => seen('update', 'inf-a', (o) => o.spec!.public === true),
        'update inf-a (JSON patch)',
        3_000,
        log,
      );

      // …a merge-patch object sent under that default type is refused, not misapplied…
      await assert.rejects(
        co.patchClusterCustomObject({ ...GROUP, name: 'inf-a', body: { spec: { public: false } } }),
        (err: any) => err instanceof k8s.ApiException && (err.code === 400 || err.code === 422),
      );
      // …and a merge patch goes through with its Content-Type set by a middleware.
      const mergeTypes: string[] = [];
      await co.patchClusterCustomObject(
        { ...GROUP, name: 'inf-a', body: { spec: { accessProjects: ['p2'] } } },
        k8s.setHeaderOptions('Content-Type', 'application/merge-patch+json', recordContentType(mergeTypes)),
      );
      await until(
        () => seen('update', 'inf-a', (o) => o.spec!.accessProjects?.[0] === 'p2' && o.spec!.public === true),
        'update inf-a (merge patch)',
        3_000,
        log,
      );

      // delete
      await co.deleteClusterCustomObject({ ...GROUP, name: 'inf-a' });
      await until(() => seen('delete', 'inf-a'), 'delete inf-a', 3_000, log);
      assert.equal(informer.get('inf-a'), undefined);

      // Past a few server-side watch timeouts (2–4 s each): the informer re-watched each time.
      const connectsBefore = connects;
      await sleep(8_500);
      assert.ok(
        connects - connectsBefore >= 2,
        `the informer should have re-watched at least twice in 8.5 s (it did ${connects - connectsBefore} times)`,
      );
      assert.deepEqual(errors, [], 'the informer reported errors');

      // More changes, now on a resumed watch.
      const b = (await co.createClusterCustomObject({ ...GROUP, body: network('inf-b', { owner: 'p1' }) })) as Net;
      await co.createClusterCustomObject({ ...GROUP, body: network('inf-c', { vlan: 1200 }) });
      await co.patchClusterCustomObject({
        ...GROUP,
        name: 'inf-b',
        body: [{ op: 'add', path: '/spec/accessProjects', value: ['p3'] }],
      });
      await co.deleteClusterCustomObject({ ...GROUP, name: 'pre-1' });
      await until(
        () =>
          seen('add', 'inf-c') &&
          seen('update', 'inf-b', (o) => o.spec!.accessProjects?.[0] === 'p3') &&
          seen('delete', 'pre-1'),
        'the changes after the re-watches',
        5_000,
        log,
      );
      assert.notEqual(b.metadata!.resourceVersion, undefined);

      // Each change was delivered once: no replays across reconnects.
      const count = (verb: string, name: string) => events.filter((e) => e.verb === verb && e.name === name).length;
      assert.equal(count('add', 'inf-a'), 1, log());
      assert.equal(count('add', 'inf-b'), 1, log());
      assert.equal(count('delete', 'inf-a'), 1, log());
      assert.equal(count('update', 'inf-a'), 2, log());

      // The cache is exactly the server's list.
      const list = (await co.listClusterCustomObject(GROUP)) as k8s.KubernetesListObject<Net>;
      assert.deepEqual(versions(informer.list()), versions(list.items));
      assert.deepEqual(Object.keys(versions(list.items)).sort(), ['inf-b', 'inf-c']);
      for (const item of list.items) assert.deepEqual(informer.get(item.metadata!.name!), item);
      assert.deepEqual(errors, [], 'the informer reported errors');
    } finally {
      await informer.stop();
    }
  });

  test('a Watch from an old resourceVersion replays the changes since then, in order', async () => {
    const listed = await api(srv.url, 'GET', PATH);
    const rv0 = listed.body.metadata.resourceVersion as string;
    const writes = [
      await api(srv.url, 'POST', PATH, network('w-a')),
      await api(srv.url, 'PATCH', `${PATH}/w-a`, { spec: { public: true } }, 'application/merge-patch+json'),
      await api(srv.url, 'POST', PATH, network('w-b')),
      await api(srv.url, 'DELETE', `${PATH}/w-a`),
    ];
    assert.deepEqual(
      writes.map((w) => w.status),
      [201, 200, 201, 200],
    );
    const rvs = writes.map((w) => w.body.metadata.resourceVersion as string);

    const watchFrom = async (rv: string, want: number) => {
      const got: { type: string; name: string; rv: string; public?: boolean }[] = [];
      let ended: unknown = 'not yet';
      const ctl = await new k8s.Watch(kc).watch(
        PATH,
        { resourceVersion: rv },
        (type: string, obj: Net) =>
          got.push({ type, name: obj.metadata!.name!, rv: obj.metadata!.resourceVersion!, public: obj.spec?.public }),
        (err: unknown) => (ended = err),
      );
      try {
        await until(
          () => got.length >= want,
          `${want} replayed events`,
          3_000,
          () => `got ${JSON.stringify(got)}; ended: ${String(ended)}`,
        );
        await sleep(200); // nothing more should come
      } finally {
        ctl.abort();
      }
      return got;
    };

    const all = await watchFrom(rv0, 4);
    assert.deepEqual(
      all.map((e) => `${e.type} ${e.name}`),
      ['ADDED w-a', 'MODIFIED w-a', 'ADDED w-b', 'DELETED w-a'],
    );
    assert.deepEqual(
      all.slice(0, 3).map((e) => e.rv),
      rvs.slice(0, 3),
      'each event carries the resourceVersion of its write',
    );
    assert.equal(all[1].public, true);
    const numeric = all.map((e) => Number(e.rv));
    for (let i = 1; i < numeric.length; i++)
      assert.ok(numeric[i] > numeric[i - 1], `resourceVersions must increase: ${numeric}`);

    // From the third write's resourceVersion only the delete is left.
    const tail = await watchFrom(rvs[2], 1);
    assert.deepEqual(
      tail.map((e) => `${e.type} ${e.name}`),
      ['DELETED w-a'],
    );
  });
});

describe('client-node Watch after compaction (in-process server)', () => {
  test('watching from a compacted resourceVersion gets 410 Gone; from a kept one it replays', async () => {
    const srv = await startInProcessServer();
    try {
      const kc = kubeConfig(srv.url);
      const rvs: string[] = [];
      for (let i = 1; i <= 5; i++) {
        const r = await api(srv.url, 'POST', PATH, network(`c-${i}`));
        assert.equal(r.status, 201, JSON.stringify(r.body));
        rvs.push(r.body.metadata.resourceVersion);
      }
      const compacted = await srv.store.compact(Number(rvs[3]));
      assert.equal(compacted, Number(rvs[3]));

      const watch = (rv: string) =>
        new Promise<{ status?: number; events: { type: string; obj: any }[] }>((resolve, reject) => {
          const events: { type: string; obj: any }[] = [];
          let ctl: AbortController | undefined;
          const finish = (status?: number) => {
            ctl?.abort();
            resolve({ status, events });
          };
          const timer = setTimeout(() => finish(), 1_500);
          new k8s.Watch(kc)
            .watch(
              PATH,
              { resourceVersion: rv },
              (type: string, obj: any) => {
                events.push({ type, obj });
                if (type === 'ERROR') {
                  clearTimeout(timer);
                  finish(obj.code);
                }
              },
              (err: any) => {
                if (err?.statusCode) {
                  clearTimeout(timer);
                  finish(err.statusCode);
                }
              },
            )
            .then((c) => (ctl = c), reject);
        });

      const old = await watch(rvs[1]);
      assert.equal(
        old.status,
        410,
        `a watch from compacted revision ${rvs[1]} must get 410 Gone; got ${JSON.stringify(old)}`,
      );
      assert.equal(old.events.filter((e) => e.type !== 'ERROR').length, 0, 'no events from a compacted start');

      const kept = await watch(rvs[3]);
      assert.equal(kept.status, undefined, JSON.stringify(kept));
      assert.deepEqual(
        kept.events.map((e) => `${e.type} ${e.obj.metadata.name}`),
        ['ADDED c-5'],
      );
    } finally {
      await srv.stop();
    }
  });
});
