// Event filtering by what matters to a desired state (controller-runtime's GenerationChangedPredicate, widened): a
// controller whose desired state comes from objects' spec, deletion, finalizers and labels is not woken by their
// status-only updates — most of which are its own writes, or other controllers' informational ones.
/**
 * What of an object, apart from its status, was last seen: its generation (the API server bumps it on every change
 * outside status and metadata), deletion, finalizers and labels. changed() records the object and says whether
 * any of those differ from the last time (always true the first time).
 */
export class SpecSignatures {
  private readonly seen = new Map<string, string>();

  changed(o: KubeObject): boolean {
    const m = o.metadata;
    const sig = JSON.stringify([m.generation, m.deletionTimestamp, m.finalizers, m.labels]);
    const name = m.name!;
    if (this.seen.get(name) === sig) return false;
    this.seen.set(name, sig);
    return true;
  }

  forget(o: KubeObject): void {
    this.seen.delete(o.metadata.name!);
  }
}

type KubeObject = {
  metadata: {
    name?: string;
    generation?: number;
    deletionTimestamp?: unknown;
    finalizers?: string[];
    labels?: Record<string, string>;
  };
};

/**
 * Calls `handler` for an informer's adds and deletes, and for its updates that change what SpecSignatures sees (so
 * never for a status-only update). `deleted` says which.
 */
export function onSpecChange<T extends KubeObject>(
  informer: { on(verb: 'add' | 'update' | 'delete', h: (o: T) => void): unknown },
  handler: (o: T, deleted: boolean) => void,
): void {
  const seen = new SpecSignatures();
  informer.on('add', (o) => {
    seen.changed(o);
    handler(o, false);
  });
  informer.on('update', (o) => {
    if (seen.changed(o)) handler(o, false);
  });
  informer.on('delete', (o) => {
    seen.forget(o);
    handler(o, true);
  });
}
