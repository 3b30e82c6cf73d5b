// A read-only view of the objects the controllers watch: the informers' caches in the daemon, or anything else that
// can answer get/list (a benchmark or a test may hand the switch reconciler its own).
import type { HilKinds, HilPlural } from './client.js';
import type { ResourceInformer } from './runtime/informer.js';

export interface ObjectCache {
  get<P extends HilPlural>(plural: P, name: string): HilKinds[P] | undefined;
  list<P extends HilPlural>(plural: P): HilKinds[P][];
}

export class InformerCache implements ObjectCache {
  constructor(private readonly informers: { [P in HilPlural]: ResourceInformer<HilKinds[P]> }) {}
  get<P extends HilPlural>(plural: P, name: string): HilKinds[P] | undefined {
    return (this.informers[plural] as ResourceInformer<HilKinds[P]>).get(name);
  }
  list<P extends HilPlural>(plural: P): HilKinds[P][] {
    return (this.informers[plural] as ResourceInformer<HilKinds[P]>).list();
  }
}
