// A read-only view of the objects the controllers watch: the informers' caches in the daemon, or anything else that
// can answer get/list (a benchmark or a test may hand the switch reconciler its own). Lookups by a field go through
// `lookup` and the INDEXES below: the daemon's cache keeps each index as its informer's events arrive, so a switch
// pass at 10,000 nodes reads its own 48 ports and their NICs, not every Port, Node and attachment of the site.
import type { HilKinds, HilPlural } from './client.js';
import type { ResourceInformer } from './runtime/informer.js';

interface IndexDef<P extends HilPlural> {
  plural: P;
  /** The keys an object is found under (none for an undefined key). */
  keys: (o: HilKinds[P]) => (string | undefined)[];
}
const index = <P extends HilPlural>(plural: P, keys: (o: HilKinds[P]) => (string | undefined)[]): IndexDef<P> => ({
  plural,
  keys,
});

export const INDEXES = {
  attachmentsByNode: index('networkattachments', (a) => [a.spec?.node]),
  portsBySwitch: index('ports', (p) => [p.spec?.switch]),
  nodesByPort: index('nodes', (n) => (n.spec?.nics ?? []).map((nic) => nic.port)),
  nodesByProject: index('nodes', (n) => [n.spec?.project ?? '']),
  networksByOwner: index('networks', (n) => [n.spec?.owner ?? '']),
  headnodesByProject: index('headnodes', (h) => [h.spec?.project]),
};
export type IndexName = keyof typeof INDEXES;
type Indexed<I extends IndexName> = HilKinds[(typeof INDEXES)[I]['plural']];

export interface ObjectCache {
  get<P extends HilPlural>(plural: P, name: string): HilKinds[P] | undefined;
  list<P extends HilPlural>(plural: P): HilKinds[P][];
  /** The objects found under `key` in an index of INDEXES, if the cache keeps it (else `lookup` filters list()). */
  byIndex?<I extends IndexName>(index: I, key: string): Indexed<I>[];
}

/** The objects found under `key` in an index: from the cache's index where it keeps one, else by filtering list(). */
export function lookup<I extends IndexName>(cache: ObjectCache, name: I, key: string): Indexed<I>[] {
  if (cache.byIndex) return cache.byIndex(name, key);
  const def = INDEXES[name] as unknown as IndexDef<HilPlural>;
  return cache.list(def.plural).filter((o) => def.keys(o).includes(key)) as Indexed<I>[];
}

/** One index: key → object name → object, in the order objects were first seen under the key. */
class Index<T extends { metadata: { name?: string } }> {
  private readonly byKey = new Map<string, Map<string, T>>();
  private readonly keysOf = new Map<string, string[]>();

  constructor(private readonly keys: (o: T) => (string | undefined)[]) {}

  put(o: T): void {
    const name = o.metadata.name!;
    const keys = [...new Set(this.keys(o).filter((k): k is string => k !== undefined))];
    for (const k of this.keysOf.get(name) ?? []) if (!keys.includes(k)) this.drop(k, name);
    for (const k of keys) {
      let m = this.byKey.get(k);
      if (!m) this.byKey.set(k, (m = new Map()));
      m.set(name, o);
    }
    if (keys.length) this.keysOf.set(name, keys);
    else this.keysOf.delete(name);
  }

  remove(name: string): void {
    for (const k of this.keysOf.get(name) ?? []) this.drop(k, name);
    this.keysOf.delete(name);
  }

  find(key: string): T[] {
    return [...(this.byKey.get(key)?.values() ?? [])];
  }

  private drop(key: string, name: string): void {
    const m = this.byKey.get(key);
    m?.delete(name);
    if (m && !m.size) this.byKey.delete(key);
  }
}

export class InformerCache implements ObjectCache {
  private readonly indexes = new Map<IndexName, Index<any>>();

  constructor(private readonly informers: { [P in HilPlural]: ResourceInformer<HilKinds[P]> }) {
    for (const [name, def] of Object.entries(INDEXES) as [IndexName, IndexDef<HilPlural>][]) {
      const ix = new Index<HilKinds[HilPlural]>(def.keys);
      this.indexes.set(name, ix);
      const informer = informers[def.plural] as ResourceInformer<HilKinds[HilPlural]>;
      informer.on('add', (o) => ix.put(o));
      informer.on('update', (o) => ix.put(o));
      informer.on('delete', (o) => ix.remove(o.metadata.name!));
    }
  }

  byIndex<I extends IndexName>(name: I, key: string): Indexed<I>[] {
    return this.indexes.get(name)!.find(key) as Indexed<I>[];
  }

  get<P extends HilPlural>(plural: P, name: string): HilKinds[P] | undefined {
    return (this.informers[plural] as ResourceInformer<HilKinds[P]>).get(name);
  }
  list<P extends HilPlural>(plural: P): HilKinds[P][] {
    return (this.informers[plural] as ResourceInformer<HilKinds[P]>).list();
  }
}
