// The daemon's cache answers lookups by field from indexes kept as the informers' events arrive; whatever happens to
// the objects (created, changed to other keys, deleted, recreated), each index must answer what filtering the
// informer's list would — which is also what a cache without indexes answers through `lookup`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INDEXES, InformerCache, lookup, type IndexName, type ObjectCache } from '../../controllers/cache.js';
import type { HilPlural } from '../../controllers/client.js';

type Obj = { metadata: { name: string }; spec?: Record<string, unknown> };

/** An informer: a map of objects and the handlers the cache registers. */
function fakeInformer() {
  const objects = new Map<string, Obj>();
  const handlers: Record<string, ((o: Obj) => void)[]> = { add: [], update: [], delete: [] };
  return {
    objects,
    on(verb: string, h: (o: Obj) => void) {
      (handlers[verb] ??= []).push(h);
      return this;
    },
    get: (name: string) => objects.get(name),
    list: () => [...objects.values()],
    apply(o: Obj) {
      const verb = objects.has(o.metadata.name) ? 'update' : 'add';
      objects.set(o.metadata.name, o);
      handlers[verb].forEach((h) => h(o));
    },
    remove(name: string) {
      const o = objects.get(name);
      if (!o) return;
      objects.delete(name);
      handlers.delete.forEach((h) => h(o));
    },
  };
}

const plurals: HilPlural[] = ['projects', 'switches', 'ports', 'nodes', 'networks', 'networkattachments', 'headnodes'];

test('every index answers what filtering the list answers, through creates, key changes, deletes and re-creates', () => {
  const informers = Object.fromEntries(plurals.map((p) => [p, fakeInformer()])) as Record<
    HilPlural,
    ReturnType<typeof fakeInformer>
  >;
  const cache = new InformerCache(informers as never);
  const unindexed: ObjectCache = {
    get: (p, n) => informers[p].get(n) as never,
    list: (p) => informers[p].list() as never,
  };
  const keys = ['', 'p1', 'p2', 'sw1', 'sw2', 'port-a', 'port-b', 'port-c', 'n1', 'n2'];
  const check = (step: string) => {
    for (const name of Object.keys(INDEXES) as IndexName[])
      for (const key of keys) {
        const names = (c: ObjectCache) =>
          lookup(c, name, key)
            .map((o) => (o as { metadata: { name?: string } }).metadata.name)
            .sort();
        assert.deepEqual(names(cache), names(unindexed), `${step}: ${name}[${JSON.stringify(key)}]`);
      }
  };
  const steps: [string, () => void][] = [
    ['empty', () => {}],
    [
      'created',
      () => {
        informers.nodes.apply({
          metadata: { name: 'n1' },
          spec: { project: 'p1', nics: [{ name: 'eth0', port: 'port-a' }] },
        });
        informers.nodes.apply({
          metadata: { name: 'n2' },
          spec: { nics: [{ name: 'eth0', port: 'port-b' }, { name: 'eth1', port: 'port-c' }, { name: 'ipmi' }] },
        });
        informers.ports.apply({ metadata: { name: 'port-a' }, spec: { switch: 'sw1' } });
        informers.ports.apply({ metadata: { name: 'port-b' }, spec: { switch: 'sw1' } });
        informers.networkattachments.apply({ metadata: { name: 'a1' }, spec: { node: 'n1', nic: 'eth0' } });
        informers.networks.apply({ metadata: { name: 'net1' }, spec: { owner: 'p1' } });
        informers.networks.apply({ metadata: { name: 'pub' }, spec: {} });
        informers.headnodes.apply({ metadata: { name: 'h1' }, spec: { project: 'p2' } });
      },
    ],
    [
      'keys changed',
      () => {
        // Recabled (one port kept, one moved), claimed, a port moved to another switch, an attachment moved.
        informers.nodes.apply({
          metadata: { name: 'n2' },
          spec: {
            project: 'p2',
            nics: [
              { name: 'eth0', port: 'port-b' },
              { name: 'eth1', port: 'port-a' },
            ],
          },
        });
        informers.nodes.apply({ metadata: { name: 'n1' }, spec: { project: '', nics: [{ name: 'eth0' }] } });
        informers.ports.apply({ metadata: { name: 'port-b' }, spec: { switch: 'sw2' } });
        informers.networkattachments.apply({ metadata: { name: 'a1' }, spec: { node: 'n2', nic: 'eth1' } });
      },
    ],
    [
      'deleted',
      () => {
        informers.nodes.remove('n2');
        informers.ports.remove('port-a');
        informers.networkattachments.remove('a1');
        informers.headnodes.remove('h1');
      },
    ],
    [
      're-created',
      () => {
        informers.nodes.apply({
          metadata: { name: 'n2' },
          spec: { project: 'p1', nics: [{ name: 'eth0', port: 'port-c' }] },
        });
        informers.networkattachments.apply({ metadata: { name: 'a1' }, spec: { node: 'n2', nic: 'eth0' } });
      },
    ],
  ];
  for (const [step, run] of steps) {
    run();
    check(step);
  }
  // Not vacuous: the indexes hold what the steps put there.
  assert.deepEqual(
    lookup(cache, 'nodesByPort', 'port-c').map((n) => n.metadata.name),
    ['n2'],
  );
  assert.deepEqual(
    lookup(cache, 'attachmentsByNode', 'n2').map((a) => a.metadata.name),
    ['a1'],
  );
  assert.equal(lookup(cache, 'nodesByProject', 'p1').length, 1);
  assert.equal(lookup(cache, 'networksByOwner', '').length, 1);
});
