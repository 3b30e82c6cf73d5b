// A read-only view of the objects the controllers watch: the informers' caches in the daemon, or anything else that
// can answer get/list (a benchmark or a test may hand the switch reconciler its own).
import type { NetworkAttachment } from '../api/v1alpha1/types.js';
import type { HilKinds, HilPlural } from './client.js';
import type { ResourceInformer } from './runtime/informer.js';

export interface ObjectCache {
  get<P extends HilPlural>(plural: P, name: string): HilKinds[P] | undefined;
  list<P extends HilPlural>(plural: P): HilKinds[P][];
  /** The attachments whose spec.node is `node`, if the cache keeps that index (else callers filter list()). */
  attachmentsOfNode?(node: string): NetworkAttachment[];
}

export class InformerCache implements ObjectCache {
  /** node → attachment name → attachment, kept from the attachment informer's events. */
  private readonly byNode = new Map<string, Map<string, NetworkAttachment>>();
  /** attachment name → the node it is indexed under (spec.node may change). */
  private readonly nodeOf = new Map<string, string>();

  constructor(private readonly informers: { [P in HilPlural]: ResourceInformer<HilKinds[P]> }) {
    const attachments = informers.networkattachments;
    attachments.on('add', (a) => this.index(a));
    attachments.on('update', (a) => this.index(a));
    attachments.on('delete', (a) => this.unindex(a.metadata.name!));
  }

  private index(a: NetworkAttachment): void {
    const name = a.metadata.name!;
    this.unindex(name);
    const node = a.spec?.node;
    if (!node) return;
    let m = this.byNode.get(node);
    if (!m) this.byNode.set(node, (m = new Map()));
    m.set(name, a);
    this.nodeOf.set(name, node);
  }

  private unindex(name: string): void {
    const node = this.nodeOf.get(name);
    if (node === undefined) return;
    this.nodeOf.delete(name);
    const m = this.byNode.get(node);
    m?.delete(name);
    if (m && !m.size) this.byNode.delete(node);
  }

  attachmentsOfNode(node: string): NetworkAttachment[] {
    return [...(this.byNode.get(node)?.values() ?? [])];
  }

  get<P extends HilPlural>(plural: P, name: string): HilKinds[P] | undefined {
    return (this.informers[plural] as ResourceInformer<HilKinds[P]>).get(name);
  }
  list<P extends HilPlural>(plural: P): HilKinds[P][] {
    return (this.informers[plural] as ResourceInformer<HilKinds[P]>).list();
  }
}
